/* The BIO under a connection's SSL: recv(2) and send(2) on the fd of the
 * call under way (conn->fd). Unlike OpenSSL's socket BIO, a send to a
 * closed peer is EPIPE, never SIGPIPE (MSG_NOSIGNAL), and the errno of a
 * failure is kept in the connection, which no later libc call in OpenSSL
 * can overwrite. EAGAIN (and EINTR) is "retry": the SSL call then wants
 * to read or write, and the call helper waits for that. */
#include "tls.h"

#include <pthread.h>

static BIO_METHOD *method;
static pthread_once_t method_once = PTHREAD_ONCE_INIT;

static bool retry(int error) {
  return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
}

static int bio_read(BIO *bio, char *into, size_t len, size_t *got) {
  tls_conn_t *conn = BIO_get_data(bio);
  BIO_clear_retry_flags(bio);
  ssize_t n = recv(conn->fd, into, len, conn->dontwait ? MSG_DONTWAIT : 0);
  if (n > 0) {
    *got = (size_t)n;
    return 1;
  }
  *got = 0;
  if (n == 0) conn->eof = true;
  else if (retry(errno)) BIO_set_retry_read(bio);
  else conn->error = errno;
  return 0;
}

static int bio_write(BIO *bio, const char *data, size_t len, size_t *written) {
  tls_conn_t *conn = BIO_get_data(bio);
  BIO_clear_retry_flags(bio);
  ssize_t n = send(conn->fd, data, len, MSG_NOSIGNAL);
  if (n >= 0) {
    *written = (size_t)n;
    return 1;
  }
  *written = 0;
  if (retry(errno)) BIO_set_retry_write(bio);
  else conn->error = errno;
  return 0;
}

/* Flushing is a no-op (every write goes straight to the socket); the end of
 * the input is what makes OpenSSL report an EOF without close_notify as
 * "unexpected eof while reading", as Python's ssl reports it. */
static long bio_ctrl(BIO *bio, int command, long number, void *pointer) {
  (void)number;
  (void)pointer;
  tls_conn_t *conn = BIO_get_data(bio);
  switch (command) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_EOF: return conn->eof;
    default: return 0;
  }
}

static int bio_create(BIO *bio) {
  BIO_set_init(bio, 1);
  return 1;
}

static void make_method(void) {
  BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "berkeley socket");
  if (m == NULL) return;
  if (!BIO_meth_set_read_ex(m, bio_read) || !BIO_meth_set_write_ex(m, bio_write) || !BIO_meth_set_ctrl(m, bio_ctrl) ||
      !BIO_meth_set_create(m, bio_create)) {
    BIO_meth_free(m);
    return;
  }
  method = m;
}

BIO *tls_bio_new(tls_conn_t *conn) {
  /* One method for the process, made on first use by whichever thread. */
  pthread_once(&method_once, make_method);
  BIO *bio = method == NULL ? NULL : BIO_new(method);
  if (bio != NULL) BIO_set_data(bio, conn);
  return bio;
}
