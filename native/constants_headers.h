/* The headers whose constants berkeley exports: the platform's socket
 * headers (platform.h) and, where the C library's include path has them,
 * Linux's protocol-family headers, which Python's socket module reads too.
 * Only constants.c and scripts/gen-constants.mjs include this file. */
#ifndef BERKELEY_CONSTANTS_HEADERS_H
#define BERKELEY_CONSTANTS_HEADERS_H

#include "platform.h"

#if __has_include(<linux/can.h>)
#include <linux/can.h>
#include <linux/can/raw.h>
#endif
#if __has_include(<linux/can/bcm.h>)
#include <linux/can/bcm.h>
#endif
#if __has_include(<linux/can/j1939.h>)
#include <linux/can/j1939.h>
#endif
#if __has_include(<linux/vm_sockets.h>)
#include <linux/vm_sockets.h>
#endif
#if __has_include(<linux/tipc.h>)
#include <linux/tipc.h>
#endif
#if __has_include(<linux/netlink.h>)
#include <linux/netlink.h>
#endif
#if __has_include(<linux/if_alg.h>)
#include <linux/if_alg.h>
#endif

#endif
