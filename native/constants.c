/* The platform's constants: every name of the committed list
 * (constants_list.h) that these headers define, and the enum members of
 * constants_enums.h, with the C compiler's values; and, apart, the select
 * module's (select_constants_list.h). */
#include "exports.h"
#include "args.h"
#include "constants_headers.h"

static void set(napi_env env, napi_value object, const char *name, int64_t value) {
  napi_set_named_property(env, object, name, make_int(env, value));
}

void register_constants(napi_env env, napi_value exports) {
  napi_value constants;
  napi_create_object(env, &constants);
#define CONSTANT(name) set(env, constants, #name, (int64_t)(name));
#define ALIAS(name, value) set(env, constants, #name, (int64_t)(value));
#include "constants_list.h"
#include "constants_enums.h"
#undef CONSTANT
#undef ALIAS
  napi_set_named_property(env, exports, "constants", constants);

  napi_value select;
  napi_create_object(env, &select);
#define CONSTANT(name) set(env, select, #name, (int64_t)(name));
#include "select_constants_list.h"
#undef CONSTANT
  napi_set_named_property(env, exports, "selectConstants", select);
}
