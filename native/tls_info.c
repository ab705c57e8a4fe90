/* What a connection reports about itself, read from its SSL object: the
 * protocol version, the cipher, the peer's certificate, the ALPN protocol
 * and the decrypted bytes waiting. Each is null (or 0) once closed. */
#include "tls.h"

static napi_value null_value(napi_env env) {
  napi_value value = NULL;
  napi_get_null(env, &value);
  return value;
}

static napi_value string_value(napi_env env, const char *text, size_t len) {
  napi_value value = NULL;
  napi_create_string_utf8(env, text, len, &value);
  return value;
}

/* Reads the connection argument of an info call; NULL (with *result set)
 * when the call cannot go on. */
static SSL *info_ssl(napi_env env, napi_callback_info info, napi_value *result) {
  args_t a;
  *result = NULL;
  if (!args_init(&a, env, info, 1)) return NULL;
  SSL *ssl = tls_conn_ssl(&a, 0);
  if (!a.failed && ssl == NULL) *result = null_value(env);
  return ssl;
}

/* tlsVersion(connection) -> 'TLSv1.3' | null before the handshake is done */
static napi_value js_version(napi_env env, napi_callback_info info) {
  napi_value result;
  SSL *ssl = info_ssl(env, info, &result);
  if (ssl == NULL) return result;
  return SSL_is_init_finished(ssl) ? string_value(env, SSL_get_version(ssl), NAPI_AUTO_LENGTH) : null_value(env);
}

/* tlsCipher(connection) -> [name, protocol version, secret bits] | null */
static napi_value js_cipher(napi_env env, napi_callback_info info) {
  napi_value result;
  SSL *ssl = info_ssl(env, info, &result);
  if (ssl == NULL) return result;
  const SSL_CIPHER *cipher = SSL_get_current_cipher(ssl);
  if (cipher == NULL) return null_value(env);
  if (napi_create_array_with_length(env, 3, &result) != napi_ok) return NULL;
  napi_set_element(env, result, 0, string_value(env, SSL_CIPHER_get_name(cipher), NAPI_AUTO_LENGTH));
  napi_set_element(env, result, 1, string_value(env, SSL_CIPHER_get_version(cipher), NAPI_AUTO_LENGTH));
  napi_set_element(env, result, 2, make_int(env, SSL_CIPHER_get_bits(cipher, NULL)));
  return result;
}

/* tlsPeerCertificate(connection) -> the peer's certificate as DER | null */
static napi_value js_peer_certificate(napi_env env, napi_callback_info info) {
  napi_value result;
  SSL *ssl = info_ssl(env, info, &result);
  if (ssl == NULL) return result;
  X509 *cert = SSL_get1_peer_certificate(ssl);
  if (cert == NULL) return null_value(env);
  int len = i2d_X509(cert, NULL);
  void *data;
  if (len <= 0 || napi_create_buffer(env, (size_t)len, &data, &result) != napi_ok) {
    result = null_value(env);
  } else {
    unsigned char *out = data;
    i2d_X509(cert, &out);
  }
  X509_free(cert);
  return result;
}

/* tlsAlpnSelected(connection) -> the protocol ALPN chose | null */
static napi_value js_alpn_selected(napi_env env, napi_callback_info info) {
  napi_value result;
  SSL *ssl = info_ssl(env, info, &result);
  if (ssl == NULL) return result;
  const unsigned char *protocol = NULL;
  unsigned int len = 0;
  SSL_get0_alpn_selected(ssl, &protocol, &len);
  return protocol == NULL || len == 0 ? null_value(env) : string_value(env, (const char *)protocol, len);
}

/* tlsPending(connection) -> the decrypted bytes ready to be read (0 once closed) */
static napi_value js_pending(napi_env env, napi_callback_info info) {
  napi_value result;
  SSL *ssl = info_ssl(env, info, &result);
  if (ssl == NULL) return result == NULL ? NULL : make_int(env, 0);
  return make_int(env, SSL_pending(ssl));
}

void register_tls_info(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      EXPORT("tlsVersion", js_version),
      EXPORT("tlsCipher", js_cipher),
      EXPORT("tlsPeerCertificate", js_peer_certificate),
      EXPORT("tlsAlpnSelected", js_alpn_selected),
      EXPORT("tlsPending", js_pending),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
