/* SSLContext.sniCallback's native half. A server's handshake stops at the
 * client's hello (OpenSSL's client hello callback asks to be called again)
 * so that TypeScript can run the callback between two handshake steps, with
 * no JavaScript called from inside OpenSSL: the step returns
 * TLS_SERVER_NAME, TypeScript reads the name the client sent
 * (tlsHelloServerName), may move the connection to another context
 * (tlsSetContext) and says how to go on (tlsHelloDecided), then steps
 * again. Asked once a connection (not again for a retried hello). */
#include "tls.h"

/* The first host name of a server_name extension (RFC 6066 section 3), or
 * an empty name when there is none or it does not parse. */
static void read_server_name(SSL *ssl, char *name, size_t size) {
  const unsigned char *data;
  size_t len;
  name[0] = '\0';
  if (!SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &data, &len) || len < 2) return;
  size_t list = (size_t)data[0] << 8 | data[1];
  if (list > len - 2) return;
  for (size_t at = 2; at + 3 <= 2 + list;) {
    unsigned type = data[at];
    size_t n = (size_t)data[at + 1] << 8 | data[at + 2];
    at += 3;
    if (at + n > 2 + list) return;
    if (type == TLSEXT_NAMETYPE_host_name) {
      if (n == 0 || n >= size || memchr(data + at, '\0', n) != NULL) return;
      memcpy(name, data + at, n);
      name[n] = '\0';
      return;
    }
    at += n;
  }
}

int tls_client_hello(SSL *ssl, int *alert, void *arg) {
  const tls_context_t *context = arg;
  tls_conn_t *conn = SSL_get_app_data(ssl);
  if (conn == NULL) return SSL_CLIENT_HELLO_SUCCESS;
  switch (conn->hello) {
    case TLS_HELLO_DECIDED:
      if (conn->hello_alert < 0) return SSL_CLIENT_HELLO_SUCCESS;
      *alert = conn->hello_alert;
      return SSL_CLIENT_HELLO_ERROR;
    case TLS_HELLO_ASKED: return SSL_CLIENT_HELLO_RETRY;
    default:
      if (!context->sni) return SSL_CLIENT_HELLO_SUCCESS;
      read_server_name(ssl, conn->server_name, sizeof conn->server_name);
      conn->hello = TLS_HELLO_ASKED;
      return SSL_CLIENT_HELLO_RETRY;
  }
}

/* tlsContextSetSni(context, on): whether its server connections stop for
 * the server name -> 0 */
static napi_value js_context_set_sni(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  bool on = arg_bool(&a, 1);
  if (a.failed) return NULL;
  context->sni = on;
  return make_int(env, 0);
}

/* tlsHelloServerName(connection) -> the host name the client sent | null */
static napi_value js_hello_server_name(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  tls_conn_t *conn = arg_tls_conn(&a, 0);
  if (a.failed) return NULL;
  napi_value value = NULL;
  if (conn->ssl == NULL || conn->server_name[0] == '\0') napi_get_null(env, &value);
  else napi_create_string_utf8(env, conn->server_name, NAPI_AUTO_LENGTH, &value);
  return value;
}

/* tlsHelloDecided(connection, alert): the handshake goes on (alert -1) or
 * fails with that alert at its next step -> 0 | -EBADF */
static napi_value js_hello_decided(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  tls_conn_t *conn = arg_tls_conn(&a, 0);
  int alert = arg_int32(&a, 1);
  if (a.failed) return NULL;
  if (conn->ssl == NULL) return make_int(env, -EBADF);
  conn->hello = TLS_HELLO_DECIDED;
  conn->hello_alert = alert < 0 || alert > 255 ? -1 : alert;
  return make_int(env, 0);
}

/* tlsSetContext(connection, context): the connection goes on with another
 * context's certificate and settings (SSL_set_SSL_CTX, as Python's
 * SSLSocket.context setter) -> 0 | -EBADF | TLS_FAILED */
static napi_value js_set_context(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  tls_conn_t *conn = arg_tls_conn(&a, 0);
  tls_context_t *context = arg_tls_context(&a, 1);
  if (a.failed) return NULL;
  if (conn->ssl == NULL) return make_int(env, -EBADF);
  if (context == conn->context) return make_int(env, 0);
  tls_begin();
  if (SSL_set_SSL_CTX(conn->ssl, context->ctx) == NULL) return make_int(env, tls_failed(env, NULL, SSL_ERROR_SSL, 0));
  context->refs++;
  tls_context_release(conn->context);
  conn->context = context;
  return make_int(env, 0);
}

void register_tls_sni(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      EXPORT("tlsContextSetSni", js_context_set_sni),
      EXPORT("tlsHelloServerName", js_hello_server_name),
      EXPORT("tlsHelloDecided", js_hello_decided),
      EXPORT("tlsSetContext", js_set_context),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
