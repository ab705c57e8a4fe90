/* The ssl module's own values from the OpenSSL Node runs on: the OP_*,
 * VERIFY_* and ALERT_DESCRIPTION_* constants with the values of the headers
 * the addon was compiled against (flags OpenSSL keeps stable across 3.x),
 * what the build leaves out (HAS_*), the version of the library actually
 * loaded, and its default certificate locations; and its random generator
 * (Python's RAND_bytes, RAND_status, RAND_add), the one Node's crypto
 * draws from. */
#include <limits.h>
#include <math.h>

#include "tls.h"

static void set(napi_env env, napi_value object, const char *name, int64_t value) {
  napi_set_named_property(env, object, name, make_int(env, value));
}

/* Python's names, each as _ssl.c defines it from OpenSSL's macro. */
#define TLS_CONSTANTS(X)                                                    \
  X(OP_ALL, SSL_OP_ALL & ~SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS)                \
  X(OP_NO_SSLv2, SSL_OP_NO_SSLv2)                                           \
  X(OP_NO_SSLv3, SSL_OP_NO_SSLv3)                                           \
  X(OP_NO_TLSv1, SSL_OP_NO_TLSv1)                                           \
  X(OP_NO_TLSv1_1, SSL_OP_NO_TLSv1_1)                                       \
  X(OP_NO_TLSv1_2, SSL_OP_NO_TLSv1_2)                                       \
  X(OP_NO_TLSv1_3, SSL_OP_NO_TLSv1_3)                                       \
  X(OP_CIPHER_SERVER_PREFERENCE, SSL_OP_CIPHER_SERVER_PREFERENCE)           \
  X(OP_SINGLE_DH_USE, SSL_OP_SINGLE_DH_USE)                                 \
  X(OP_SINGLE_ECDH_USE, SSL_OP_SINGLE_ECDH_USE)                             \
  X(OP_NO_COMPRESSION, SSL_OP_NO_COMPRESSION)                               \
  X(OP_ENABLE_MIDDLEBOX_COMPAT, SSL_OP_ENABLE_MIDDLEBOX_COMPAT)             \
  X(OP_NO_TICKET, SSL_OP_NO_TICKET)                                         \
  X(OP_NO_RENEGOTIATION, SSL_OP_NO_RENEGOTIATION)                           \
  X(OP_IGNORE_UNEXPECTED_EOF, SSL_OP_IGNORE_UNEXPECTED_EOF)                 \
  X(OP_ENABLE_KTLS, SSL_OP_ENABLE_KTLS)                                     \
  X(OP_LEGACY_SERVER_CONNECT, SSL_OP_LEGACY_SERVER_CONNECT)                 \
  X(VERIFY_DEFAULT, 0)                                                      \
  X(VERIFY_CRL_CHECK_LEAF, X509_V_FLAG_CRL_CHECK)                           \
  X(VERIFY_CRL_CHECK_CHAIN, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL) \
  X(VERIFY_X509_STRICT, X509_V_FLAG_X509_STRICT)                            \
  X(VERIFY_ALLOW_PROXY_CERTS, X509_V_FLAG_ALLOW_PROXY_CERTS)                \
  X(VERIFY_X509_TRUSTED_FIRST, X509_V_FLAG_TRUSTED_FIRST)                   \
  X(VERIFY_X509_PARTIAL_CHAIN, X509_V_FLAG_PARTIAL_CHAIN)                   \
  X(ALERT_DESCRIPTION_CLOSE_NOTIFY, SSL_AD_CLOSE_NOTIFY)                    \
  X(ALERT_DESCRIPTION_UNEXPECTED_MESSAGE, SSL_AD_UNEXPECTED_MESSAGE)        \
  X(ALERT_DESCRIPTION_BAD_RECORD_MAC, SSL_AD_BAD_RECORD_MAC)                \
  X(ALERT_DESCRIPTION_RECORD_OVERFLOW, SSL_AD_RECORD_OVERFLOW)              \
  X(ALERT_DESCRIPTION_DECOMPRESSION_FAILURE, SSL_AD_DECOMPRESSION_FAILURE)  \
  X(ALERT_DESCRIPTION_HANDSHAKE_FAILURE, SSL_AD_HANDSHAKE_FAILURE)          \
  X(ALERT_DESCRIPTION_BAD_CERTIFICATE, SSL_AD_BAD_CERTIFICATE)              \
  X(ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE, SSL_AD_UNSUPPORTED_CERTIFICATE) \
  X(ALERT_DESCRIPTION_CERTIFICATE_REVOKED, SSL_AD_CERTIFICATE_REVOKED)      \
  X(ALERT_DESCRIPTION_CERTIFICATE_EXPIRED, SSL_AD_CERTIFICATE_EXPIRED)      \
  X(ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN, SSL_AD_CERTIFICATE_UNKNOWN)      \
  X(ALERT_DESCRIPTION_ILLEGAL_PARAMETER, SSL_AD_ILLEGAL_PARAMETER)          \
  X(ALERT_DESCRIPTION_UNKNOWN_CA, SSL_AD_UNKNOWN_CA)                        \
  X(ALERT_DESCRIPTION_ACCESS_DENIED, SSL_AD_ACCESS_DENIED)                  \
  X(ALERT_DESCRIPTION_DECODE_ERROR, SSL_AD_DECODE_ERROR)                    \
  X(ALERT_DESCRIPTION_DECRYPT_ERROR, SSL_AD_DECRYPT_ERROR)                  \
  X(ALERT_DESCRIPTION_PROTOCOL_VERSION, SSL_AD_PROTOCOL_VERSION)            \
  X(ALERT_DESCRIPTION_INSUFFICIENT_SECURITY, SSL_AD_INSUFFICIENT_SECURITY)  \
  X(ALERT_DESCRIPTION_INTERNAL_ERROR, SSL_AD_INTERNAL_ERROR)                \
  X(ALERT_DESCRIPTION_USER_CANCELLED, SSL_AD_USER_CANCELLED)                \
  X(ALERT_DESCRIPTION_NO_RENEGOTIATION, SSL_AD_NO_RENEGOTIATION)            \
  X(ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION, SSL_AD_UNSUPPORTED_EXTENSION)  \
  X(ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE, SSL_AD_CERTIFICATE_UNOBTAINABLE) \
  X(ALERT_DESCRIPTION_UNRECOGNIZED_NAME, SSL_AD_UNRECOGNIZED_NAME)          \
  X(ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE, SSL_AD_BAD_CERTIFICATE_STATUS_RESPONSE) \
  X(ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE, SSL_AD_BAD_CERTIFICATE_HASH_VALUE) \
  X(ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY, SSL_AD_UNKNOWN_PSK_IDENTITY)

/* What the build of OpenSSL the headers describe leaves out (Python's HAS_*). */
#ifdef OPENSSL_NO_SSL3
#define HAS_SSL3 0
#else
#define HAS_SSL3 1
#endif
#ifdef OPENSSL_NO_TLS1
#define HAS_TLS1 0
#else
#define HAS_TLS1 1
#endif
#ifdef OPENSSL_NO_TLS1_1
#define HAS_TLS1_1 0
#else
#define HAS_TLS1_1 1
#endif
#ifdef OPENSSL_NO_TLS1_2
#define HAS_TLS1_2 0
#else
#define HAS_TLS1_2 1
#endif
#ifdef OPENSSL_NO_TLS1_3
#define HAS_TLS1_3 0
#else
#define HAS_TLS1_3 1
#endif
#ifdef OPENSSL_NO_PSK
#define HAS_PSK_ 0
#else
#define HAS_PSK_ 1
#endif
#ifdef OPENSSL_NO_EC
#define HAS_EC 0
#else
#define HAS_EC 1
#endif

/* tlsVersion -> [OpenSSL_version(OPENSSL_VERSION), OpenSSL_version_num()]:
 * the library loaded, not the headers (null without OpenSSL). */
static napi_value js_openssl_version(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result = NULL, text = NULL;
  if (tls_missing_symbol() != NULL) {
    napi_get_null(env, &result);
    return result;
  }
  if (napi_create_array_with_length(env, 2, &result) != napi_ok) return NULL;
  napi_create_string_utf8(env, OpenSSL_version(OPENSSL_VERSION), NAPI_AUTO_LENGTH, &text);
  napi_set_element(env, result, 0, text);
  napi_set_element(env, result, 1, make_int(env, (int64_t)OpenSSL_version_num()));
  return result;
}

static napi_value string(napi_env env, const char *text) {
  napi_value value = NULL;
  napi_create_string_utf8(env, text == NULL ? "" : text, NAPI_AUTO_LENGTH, &value);
  return value;
}

/* tlsDefaultVerifyPaths() -> [cafile env name, cafile, capath env name,
 * capath]: OpenSSL's compiled-in locations and the variables that move them. */
static napi_value js_default_verify_paths(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result = NULL;
  if (tls_missing_symbol() != NULL) return make_int(env, -ENOSYS);
  if (napi_create_array_with_length(env, 4, &result) != napi_ok) return NULL;
  napi_set_element(env, result, 0, string(env, X509_get_default_cert_file_env()));
  napi_set_element(env, result, 1, string(env, X509_get_default_cert_file()));
  napi_set_element(env, result, 2, string(env, X509_get_default_cert_dir_env()));
  napi_set_element(env, result, 3, string(env, X509_get_default_cert_dir()));
  return result;
}

/* tlsRandBytes(n) -> Buffer of n bytes from OpenSSL's generator |
 * TLS_FAILED | -EINVAL (n < 0) | -ENOMEM | -ENOSYS */
static napi_value js_rand_bytes(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  int32_t n = arg_int32(&a, 0);
  if (a.failed) return NULL;
  if (n < 0) return make_int(env, -EINVAL);
  if (tls_missing_symbol() != NULL) return make_int(env, -ENOSYS);
  napi_value buffer = NULL;
  void *data = NULL;
  if (napi_create_buffer(env, (size_t)n, &data, &buffer) != napi_ok) return make_int(env, -ENOMEM);
  tls_begin();
  if (n > 0 && RAND_bytes(data, n) != 1) return make_int(env, tls_failed(env, NULL, SSL_ERROR_SSL, 0));
  return buffer;
}

/* tlsRandStatus() -> whether the generator is seeded | -ENOSYS */
static napi_value js_rand_status(napi_env env, napi_callback_info info) {
  (void)info;
  if (tls_missing_symbol() != NULL) return make_int(env, -ENOSYS);
  tls_begin();
  bool seeded = RAND_status() == 1;
  ERR_clear_error(); /* a failed attempt to seed leaves its errors */
  return make_bool(env, seeded);
}

/* tlsRandAdd(view, entropy) -> 0 | -EINVAL | -ENOSYS: the bytes mixed into
 * the generator in pieces of at most INT_MAX (RAND_add's length is an int),
 * entropy the caller's estimate of theirs in bytes (a finite number: some
 * generators convert it to an integer). RAND_add reports nothing. */
static napi_value js_rand_add(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  double entropy = arg_double(&a, 1);
  size_t len;
  const unsigned char *data = arg_bytes(&a, 0, &len);
  if (a.failed) return NULL;
  if (!isfinite(entropy)) return make_int(env, -EINVAL);
  if (tls_missing_symbol() != NULL) return make_int(env, -ENOSYS);
  tls_begin();
  while (len > 0) {
    int piece = len > INT_MAX ? INT_MAX : (int)len;
    RAND_add(data, piece, entropy);
    data += piece;
    len -= (size_t)piece;
  }
  ERR_clear_error();
  return make_int(env, 0);
}

void register_tls_module(napi_env env, napi_value exports) {
  napi_value constants;
  napi_create_object(env, &constants);
#define CONSTANT(name, value) set(env, constants, #name, (int64_t)(value));
  TLS_CONSTANTS(CONSTANT)
#undef CONSTANT
  set(env, constants, "HAS_SSLv3", HAS_SSL3);
  set(env, constants, "HAS_TLSv1", HAS_TLS1);
  set(env, constants, "HAS_TLSv1_1", HAS_TLS1_1);
  set(env, constants, "HAS_TLSv1_2", HAS_TLS1_2);
  set(env, constants, "HAS_TLSv1_3", HAS_TLS1_3);
  set(env, constants, "HAS_PSK", HAS_PSK_);
  set(env, constants, "HAS_ECDH", HAS_EC);
  napi_set_named_property(env, exports, "tlsConstants", constants);
  const napi_property_descriptor functions[] = {
      EXPORT("tlsOpensslVersion", js_openssl_version),
      EXPORT("tlsDefaultVerifyPaths", js_default_verify_paths),
      EXPORT("tlsRandBytes", js_rand_bytes),
      EXPORT("tlsRandStatus", js_rand_status),
      EXPORT("tlsRandAdd", js_rand_add),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
