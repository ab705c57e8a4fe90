/* SSLContext's native half: one SSL_CTX and the thin calls that set it up.
 * Each returns 0 (or a count), or TLS_FAILED with OpenSSL's error kept for
 * tlsLastError(). What to set is TypeScript's choice (src/ssl/settings.ts). */
#include "tls.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

_Static_assert(SSL_VERIFY_PEER == 1 && SSL_VERIFY_FAIL_IF_NO_PEER_CERT == 2, "src/ssl/constants.ts's verify modes");

static const napi_type_tag CONTEXT_TAG = {0x6265726b656c6579ULL, 0x746c73637478ULL};

void tls_context_release(tls_context_t *context) {
  if (--context->refs > 0) return;
  SSL_CTX_free(context->ctx);
  if (context->keylog_fd >= 0) close(context->keylog_fd);
  free(context->alpn);
  free(context);
}

static void context_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  tls_context_release(data);
}

tls_context_t *arg_tls_context(args_t *a, size_t i) {
  return arg_tagged(a, i, &CONTEXT_TAG, "an SSL context");
}

/* ALPN on a server: the first of its own protocols the client offers too,
 * or no ALPN at all (the handshake goes on), as Python's ssl does. */
static int select_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *offered,
                       unsigned int offered_len, void *arg) {
  (void)ssl;
  tls_context_t *context = arg;
  unsigned char *chosen = NULL;
  if (context->alpn == NULL ||
      SSL_select_next_proto(&chosen, outlen, context->alpn, context->alpn_len, offered, offered_len) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

/* tlsContextNew(server) -> context | TLS_FAILED | -ENOSYS (no OpenSSL here).
 * Python's defaults (_ssl.c): SSL_OP_ALL but for the empty-fragment
 * workaround, no SSLv3, no compression, the server's cipher preference,
 * released buffers, no partial wildcards in host names. */
static napi_value js_context_new(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  bool server = arg_bool(&a, 0);
  if (a.failed) return NULL;
  if (tls_missing_symbol() != NULL) return make_int(env, -ENOSYS);
  tls_begin();
  tls_context_t *context = calloc(1, sizeof *context);
  if (context == NULL) return make_int(env, -ENOMEM);
  context->ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
  if (context->ctx == NULL) {
    free(context);
    return make_int(env, tls_failed(env, NULL, SSL_ERROR_SSL, 0));
  }
  context->refs = 1;
  context->keylog_fd = -1;
  SSL_CTX_set_options(context->ctx, (SSL_OP_ALL & ~SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS) | SSL_OP_NO_SSLv3 |
                                        SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(context->ctx, SSL_MODE_RELEASE_BUFFERS);
  /* A server resumes sessions only of its own kind (and may not at all
   * while it verifies clients, without one): Python sets one for each. */
  SSL_CTX_set_session_id_context(context->ctx, (const unsigned char *)"berkeley", 8);
  X509_VERIFY_PARAM_set_hostflags(SSL_CTX_get0_param(context->ctx), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  SSL_CTX_set_alpn_select_cb(context->ctx, select_alpn, context);
  if (server) SSL_CTX_set_client_hello_cb(context->ctx, tls_client_hello, context);
  napi_value external;
  if (napi_create_external(env, context, context_finalize, NULL, &external) != napi_ok) {
    tls_context_release(context);
    return NULL;
  }
  napi_type_tag_object(env, external, &CONTEXT_TAG);
  return external;
}

/* tlsContextSetVerify(context, mode): SSL_CTX_set_verify with SSL_VERIFY_* bits -> 0 */
static napi_value js_context_set_verify(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  int mode = arg_int32(&a, 1);
  if (a.failed) return NULL;
  SSL_CTX_set_verify(context->ctx, mode & (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT), NULL);
  return make_int(env, 0);
}

/* tlsContextSetVersions(context, min, max): protocol versions (0: the
 * lowest or highest OpenSSL has) -> 0 | TLS_FAILED */
static napi_value js_context_set_versions(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 3)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  int min = arg_int32(&a, 1), max = arg_int32(&a, 2);
  if (a.failed) return NULL;
  tls_begin();
  if (!SSL_CTX_set_min_proto_version(context->ctx, min) || !SSL_CTX_set_max_proto_version(context->ctx, max))
    return make_int(env, tls_failed(env, NULL, SSL_ERROR_SSL, 0));
  return make_int(env, 0);
}

/* tlsContextSetCiphers(context, list): SSL_CTX_set_cipher_list -> 0 | TLS_FAILED */
static napi_value js_context_set_ciphers(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  char list[4096];
  bool fits = arg_string(&a, 1, list, sizeof list);
  if (a.failed) return NULL;
  if (!fits) return make_int(env, -EINVAL);
  tls_begin();
  if (!SSL_CTX_set_cipher_list(context->ctx, list)) return make_int(env, tls_failed(env, NULL, SSL_ERROR_SSL, 0));
  return make_int(env, 0);
}

/* tlsContextSetAlpn(context, protocols): ALPN's wire format (each protocol
 * after its length byte; empty for none), offered by a client and chosen
 * from by a server -> 0 | TLS_FAILED | -EINVAL | -ENOMEM */
static napi_value js_context_set_alpn(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  size_t len;
  const unsigned char *wire = arg_bytes(&a, 1, &len);
  if (a.failed) return NULL;
  if (len > 0xffff) return make_int(env, -EINVAL);
  unsigned char *copy = len == 0 ? NULL : malloc(len);
  if (len > 0 && copy == NULL) return make_int(env, -ENOMEM);
  if (len > 0) memcpy(copy, wire, len);
  tls_begin();
  /* 0 is success here, unlike elsewhere in OpenSSL. */
  if (SSL_CTX_set_alpn_protos(context->ctx, copy, (unsigned int)len) != 0) {
    free(copy);
    return make_int(env, tls_failed(env, NULL, SSL_ERROR_SSL, 0));
  }
  free(context->alpn);
  context->alpn = copy;
  context->alpn_len = (unsigned int)len;
  return make_int(env, 0);
}

/* Whether a read loop that stopped on bio stopped at the end of its data,
 * which is no error (cleared): PEM data has no start line left; DER data
 * no byte left. */
static bool at_end(BIO *bio, bool pem) {
  unsigned long e = ERR_peek_last_error();
  bool end = pem ? ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE : BIO_eof(bio);
  if (end) ERR_clear_error();
  return end;
}

/* Each certificate of data (PEM or DER, one after another) into store:
 * the count, 0 for none, or -1 on a failure (kept in the error queue). */
static int read_certificates(X509_STORE *store, const void *data, size_t len, bool pem) {
  BIO *bio = BIO_new_mem_buf(data, (int)len);
  if (bio == NULL) return -1;
  int count = 0;
  bool failed = false;
  X509 *cert;
  while (!failed && (cert = pem ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : d2i_X509_bio(bio, NULL)) != NULL) {
    failed = !X509_STORE_add_cert(store, cert);
    X509_free(cert);
    count += !failed;
  }
  bool ended = !failed && (count == 0 || at_end(bio, pem));
  BIO_free(bio);
  if (!ended) return -1;
  ERR_clear_error();
  return count;
}

/* Every certificate of from into to. */
static bool copy_store(X509_STORE *to, X509_STORE *from) {
  if (!X509_STORE_lock(from)) return false;
  bool ok = true;
  STACK_OF(X509_OBJECT) *objects = X509_STORE_get0_objects(from);
  for (int k = 0; ok && k < sk_X509_OBJECT_num(objects); k++) {
    X509 *cert = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, k));
    ok = cert == NULL || X509_STORE_add_cert(to, cert);
  }
  X509_STORE_unlock(from);
  return ok;
}

/* The context's own certificate store, to add to: a copy of the shared
 * roots when it has them (so no other context sees what it adds); NULL
 * when out of memory. */
static X509_STORE *own_store(tls_context_t *context) {
  X509_STORE *store = SSL_CTX_get_cert_store(context->ctx);
  if (!context->shared_roots) return store;
  X509_STORE *copy = X509_STORE_new();
  if (copy == NULL || !copy_store(copy, store)) {
    X509_STORE_free(copy);
    return NULL;
  }
  SSL_CTX_set_cert_store(context->ctx, copy); /* lets go of the shared one */
  context->shared_roots = false;
  return copy;
}

/* tlsContextAddCa(context, data, pem): trusts the certificates in data
 * -> count added (0: data holds none) | TLS_FAILED */
static napi_value js_context_add_ca(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 3)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  bool pem = arg_bool(&a, 2);
  size_t len;
  const void *data = arg_bytes(&a, 1, &len);
  if (a.failed) return NULL;
  if (len > INT32_MAX) return make_int(env, -EINVAL);
  tls_begin();
  X509_STORE *store = own_store(context);
  int count = store == NULL ? -1 : read_certificates(store, data, len, pem);
  return make_int(env, count < 0 ? tls_failed(env, NULL, SSL_ERROR_SSL, 0) : count);
}

/* tlsContextAddCaPath(context, dir): trusts the CA certificates of a
 * directory in OpenSSL's hashed layout, each looked up when a chain needs
 * it (as Python's capath) -> 0 | TLS_FAILED */
static napi_value js_context_add_ca_path(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  char dir[4096];
  bool fits = arg_string(&a, 1, dir, sizeof dir);
  if (a.failed) return NULL;
  if (!fits) return make_int(env, -ENAMETOOLONG);
  tls_begin();
  X509_STORE *store = own_store(context);
  return make_int(env, store != NULL && X509_STORE_load_path(store, dir) ? 0 : tls_failed(env, NULL, SSL_ERROR_SSL, 0));
}

/* Node's root certificates, parsed once for the process by the first
 * thread that asks (parsing is the dear part: OpenSSL 3 decodes each key
 * through its providers), then shared by every context that trusts them,
 * as Node's own tls shares them. Never changed once made. */
static X509_STORE *roots;
static pthread_mutex_t roots_lock = PTHREAD_MUTEX_INITIALIZER;

static X509_STORE *shared_roots(const void *pem, size_t len) {
  pthread_mutex_lock(&roots_lock);
  if (roots == NULL) {
    X509_STORE *store = X509_STORE_new();
    if (store != NULL && read_certificates(store, pem, len, true) > 0) roots = store;
    else X509_STORE_free(store);
  }
  X509_STORE *shared = roots;
  pthread_mutex_unlock(&roots_lock);
  return shared;
}

/* tlsContextLoadRoots(context, pem): trusts Node's root certificates
 * (pem, read only the first time in the process): the shared store itself
 * while the context trusts nothing else, else a copy of its certificates
 * -> 0 | TLS_FAILED */
static napi_value js_context_load_roots(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  size_t len;
  const void *pem = arg_bytes(&a, 1, &len);
  if (a.failed) return NULL;
  if (len > INT32_MAX) return make_int(env, -EINVAL);
  tls_begin();
  X509_STORE *shared = shared_roots(pem, len);
  if (shared == NULL) return make_int(env, tls_failed(env, NULL, SSL_ERROR_SSL, 0));
  if (context->shared_roots) return make_int(env, 0);
  X509_STORE *store = SSL_CTX_get_cert_store(context->ctx);
  if (sk_X509_OBJECT_num(X509_STORE_get0_objects(store)) == 0) {
    SSL_CTX_set1_cert_store(context->ctx, shared);
    context->shared_roots = true;
    return make_int(env, 0);
  }
  return make_int(env, copy_store(store, shared) ? 0 : tls_failed(env, NULL, SSL_ERROR_SSL, 0));
}

/* tlsContextDefaultPaths(context): trusts OpenSSL's default CA file and
 * directory (or those SSL_CERT_FILE and SSL_CERT_DIR name), as Python's
 * set_default_verify_paths -> 0 | TLS_FAILED */
static napi_value js_context_default_paths(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  if (a.failed) return NULL;
  tls_begin();
  X509_STORE *store = own_store(context);
  return make_int(env, store != NULL && X509_STORE_set_default_paths(store) ? 0 : tls_failed(env, NULL, SSL_ERROR_SSL, 0));
}

/* The DER bytes of a certificate as a Buffer, or NULL. */
static napi_value der_buffer(napi_env env, X509 *cert) {
  napi_value result = NULL;
  void *data;
  int len = i2d_X509(cert, NULL);
  if (len <= 0 || napi_create_buffer(env, (size_t)len, &data, &result) != napi_ok) return NULL;
  unsigned char *out = data;
  i2d_X509(cert, &out);
  return result;
}

/* tlsContextStore(context, cas) -> with cas, the DER bytes of each CA
 * certificate in its store (Python's get_ca_certs); else [x509, crl,
 * x509Ca], the counts of Python's cert_store_stats | TLS_FAILED */
static napi_value js_context_store(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  bool cas = arg_bool(&a, 1);
  if (a.failed) return NULL;
  tls_begin();
  X509_STORE *store = SSL_CTX_get_cert_store(context->ctx);
  napi_value result = NULL;
  if (napi_create_array(env, &result) != napi_ok) return NULL;
  if (!X509_STORE_lock(store)) return make_int(env, tls_failed(env, NULL, SSL_ERROR_SSL, 0));
  STACK_OF(X509_OBJECT) *objects = X509_STORE_get0_objects(store);
  int64_t x509 = 0, crl = 0, ca = 0;
  uint32_t index = 0;
  for (int k = 0; k < sk_X509_OBJECT_num(objects); k++) {
    X509_OBJECT *object = sk_X509_OBJECT_value(objects, k);
    if (X509_OBJECT_get_type(object) == X509_LU_CRL) crl++;
    if (X509_OBJECT_get_type(object) != X509_LU_X509) continue;
    X509 *cert = X509_OBJECT_get0_X509(object);
    x509++;
    if (!X509_check_ca(cert)) continue;
    ca++;
    napi_value der = cas ? der_buffer(env, cert) : NULL;
    if (der != NULL) napi_set_element(env, result, index++, der);
  }
  X509_STORE_unlock(store);
  ERR_clear_error();
  if (!cas) {
    napi_set_element(env, result, 0, make_int(env, x509));
    napi_set_element(env, result, 1, make_int(env, crl));
    napi_set_element(env, result, 2, make_int(env, ca));
  }
  return result;
}

typedef struct {
  const void *data;
  size_t len;
} password_t;

/* A key's password, given or not; never a prompt on the terminal. */
static int give_password(char *buf, int size, int rwflag, void *u) {
  (void)rwflag;
  const password_t *password = u;
  if (password->data == NULL || password->len > (size_t)size) return -1;
  memcpy(buf, password->data, password->len);
  return (int)password->len;
}

/* The certificate chain (the leaf, then its issuers) and the private key. */
static bool use_chain(SSL_CTX *ctx, BIO *chain, BIO *keys, password_t *password) {
  X509 *leaf = PEM_read_bio_X509_AUX(chain, NULL, NULL, NULL);
  bool ok = leaf != NULL && SSL_CTX_use_certificate(ctx, leaf) && SSL_CTX_clear_chain_certs(ctx);
  X509_free(leaf);
  X509 *issuer;
  while (ok && (issuer = PEM_read_bio_X509(chain, NULL, NULL, NULL)) != NULL) {
    ok = SSL_CTX_add0_chain_cert(ctx, issuer);
    if (!ok) X509_free(issuer);
  }
  if (!ok || !at_end(chain, true)) return false;
  EVP_PKEY *key = PEM_read_bio_PrivateKey(keys, NULL, give_password, password);
  ok = key != NULL && SSL_CTX_use_PrivateKey(ctx, key) && SSL_CTX_check_private_key(ctx);
  EVP_PKEY_free(key);
  return ok;
}

/* tlsContextUseChain(context, chain, key, password | null): PEM data, as
 * Python's load_cert_chain reads from its files -> 0 | TLS_FAILED */
static napi_value js_context_use_chain(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 4)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  password_t password = {NULL, 0};
  size_t chain_len, key_len;
  bool no_password = arg_is_null(&a, 3);
  if (!no_password) password.data = arg_bytes(&a, 3, &password.len);
  const void *chain_data = arg_bytes(&a, 1, &chain_len);
  const void *key_data = arg_bytes(&a, 2, &key_len);
  if (a.failed) return NULL;
  if (chain_len > INT32_MAX || key_len > INT32_MAX) return make_int(env, -EINVAL);
  tls_begin();
  BIO *chain = BIO_new_mem_buf(chain_data, (int)chain_len);
  BIO *keys = BIO_new_mem_buf(key_data, (int)key_len);
  bool ok = chain != NULL && keys != NULL && use_chain(context->ctx, chain, keys, &password);
  BIO_free(chain);
  BIO_free(keys);
  return make_int(env, ok ? 0 : tls_failed(env, NULL, SSL_ERROR_SSL, 0));
}

void register_tls_context(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      EXPORT("tlsContextNew", js_context_new),
      EXPORT("tlsContextSetVerify", js_context_set_verify),
      EXPORT("tlsContextSetVersions", js_context_set_versions),
      EXPORT("tlsContextSetCiphers", js_context_set_ciphers),
      EXPORT("tlsContextSetAlpn", js_context_set_alpn),
      EXPORT("tlsContextAddCa", js_context_add_ca),
      EXPORT("tlsContextAddCaPath", js_context_add_ca_path),
      EXPORT("tlsContextLoadRoots", js_context_load_roots),
      EXPORT("tlsContextUseChain", js_context_use_chain),
      EXPORT("tlsContextDefaultPaths", js_context_default_paths),
      EXPORT("tlsContextStore", js_context_store),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
