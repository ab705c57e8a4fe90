/* MemoryBIO (Python's ssl.MemoryBIO): OpenSSL's memory BIO as a JS object,
 * and tlsUseMemory(), which puts a pair of them under a connection in place
 * of its socket BIO. The connection's steps (tls_conn.c) are then the same
 * calls, their fd unused: an empty incoming BIO makes a step want to read
 * (Python's SSLWantReadError); the outgoing one grows, so none wants to
 * write. Each BIO is reference-counted: freed when its JS object and every
 * connection using it have let go. */
#include "tls.h"

static const napi_type_tag MEMORY_TAG = {0x6265726b656c6579ULL, 0x746c736d656d6fULL};

static void memory_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  BIO_free(data);
}

static BIO *arg_memory(args_t *a, size_t i) {
  return arg_tagged(a, i, &MEMORY_TAG, "a MemoryBIO");
}

/* tlsMemoryNew() -> bio | TLS_FAILED. Empty, a read of it is "retry"
 * (BIO_set_mem_eof_return -1) until tlsMemoryWriteEof(). */
static napi_value js_memory_new(napi_env env, napi_callback_info info) {
  (void)info;
  tls_begin();
  BIO *bio = BIO_new(BIO_s_mem());
  if (bio == NULL) return make_int(env, tls_failed(env, NULL, SSL_ERROR_SSL, 0));
  BIO_set_mem_eof_return(bio, -1);
  napi_value external;
  if (napi_create_external(env, bio, memory_finalize, NULL, &external) != napi_ok) {
    BIO_free(bio);
    return NULL;
  }
  napi_type_tag_object(env, external, &MEMORY_TAG);
  return external;
}

/* tlsMemoryWrite(bio, view) -> the count (all of it) | TLS_FAILED */
static napi_value js_memory_write(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  BIO *bio = arg_memory(&a, 0);
  size_t len;
  const char *data = arg_bytes(&a, 1, &len);
  if (a.failed) return NULL;
  if (len == 0) return make_int(env, 0);
  tls_begin();
  size_t written = 0;
  if (!BIO_write_ex(bio, data, len, &written)) return make_int(env, tls_failed(env, NULL, SSL_ERROR_SSL, 0));
  return make_int(env, (int64_t)written);
}

/* tlsMemoryRead(bio, n) -> Buffer of up to n bytes (all there are when
 * n < 0), empty when there are none */
static napi_value js_memory_read(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  BIO *bio = arg_memory(&a, 0);
  int64_t n = arg_int64(&a, 1);
  if (a.failed) return NULL;
  size_t pending = BIO_ctrl_pending(bio);
  size_t len = n < 0 || (uint64_t)n > pending ? pending : (size_t)n;
  napi_value buffer = NULL;
  char *into = read_buffer(env, len, &buffer);
  if (into == NULL) return make_int(env, -ENOMEM);
  size_t got = 0;
  tls_begin();
  /* An empty BIO's read fails as "retry": nothing read. */
  if (len > 0 && !BIO_read_ex(bio, into, len, &got)) got = 0;
  ERR_clear_error();
  return read_result(env, into, got, len, buffer);
}

/* tlsMemoryWriteEof(bio) -> 0: from now on an empty BIO reads as the end */
static napi_value js_memory_write_eof(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  BIO *bio = arg_memory(&a, 0);
  if (a.failed) return NULL;
  BIO_clear_retry_flags(bio);
  BIO_set_mem_eof_return(bio, 0);
  return make_int(env, 0);
}

/* tlsMemoryPending(bio) -> the bytes waiting in it */
static napi_value js_memory_pending(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  BIO *bio = arg_memory(&a, 0);
  if (a.failed) return NULL;
  return make_int(env, (int64_t)BIO_ctrl_pending(bio));
}

/* tlsUseMemory(connection, incoming, outgoing) -> 0 | -EBADF once closed:
 * the connection reads incoming and writes outgoing from now on (its
 * socket BIO freed). */
static napi_value js_use_memory(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 3)) return NULL;
  SSL *ssl = tls_conn_ssl(&a, 0);
  BIO *incoming = arg_memory(&a, 1);
  BIO *outgoing = arg_memory(&a, 2);
  if (a.failed) return NULL;
  if (ssl == NULL) return make_int(env, -EBADF);
  /* Each role holds a reference of its own (one BIO may have both), and
   * lets go of the BIO it had. */
  BIO_up_ref(incoming);
  BIO_up_ref(outgoing);
  SSL_set0_rbio(ssl, incoming);
  SSL_set0_wbio(ssl, outgoing);
  return make_int(env, 0);
}

void register_tls_memory(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      EXPORT("tlsMemoryNew", js_memory_new),
      EXPORT("tlsMemoryWrite", js_memory_write),
      EXPORT("tlsMemoryRead", js_memory_read),
      EXPORT("tlsMemoryWriteEof", js_memory_write_eof),
      EXPORT("tlsMemoryPending", js_memory_pending),
      EXPORT("tlsUseMemory", js_use_memory),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
