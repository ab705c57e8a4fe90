/* Sessions and resumption: a connection's SSL_SESSION as a JS object (one
 * reference of OpenSSL's count, let go when the object is collected), set
 * on a client before its handshake to resume; a context's session cache
 * counters and TLS 1.3 ticket count; and post-handshake authentication,
 * which Python sets up per connection from its context's flag. */
#include "tls.h"

static const napi_type_tag SESSION_TAG = {0x6265726b656c6579ULL, 0x746c7373657373ULL};

static void session_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  SSL_SESSION_free(data);
}

/* tlsSessionGet(connection) -> session | null (none yet, or closed) */
static napi_value js_session_get(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  SSL *ssl = tls_conn_ssl(&a, 0);
  if (a.failed) return NULL;
  SSL_SESSION *session = ssl == NULL ? NULL : SSL_get1_session(ssl);
  napi_value result = NULL;
  if (session == NULL) {
    napi_get_null(env, &result);
    return result;
  }
  if (napi_create_external(env, session, session_finalize, NULL, &result) != napi_ok) {
    SSL_SESSION_free(session);
    return NULL;
  }
  napi_type_tag_object(env, result, &SESSION_TAG);
  return result;
}

/* tlsSessionSet(connection, session): resume it at the handshake -> 0 | -EBADF | TLS_FAILED */
static napi_value js_session_set(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  SSL *ssl = tls_conn_ssl(&a, 0);
  SSL_SESSION *session = arg_tagged(&a, 1, &SESSION_TAG, "an SSL session");
  if (a.failed) return NULL;
  if (ssl == NULL) return make_int(env, -EBADF);
  tls_begin();
  return make_int(env, SSL_set_session(ssl, session) ? 0 : tls_failed(env, NULL, SSL_ERROR_SSL, 0));
}

/* tlsSessionReused(connection) -> whether the handshake resumed a session */
static napi_value js_session_reused(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  SSL *ssl = tls_conn_ssl(&a, 0);
  if (a.failed) return NULL;
  return make_bool(env, ssl != NULL && SSL_session_reused(ssl));
}

/* tlsSessionInfo(session) -> [id, time, timeout, ticket lifetime hint, has ticket] */
static napi_value js_session_info(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  SSL_SESSION *session = arg_tagged(&a, 0, &SESSION_TAG, "an SSL session");
  if (a.failed) return NULL;
  unsigned int len = 0;
  const unsigned char *id = SSL_SESSION_get_id(session, &len);
  napi_value result, bytes;
  void *data;
  if (napi_create_array_with_length(env, 5, &result) != napi_ok || napi_create_buffer(env, len, &data, &bytes) != napi_ok) return NULL;
  if (len > 0) memcpy(data, id, len);
  napi_set_element(env, result, 0, bytes);
  napi_set_element(env, result, 1, make_int(env, SSL_SESSION_get_time(session)));
  napi_set_element(env, result, 2, make_int(env, SSL_SESSION_get_timeout(session)));
  napi_set_element(env, result, 3, make_int(env, (int64_t)SSL_SESSION_get_ticket_lifetime_hint(session)));
  napi_set_element(env, result, 4, make_bool(env, SSL_SESSION_has_ticket(session)));
  return result;
}

/* tlsContextSessionStats(context) -> the SSL_CTX_sess_* counters in
 * Python's order: number, connect, connect_good, connect_renegotiate,
 * accept, accept_good, accept_renegotiate, hits, misses, timeouts, cache_full */
static napi_value js_context_session_stats(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  if (a.failed) return NULL;
  SSL_CTX *ctx = context->ctx;
  const long counts[] = {
      SSL_CTX_sess_number(ctx),  SSL_CTX_sess_connect(ctx),     SSL_CTX_sess_connect_good(ctx),
      SSL_CTX_sess_connect_renegotiate(ctx), SSL_CTX_sess_accept(ctx), SSL_CTX_sess_accept_good(ctx),
      SSL_CTX_sess_accept_renegotiate(ctx),  SSL_CTX_sess_hits(ctx),   SSL_CTX_sess_misses(ctx),
      SSL_CTX_sess_timeouts(ctx), SSL_CTX_sess_cache_full(ctx),
  };
  const uint32_t n = sizeof counts / sizeof counts[0];
  napi_value result;
  if (napi_create_array_with_length(env, n, &result) != napi_ok) return NULL;
  for (uint32_t k = 0; k < n; k++) napi_set_element(env, result, k, make_int(env, counts[k]));
  return result;
}

/* tlsContextNumTickets(context, n): n < 0 reads; else sets (a server's
 * TLS 1.3 tickets after each handshake) -> the count | TLS_FAILED */
static napi_value js_context_num_tickets(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  int64_t n = arg_int64(&a, 1);
  if (a.failed) return NULL;
  if (n >= 0) {
    tls_begin();
    if (!SSL_CTX_set_num_tickets(context->ctx, (size_t)n)) return make_int(env, tls_failed(env, NULL, SSL_ERROR_SSL, 0));
  }
  return make_int(env, (int64_t)SSL_CTX_get_num_tickets(context->ctx));
}

/* tlsPostHandshakeAuth(connection): a new connection of a context with
 * Python's post_handshake_auth: a client offers it; a server that verifies
 * its clients may then ask for their certificate -> 0 | -EBADF */
static napi_value js_post_handshake_auth(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  SSL *ssl = tls_conn_ssl(&a, 0);
  if (a.failed) return NULL;
  if (ssl == NULL) return make_int(env, -EBADF);
  if (!SSL_is_server(ssl)) {
    SSL_set_post_handshake_auth(ssl, 1);
  } else {
    /* Only with SSL_VERIFY_PEER: OpenSSL does not ignore the flag alone. */
    int mode = SSL_get_verify_mode(ssl);
    if (mode & SSL_VERIFY_PEER) SSL_set_verify(ssl, mode | SSL_VERIFY_POST_HANDSHAKE, SSL_get_verify_callback(ssl));
  }
  return make_int(env, 0);
}

/* tlsVerifyClientPostHandshake(connection): a server asks for the client's
 * certificate (sent with its next write) -> 0 | -EBADF | TLS_FAILED */
static napi_value js_verify_client_post_handshake(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  SSL *ssl = tls_conn_ssl(&a, 0);
  if (a.failed) return NULL;
  if (ssl == NULL) return make_int(env, -EBADF);
  tls_begin();
  return make_int(env, SSL_verify_client_post_handshake(ssl) ? 0 : tls_failed(env, NULL, SSL_ERROR_SSL, 0));
}

void register_tls_session(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      EXPORT("tlsSessionGet", js_session_get),
      EXPORT("tlsSessionSet", js_session_set),
      EXPORT("tlsSessionReused", js_session_reused),
      EXPORT("tlsSessionInfo", js_session_info),
      EXPORT("tlsContextSessionStats", js_context_session_stats),
      EXPORT("tlsContextNumTickets", js_context_num_tickets),
      EXPORT("tlsPostHandshakeAuth", js_post_handshake_auth),
      EXPORT("tlsVerifyClientPostHandshake", js_verify_client_post_handshake),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
