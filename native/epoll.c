/* epoll(7), for select.epoll and the epoll selector: one thin function per
 * system call. Each registration's data is its fd, which epoll_wait reports
 * back. JavaScript calls epollWait with timeout 0 only: it waits for the
 * epoll fd's own readability (the readiness watcher, or poll(2)). */
#include "exports.h"
#include "args.h"
#include "platform.h"

#include <stdlib.h>

/* epoll_create1(2): () -> close-on-exec epoll fd | -errno */
static napi_value js_epoll_create(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = epoll_create1(EPOLL_CLOEXEC);
  return fd < 0 ? make_errno(env) : make_int(env, fd);
}

/* epoll_ctl(2): (epfd, op, fd, events) -> 0 | -errno. events is the mask's
 * 32 bits (EPOLLET is the top one), read as any integer. */
static napi_value js_epoll_ctl(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 4)) return NULL;
  int epfd = arg_int32(&a, 0), op = arg_int32(&a, 1), fd = arg_int32(&a, 2);
  uint32_t events = (uint32_t)arg_int64(&a, 3);
  if (a.failed) return NULL;
  struct epoll_event event = {.events = events, .data.fd = fd};
  return epoll_ctl(epfd, op, fd, &event) < 0 ? make_errno(env) : make_int(env, 0);
}

/* epoll_wait(2): (epfd, maxevents, timeoutMs) -> [fd, events][] | -errno */
static napi_value js_epoll_wait(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 3)) return NULL;
  int epfd = arg_int32(&a, 0), maxevents = arg_int32(&a, 1), timeout = arg_int32(&a, 2);
  if (a.failed) return NULL;
  /* The kernel's own bound (EP_MAX_EVENTS), checked before allocating. */
  if (maxevents <= 0 || (size_t)maxevents > INT_MAX / sizeof(struct epoll_event)) return make_int(env, -EINVAL);
  struct epoll_event stack[64], *events = maxevents <= 64 ? stack : calloc((size_t)maxevents, sizeof *events);
  if (events == NULL) return make_int(env, -ENOMEM);
  int count = epoll_wait(epfd, events, maxevents, timeout);
  napi_value result = count < 0 ? make_errno(env) : NULL;
  if (count >= 0 && napi_create_array_with_length(env, (size_t)count, &result) == napi_ok) {
    for (int k = 0; k < count; k++)
      napi_set_element(env, result, (uint32_t)k, make_pair(env, make_int(env, events[k].data.fd), make_int(env, events[k].events)));
  }
  if (events != stack) free(events);
  return result;
}

void register_epoll(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      EXPORT("epollCreate", js_epoll_create),
      EXPORT("epollCtl", js_epoll_ctl),
      EXPORT("epollWait", js_epoll_wait),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
