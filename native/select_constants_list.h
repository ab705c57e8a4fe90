/* Python's select module's constants, kept by hand (a fixed list): poll(2)'s
 * POLL* bits, epoll(7)'s EPOLL* bits and EPOLL_CLOEXEC, PIPE_BUF, and the
 * epoll_ctl operations (which the epoll object passes, and Python does not
 * export). native/constants.c compiles each entry the headers define into
 * the addon's `selectConstants`; src/selectors/constants.ts exports them. */
#ifdef POLLIN
CONSTANT(POLLIN)
#endif
#ifdef POLLPRI
CONSTANT(POLLPRI)
#endif
#ifdef POLLOUT
CONSTANT(POLLOUT)
#endif
#ifdef POLLERR
CONSTANT(POLLERR)
#endif
#ifdef POLLHUP
CONSTANT(POLLHUP)
#endif
#ifdef POLLNVAL
CONSTANT(POLLNVAL)
#endif
#ifdef POLLRDNORM
CONSTANT(POLLRDNORM)
#endif
#ifdef POLLRDBAND
CONSTANT(POLLRDBAND)
#endif
#ifdef POLLWRNORM
CONSTANT(POLLWRNORM)
#endif
#ifdef POLLWRBAND
CONSTANT(POLLWRBAND)
#endif
#ifdef POLLMSG
CONSTANT(POLLMSG)
#endif
#ifdef POLLRDHUP
CONSTANT(POLLRDHUP)
#endif
#ifdef EPOLLIN
CONSTANT(EPOLLIN)
#endif
#ifdef EPOLLPRI
CONSTANT(EPOLLPRI)
#endif
#ifdef EPOLLOUT
CONSTANT(EPOLLOUT)
#endif
#ifdef EPOLLERR
CONSTANT(EPOLLERR)
#endif
#ifdef EPOLLHUP
CONSTANT(EPOLLHUP)
#endif
#ifdef EPOLLET
CONSTANT(EPOLLET)
#endif
#ifdef EPOLLONESHOT
CONSTANT(EPOLLONESHOT)
#endif
#ifdef EPOLLEXCLUSIVE
CONSTANT(EPOLLEXCLUSIVE)
#endif
#ifdef EPOLLRDHUP
CONSTANT(EPOLLRDHUP)
#endif
#ifdef EPOLLRDNORM
CONSTANT(EPOLLRDNORM)
#endif
#ifdef EPOLLRDBAND
CONSTANT(EPOLLRDBAND)
#endif
#ifdef EPOLLWRNORM
CONSTANT(EPOLLWRNORM)
#endif
#ifdef EPOLLWRBAND
CONSTANT(EPOLLWRBAND)
#endif
#ifdef EPOLLMSG
CONSTANT(EPOLLMSG)
#endif
#ifdef EPOLL_CLOEXEC
CONSTANT(EPOLL_CLOEXEC)
#endif
#ifdef PIPE_BUF
CONSTANT(PIPE_BUF)
#endif
#ifdef EPOLL_CTL_ADD
CONSTANT(EPOLL_CTL_ADD)
#endif
#ifdef EPOLL_CTL_MOD
CONSTANT(EPOLL_CTL_MOD)
#endif
#ifdef EPOLL_CTL_DEL
CONSTANT(EPOLL_CTL_DEL)
#endif
