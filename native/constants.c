/* The platform's constants: every name of the committed list
 * (constants_list.h) that these headers define, and the enum members of
 * constants_enums.h, with the C compiler's values. Also strerror(3). */
#include "exports.h"
#include "args.h"
#include "compat.h"
#include "constants_headers.h"

static void set(napi_env env, napi_value object, const char *name, int64_t value) {
  napi_set_named_property(env, object, name, make_int(env, value));
}

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

void register_constants(napi_env env, napi_value exports) {
  napi_value constants, errnos;
  napi_create_object(env, &constants);
  napi_create_object(env, &errnos);
#define CONSTANT(name) set(env, constants, #name, (int64_t)(name));
#define ALIAS(name, value) set(env, constants, #name, (int64_t)(value));
#define ERRNO(name) set(env, errnos, #name, (int64_t)(name));
#include "constants_list.h"
#include "constants_enums.h"
#undef CONSTANT
#undef ALIAS
#undef ERRNO
  napi_set_named_property(env, exports, "constants", constants);
  napi_set_named_property(env, exports, "errno", errnos);
  const napi_property_descriptor functions[] = {EXPORT("strerror", js_strerror)};
  napi_define_properties(env, exports, 1, functions);
}
