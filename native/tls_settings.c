/* SSLContext's settings beyond tls_context.c's: its OP_* options and
 * VERIFY_* flags, the host name check's flags, the ciphers it would offer,
 * DH parameters and the ECDH group, the key log and the server name hook.
 * Each is the thin OpenSSL call; what to set is TypeScript's (settings.ts,
 * options.ts). */
#include "tls.h"

#include <sys/uio.h>
#include <unistd.h>

/* tlsContextOptions(context, set, clear) -> the options after clearing the
 * bits of clear and setting those of set (both 0: a read), as Python's
 * options setter does with SSL_CTX_clear_options and SSL_CTX_set_options. */
static napi_value js_context_options(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 3)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  int64_t set = arg_int64(&a, 1), clear = arg_int64(&a, 2);
  if (a.failed) return NULL;
  if (set < 0 || clear < 0) return make_int(env, -EINVAL);
  if (clear != 0) SSL_CTX_clear_options(context->ctx, (uint64_t)clear);
  if (set != 0) SSL_CTX_set_options(context->ctx, (uint64_t)set);
  return make_int(env, (int64_t)SSL_CTX_get_options(context->ctx));
}

/* tlsContextVerifyFlags(context, set, clear) -> the X509_V_FLAG_* flags of
 * its certificate checks after the change (both 0: a read) | TLS_FAILED */
static napi_value js_context_verify_flags(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 3)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  int64_t set = arg_int64(&a, 1), clear = arg_int64(&a, 2);
  if (a.failed) return NULL;
  if (set < 0 || clear < 0 || (uint64_t)set > ULONG_MAX || (uint64_t)clear > ULONG_MAX) return make_int(env, -EINVAL);
  tls_begin();
  X509_VERIFY_PARAM *param = SSL_CTX_get0_param(context->ctx);
  if ((clear != 0 && !X509_VERIFY_PARAM_clear_flags(param, (unsigned long)clear)) ||
      (set != 0 && !X509_VERIFY_PARAM_set_flags(param, (unsigned long)set)))
    return make_int(env, tls_failed(env, NULL, SSL_ERROR_SSL, 0));
  return make_int(env, (int64_t)X509_VERIFY_PARAM_get_flags(param));
}

/* tlsContextSecurityLevel(context) -> SSL_CTX_get_security_level */
static napi_value js_context_security_level(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  if (a.failed) return NULL;
  return make_int(env, SSL_CTX_get_security_level(context->ctx));
}

/* tlsContextCheckSubject(context, on): whether a host name check may fall
 * back to the subject's common name (Python's hostname_checks_common_name);
 * partial wildcards stay refused either way -> 0 */
static napi_value js_context_check_subject(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  bool on = arg_bool(&a, 1);
  if (a.failed) return NULL;
  unsigned int flags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | (on ? 0 : X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
  X509_VERIFY_PARAM_set_hostflags(SSL_CTX_get0_param(context->ctx), flags);
  return make_int(env, 0);
}

static napi_value nid_name(napi_env env, int nid) {
  napi_value value = NULL;
  const char *name = nid == NID_undef ? NULL : OBJ_nid2ln(nid);
  if (name == NULL) napi_get_null(env, &value);
  else napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &value);
  return value;
}

static void set_string(napi_env env, napi_value object, const char *key, const char *text) {
  napi_value value = NULL;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, object, key, value);
}

/* One cipher as Python's get_ciphers() describes it (camelCased keys). */
static napi_value cipher_object(napi_env env, const SSL_CIPHER *cipher) {
  napi_value object = NULL;
  if (napi_create_object(env, &object) != napi_ok) return NULL;
  char description[256];
  if (SSL_CIPHER_description(cipher, description, sizeof description) == NULL) description[0] = '\0';
  size_t len = strlen(description);
  if (len > 0 && description[len - 1] == '\n') description[len - 1] = '\0';
  int alg_bits = 0;
  int strength_bits = SSL_CIPHER_get_bits(cipher, &alg_bits);
  napi_set_named_property(env, object, "id", make_int(env, (int64_t)SSL_CIPHER_get_id(cipher)));
  set_string(env, object, "name", SSL_CIPHER_get_name(cipher));
  set_string(env, object, "protocol", SSL_CIPHER_get_version(cipher));
  set_string(env, object, "description", description);
  napi_set_named_property(env, object, "strengthBits", make_int(env, strength_bits));
  napi_set_named_property(env, object, "algBits", make_int(env, alg_bits));
  napi_set_named_property(env, object, "aead", make_bool(env, SSL_CIPHER_is_aead(cipher)));
  napi_set_named_property(env, object, "symmetric", nid_name(env, SSL_CIPHER_get_cipher_nid(cipher)));
  napi_set_named_property(env, object, "digest", nid_name(env, SSL_CIPHER_get_digest_nid(cipher)));
  napi_set_named_property(env, object, "kea", nid_name(env, SSL_CIPHER_get_kx_nid(cipher)));
  napi_set_named_property(env, object, "auth", nid_name(env, SSL_CIPHER_get_auth_nid(cipher)));
  return object;
}

/* tlsContextCiphers(context) -> the ciphers a connection of it would
 * enable, in order (as Python, from a new SSL of the context) | TLS_FAILED */
static napi_value js_context_ciphers(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  if (a.failed) return NULL;
  tls_begin();
  SSL *ssl = SSL_new(context->ctx);
  if (ssl == NULL) return make_int(env, tls_failed(env, NULL, SSL_ERROR_SSL, 0));
  STACK_OF(SSL_CIPHER) *ciphers = SSL_get_ciphers(ssl);
  int count = ciphers == NULL ? 0 : sk_SSL_CIPHER_num(ciphers);
  napi_value result = NULL;
  if (napi_create_array_with_length(env, (size_t)count, &result) == napi_ok) {
    for (int k = 0; k < count; k++) napi_set_element(env, result, (uint32_t)k, cipher_object(env, sk_SSL_CIPHER_value(ciphers, k)));
  }
  SSL_free(ssl);
  return result;
}

/* tlsContextSetDh(context, pem): DH parameters for DHE key exchange, as
 * Python's load_dh_params reads them -> 0 | TLS_FAILED */
static napi_value js_context_set_dh(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  size_t len;
  const void *pem = arg_bytes(&a, 1, &len);
  if (a.failed) return NULL;
  if (len > INT32_MAX) return make_int(env, -EINVAL);
  tls_begin();
  BIO *bio = BIO_new_mem_buf(pem, (int)len);
  EVP_PKEY *params = bio == NULL ? NULL : PEM_read_bio_Parameters(bio, NULL);
  BIO_free(bio);
  /* set0 takes the parameters over, but only when it succeeds. */
  if (params == NULL || !SSL_CTX_set0_tmp_dh_pkey(context->ctx, params)) {
    EVP_PKEY_free(params);
    return make_int(env, tls_failed(env, NULL, SSL_ERROR_SSL, 0));
  }
  return make_int(env, 0);
}

/* tlsContextSetCurve(context, name): the one ECDH group, by OpenSSL's short
 * name -> 0 | -EINVAL (no such name) | TLS_FAILED */
static napi_value js_context_set_curve(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  char name[128];
  bool fits = arg_string(&a, 1, name, sizeof name);
  if (a.failed) return NULL;
  tls_begin();
  int nid = fits ? OBJ_sn2nid(name) : NID_undef;
  if (nid == NID_undef) {
    ERR_clear_error();
    return make_int(env, -EINVAL);
  }
  return make_int(env, SSL_CTX_set1_groups(context->ctx, &nid, 1) ? 0 : tls_failed(env, NULL, SSL_ERROR_SSL, 0));
}

/* Each secret of a connection, one NSS key log line, appended to its
 * context's file (O_APPEND: lines of several connections never mix). */
static void keylog_line(const SSL *ssl, const char *line) {
  const tls_conn_t *conn = SSL_get_app_data(ssl);
  if (conn == NULL || conn->context->keylog_fd < 0) return;
  struct iovec parts[2] = {{(void *)line, strlen(line)}, {"\n", 1}};
  ssize_t n;
  do n = writev(conn->context->keylog_fd, parts, 2);
  while (n < 0 && errno == EINTR);
}

/* tlsContextSetKeylog(context, fd): the key log's file, opened for
 * appending, which the context now owns (-1: none) -> 0 */
static napi_value js_context_set_keylog(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  int fd = arg_int32(&a, 1);
  if (a.failed) return NULL;
  if (context->keylog_fd >= 0) close(context->keylog_fd);
  context->keylog_fd = fd < 0 ? -1 : fd;
  SSL_CTX_set_keylog_callback(context->ctx, fd < 0 ? NULL : keylog_line);
  return make_int(env, 0);
}

void register_tls_settings(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      EXPORT("tlsContextOptions", js_context_options),
      EXPORT("tlsContextVerifyFlags", js_context_verify_flags),
      EXPORT("tlsContextSecurityLevel", js_context_security_level),
      EXPORT("tlsContextCheckSubject", js_context_check_subject),
      EXPORT("tlsContextCiphers", js_context_ciphers),
      EXPORT("tlsContextSetDh", js_context_set_dh),
      EXPORT("tlsContextSetCurve", js_context_set_curve),
      EXPORT("tlsContextSetKeylog", js_context_set_keylog),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
