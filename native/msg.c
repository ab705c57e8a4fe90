/* sendmsg(2)/recvmsg(2) with scatter/gather buffers (recvmsgInto: the
 * caller's), ancillary data as [level, type, bytes] triples, and an
 * address for datagram sockets.
 * Received fds are always close-on-exec (MSG_CMSG_CLOEXEC). */
#include "exports.h"
#include "contract.h"
#include "sockaddr.h"

#include <stdlib.h>
#include <sys/uio.h>

/* The memory of views[0..count) (argument 1) as iovecs, borrowed: call it
 * only once no more JavaScript can run (args.h). */
static void borrow_iovecs(args_t *a, const napi_value *views, uint32_t count, struct iovec *iov) {
  for (uint32_t k = 0; k < count && !a->failed; k++) {
    size_t len;
    iov[k].iov_base = value_bytes(a, views[k], 1, &len);
    iov[k].iov_len = len;
  }
}

/* sendmsg(fd, buffers[], ancdata[[level, type, bytes]], flags, family, address|null) -> nbytes | -errno */
static napi_value js_sendmsg(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 6)) return NULL;
  int fd = arg_int32(&a, 0);
  uint32_t count = value_array_length(&a, a.argv[1], 1);
  uint32_t ancount = value_array_length(&a, a.argv[2], 2);
  int flags = arg_int32(&a, 3), family = arg_int32(&a, 4);
  if (a.failed) return NULL;
  if (count > IOV_MAX) return make_int(env, -EMSGSIZE);

  struct msghdr msg = {0};
  sockaddr_any to;
  if (!arg_is_null(&a, 5)) {
    socklen_t tolen;
    int rc = sockaddr_from_js(&a, 5, family, &to, &tolen);
    if (a.failed) return NULL;
    if (rc < 0) return make_int(env, rc);
    msg.msg_name = &to;
    msg.msg_namelen = tolen;
  }

  /* Every element is read first (getters and proxies run JavaScript, which
   * could detach a buffer), and only then is any memory borrowed (args.h). */
  napi_value views[IOV_MAX];
  for (uint32_t k = 0; k < count; k++) views[k] = value_element(&a, a.argv[1], k, 1);
  /* Each ancillary item is read once (a getter could answer differently
   * twice); the control buffer is sized and filled from that snapshot. */
  struct item {
    int level, type;
    napi_value bytes;
    const void *data;
    size_t len;
  } *items = ancount ? calloc(ancount, sizeof *items) : NULL;
  if (ancount && items == NULL) return make_int(env, -ENOMEM);
  for (uint32_t k = 0; k < ancount && !a.failed; k++) {
    napi_value triple = value_element(&a, a.argv[2], k, 2);
    if (value_array_length(&a, triple, 2) != 3) args_fail(&a, 2, "[level, type, bytes] triples");
    args_t t = {.env = env, .argc = 3, .failed = a.failed};
    for (uint32_t e = 0; e < 3; e++) t.argv[e] = value_element(&a, triple, e, 2);
    items[k].level = arg_int32(&t, 0);
    items[k].type = arg_int32(&t, 1);
    items[k].bytes = t.argv[2];
    if (t.failed) a.failed = true;
  }

  /* From here on no JavaScript runs: the borrowed memory stays valid. */
  struct iovec iov[IOV_MAX];
  borrow_iovecs(&a, views, count, iov);
  msg.msg_iov = iov;
  msg.msg_iovlen = count;
  size_t space = 0;
  for (uint32_t k = 0; k < ancount && !a.failed; k++) {
    items[k].data = value_bytes(&a, items[k].bytes, 2, &items[k].len);
    space += CMSG_SPACE(items[k].len);
  }
  char *control = NULL;
  if (!a.failed && space > CONTROL_MAX) {
    free(items);
    return make_int(env, -ENOBUFS);
  }
  if (!a.failed && space && (control = calloc(1, space)) == NULL) {
    free(items);
    return make_int(env, -ENOMEM);
  }
  if (a.failed) {
    free(items);
    return NULL;
  }
  msg.msg_control = control;
  msg.msg_controllen = space;
  struct cmsghdr *cmsg = space ? CMSG_FIRSTHDR(&msg) : NULL;
  for (uint32_t k = 0; k < ancount && cmsg; k++, cmsg = CMSG_NXTHDR(&msg, cmsg)) {
    cmsg->cmsg_level = items[k].level;
    cmsg->cmsg_type = items[k].type;
    cmsg->cmsg_len = CMSG_LEN(items[k].len);
    if (items[k].len) memcpy(CMSG_DATA(cmsg), items[k].data, items[k].len);
  }
  free(items);
  ssize_t sent = sendmsg(fd, &msg, flags | MSG_NOSIGNAL);
  int saved = errno;
  free(control);
  return sent < 0 ? make_int(env, -saved) : make_int(env, sent);
}

/* recvmsg(2) into iov with a control buffer of ancbufsize bytes:
 * [first, ancdata, msgFlags, address] | -errno. first is data, recvmsg's
 * own Buffer under iov (cut to what came), or with data NULL (recvmsgInto)
 * the count the kernel returned. */
static napi_value receive(napi_env env, int fd, struct iovec *iov, size_t iovlen, size_t ancbufsize, int flags, napi_value data) {
  char *control = ancbufsize ? malloc(ancbufsize) : NULL;
  if (ancbufsize && control == NULL) return make_int(env, -ENOMEM);
  sockaddr_any from;
  struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = iov, .msg_iovlen = iovlen,
                       .msg_control = control, .msg_controllen = ancbufsize};
  ssize_t got = recvmsg(fd, &msg, flags | MSG_CMSG_CLOEXEC);
  if (got < 0) {
    int saved = errno;
    free(control);
    return make_int(env, -saved);
  }
  napi_value first = data;
  if (data == NULL) first = make_int(env, got);
  else if ((size_t)got < iov->iov_len) napi_create_buffer_copy(env, (size_t)got, iov->iov_base, NULL, &first);

  napi_value ancdata;
  napi_create_array(env, &ancdata);
  uint32_t index = 0;
  for (struct cmsghdr *cmsg = msg.msg_controllen ? CMSG_FIRSTHDR(&msg) : NULL; cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
    /* A truncated last header reaches only as far as the control buffer. */
    size_t end = (size_t)((char *)cmsg - control) + cmsg->cmsg_len;
    if (end > msg.msg_controllen) end = msg.msg_controllen;
    size_t start = (size_t)((char *)CMSG_DATA(cmsg) - control);
    napi_value item, payload;
    napi_create_buffer_copy(env, end > start ? end - start : 0, CMSG_DATA(cmsg), NULL, &payload);
    napi_create_array_with_length(env, 3, &item);
    napi_set_element(env, item, 0, make_int(env, cmsg->cmsg_level));
    napi_set_element(env, item, 1, make_int(env, cmsg->cmsg_type));
    napi_set_element(env, item, 2, payload);
    napi_set_element(env, ancdata, index++, item);
  }
  free(control);

  napi_value result;
  napi_create_array_with_length(env, 4, &result);
  napi_set_element(env, result, 0, first);
  napi_set_element(env, result, 1, ancdata);
  napi_set_element(env, result, 2, make_int(env, msg.msg_flags & ~MSG_CMSG_CLOEXEC));
  napi_set_element(env, result, 3, sockaddr_to_js(env, &from.sa, msg.msg_namelen));
  return result;
}

/* recvmsg(fd, bufsize, ancbufsize, flags) -> [data, ancdata, msgFlags, address] | -errno */
static napi_value js_recvmsg(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 4)) return NULL;
  int fd = arg_int32(&a, 0);
  int64_t bufsize = arg_int64(&a, 1), ancbufsize = arg_int64(&a, 2);
  int flags = arg_int32(&a, 3);
  if (a.failed) return NULL;
  if (bufsize < 0 || bufsize > INT32_MAX || ancbufsize < 0 || ancbufsize > CONTROL_MAX) return make_int(env, -EINVAL);

  void *data = NULL;
  napi_value buffer;
  if (napi_create_buffer(env, (size_t)bufsize, &data, &buffer) != napi_ok) return make_int(env, -ENOMEM);
  struct iovec iov = {.iov_base = data, .iov_len = (size_t)bufsize};
  return receive(env, fd, &iov, 1, (size_t)ancbufsize, flags, buffer);
}

/* recvmsgInto(fd, views[], ancbufsize, flags) -> [nbytes, ancdata, msgFlags, address] | -errno */
static napi_value js_recvmsg_into(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 4)) return NULL;
  int fd = arg_int32(&a, 0);
  uint32_t count = value_array_length(&a, a.argv[1], 1);
  int64_t ancbufsize = arg_int64(&a, 2);
  int flags = arg_int32(&a, 3);
  if (a.failed) return NULL;
  if (count > IOV_MAX) return make_int(env, -EMSGSIZE);
  if (ancbufsize < 0 || ancbufsize > CONTROL_MAX) return make_int(env, -EINVAL);

  /* Every element is read before any memory is borrowed (args.h). */
  napi_value views[IOV_MAX];
  for (uint32_t k = 0; k < count; k++) views[k] = value_element(&a, a.argv[1], k, 1);
  struct iovec iov[IOV_MAX];
  borrow_iovecs(&a, views, count, iov);
  if (a.failed) return NULL;
  return receive(env, fd, iov, count, (size_t)ancbufsize, flags, NULL);
}

/* CMSG_LEN(n), CMSG_SPACE(n): (n) -> bytes | -EOVERFLOW */
static napi_value cmsg_size(napi_env env, napi_callback_info info, bool space) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  int64_t n = arg_int64(&a, 0);
  if (a.failed) return NULL;
  if (n < 0 || n > CONTROL_MAX) return make_int(env, -EOVERFLOW);
  return make_int(env, space ? (int64_t)CMSG_SPACE((size_t)n) : (int64_t)CMSG_LEN((size_t)n));
}

static napi_value js_cmsg_len(napi_env env, napi_callback_info info) {
  return cmsg_size(env, info, false);
}

static napi_value js_cmsg_space(napi_env env, napi_callback_info info) {
  return cmsg_size(env, info, true);
}

void register_msg(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      EXPORT("sendmsg", js_sendmsg),
      EXPORT("recvmsg", js_recvmsg),
      EXPORT("recvmsgInto", js_recvmsg_into),
      EXPORT("CMSG_LEN", js_cmsg_len),
      EXPORT("CMSG_SPACE", js_cmsg_space),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
