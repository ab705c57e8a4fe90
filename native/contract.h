/* The numbers JavaScript and C must agree on, each named once here. The
 * addon hands them to JavaScript as the frozen object `contract`
 * (contract.c); src/core/native.ts types it and the TypeScript layers read
 * them from there, so a change here reaches both sides. */
#ifndef BERKELEY_CONTRACT_H
#define BERKELEY_CONTRACT_H

#include "platform.h"

/* Readiness events of watcherUpdate, waitSync and pollSync (poll.c): the
 * selectors' EVENT_READ and EVENT_WRITE, and select()'s exceptional
 * condition (out-of-band data). */
#define EVENT_READ 1
#define EVENT_WRITE 2
#define EVENT_PRIORITY 4
#define EVENT_ALL (EVENT_READ | EVENT_WRITE | EVENT_PRIORITY)
/* pollSync's result for a closed fd (POLLNVAL), always alone: it must not
 * read as any mix of events. */
#define EVENT_CLOSED 8

/* A TLS operation's results beyond its value and -errno (tls*.c), below
 * every -errno: wait until the socket is readable (or writable), then call
 * it again; or OpenSSL failed, and tlsLastError() says how. */
#define TLS_WANT_READ (-0x10001)
#define TLS_WANT_WRITE (-0x10002)
#define TLS_FAILED (-0x10003)
/* A server's handshake stopped at the client's hello for sniCallback
 * (tls_sni.c): run it, then call the operation again at once. */
#define TLS_SERVER_NAME (-0x10004)

/* The small-read buffer of each instance (exports.h): recv of up to this
 * many bytes, and every getsockoptBytes, go through it, so no Buffer of
 * the size asked is made first (JavaScript reads streams in chunks of it). */
#define SCRATCH_SIZE 65536
/* The longest option value setsockoptNull and getsockoptBytes take. */
#define SOCKOPT_MAX 65536
/* sendmsg's and recvmsgInto's most buffers is IOV_MAX, the platform's own (<limits.h>);
 * JavaScript refuses more ancillary items or fds than that too. */

/* recvmmsg's most bytes of datagrams at once (vlen × bufsize); its and
 * sendmmsg's most messages is IOV_MAX, which on Linux is UIO_MAXIOV, the
 * kernel's own limit of a batch. */
#define MMSG_BYTES_MAX (1 << 26)
/* The largest control buffer of sendmsg, recvmsg and CMSG_LEN/CMSG_SPACE. */
#define CONTROL_MAX (1 << 20)
/* The bytes of an AF_UNIX address: a path takes one less, for its NUL. */
#define SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path))
/* The bytes of an AF_PACKET hardware address. */
#define SLL_ADDR_MAX (sizeof(((struct sockaddr_ll *)0)->sll_addr))
/* The most fds one SCM_RIGHTS message carries: Linux's SCM_MAX_FD, which
 * only the kernel's own headers define. */
#define SCM_MAX_FD 253

/* The contract as JavaScript sees it: (name, value). */
#define CONTRACT_LIST(X)                \
  X(READ, EVENT_READ)                   \
  X(WRITE, EVENT_WRITE)                 \
  X(PRIORITY, EVENT_PRIORITY)           \
  X(CLOSED, EVENT_CLOSED)               \
  X(SCRATCH_SIZE, SCRATCH_SIZE)         \
  X(SOCKOPT_MAX, SOCKOPT_MAX)           \
  X(IOV_MAX, IOV_MAX)                   \
  X(CONTROL_MAX, CONTROL_MAX)           \
  X(MMSG_BYTES_MAX, MMSG_BYTES_MAX)     \
  X(SUN_PATH_MAX, SUN_PATH_MAX)         \
  X(SLL_ADDR_MAX, SLL_ADDR_MAX)         \
  X(SCM_MAX_FD, SCM_MAX_FD)             \
  X(TLS_WANT_READ, TLS_WANT_READ)       \
  X(TLS_WANT_WRITE, TLS_WANT_WRITE)     \
  X(TLS_FAILED, TLS_FAILED)             \
  X(TLS_SERVER_NAME, TLS_SERVER_NAME)

#define ONE_BIT(x) ((x) > 0 && ((x) & ((x) - 1)) == 0)
_Static_assert(ONE_BIT(EVENT_READ) && ONE_BIT(EVENT_WRITE) && ONE_BIT(EVENT_PRIORITY) &&
                   EVENT_READ + EVENT_WRITE + EVENT_PRIORITY == EVENT_ALL,
               "each readiness event is a bit of its own");
#undef ONE_BIT
_Static_assert(TLS_SERVER_NAME < TLS_FAILED && TLS_FAILED < TLS_WANT_WRITE && TLS_WANT_WRITE < TLS_WANT_READ && TLS_WANT_READ < -4095,
               "the TLS codes are distinct and below every -errno (Linux's errno values end at 4095)");
_Static_assert((EVENT_CLOSED & EVENT_ALL) == 0, "a closed fd reads as no mix of events");
_Static_assert(SOCKOPT_MAX <= SCRATCH_SIZE, "getsockoptBytes reads an option value into the scratch buffer");
_Static_assert(IOV_MAX > 0 && IOV_MAX <= 1024, "msg.c and mmsg.c keep IOV_MAX values (and msg.c iovecs) on the stack");
_Static_assert(MMSG_BYTES_MAX / IOV_MAX >= 65536, "recvmmsg takes a full batch of the largest UDP datagrams");
_Static_assert(SUN_PATH_MAX > 0 && SLL_ADDR_MAX > 0, "address fields have room");
_Static_assert(SCM_MAX_FD * sizeof(int) <= CONTROL_MAX, "a full SCM_RIGHTS message fits a control buffer");

#endif
