// Maintainer's tool (`npm run constants`), never run at install time.
//
// Reads the constants that the platform headers define (`cc -dM -E` over
// native/constants_headers.h and <errno.h>) with every toolchain found on PATH (cc,
// and musl-gcc and aarch64-linux-gnu-gcc where installed), and rewrites three
// committed files from the union of the names found:
//   native/constants_list.h  an X-macro list, each entry under #ifdef, that
//                            native/constants.c compiles: the values come
//                            from whatever headers the addon is built with
//                            (enum members, which #ifdef cannot see, are
//                            listed by hand in native/constants_enums.h);
//   native/errno_list.h      the same for the errno names and netdb.h's
//                            h_errno names, which native/errno.c compiles;
//   src/core/constants.ts    the named exports (of both constant lists), read at run time from the
//                            loaded addon (a name the running platform lacks
//                            is undefined, as it is absent in Python);
//   src/core/errno-names.ts  the errno names as a type, the keys of `errno`.
// Run it where all three toolchains are installed: a name only one of them
// defines would otherwise drop out. Review the diffs before committing them.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PREFIXES = /^(ETH_P_|PACKET_|AF_|PF_|SOCK_|SOL_|SO_|SCM_|IPPROTO_|IPPORT_|IP_|IPV6_|TCP_|UDP_|UDPLITE_|MSG_|SHUT_|AI_|NI_|EAI_|INADDR_|CAN_|J1939_|VMADDR_|TIPC_|NETLINK_|ALG_|SOMAXCONN$)/;
// linux/socket.h's kernel-side SOCK_ names (buffer locks, ioctl type, txrehash) are no socket types.
const NOT_CONSTANTS = /^SOCK_(BUF_LOCK_MASK|IOC_TYPE|RCVBUF_LOCK|SNDBUF_LOCK|TXREHASH_)/;
const ERRNO = /^E[A-Z0-9]+$/;

// Names every BSD-socket platform defines (POSIX.1-2017 <sys/socket.h>,
// <netinet/in.h>, <netinet/tcp.h>, <netdb.h>, and the few every Unix adds):
// typed `number`, and importing berkeley fails clearly where one is missing.
const UNIVERSAL = new Set(`
  AF_INET AF_INET6 AF_UNIX AF_UNSPEC
  SOCK_STREAM SOCK_DGRAM SOCK_RAW SOCK_SEQPACKET
  SOL_SOCKET SOMAXCONN SCM_RIGHTS
  SO_ACCEPTCONN SO_BROADCAST SO_DEBUG SO_DONTROUTE SO_ERROR SO_KEEPALIVE
  SO_LINGER SO_OOBINLINE SO_RCVBUF SO_RCVLOWAT SO_RCVTIMEO SO_REUSEADDR
  SO_REUSEPORT SO_SNDBUF SO_SNDLOWAT SO_SNDTIMEO SO_TYPE
  MSG_CTRUNC MSG_DONTROUTE MSG_DONTWAIT MSG_EOR MSG_OOB MSG_PEEK MSG_TRUNC MSG_WAITALL
  SHUT_RD SHUT_WR SHUT_RDWR
  IPPROTO_IP IPPROTO_IPV6 IPPROTO_ICMP IPPROTO_ICMPV6 IPPROTO_RAW IPPROTO_TCP IPPROTO_UDP
  INADDR_ANY INADDR_BROADCAST INADDR_LOOPBACK INADDR_NONE
  IP_TOS IP_TTL IP_HDRINCL IP_MULTICAST_IF IP_MULTICAST_TTL IP_MULTICAST_LOOP
  IP_ADD_MEMBERSHIP IP_DROP_MEMBERSHIP
  IPV6_JOIN_GROUP IPV6_LEAVE_GROUP IPV6_MULTICAST_HOPS IPV6_MULTICAST_IF
  IPV6_MULTICAST_LOOP IPV6_UNICAST_HOPS IPV6_V6ONLY
  TCP_NODELAY
  AI_PASSIVE AI_CANONNAME AI_NUMERICHOST AI_NUMERICSERV AI_V4MAPPED AI_ALL AI_ADDRCONFIG
  NI_NOFQDN NI_NUMERICHOST NI_NAMEREQD NI_NUMERICSERV NI_DGRAM
  EAI_AGAIN EAI_BADFLAGS EAI_FAIL EAI_FAMILY EAI_MEMORY EAI_NONAME EAI_SERVICE
  EAI_SOCKTYPE EAI_SYSTEM EAI_OVERFLOW
`.split(/\s+/).filter(Boolean));

// The families and socket types whose constants carry their name in their
// type (src/core/enums.ts), so that a socket made with them has
// typed addresses: the families berkeley decodes addresses of, and the
// types that decide whether recvfrom always reports a sender.
const TYPED_FAMILIES = new Set(['AF_INET', 'AF_INET6', 'AF_UNIX', 'AF_PACKET']);
const TYPED_KINDS = new Set(['SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_RAW', 'SOCK_SEQPACKET']);

const TOOLCHAINS = ['cc', 'musl-gcc', 'aarch64-linux-gnu-gcc'];

// Each constant's doc comment in src/core/constants.ts (the API reference,
// `npm run docs`, wants every export documented): what its family is for,
// by the first prefix that matches, then whether every platform has it.
const FAMILIES = [
  [/^SOMAXCONN$/, "The largest backlog listen() takes"],
  [/^AF_/, "Address family, socket()'s first argument"],
  [/^PF_/, 'Protocol family, the same number as its AF_ name'],
  [/^SOCK_/, "Socket type, socket()'s second argument, or a flag or-ed into it"],
  [/^SOL_/, 'Option level of setsockopt()/getsockopt() and of ancillary data'],
  [/^SO_/, 'Socket option at level SOL_SOCKET'],
  [/^SCM_/, 'Ancillary-data type of sendmsg()/recvmsg()'],
  [/^IPPROTO_/, "IP protocol number, socket()'s third argument and an option level"],
  [/^IPPORT_/, 'Port-number boundary'],
  [/^IPV6_/, 'IPv6 option at level IPPROTO_IPV6, or one of its values'],
  [/^IP_/, 'IPv4 option at level IPPROTO_IP, or one of its values'],
  [/^TCP_/, 'TCP option at level IPPROTO_TCP, or a TCP state or value'],
  [/^UDPLITE_/, 'UDP-Lite option at level IPPROTO_UDPLITE'],
  [/^UDP_/, 'UDP option at level IPPROTO_UDP, or one of its values'],
  [/^MSG_/, 'Flag of the send and receive calls, or one recvmsg() reports'],
  [/^SHUT_/, "shutdown()'s how"],
  [/^AI_/, 'getaddrinfo() flag'],
  [/^NI_/, 'getnameinfo() flag, or a buffer size of it'],
  [/^EAI_/, "getaddrinfo()/getnameinfo() error code, GaiError's errno"],
  [/^INADDR_/, 'Special IPv4 address, as a number'],
  [/^CAN_/, 'Linux CAN (AF_CAN) protocol, option or value'],
  [/^J1939_/, 'Linux CAN J1939 option or value'],
  [/^VMADDR_/, 'Linux vsock (AF_VSOCK) address value'],
  [/^TIPC_/, 'Linux TIPC (AF_TIPC) option or value'],
  [/^NETLINK_/, 'Linux netlink (AF_NETLINK) protocol or option'],
  [/^ALG_/, 'Linux kernel crypto (AF_ALG) option or ancillary-data type'],
  [/^ETH_P_/, 'Ethernet protocol ID, for AF_PACKET sockets'],
  [/^PACKET_/, 'Linux packet-socket (AF_PACKET) option or packet type'],
];

function docComment(name) {
  const family = FAMILIES.find(([prefix]) => prefix.test(name));
  if (!family) throw new Error(`gen-constants: no family describes ${name}; add one to FAMILIES`);
  const where = UNIVERSAL.has(name) ? 'every platform has it' : 'undefined where the running platform lacks it';
  const typed = TYPED_FAMILIES.has(name) || TYPED_KINDS.has(name) ? ' Its type names it, so a socket made with it has typed addresses.' : '';
  return `/** ${family[1]}; ${where}.${typed} */`;
}

// A constant's export: typed `number`, or the branded type that names it.
function declaration(name) {
  const value = UNIVERSAL.has(name) ? `required('${name}')` : `c.${name}`;
  const optional = UNIVERSAL.has(name) ? '' : ' | undefined';
  if (TYPED_FAMILIES.has(name)) return `export const ${name} = ${value} as AddressFamily<'${name}'>${optional};`;
  if (TYPED_KINDS.has(name)) return `export const ${name} = ${value} as SocketKind<'${name}'>${optional};`;
  return `export const ${name}: number${optional} = ${value};`;
}

function onPath(command) {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function macros(cc, header) {
  const out = execFileSync(cc, ['-D_GNU_SOURCE', '-E', '-dM', '-I', join(root, 'native'), '-x', 'c', '-'], {
    input: `#include ${header}\n`,
    encoding: 'utf8',
  });
  const found = new Map();
  for (const line of out.split('\n')) {
    const m = /^#define ([A-Za-z0-9_]+) (.*)$/.exec(line); // object-like only
    if (m) found.set(m[1], m[2].trim());
  }
  return found;
}

// Deprecated names expand to a pragma warning; an expansion with a string or
// braces is not an integer constant; an alias of a name the headers do not
// define (SCM_SRCRT -> IPV6_RXSRCRT on glibc) does not compile. A name that
// expands to itself is an enum member.
function usable(all, name, value = all.get(name)) {
  if (/__glibc_macro_warning|["{]/.test(value)) return false;
  if (!/^[A-Za-z_]\w*$/.test(value) || value === name) return true;
  return all.has(value) && usable(all, value);
}

// The union over toolchains of the names that match; a name defined but not
// usable by any toolchain is left out everywhere, since #ifdef cannot tell.
function scan(toolchains, header, pattern) {
  const good = new Set();
  const bad = new Set();
  const maps = toolchains.map((cc) => macros(cc, header));
  for (const all of maps) {
    for (const name of all.keys()) {
      if (!pattern.test(name)) continue;
      (usable(all, name) ? good : bad).add(name);
    }
  }
  return { names: [...good].filter((n) => !bad.has(n)).sort(), maps };
}

const toolchains = TOOLCHAINS.filter(onPath);
if (!toolchains.includes('cc')) throw new Error('gen-constants: a C compiler (cc) is required');

// The enum members listed by hand in native/constants_enums.h are exported too.
const enumNames = [...readFileSync(join(root, 'native', 'constants_enums.h'), 'utf8').matchAll(/^ALIAS\((\w+),/gm)].map((m) => m[1]);
const scanned = scan(toolchains, '"constants_headers.h"', PREFIXES).names.filter((n) => !NOT_CONSTANTS.test(n));
const socketNames = [...new Set([...scanned, ...enumNames])].sort();
const missing = [...UNIVERSAL].filter((n) => !socketNames.includes(n));
if (missing.length) throw new Error(`gen-constants: universal names not found in the headers: ${missing.join(' ')}`);

// An errno alias (EWOULDBLOCK -> EAGAIN) is listed after every canonical
// name, so the first name the addon sees for a number is the canonical one.
const errnoScan = scan(toolchains, '<errno.h>', ERRNO);
const isAlias = (name) => errnoScan.maps.some((all) => /^[A-Z]/.test(all.get(name) ?? ''));
const errnoNames = [...errnoScan.names.filter((n) => !isAlias(n)), ...errnoScan.names.filter(isAlias)];
// `errno`'s type makes every name a number: true while each toolchain defines each name.
const partial = errnoNames.filter((n) => errnoScan.maps.some((all) => !all.has(n)));
if (partial.length) throw new Error(`gen-constants: errno names some toolchains lack: ${partial.join(' ')}; type them as optional in src/core/errno.ts`);
// HostError's codes (h_errno), which no prefix sets apart from other names.
const HOST_ERRORS = ['HOST_NOT_FOUND', 'TRY_AGAIN', 'NO_RECOVERY', 'NO_DATA'];

const scannedWith = `Scanned with: ${toolchains.join(', ')}.`;
const guarded = (macro, name) => `#ifdef ${name}\n${macro}(${name})\n#endif`;
writeFileSync(
  join(root, 'native', 'constants_list.h'),
  [
    '/* Generated by scripts/gen-constants.mjs (npm run constants); committed.',
    ` * ${scannedWith}`,
    ' * Each entry is compiled only where the headers define it. */',
    ...scanned.map((n) => guarded('CONSTANT', n)),
    '',
  ].join('\n'),
);

writeFileSync(
  join(root, 'native', 'errno_list.h'),
  [
    '/* Generated by scripts/gen-constants.mjs (npm run constants); committed.',
    ` * ${scannedWith}`,
    ' * ERRNO: the errno names of <errno.h>, every canonical name before the',
    ' * aliases (EWOULDBLOCK), so that the first name of a number is canonical.',
    " * HOST_ERROR: netdb.h's h_errno names, HostError's codes.",
    ' * Each entry is compiled only where the headers define it. */',
    ...errnoNames.map((n) => guarded('ERRNO', n)),
    ...HOST_ERRORS.map((n) => guarded('HOST_ERROR', n)),
    '',
  ].join('\n'),
);

writeFileSync(
  join(root, 'src', 'core', 'constants.ts'),
  [
    '// Generated by scripts/gen-constants.mjs (npm run constants); committed.',
    `// ${scannedWith}`,
    '// The values are the loaded addon\'s, so they are the running platform\'s:',
    '// a name it lacks is undefined. Names every platform has are `number`.',
    '// The families and types a socket\'s addresses depend on have branded types.',
    "import type { AddressFamily, SocketKind } from './enums.js';",
    "import { constants as c, requiredConstant as required } from './native.js';",
    '',
    ...socketNames.flatMap((n) => [docComment(n), declaration(n)]),
    '',
  ].join('\n'),
);

writeFileSync(
  join(root, 'src', 'core', 'errno-names.ts'),
  [
    '// Generated by scripts/gen-constants.mjs (npm run constants); committed.',
    `// ${scannedWith}`,
    '',
    "/** An errno name of Linux's `<errno.h>`, a key of `errno`: every Linux C library defines each of them. */",
    'export type ErrnoName =',
    ...errnoNames.map((n, i) => `  | '${n}'${i === errnoNames.length - 1 ? ';' : ''}`),
    '',
  ].join('\n'),
);
console.log(`gen-constants: ${socketNames.length} socket constants, ${errnoNames.length} errno names (${scannedWith})`);
