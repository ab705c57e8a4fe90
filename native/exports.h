/* Each native file registers its own functions on the addon's exports. */
#ifndef BERKELEY_EXPORTS_H
#define BERKELEY_EXPORTS_H

#include <node_api.h>
#include <uv.h>

#define EXPORT(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_enumerable, NULL}

void register_contract(napi_env env, napi_value exports);
void register_constants(napi_env env, napi_value exports);
void register_errno(napi_env env, napi_value exports);
void register_socket(napi_env env, napi_value exports);
void register_io(napi_env env, napi_value exports);
void register_sockopt(napi_env env, napi_value exports);
void register_netdb(napi_env env, napi_value exports);
void register_poll(napi_env env, napi_value exports);
void register_epoll(napi_env env, napi_value exports);
void register_names(napi_env env, napi_value exports);
void register_msg(napi_env env, napi_value exports);
void register_mmsg(napi_env env, napi_value exports);
void register_tls_context(napi_env env, napi_value exports);
void register_tls_conn(napi_env env, napi_value exports);
void register_tls_info(napi_env env, napi_value exports);
void register_tls_memory(napi_env env, napi_value exports);
void register_tls_error(napi_env env, napi_value exports);
void register_tls_session(napi_env env, napi_value exports);
void register_tls_settings(napi_env env, napi_value exports);
void register_tls_sni(napi_env env, napi_value exports);
void register_tls_module(napi_env env, napi_value exports);

typedef struct watcher watcher_t;

/* Per-instance (per worker thread) state. */
typedef struct {
  char *scratch; /* SCRATCH_SIZE bytes (contract.h) for small reads, copied out at the exact size */
  bool main_thread;
  /* Watchers whose handle is not closed yet (poll.c): all are closed, and
   * their close callbacks run, before the env goes away (teardown.c). */
  watcher_t *watchers;
  napi_env env;
  /* Readiness events of the loop's poll phase, delivered to JavaScript in
   * one batch after it (poll.c): the watchers with events, in order, and the
   * check handle that delivers them (made on first use; closed, and NULL
   * again, at teardown) with its async context. */
  watcher_t *pending, *pending_tail;
  uv_check_t *dispatch;
  napi_async_context dispatch_context;
  /* What keeps the loop alive while async calls wait (poll.c): an async
   * handle never sent, referenced or not, and the state JavaScript shares
   * with it (an Int32Array: KEEPALIVE_* below) and its reference. */
  uv_async_t *keepalive;
  int32_t *keepalive_state;
  napi_ref keepalive_array;
  /* fds owned by this env's Sockets, one byte each (teardown.c). */
  unsigned char *owned;
  size_t owned_size;
  /* Where each owned fd's Socket was made, when warnings are traced (teardown.c). */
  char **sites;
  size_t sites_size;
  napi_async_cleanup_hook_handle teardown; /* set while the env ends */
  /* The env's last TLS failure (tls_error.c): SSL_get_error()'s kind,
   * OpenSSL's error code and the certificate check's result. */
  struct {
    int kind;
    unsigned long code;
    long verify;
  } tls_failure;
} instance_t;

instance_t *instance_of(napi_env env);

/* io.c: memory for a read of up to n bytes, the instance's scratch buffer
 * for small reads, else a new Buffer (*buffer); NULL if out of memory. */
char *read_buffer(napi_env env, size_t n, napi_value *buffer);
/* The Buffer of got bytes read into `into` (from read_buffer): the new
 * Buffer itself when filled, else a copy of the exact size. */
napi_value read_result(napi_env env, const char *into, size_t got, size_t n, napi_value buffer);

/* teardown.c: the env's end. */
void register_teardown(napi_env env, napi_value exports, instance_t *instance);
void fd_disown(instance_t *instance, int fd);
void owned_free(instance_t *instance); /* the tables of owned fds, as the instance goes */
void teardown_step(instance_t *instance); /* a watcher closed: finish once none is left */
/* poll.c: starts closing every watcher of the instance. */
void watchers_close_all(instance_t *instance);

#endif
