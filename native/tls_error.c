/* OpenSSL's failures, as the TLS calls report them: the want codes and
 * -errno directly; anything else as TLS_FAILED, with OpenSSL's error kept
 * in the env's instance until tlsLastError() reads it. And whether the
 * running Node has OpenSSL's functions at all. */
#include "tls.h"

void tls_begin(void) {
  ERR_clear_error();
}

int tls_failed(napi_env env, SSL *ssl, int ssl_error, int sys_errno) {
  int rc = TLS_FAILED;
  if (ssl_error == SSL_ERROR_WANT_READ) rc = TLS_WANT_READ;
  else if (ssl_error == SSL_ERROR_WANT_WRITE) rc = TLS_WANT_WRITE;
  else if (ssl_error == SSL_ERROR_WANT_CLIENT_HELLO_CB) rc = TLS_SERVER_NAME;
  else if (ssl_error == SSL_ERROR_SYSCALL && sys_errno != 0) rc = -sys_errno;
  else {
    instance_t *instance = instance_of(env);
    /* The queue's last error is the most specific one. */
    instance->tls_failure.kind = ssl_error;
    instance->tls_failure.code = ERR_peek_last_error();
    instance->tls_failure.verify = ssl == NULL ? X509_V_OK : SSL_get_verify_result(ssl);
  }
  ERR_clear_error();
  return rc;
}

/* OpenSSL's library numbers under Python's names for them. */
#define LIBRARY(name) {ERR_LIB_##name, #name}
static const struct {
  int lib;
  const char *name;
} libraries[] = {
    LIBRARY(SYS), LIBRARY(BN), LIBRARY(RSA), LIBRARY(DH), LIBRARY(EVP), LIBRARY(BUF), LIBRARY(OBJ),
    LIBRARY(PEM), LIBRARY(DSA), LIBRARY(X509), LIBRARY(ASN1), LIBRARY(CONF), LIBRARY(CRYPTO), LIBRARY(EC),
    LIBRARY(SSL), LIBRARY(BIO), LIBRARY(PKCS7), LIBRARY(X509V3), LIBRARY(PKCS12), LIBRARY(RAND), LIBRARY(DSO),
    LIBRARY(OCSP), LIBRARY(UI), LIBRARY(COMP), LIBRARY(ECDSA), LIBRARY(ECDH), LIBRARY(OSSL_STORE), LIBRARY(CMS),
    LIBRARY(CT), LIBRARY(ASYNC), LIBRARY(KDF), LIBRARY(PROV), LIBRARY(OSSL_DECODER), LIBRARY(OSSL_ENCODER),
};
#undef LIBRARY

static napi_value string_or_null(napi_env env, const char *text) {
  napi_value value = NULL;
  if (text == NULL) napi_get_null(env, &value);
  else napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value);
  return value;
}

static const char *library_name(int lib) {
  for (size_t k = 0; k < sizeof libraries / sizeof libraries[0]; k++)
    if (libraries[k].lib == lib) return libraries[k].name;
  return NULL;
}

/* tlsLastError() -> [sslError, library | null, reason text | null,
 * verifyCode, verifyMessage | null]: the env's last TLS_FAILED.
 * The reason is OpenSSL's text ("wrong version number"); TypeScript makes
 * Python's REASON name of it. */
static napi_value js_last_error(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result = NULL;
  if (napi_create_array_with_length(env, 5, &result) != napi_ok) return NULL;
  const instance_t *instance = instance_of(env);
  unsigned long code = instance->tls_failure.code;
  long verify = instance->tls_failure.verify;
  const char *library = code == 0 ? NULL : library_name(ERR_GET_LIB(code));
  const char *reason = code == 0 ? NULL : ERR_reason_error_string(code);
  napi_set_element(env, result, 0, make_int(env, instance->tls_failure.kind));
  napi_set_element(env, result, 1, string_or_null(env, library));
  napi_set_element(env, result, 2, string_or_null(env, reason));
  napi_set_element(env, result, 3, make_int(env, verify));
  napi_set_element(env, result, 4, string_or_null(env, verify == X509_V_OK ? NULL : X509_verify_cert_error_string(verify)));
  return result;
}

/* Each OpenSSL function the addon calls, so that a missing one is named. */
#define NAMED(name) {(const void *)&name, #name},
static const struct {
  const void *address;
  const char *name;
} functions[] = {TLS_FUNCTIONS(NAMED)};
#undef NAMED

const char *tls_missing_symbol(void) {
  for (size_t k = 0; k < sizeof functions / sizeof functions[0]; k++)
    if (functions[k].address == NULL) return functions[k].name;
  return NULL;
}

/* tlsMissing() -> null when OpenSSL is here, else the first function not found */
static napi_value js_missing(napi_env env, napi_callback_info info) {
  (void)info;
  return string_or_null(env, tls_missing_symbol());
}

void register_tls_error(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      EXPORT("tlsLastError", js_last_error),
      EXPORT("tlsMissing", js_missing),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
