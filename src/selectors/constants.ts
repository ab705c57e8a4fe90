// Python's select module's constants, with the running platform's values
// read from the loaded addon (native/select_constants_list.h). berkeley runs
// on Linux, whose C libraries have long defined every name here: each is a
// `number`, and importing berkeley/selectors fails clearly where one is
// missing; EPOLLEXCLUSIVE alone (Linux 4.5, 2016) is undefined under older
// headers, as it is absent from Python there.
import { native, requiredConstant } from '../core/native.js';

const table = native.selectConstants;
const required = (name: string): number => requiredConstant(name, table);

/** poll: there is data to read. */
export const POLLIN = required('POLLIN');
/** poll: there is urgent data to read (TCP out-of-band data). */
export const POLLPRI = required('POLLPRI');
/** poll: writing will not block. */
export const POLLOUT = required('POLLOUT');
/** poll, reported only: an error condition. */
export const POLLERR = required('POLLERR');
/** poll, reported only: hung up. */
export const POLLHUP = required('POLLHUP');
/** poll, reported only: the fd is not open. */
export const POLLNVAL = required('POLLNVAL');
/** poll: normal data to read (as POLLIN on Linux). */
export const POLLRDNORM = required('POLLRDNORM');
/** poll: priority-band data to read. */
export const POLLRDBAND = required('POLLRDBAND');
/** poll: writing normal data will not block (as POLLOUT on Linux). */
export const POLLWRNORM = required('POLLWRNORM');
/** poll: priority-band data may be written. */
export const POLLWRBAND = required('POLLWRBAND');
/** poll: a message is available (never reported by Linux). */
export const POLLMSG = required('POLLMSG');
/** poll: the peer closed its end or shut down writing (Linux). */
export const POLLRDHUP = required('POLLRDHUP');

/** epoll: there is data to read. */
export const EPOLLIN = required('EPOLLIN');
/** epoll: there is urgent data to read. */
export const EPOLLPRI = required('EPOLLPRI');
/** epoll: writing will not block. */
export const EPOLLOUT = required('EPOLLOUT');
/** epoll, reported only: an error condition. */
export const EPOLLERR = required('EPOLLERR');
/** epoll, reported only: hung up. */
export const EPOLLHUP = required('EPOLLHUP');
/** epoll: edge-triggered (the default is level-triggered). Its value is 2 ** 31: `EPOLLIN | EPOLLET` is negative in JavaScript, and the epoll object takes it so. */
export const EPOLLET = required('EPOLLET');
/** epoll: report one event, then disable the registration until `modify()`. */
export const EPOLLONESHOT = required('EPOLLONESHOT');
/** epoll: wake one of the epoll objects that watch the same fd with it; undefined where the headers lack it. */
export const EPOLLEXCLUSIVE: number | undefined = table.EPOLLEXCLUSIVE;
/** epoll: the peer closed its end or shut down writing. */
export const EPOLLRDHUP = required('EPOLLRDHUP');
/** epoll: as EPOLLIN. */
export const EPOLLRDNORM = required('EPOLLRDNORM');
/** epoll: priority-band data to read. */
export const EPOLLRDBAND = required('EPOLLRDBAND');
/** epoll: as EPOLLOUT. */
export const EPOLLWRNORM = required('EPOLLWRNORM');
/** epoll: priority-band data may be written. */
export const EPOLLWRBAND = required('EPOLLWRBAND');
/** epoll: a message is available (never reported by Linux). */
export const EPOLLMSG = required('EPOLLMSG');
/** epoll(): the epoll fd is close-on-exec (it always is; the flag is accepted for Python's sake). */
export const EPOLL_CLOEXEC = required('EPOLL_CLOEXEC');

/** The most bytes a write to a pipe writes at once, never interleaved with other writers'. */
export const PIPE_BUF = required('PIPE_BUF');

