/* Each native file registers its own functions on the addon's exports. */
#ifndef BERKELEY_EXPORTS_H
#define BERKELEY_EXPORTS_H

#include <node_api.h>

#define EXPORT(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_enumerable, NULL}

void register_constants(napi_env env, napi_value exports);
void register_socket(napi_env env, napi_value exports);
void register_io(napi_env env, napi_value exports);
void register_sockopt(napi_env env, napi_value exports);
void register_netdb(napi_env env, napi_value exports);
void register_poll(napi_env env, napi_value exports);
void register_names(napi_env env, napi_value exports);
void register_msg(napi_env env, napi_value exports);

/* Per-instance (per worker thread) state. */
typedef struct {
  char *scratch; /* recv buffer for small reads, copied out at the exact size */
} instance_t;

#define SCRATCH_SIZE 65536

instance_t *instance_of(napi_env env);

#endif
