/* Data transfer: recv/recvfrom into fresh Buffers or the caller's memory,
 * send/sendto. MSG_NOSIGNAL is always added: a closed peer is EPIPE, never
 * SIGPIPE. */
#include "exports.h"
#include "contract.h"
#include "sockaddr.h"

#include <pthread.h>
#include <signal.h>
#include <sys/sendfile.h>

char *read_buffer(napi_env env, size_t n, napi_value *buffer) {
  *buffer = NULL;
  if (n <= SCRATCH_SIZE) return instance_of(env)->scratch;
  void *into = NULL;
  return napi_create_buffer(env, n, &into, buffer) == napi_ok ? into : NULL;
}

napi_value read_result(napi_env env, const char *into, size_t got, size_t n, napi_value buffer) {
  if (buffer != NULL && got == n) return buffer;
  napi_value copy = NULL;
  void *unused;
  napi_create_buffer_copy(env, got, into, &unused, &copy);
  return copy;
}

/* Receives up to n bytes into a Buffer of the received size. Returns the
 * Buffer or -errno; *from gets the sender when asked. */
static napi_value receive(napi_env env, int fd, size_t n, int flags, sockaddr_any *from, socklen_t *fromlen) {
  napi_value buffer;
  char *into = read_buffer(env, n, &buffer);
  if (into == NULL) return make_int(env, -ENOMEM);
  ssize_t got = recvfrom(fd, into, n, flags, from ? &from->sa : NULL, fromlen);
  if (got < 0) return make_errno(env);
  /* MSG_TRUNC on a datagram socket reports the real length, beyond n. */
  return read_result(env, into, (size_t)got < n ? (size_t)got : n, n, buffer);
}

/* recv(fd, n, flags) -> Buffer | -errno */
static napi_value js_recv(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 3)) return NULL;
  int fd = arg_int32(&a, 0), n = arg_int32(&a, 1), flags = arg_int32(&a, 2);
  if (a.failed) return NULL;
  if (n < 0) return make_int(env, -EINVAL);
  return receive(env, fd, (size_t)n, flags, NULL, NULL);
}

/* An AF_INET sender's port and address into inet (network order, at 0 and
 * 2) when the caller gave room for them: JavaScript then makes the
 * [host, port] (src/io/ops.ts), with no tuple, string or pair made here per
 * datagram. Whether it did. */
static bool inet_sender(const sockaddr_any *from, socklen_t fromlen, unsigned char *inet, size_t inet_len) {
  if (inet == NULL || inet_len < 6 || fromlen < sizeof from->in || from->sa.sa_family != AF_INET) return false;
  memcpy(inet, &from->in.sin_port, 2);
  memcpy(inet + 2, &from->in.sin_addr, 4);
  return true;
}

/* recvfrom(fd, n, flags[, inet]) -> [Buffer, address] | Buffer | -errno:
 * the Buffer alone when inet_sender() took the address. */
static napi_value js_recvfrom(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 3)) return NULL;
  size_t inet_len = 0;
  int fd = arg_int32(&a, 0), n = arg_int32(&a, 1), flags = arg_int32(&a, 2);
  unsigned char *inet = a.argc > 3 ? arg_bytes(&a, 3, &inet_len) : NULL;
  if (a.failed) return NULL;
  if (n < 0) return make_int(env, -EINVAL);
  sockaddr_any from;
  socklen_t fromlen = sizeof from;
  napi_value data = receive(env, fd, (size_t)n, flags, &from, &fromlen);
  napi_valuetype type;
  if (data == NULL || napi_typeof(env, data, &type) != napi_ok || type == napi_number) return data;
  if (inet_sender(&from, fromlen, inet, inet_len)) return data;
  return make_pair(env, data, sockaddr_to_js(env, &from.sa, fromlen));
}

/* The caller's memory: argument 1, at most n (argument 2) bytes of it. */
static void *into_view(args_t *a, size_t *len) {
  void *data = arg_bytes(a, 1, len);
  int64_t n = arg_int64(a, 2);
  if (n >= 0 && (uint64_t)n < *len) *len = (size_t)n;
  return data;
}

/* recvInto(fd, view, n, flags) -> nbytes | -errno */
static napi_value js_recv_into(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 4)) return NULL;
  size_t len;
  int fd = arg_int32(&a, 0);
  void *data = into_view(&a, &len);
  int flags = arg_int32(&a, 3);
  if (a.failed) return NULL;
  ssize_t got = recv(fd, data, len, flags);
  return got < 0 ? make_errno(env) : make_int(env, got);
}

/* recvfromInto(fd, view, n, flags[, inet]) -> [nbytes, address] | nbytes | -errno:
 * nbytes alone when inet_sender() took the address. */
static napi_value js_recvfrom_into(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 4)) return NULL;
  size_t len, inet_len = 0;
  int fd = arg_int32(&a, 0);
  int flags = arg_int32(&a, 3);
  unsigned char *inet = a.argc > 4 ? arg_bytes(&a, 4, &inet_len) : NULL;
  void *data = into_view(&a, &len);
  if (a.failed) return NULL;
  sockaddr_any from;
  socklen_t fromlen = sizeof from;
  ssize_t got = recvfrom(fd, data, len, flags, &from.sa, &fromlen);
  if (got < 0) return make_errno(env);
  if (inet_sender(&from, fromlen, inet, inet_len)) return make_int(env, got);
  return make_pair(env, make_int(env, got), sockaddr_to_js(env, &from.sa, fromlen));
}

/* send(fd, view, flags) -> nbytes | -errno */
static napi_value js_send(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 3)) return NULL;
  size_t len;
  int fd = arg_int32(&a, 0);
  const void *data = arg_bytes(&a, 1, &len);
  int flags = arg_int32(&a, 2);
  if (a.failed) return NULL;
  ssize_t sent = send(fd, data, len, flags | MSG_NOSIGNAL);
  return sent < 0 ? make_errno(env) : make_int(env, sent);
}

/* sendto(fd, view, flags, family, address) -> nbytes | -errno */
static napi_value js_sendto(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 5)) return NULL;
  size_t len;
  int fd = arg_int32(&a, 0);
  int flags = arg_int32(&a, 2), family = arg_int32(&a, 3);
  sockaddr_any to;
  socklen_t tolen;
  /* The address first: reading it may run getters, which could detach the
   * data if it were already borrowed (args.h). */
  int rc = sockaddr_from_js(&a, 4, family, &to, &tolen);
  const void *data = arg_bytes(&a, 1, &len);
  if (a.failed) return NULL;
  if (rc < 0) return make_int(env, rc);
  ssize_t sent = sendto(fd, data, len, flags | MSG_NOSIGNAL, &to.sa, tolen);
  return sent < 0 ? make_errno(env) : make_int(env, sent);
}

/* sendfile(2) has no MSG_NOSIGNAL: SIGPIPE is blocked on this thread for
 * the call, and one the call raised is taken back before the mask returns,
 * so a closed peer is EPIPE whatever the process's disposition. */
static ssize_t sendfile_nosignal(int out, int in, off_t *position, size_t count) {
  sigset_t pipe_set, old_set, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE);
  ssize_t sent = sendfile(out, in, position, count);
  int saved = errno;
  if (sent < 0 && saved == EPIPE && !was_pending && !sigismember(&old_set, SIGPIPE)) {
    const struct timespec now = {0, 0};
    sigtimedwait(&pipe_set, NULL, &now);
  }
  pthread_sigmask(SIG_SETMASK, &old_set, NULL);
  errno = saved;
  return sent;
}

/* sendfile(2): (outfd, infd, offset, count) -> nbytes | -errno. With an
 * offset the file's own position is neither used nor moved; offset -1 sends
 * from that position and advances it. */
static napi_value js_sendfile(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 4)) return NULL;
  int out = arg_int32(&a, 0), in = arg_int32(&a, 1);
  int64_t offset = arg_int64(&a, 2), count = arg_int64(&a, 3);
  if (a.failed) return NULL;
  if (count < 0) return make_int(env, -EINVAL);
  off_t position = (off_t)offset;
  ssize_t sent = sendfile_nosignal(out, in, offset < 0 ? NULL : &position, (size_t)count);
  return sent < 0 ? make_errno(env) : make_int(env, sent);
}

void register_io(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      EXPORT("recv", js_recv),
      EXPORT("recvfrom", js_recvfrom),
      EXPORT("recvInto", js_recv_into),
      EXPORT("recvfromInto", js_recvfrom_into),
      EXPORT("send", js_send),
      EXPORT("sendto", js_sendto),
      EXPORT("sendfile", js_sendfile),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
