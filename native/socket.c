/* Creating, naming and connecting sockets: one thin function per system
 * call. Every fd made here is non-blocking and close-on-exec. */
#include "exports.h"
#include "sockaddr.h"

/* socket(2) -> fd | -errno */
static napi_value js_socket(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 3)) return NULL;
  int family = arg_int32(&a, 0), type = arg_int32(&a, 1), proto = arg_int32(&a, 2);
  if (a.failed) return NULL;
  int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  return fd < 0 ? make_errno(env) : make_int(env, fd);
}

/* socketpair(2) -> [fd, fd] | -errno */
static napi_value js_socketpair(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 3)) return NULL;
  int family = arg_int32(&a, 0), type = arg_int32(&a, 1), proto = arg_int32(&a, 2);
  if (a.failed) return NULL;
  int fds[2];
  if (socketpair(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto, fds) < 0) return make_errno(env);
  return make_pair(env, make_int(env, fds[0]), make_int(env, fds[1]));
}

/* close(2) -> 0 | -errno. EINTR still released the fd on Linux: not retried.
 * A Socket's fd is no longer owned (teardown.c). */
static napi_value js_close(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  int fd = arg_int32(&a, 0);
  if (a.failed) return NULL;
  fd_disown(instance_of(env), fd);
  return close(fd) < 0 && errno != EINTR ? make_errno(env) : make_int(env, 0);
}

/* fcntl(F_DUPFD_CLOEXEC) -> fd | -errno */
static napi_value js_dup(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  int fd = arg_int32(&a, 0);
  if (a.failed) return NULL;
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  return copy < 0 ? make_errno(env) : make_int(env, copy);
}

/* Sets O_NONBLOCK on an fd that came from elsewhere -> 0 | -errno */
static napi_value js_set_nonblocking(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  int fd = arg_int32(&a, 0);
  if (a.failed) return NULL;
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)) return make_errno(env);
  return make_int(env, 0);
}

/* setBlocking(fd, blocking) -> 0 | -errno: clears (blocking) or sets O_NONBLOCK,
 * the flag of the file description (shared by every dup of it). FIONBIO
 * changes that one flag in one system call (F_GETFL + F_SETFL take two), as
 * CPython does: src/io/handle.ts pays it on every change of mode. */
static napi_value js_set_blocking(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  int fd = arg_int32(&a, 0);
  int nonblocking = !arg_bool(&a, 1);
  if (a.failed) return NULL;
  return make_int(env, ioctl(fd, FIONBIO, &nonblocking) < 0 ? -errno : 0);
}

/* !FD_CLOEXEC -> 1 | 0 | -errno */
static napi_value js_get_inheritable(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  int fd = arg_int32(&a, 0);
  if (a.failed) return NULL;
  int flags = fcntl(fd, F_GETFD);
  return flags < 0 ? make_errno(env) : make_int(env, !(flags & FD_CLOEXEC));
}

/* Sets or clears FD_CLOEXEC -> 0 | -errno */
static napi_value js_set_inheritable(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  int fd = arg_int32(&a, 0);
  bool inheritable = arg_bool(&a, 1);
  if (a.failed) return NULL;
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0) return make_errno(env);
  flags = inheritable ? flags & ~FD_CLOEXEC : flags | FD_CLOEXEC;
  return fcntl(fd, F_SETFD, flags) < 0 ? make_errno(env) : make_int(env, 0);
}

/* bind(2)/connect(2) share their shape: (fd, family, address) -> 0 | -errno */
static napi_value call_with_address(napi_env env, napi_callback_info info,
                                    int (*syscall)(int, const struct sockaddr *, socklen_t)) {
  args_t a;
  if (!args_init(&a, env, info, 3)) return NULL;
  int fd = arg_int32(&a, 0), family = arg_int32(&a, 1);
  sockaddr_any addr;
  socklen_t len;
  int rc = sockaddr_from_js(&a, 2, family, &addr, &len);
  if (a.failed) return NULL;
  if (rc < 0) return make_int(env, rc);
  return syscall(fd, &addr.sa, len) < 0 ? make_errno(env) : make_int(env, 0);
}

static napi_value js_bind(napi_env env, napi_callback_info info) {
  return call_with_address(env, info, bind);
}

static napi_value js_connect(napi_env env, napi_callback_info info) {
  return call_with_address(env, info, connect);
}

/* listen(2) -> 0 | -errno */
static napi_value js_listen(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  int fd = arg_int32(&a, 0), backlog = arg_int32(&a, 1);
  if (a.failed) return NULL;
  return listen(fd, backlog) < 0 ? make_errno(env) : make_int(env, 0);
}

/* accept4(2) -> [fd, address] | -errno */
static napi_value js_accept(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  int fd = arg_int32(&a, 0);
  if (a.failed) return NULL;
  sockaddr_any addr;
  socklen_t len = sizeof addr;
  int conn = accept4(fd, &addr.sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (conn < 0) return make_errno(env);
  return make_pair(env, make_int(env, conn), sockaddr_to_js(env, &addr.sa, len));
}

/* shutdown(2) -> 0 | -errno */
static napi_value js_shutdown(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  int fd = arg_int32(&a, 0), how = arg_int32(&a, 1);
  if (a.failed) return NULL;
  return shutdown(fd, how) < 0 ? make_errno(env) : make_int(env, 0);
}

/* getsockname(2)/getpeername(2): (fd) -> address | -errno */
static napi_value name_of(napi_env env, napi_callback_info info,
                          int (*syscall)(int, struct sockaddr *, socklen_t *)) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  int fd = arg_int32(&a, 0);
  if (a.failed) return NULL;
  sockaddr_any addr;
  socklen_t len = sizeof addr;
  memset(&addr, 0, sizeof addr);
  if (syscall(fd, &addr.sa, &len) < 0) return make_errno(env);
  return sockaddr_to_js(env, &addr.sa, len);
}

static napi_value js_getsockname(napi_env env, napi_callback_info info) {
  return name_of(env, info, getsockname);
}

static napi_value js_getpeername(napi_env env, napi_callback_info info) {
  return name_of(env, info, getpeername);
}

void register_socket(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      EXPORT("socket", js_socket),
      EXPORT("socketpair", js_socketpair),
      EXPORT("close", js_close),
      EXPORT("dup", js_dup),
      EXPORT("setNonblocking", js_set_nonblocking),
      EXPORT("setBlocking", js_set_blocking),
      EXPORT("getInheritable", js_get_inheritable),
      EXPORT("setInheritable", js_set_inheritable),
      EXPORT("bind", js_bind),
      EXPORT("connect", js_connect),
      EXPORT("listen", js_listen),
      EXPORT("accept", js_accept),
      EXPORT("shutdown", js_shutdown),
      EXPORT("getsockname", js_getsockname),
      EXPORT("getpeername", js_getpeername),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
