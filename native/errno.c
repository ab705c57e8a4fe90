/* The error numbers: every name of the committed list (errno_list.h) that
 * the headers define, with the C compiler's value, as `errno` (Python's
 * errno module) and `hostErrors` (h_errno, HostError's codes); and
 * strerror(3), the message of each. src/core/errno.ts builds on these. */
#include "exports.h"
#include "args.h"
#include "compat.h"

/* strerror(errno) -> the system's message */
static napi_value js_strerror(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  int code = arg_int32(&a, 0);
  if (a.failed) return NULL;
  char message[256];
  napi_value result = NULL;
  napi_create_string_utf8(env, compat_strerror(code, message, sizeof message), NAPI_AUTO_LENGTH, &result);
  return result;
}

void register_errno(napi_env env, napi_value exports) {
  napi_value errnos, host_errors;
  napi_create_object(env, &errnos);
  napi_create_object(env, &host_errors);
#define ERRNO(name) napi_set_named_property(env, errnos, #name, make_int(env, name));
#define HOST_ERROR(name) napi_set_named_property(env, host_errors, #name, make_int(env, name));
#include "errno_list.h"
#undef ERRNO
#undef HOST_ERROR
  napi_set_named_property(env, exports, "errno", errnos);
  napi_set_named_property(env, exports, "hostErrors", host_errors);
  const napi_property_descriptor functions[] = {EXPORT("strerror", js_strerror)};
  napi_define_properties(env, exports, 1, functions);
}
