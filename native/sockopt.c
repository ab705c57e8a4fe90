/* setsockopt(2)/getsockopt(2) for any level and option: int values, raw
 * bytes, or a NULL value of a given length. */
#include "exports.h"
#include "args.h"
#include "contract.h"

/* setsockoptInt(fd, level, opt, value) -> 0 | -errno */
static napi_value js_setsockopt_int(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 4)) return NULL;
  int fd = arg_int32(&a, 0), level = arg_int32(&a, 1), opt = arg_int32(&a, 2), value = arg_int32(&a, 3);
  if (a.failed) return NULL;
  return setsockopt(fd, level, opt, &value, sizeof value) < 0 ? make_errno(env) : make_int(env, 0);
}

/* setsockoptBytes(fd, level, opt, view) -> 0 | -errno */
static napi_value js_setsockopt_bytes(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 4)) return NULL;
  size_t len;
  int fd = arg_int32(&a, 0), level = arg_int32(&a, 1), opt = arg_int32(&a, 2);
  const void *value = arg_bytes(&a, 3, &len);
  if (a.failed) return NULL;
  return setsockopt(fd, level, opt, value, (socklen_t)len) < 0 ? make_errno(env) : make_int(env, 0);
}

/* setsockoptNull(fd, level, opt, optlen) -> 0 | -errno */
static napi_value js_setsockopt_null(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 4)) return NULL;
  int fd = arg_int32(&a, 0), level = arg_int32(&a, 1), opt = arg_int32(&a, 2);
  int64_t optlen = arg_int64(&a, 3);
  if (a.failed) return NULL;
  if (optlen < 0 || optlen > SOCKOPT_MAX) return make_int(env, -EINVAL);
  return setsockopt(fd, level, opt, NULL, (socklen_t)optlen) < 0 ? make_errno(env) : make_int(env, 0);
}

/* getsockoptInt(fd, level, opt, out: Int32Array) -> 0 | -errno; the value
 * goes to out[0], since any int, negative too, is a valid option value. */
static napi_value js_getsockopt_int(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 4)) return NULL;
  size_t count;
  int fd = arg_int32(&a, 0), level = arg_int32(&a, 1), opt = arg_int32(&a, 2);
  int32_t *out = arg_int32_array(&a, 3, &count);
  if (!a.failed && count < 1) args_fail(&a, 3, "an Int32Array of one element");
  if (a.failed) return NULL;
  int value = 0;
  socklen_t optlen = sizeof value;
  if (getsockopt(fd, level, opt, &value, &optlen) < 0) return make_errno(env);
  *out = value;
  return make_int(env, 0);
}

/* getsockoptBytes(fd, level, opt, buflen) -> Buffer | -errno */
static napi_value js_getsockopt_bytes(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 4)) return NULL;
  int fd = arg_int32(&a, 0), level = arg_int32(&a, 1), opt = arg_int32(&a, 2);
  int64_t buflen = arg_int64(&a, 3);
  if (a.failed) return NULL;
  if (buflen < 0 || buflen > SOCKOPT_MAX) return make_int(env, -EINVAL);
  char *value = instance_of(env)->scratch;
  socklen_t optlen = (socklen_t)buflen;
  memset(value, 0, (size_t)buflen);
  if (getsockopt(fd, level, opt, value, &optlen) < 0) return make_errno(env);
  napi_value buffer = NULL;
  napi_create_buffer_copy(env, optlen, value, NULL, &buffer);
  return buffer;
}

void register_sockopt(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      EXPORT("setsockoptInt", js_setsockopt_int),
      EXPORT("setsockoptBytes", js_setsockopt_bytes),
      EXPORT("setsockoptNull", js_setsockopt_null),
      EXPORT("getsockoptInt", js_getsockopt_int),
      EXPORT("getsockoptBytes", js_getsockopt_bytes),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
