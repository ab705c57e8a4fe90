/* The TLS engine on Node's own OpenSSL: its headers ship with Node, its
 * symbols are exported by the node binary and bound at load time as weak
 * references (tls_symbols.h), so the addon loads on a Node without them and
 * only TLS reports what is missing.
 *
 * An SSLContext is a tls_context_t (tls_context.c); each connection a
 * tls_conn_t (tls_conn.c) whose SSL object does its I/O through a BIO
 * (tls_bio.c) on the fd its current call is given, never one kept from an
 * earlier call. Every operation is one step: its result, or TLS_WANT_READ /
 * TLS_WANT_WRITE (the call helper waits in that direction and calls it
 * again), -errno (the socket's own failure) or TLS_FAILED (the OpenSSL error,
 * kept for tlsLastError(), tls_error.c). OpenSSL's error queue is cleared
 * before and after each call, so that no error of ours reaches Node's
 * crypto, and none of Node's ours. */
#ifndef BERKELEY_TLS_H
#define BERKELEY_TLS_H

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls_symbols.h"
#include "args.h"
#include "contract.h"
#include "exports.h"

/* An SSLContext's SSL_CTX, shared by the context's JS object and every
 * connection made from it: freed when the last of them lets go. */
typedef struct {
  SSL_CTX *ctx;
  unsigned char *alpn; /* a server's ALPN protocols, in wire format (NULL: none) */
  unsigned int alpn_len;
  unsigned int refs;
  bool shared_roots; /* its certificate store is the process's roots (copied before adding) */
  bool sni;          /* its server connections stop at the client's hello for sniCallback (tls_sni.c) */
  int keylog_fd;     /* the key log file it owns (tls_settings.c), or -1 */
} tls_context_t;

/* Where a server connection is with sniCallback (tls_sni.c). */
enum { TLS_HELLO_NEW, TLS_HELLO_ASKED, TLS_HELLO_DECIDED };

/* One TLS connection. The struct lives until its JS object is collected;
 * the SSL is freed at close (tlsClose) or then, whichever comes first. */
typedef struct {
  SSL *ssl; /* NULL once closed */
  tls_context_t *context;
  int fd;     /* the socket of the call under way, for the BIO */
  int error;  /* errno of the socket's last failure in that call, or 0 */
  bool eof;   /* the socket reached its end in that call */
  bool dontwait; /* the BIO's reads never wait in that call (MSG_DONTWAIT), even on a blocking fd */
  int hello;  /* TLS_HELLO_*: sniCallback not asked yet, asked, or decided */
  int hello_alert; /* decided: the alert to fail with, or -1 to go on */
  char server_name[256]; /* asked: the host name the client sent ("" for none) */
} tls_conn_t;

/* tls_context.c */
void tls_context_release(tls_context_t *context);
tls_context_t *arg_tls_context(args_t *a, size_t i);

/* tls_conn.c: the SSL of a connection argument, NULL once closed; the
 * connection itself. Each SSL's app data is its connection. */
SSL *tls_conn_ssl(args_t *a, size_t i);
tls_conn_t *arg_tls_conn(args_t *a, size_t i);

/* tls_sni.c: every server context's client hello callback (arg: the context). */
int tls_client_hello(SSL *ssl, int *alert, void *arg);

/* tls_bio.c: a BIO over conn->fd (send with MSG_NOSIGNAL, recv), or NULL. */
BIO *tls_bio_new(tls_conn_t *conn);

/* tls_error.c */
/* The name of the first OpenSSL function the running Node lacks, or NULL. */
const char *tls_missing_symbol(void);
/* Before an OpenSSL call: an empty error queue and no failure kept. */
void tls_begin(void);
/* The JS result of a failed OpenSSL call on ssl (NULL: a context call) whose
 * SSL_get_error() is ssl_error: the want codes, -errno, or TLS_FAILED with
 * the details kept; the error queue is left empty. */
int tls_failed(napi_env env, SSL *ssl, int ssl_error, int sys_errno);

#endif
