/* recvmmsg(2)/sendmmsg(2): many datagrams in one system call. recvmmsg
 * always adds MSG_WAITFORONE: a blocking fd waits for the first datagram
 * only, then takes what is already queued (a non-blocking fd never waits).
 * sendmmsg adds MSG_NOSIGNAL, as every send here does. */
#include "exports.h"
#include "contract.h"
#include "sockaddr.h"

#include <stdlib.h>
#include <sys/uio.h>

/* A batch of messages: the headers recvmmsg/sendmmsg take, each with one
 * iovec and room for an address, in one allocation (free(b.hdrs)). */
typedef struct {
  struct mmsghdr *hdrs;
  struct iovec *iovs;
  sockaddr_any *names;
} batch_t;

static bool batch_new(batch_t *b, uint32_t count) {
  char *memory = calloc(count, sizeof *b->hdrs + sizeof *b->iovs + sizeof *b->names);
  if (memory == NULL) return false;
  b->hdrs = (struct mmsghdr *)memory;
  b->iovs = (struct iovec *)(memory + count * sizeof *b->hdrs);
  b->names = (sockaddr_any *)(memory + count * (sizeof *b->hdrs + sizeof *b->iovs));
  for (uint32_t k = 0; k < count; k++) {
    b->hdrs[k].msg_hdr.msg_iov = &b->iovs[k];
    b->hdrs[k].msg_hdr.msg_iovlen = 1;
  }
  return true;
}

/* recvmmsg into a batch whose iovecs are set; the count received or -errno. */
static int receive_into(int fd, batch_t *b, uint32_t vlen, int flags) {
  for (uint32_t k = 0; k < vlen; k++) {
    b->hdrs[k].msg_hdr.msg_name = &b->names[k];
    b->hdrs[k].msg_hdr.msg_namelen = sizeof b->names[k];
  }
  int got = recvmmsg(fd, b->hdrs, vlen, flags | MSG_WAITFORONE | MSG_CMSG_CLOEXEC, NULL);
  return got < 0 ? -errno : got;
}

/* The senders of messages [0, got) as an array, an address made once for
 * each run of messages from one sender: a message from the same sender as
 * the one before has the very same value (JavaScript copies it), so a
 * batch from one peer decodes one address. */
static napi_value senders(napi_env env, const batch_t *b, int got) {
  napi_value list, address = NULL;
  napi_create_array_with_length(env, (size_t)got, &list);
  for (int k = 0; k < got; k++) {
    socklen_t len = b->hdrs[k].msg_hdr.msg_namelen;
    if (k == 0 || len != b->hdrs[k - 1].msg_hdr.msg_namelen || memcmp(&b->names[k], &b->names[k - 1], len) != 0)
      address = sockaddr_to_js(env, &b->names[k].sa, len);
    napi_set_element(env, list, (uint32_t)k, address);
  }
  return list;
}

/* An Int32Array of count numbers, *out its memory; NULL if out of memory. */
static napi_value int32_array(napi_env env, size_t count, int32_t **out) {
  napi_value buffer, array;
  void *data = NULL;
  if (napi_create_arraybuffer(env, count * sizeof(int32_t), &data, &buffer) != napi_ok ||
      napi_create_typedarray(env, napi_int32_array, count, buffer, 0, &array) != napi_ok)
    return NULL;
  *out = data;
  return array;
}

static napi_value triple(napi_env env, napi_value a, napi_value b, napi_value c) {
  napi_value result;
  napi_create_array_with_length(env, 3, &result);
  napi_set_element(env, result, 0, a);
  napi_set_element(env, result, 1, b);
  napi_set_element(env, result, 2, c);
  return result;
}

/* recvmmsg(fd, vlen, bufsize, flags) -> [data, lengths, senders] | -errno:
 * the datagrams back to back in one Buffer (each cut to bufsize), their
 * lengths (an Int32Array), their senders (see senders()). They land in one
 * block first (the instance's scratch buffer when it fits), so what is
 * kept is only what came. */
static napi_value js_recvmmsg(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 4)) return NULL;
  int fd = arg_int32(&a, 0);
  int64_t vlen = arg_int64(&a, 1), bufsize = arg_int64(&a, 2);
  int flags = arg_int32(&a, 3);
  if (a.failed) return NULL;
  if (vlen < 1 || vlen > IOV_MAX || bufsize < 0 || bufsize > MMSG_BYTES_MAX / vlen) return make_int(env, -EINVAL);

  char *scratch = instance_of(env)->scratch;
  size_t total = (size_t)(bufsize * vlen);
  char *block = total <= SCRATCH_SIZE ? scratch : malloc(total);
  batch_t b;
  if (block == NULL || !batch_new(&b, (uint32_t)vlen)) {
    if (block != scratch) free(block);
    return make_int(env, -ENOMEM);
  }
  for (int64_t k = 0; k < vlen; k++) b.iovs[k] = (struct iovec){.iov_base = block + k * bufsize, .iov_len = (size_t)bufsize};
  int got = receive_into(fd, &b, (uint32_t)vlen, flags);
  napi_value result = NULL;
  int32_t *lengths = NULL;
  napi_value lengths_array = got >= 0 ? int32_array(env, (size_t)got, &lengths) : NULL;
  if (got < 0) {
    result = make_int(env, got);
  } else if (lengths_array == NULL) {
    result = make_int(env, -ENOMEM);
  } else {
    size_t bytes = 0;
    for (int k = 0; k < got; k++) {
      /* With MSG_TRUNC the kernel reports the whole datagram's length. */
      lengths[k] = (int32_t)(b.hdrs[k].msg_len < (size_t)bufsize ? b.hdrs[k].msg_len : (size_t)bufsize);
      bytes += (size_t)lengths[k];
    }
    void *data = NULL;
    napi_value buffer;
    if (napi_create_buffer(env, bytes, &data, &buffer) != napi_ok) {
      result = make_int(env, -ENOMEM);
    } else {
      for (int k = 0; k < got; k++) {
        if (lengths[k]) memcpy(data, b.iovs[k].iov_base, (size_t)lengths[k]);
        data = (char *)data + lengths[k];
      }
      result = triple(env, buffer, lengths_array, senders(env, &b, got));
    }
  }
  if (block != scratch) free(block);
  free(b.hdrs);
  return result;
}

/* recvmmsgInto(fd, views[], flags) -> [counts, senders] | -errno: one
 * datagram into each view, in order; counts an Int32Array of nbytes and
 * msgFlags for each, senders as recvmmsg's. */
static napi_value js_recvmmsg_into(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 3)) return NULL;
  int fd = arg_int32(&a, 0);
  uint32_t count = value_array_length(&a, a.argv[1], 1);
  int flags = arg_int32(&a, 2);
  if (a.failed) return NULL;
  if (count < 1 || count > IOV_MAX) return make_int(env, -EINVAL);

  /* Every element is read before any memory is borrowed (args.h). */
  napi_value views[IOV_MAX];
  for (uint32_t k = 0; k < count; k++) views[k] = value_element(&a, a.argv[1], k, 1);
  batch_t b;
  if (!batch_new(&b, count)) return make_int(env, -ENOMEM);
  for (uint32_t k = 0; k < count && !a.failed; k++) {
    size_t len;
    b.iovs[k].iov_base = value_bytes(&a, views[k], 1, &len);
    b.iovs[k].iov_len = len;
  }
  if (a.failed) {
    free(b.hdrs);
    return NULL;
  }
  int got = receive_into(fd, &b, count, flags);
  napi_value result;
  int32_t *counts = NULL;
  napi_value counts_array = got >= 0 ? int32_array(env, 2 * (size_t)got, &counts) : NULL;
  if (got < 0) {
    result = make_int(env, got);
  } else if (counts_array == NULL) {
    result = make_int(env, -ENOMEM);
  } else {
    for (int k = 0; k < got; k++) {
      counts[2 * k] = (int32_t)b.hdrs[k].msg_len;
      counts[2 * k + 1] = b.hdrs[k].msg_hdr.msg_flags & ~MSG_CMSG_CLOEXEC;
    }
    result = make_pair(env, counts_array, senders(env, &b, got));
  }
  free(b.hdrs);
  return result;
}

/* sendmmsg(fd, datas[], addresses[] | null, flags, family) -> count | -errno.
 * addresses, when given, has an entry per datagram: null for none (a
 * connected socket's peer). A failure after the first datagram ends the
 * batch with the count sent, as the kernel reports it. */
static napi_value js_sendmmsg(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 5)) return NULL;
  int fd = arg_int32(&a, 0);
  uint32_t count = value_array_length(&a, a.argv[1], 1);
  bool addressed = !arg_is_null(&a, 2);
  uint32_t named = addressed ? value_array_length(&a, a.argv[2], 2) : 0;
  int flags = arg_int32(&a, 3), family = arg_int32(&a, 4);
  if (a.failed) return NULL;
  if (count < 1 || count > IOV_MAX || (addressed && named != count)) return make_int(env, -EINVAL);

  batch_t b;
  if (!batch_new(&b, count)) return make_int(env, -ENOMEM);
  /* Addresses and elements are read first (getters run JavaScript, which
   * could detach a buffer), and only then is any memory borrowed (args.h). */
  napi_value views[IOV_MAX];
  int rc = 0;
  for (uint32_t k = 0; k < count && !a.failed; k++) {
    views[k] = value_element(&a, a.argv[1], k, 1);
    if (!addressed) continue;
    args_t t = {.env = env, .argc = 1, .failed = false};
    t.argv[0] = value_element(&a, a.argv[2], k, 2);
    if (a.failed || arg_is_null(&t, 0)) continue;
    socklen_t len;
    int status = sockaddr_from_js(&t, 0, family, &b.names[k], &len);
    if (t.failed) a.failed = true;
    if (status < 0 && rc == 0) rc = status;
    b.hdrs[k].msg_hdr.msg_name = &b.names[k];
    b.hdrs[k].msg_hdr.msg_namelen = len;
  }
  for (uint32_t k = 0; k < count && !a.failed; k++) {
    size_t len;
    b.iovs[k].iov_base = value_bytes(&a, views[k], 1, &len);
    b.iovs[k].iov_len = len;
  }
  napi_value result = NULL;
  if (!a.failed && rc < 0) {
    result = make_int(env, rc);
  } else if (!a.failed) {
    int sent = sendmmsg(fd, b.hdrs, count, flags | MSG_NOSIGNAL);
    result = make_int(env, sent < 0 ? -errno : sent);
  }
  free(b.hdrs);
  return result;
}

void register_mmsg(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      EXPORT("recvmmsg", js_recvmmsg),
      EXPORT("recvmmsgInto", js_recvmmsg_into),
      EXPORT("sendmmsg", js_sendmmsg),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
