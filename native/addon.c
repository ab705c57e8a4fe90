/* The addon's entry: per-instance state (one per worker thread) and the
 * registration of every native file's functions. */
#include "exports.h"
#include "contract.h"

#include <stdlib.h>

static void instance_free(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  instance_t *instance = data;
  free(instance->scratch);
  owned_free(instance);
  free(instance);
}

instance_t *instance_of(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return data;
}

static napi_value init(napi_env env, napi_value exports) {
  instance_t *instance = calloc(1, sizeof *instance);
  if (instance == NULL || (instance->scratch = malloc(SCRATCH_SIZE)) == NULL) {
    free(instance);
    napi_throw_error(env, "ENOMEM", "berkeley: out of memory");
    return NULL;
  }
  instance->env = env;
  napi_set_instance_data(env, instance, instance_free, NULL);
  register_contract(env, exports);
  register_constants(env, exports);
  register_errno(env, exports);
  register_socket(env, exports);
  register_io(env, exports);
  register_sockopt(env, exports);
  register_netdb(env, exports);
  register_poll(env, exports);
  register_epoll(env, exports);
  register_names(env, exports);
  register_msg(env, exports);
  register_mmsg(env, exports);
  register_tls_context(env, exports);
  register_tls_conn(env, exports);
  register_tls_info(env, exports);
  register_tls_memory(env, exports);
  register_tls_error(env, exports);
  register_tls_session(env, exports);
  register_tls_settings(env, exports);
  register_tls_sni(env, exports);
  register_tls_module(env, exports);
  register_teardown(env, exports, instance);
  return exports;
}

NAPI_MODULE_INIT() {
  return init(env, exports);
}
