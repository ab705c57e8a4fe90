/* contract.h's numbers as JavaScript's `contract`: frozen, so that no
 * caller can change a limit the C side still enforces. */
#include "exports.h"
#include "args.h"
#include "contract.h"

void register_contract(napi_env env, napi_value exports) {
  napi_value contract;
  napi_create_object(env, &contract);
#define SET(name, value) napi_set_named_property(env, contract, #name, make_int(env, (int64_t)(value)));
  CONTRACT_LIST(SET)
#undef SET
  napi_object_freeze(env, contract);
  napi_set_named_property(env, exports, "contract", contract);
}
