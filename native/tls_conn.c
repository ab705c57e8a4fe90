/* A TLS connection's SSL object and its stepwise operations: handshake,
 * read, write and shutdown, each one step on the fd it is given (the
 * socket's, from the call helper), returning its result or a code for the
 * call helper (tls.h). The memory-BIO objects of later work use the same
 * operations over another BIO. */
#include "tls.h"

#include <stdlib.h>

static const napi_type_tag CONN_TAG = {0x6265726b656c6579ULL, 0x746c73636f6e6eULL};

/* Frees the SSL (and its BIO) and lets go of the context: at close, or at
 * the latest when the JS object is collected or its worker ends. */
static void conn_close(tls_conn_t *conn) {
  if (conn->ssl == NULL) return;
  SSL_free(conn->ssl);
  conn->ssl = NULL;
  tls_context_release(conn->context);
}

static void conn_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  conn_close(data);
  free(data);
}

static tls_conn_t *arg_conn(args_t *a, size_t i) {
  return arg_tagged(a, i, &CONN_TAG, "a TLS connection");
}

/* tlsNew(context, server) -> connection | TLS_FAILED. Python's modes: a
 * write may be retried from another address; a read goes on past
 * non-application records. And a write returns after each record, so
 * that what went out is always known. */
static napi_value js_tls_new(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  tls_context_t *context = arg_tls_context(&a, 0);
  bool server = arg_bool(&a, 1);
  if (a.failed) return NULL;
  tls_begin();
  tls_conn_t *conn = calloc(1, sizeof *conn);
  if (conn == NULL) return make_int(env, -ENOMEM);
  conn->fd = -1;
  conn->ssl = SSL_new(context->ctx);
  BIO *bio = conn->ssl == NULL ? NULL : tls_bio_new(conn);
  if (bio == NULL) {
    SSL_free(conn->ssl);
    free(conn);
    return make_int(env, tls_failed(env, NULL, SSL_ERROR_SSL, 0));
  }
  context->refs++;
  conn->context = context;
  SSL_set_bio(conn->ssl, bio, bio);
  SSL_set_mode(conn->ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_AUTO_RETRY | SSL_MODE_ENABLE_PARTIAL_WRITE);
  if (server) SSL_set_accept_state(conn->ssl);
  else SSL_set_connect_state(conn->ssl);
  napi_value external;
  if (napi_create_external(env, conn, conn_finalize, NULL, &external) != napi_ok) {
    conn_finalize(env, conn, NULL);
    return NULL;
  }
  napi_type_tag_object(env, external, &CONN_TAG);
  return external;
}

/* The connection of a call, set up for one step on fd; NULL once closed. */
static SSL *begin(tls_conn_t *conn, int fd) {
  tls_begin();
  conn->fd = fd;
  conn->error = 0;
  conn->eof = false;
  conn->dontwait = false;
  return conn->ssl;
}

/* The JS result of a step whose OpenSSL call returned rc (a failure). */
static napi_value outcome(napi_env env, tls_conn_t *conn, int rc) {
  return make_int(env, tls_failed(env, conn->ssl, SSL_get_error(conn->ssl, rc), conn->error));
}

/* tlsSetServerName(connection, name): the SNI a client sends -> 0 | TLS_FAILED */
static napi_value js_tls_set_server_name(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  tls_conn_t *conn = arg_conn(&a, 0);
  char name[256];
  bool fits = arg_string(&a, 1, name, sizeof name);
  if (a.failed) return NULL;
  if (!fits) return make_int(env, -EINVAL);
  if (begin(conn, -1) == NULL) return make_int(env, -EBADF);
  return make_int(env, SSL_set_tlsext_host_name(conn->ssl, name) ? 0 : tls_failed(env, NULL, SSL_ERROR_SSL, 0));
}

/* tlsSetVerifyHost(connection, name, ip): the host name (or, with ip, the
 * address) the peer's certificate must match -> 0 | TLS_FAILED */
static napi_value js_tls_set_verify_host(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 3)) return NULL;
  tls_conn_t *conn = arg_conn(&a, 0);
  char name[256];
  bool fits = arg_string(&a, 1, name, sizeof name);
  bool ip = arg_bool(&a, 2);
  if (a.failed) return NULL;
  if (!fits) return make_int(env, -EINVAL);
  if (begin(conn, -1) == NULL) return make_int(env, -EBADF);
  X509_VERIFY_PARAM *param = SSL_get0_param(conn->ssl);
  int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name) : X509_VERIFY_PARAM_set1_host(param, name, 0);
  return make_int(env, ok ? 0 : tls_failed(env, NULL, SSL_ERROR_SSL, 0));
}

/* tlsHandshake(connection, fd) -> 0 once done | a code */
static napi_value js_tls_handshake(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  tls_conn_t *conn = arg_conn(&a, 0);
  int fd = arg_int32(&a, 1);
  if (a.failed) return NULL;
  if (begin(conn, fd) == NULL) return make_int(env, -EBADF);
  int rc = SSL_do_handshake(conn->ssl);
  return rc == 1 ? make_int(env, 0) : outcome(env, conn, rc);
}

/* Reads up to len bytes: record after record while whole records keep
 * coming (a bulk transfer). Only the first may wait (on a socket in
 * blocking mode): those after it take what is there. Returns the count (0
 * at close_notify); *code gets the code of a first step that read nothing. */
static int64_t read_some(napi_env env, tls_conn_t *conn, char *into, size_t len, napi_value *code) {
  size_t total = 0, got = 0;
  while (total < len) {
    if (!SSL_read_ex(conn->ssl, into + total, len - total, &got)) {
      int error = SSL_get_error(conn->ssl, 0);
      /* What was read comes first; a failure shows again at the next call. */
      if (total > 0 || error == SSL_ERROR_ZERO_RETURN) ERR_clear_error();
      else *code = make_int(env, tls_failed(env, conn->ssl, error, conn->error));
      break;
    }
    total += got;
    if (got < SSL3_RT_MAX_PLAIN_LENGTH) break;
    conn->dontwait = true;
  }
  return (int64_t)total;
}

/* tlsRead(connection, fd, n) -> Buffer (empty at close_notify) | a code */
static napi_value js_tls_read(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 3)) return NULL;
  tls_conn_t *conn = arg_conn(&a, 0);
  int fd = arg_int32(&a, 1), n = arg_int32(&a, 2);
  if (a.failed) return NULL;
  if (n < 0) return make_int(env, -EINVAL);
  if (begin(conn, fd) == NULL) return make_int(env, -EBADF);
  napi_value buffer = NULL, code = NULL;
  char *into = read_buffer(env, (size_t)n, &buffer);
  if (into == NULL) return make_int(env, -ENOMEM);
  int64_t got = read_some(env, conn, into, (size_t)n, &code);
  return code != NULL ? code : read_result(env, into, (size_t)got, (size_t)n, buffer);
}

/* tlsReadInto(connection, fd, view, n) -> count (0 at close_notify) | a code */
static napi_value js_tls_read_into(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 4)) return NULL;
  tls_conn_t *conn = arg_conn(&a, 0);
  int fd = arg_int32(&a, 1);
  int64_t n = arg_int64(&a, 3);
  size_t len;
  char *into = arg_bytes(&a, 2, &len);
  if (a.failed) return NULL;
  if (n >= 0 && (uint64_t)n < len) len = (size_t)n;
  if (begin(conn, fd) == NULL) return make_int(env, -EBADF);
  napi_value code = NULL;
  int64_t got = read_some(env, conn, into, len, &code);
  return code != NULL ? code : make_int(env, got);
}

/* tlsWrite(connection, fd, view, offset) -> count | a code: the bytes from
 * offset on, record after record until all are out or the socket is full
 * (then the count so far, or the code if none went out). */
static napi_value js_tls_write(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 4)) return NULL;
  tls_conn_t *conn = arg_conn(&a, 0);
  int fd = arg_int32(&a, 1);
  int64_t offset = arg_int64(&a, 3);
  size_t len;
  const char *data = arg_bytes(&a, 2, &len);
  if (a.failed) return NULL;
  if (offset < 0 || (uint64_t)offset > len) return make_int(env, -EINVAL);
  if (begin(conn, fd) == NULL) return make_int(env, -EBADF);
  size_t total = 0, written = 0;
  len -= (size_t)offset;
  while (total < len) {
    if (!SSL_write_ex(conn->ssl, data + offset + total, len - total, &written)) {
      if (total == 0) return outcome(env, conn, 0);
      ERR_clear_error();
      break;
    }
    total += written;
  }
  return make_int(env, (int64_t)total);
}

/* tlsShutdown(connection, fd) -> 0 (close_notify sent) | 1 (the peer's
 * received too) | a code */
static napi_value js_tls_shutdown(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 2)) return NULL;
  tls_conn_t *conn = arg_conn(&a, 0);
  int fd = arg_int32(&a, 1);
  if (a.failed) return NULL;
  if (begin(conn, fd) == NULL) return make_int(env, -EBADF);
  int rc = SSL_shutdown(conn->ssl);
  return rc >= 0 ? make_int(env, rc) : outcome(env, conn, rc);
}

/* tlsClose(connection): frees the SSL now (idempotent) -> 0 */
static napi_value js_tls_close(napi_env env, napi_callback_info info) {
  args_t a;
  if (!args_init(&a, env, info, 1)) return NULL;
  tls_conn_t *conn = arg_conn(&a, 0);
  if (a.failed) return NULL;
  conn_close(conn);
  return make_int(env, 0);
}

/* The connection's SSL for the info calls (tls_info.c), NULL once closed. */
SSL *tls_conn_ssl(args_t *a, size_t i) {
  tls_conn_t *conn = arg_conn(a, i);
  return conn == NULL ? NULL : conn->ssl;
}

void register_tls_conn(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      EXPORT("tlsNew", js_tls_new),
      EXPORT("tlsSetServerName", js_tls_set_server_name),
      EXPORT("tlsSetVerifyHost", js_tls_set_verify_host),
      EXPORT("tlsHandshake", js_tls_handshake),
      EXPORT("tlsRead", js_tls_read),
      EXPORT("tlsReadInto", js_tls_read_into),
      EXPORT("tlsWrite", js_tls_write),
      EXPORT("tlsShutdown", js_tls_shutdown),
      EXPORT("tlsClose", js_tls_close),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
