/* What a connection reports about itself, read from its SSL object: the
 * protocol version, the cipher, the peer's certificate, the ALPN protocol,
 * the decrypted bytes waiting, the ciphers both sides have and the channel
 * binding. Each is null (or 0) once closed. */
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

/* [name, protocol version, secret bits], as Python's cipher(). */
static napi_value cipher_triple(napi_env env, const SSL_CIPHER *cipher) {
  napi_value result = NULL;
  if (napi_create_array_with_length(env, 3, &result) != napi_ok) return NULL;
  napi_set_element(env, result, 0, string_value(env, SSL_CIPHER_get_name(cipher), NAPI_AUTO_LENGTH));
  napi_set_element(env, result, 1, string_value(env, SSL_CIPHER_get_version(cipher), NAPI_AUTO_LENGTH));
  napi_set_element(env, result, 2, make_int(env, SSL_CIPHER_get_bits(cipher, NULL)));
  return result;
}

/* tlsCipher(connection) -> [name, protocol version, secret bits] | null */
static napi_value js_cipher(napi_env env, napi_callback_info info) {
  napi_value result;
  SSL *ssl = info_ssl(env, info, &result);
  if (ssl == NULL) return result;
  const SSL_CIPHER *cipher = SSL_get_current_cipher(ssl);
  if (cipher == NULL) return null_value(env);
  return cipher_triple(env, cipher);
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

/* Whether a cipher is in a stack, by identity (ciphers are OpenSSL's own
 * static objects): a linear scan, as sk_find would sort OpenSSL's stack. */
static bool has_cipher(STACK_OF(SSL_CIPHER) *ciphers, const SSL_CIPHER *cipher) {
  for (int k = 0; k < sk_SSL_CIPHER_num(ciphers); k++)
    if (SSL_CIPHER_get_id(sk_SSL_CIPHER_value(ciphers, k)) == SSL_CIPHER_get_id(cipher)) return true;
  return false;
}

/* tlsSharedCiphers(connection) -> [[name, protocol version, secret bits], ...]
 * of the server's ciphers the client offered too, in the server's order |
 * null (a client, or no client hello yet) */
static napi_value js_shared_ciphers(napi_env env, napi_callback_info info) {
  napi_value result;
  SSL *ssl = info_ssl(env, info, &result);
  if (ssl == NULL) return result;
  STACK_OF(SSL_CIPHER) *ours = SSL_get_ciphers(ssl);
  STACK_OF(SSL_CIPHER) *theirs = SSL_get_client_ciphers(ssl);
  if (ours == NULL || theirs == NULL) return null_value(env);
  if (napi_create_array(env, &result) != napi_ok) return NULL;
  uint32_t n = 0;
  for (int k = 0; k < sk_SSL_CIPHER_num(ours); k++) {
    const SSL_CIPHER *cipher = sk_SSL_CIPHER_value(ours, k);
    if (has_cipher(theirs, cipher)) napi_set_element(env, result, n++, cipher_triple(env, cipher));
  }
  return result;
}

/* tlsChannelBinding(connection) -> 'tls-unique' (RFC 5929): the first
 * Finished message of the handshake, the client's in a full handshake and
 * the server's in a resumed one | null before the handshake */
static napi_value js_channel_binding(napi_env env, napi_callback_info info) {
  napi_value result;
  SSL *ssl = info_ssl(env, info, &result);
  if (ssl == NULL) return result;
  unsigned char finished[128];
  bool own = SSL_session_reused(ssl) ? SSL_is_server(ssl) : !SSL_is_server(ssl);
  size_t len = own ? SSL_get_finished(ssl, finished, sizeof finished) : SSL_get_peer_finished(ssl, finished, sizeof finished);
  if (len == 0) return null_value(env);
  if (len > sizeof finished) len = sizeof finished;
  void *data;
  if (napi_create_buffer_copy(env, len, finished, &data, &result) != napi_ok) return NULL;
  return result;
}

void register_tls_info(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      EXPORT("tlsVersion", js_version),
      EXPORT("tlsCipher", js_cipher),
      EXPORT("tlsPeerCertificate", js_peer_certificate),
      EXPORT("tlsAlpnSelected", js_alpn_selected),
      EXPORT("tlsPending", js_pending),
      EXPORT("tlsSharedCiphers", js_shared_ciphers),
      EXPORT("tlsChannelBinding", js_channel_binding),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
