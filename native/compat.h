/* Fallbacks for what differs between the C libraries berkeley builds with
 * (glibc, musl): one place, so that a port adds its cases here. */
#ifndef BERKELEY_COMPAT_H
#define BERKELEY_COMPAT_H

#include "platform.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

/* strerror_r(3) in either flavour -> the message. glibc with _GNU_SOURCE has
 * the GNU one (returns a string, maybe not buf); everyone else has XSI's
 * (fills buf, returns 0 or an error number). */
static inline const char *compat_strerror(int code, char *buf, size_t size) {
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
  return strerror_r(code, buf, size);
#else
  if (strerror_r(code, buf, size) != 0) snprintf(buf, size, "Unknown error %d", code);
  return buf;
#endif
}

/* getprotobyname(3), thread-safely -> the protocol number, or -1. musl has
 * no getprotobyname_r: its getprotobyname returns a static entry, read here
 * under one lock shared by every thread of the process. */
static inline int compat_getprotobyname(const char *name, char *buffer, size_t size) {
#if defined(__GLIBC__)
  struct protoent entry, *found = NULL;
  if (getprotobyname_r(name, &entry, buffer, size, &found) != 0 || found == NULL) return -1;
  return found->p_proto;
#else
  (void)buffer;
  (void)size;
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&lock);
  struct protoent *found = getprotobyname(name);
  int proto = found == NULL ? -1 : found->p_proto;
  pthread_mutex_unlock(&lock);
  return proto;
#endif
}

#endif
