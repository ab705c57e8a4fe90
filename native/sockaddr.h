/* Addresses between JavaScript and struct sockaddr. TypeScript hands over
 * normalized addresses: AF_INET [numericHost, port], AF_INET6
 * [numericHost, port, flowinfo, scopeId], AF_UNIX a path string or a Buffer
 * (a leading 0 byte is Linux's abstract namespace), AF_PACKET [ifname,
 * proto, pkttype, hatype, addr] (the last three optional on input). */
#ifndef BERKELEY_SOCKADDR_H
#define BERKELEY_SOCKADDR_H

#include "args.h"
#include "platform.h"

typedef union {
  struct sockaddr sa;
  struct sockaddr_in in;
  struct sockaddr_in6 in6;
  struct sockaddr_un un;
  struct sockaddr_ll ll;
  struct sockaddr_storage storage;
} sockaddr_any;

/* Fills *out from argument i for family; returns the length, or -errno
 * (EAFNOSUPPORT, EINVAL, ENAMETOOLONG) for an address it cannot encode. */
int sockaddr_from_js(args_t *a, size_t i, int family, sockaddr_any *out, socklen_t *len);

/* The JavaScript form of an address: the tuple, path or Buffer above, null
 * for an empty address, or [family, Buffer] for a family it does not know. */
napi_value sockaddr_to_js(napi_env env, const struct sockaddr *sa, socklen_t len);

#endif
