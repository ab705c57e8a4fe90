// Every function of the C addon, called directly with good arguments and
// then with each argument in turn replaced by wrong ones (wrong types, out
// of range numbers, odd byte views, malformed addresses, too few and too
// many arguments). The addon must never crash: each call returns a result
// or -errno, or throws a JS error. Run normally this checks that no input
// aborts the process; run by .ci/memcheck it is the table that drives every
// native code path under AddressSanitizer and UBSan. The paths the table
// cannot reach (real traffic, every address family, lifetimes) are in
// native-calls-paths.
//
// Safety: fds given are only this test's own or ones that cannot be open;
// host names never need DNS; sethostname only ever gets names the kernel
// refuses; Unix addresses are only connected to, never bound, except in a
// temporary directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import * as socket from 'berkeley';
import * as selectors from 'berkeley/selectors';
import { bounded, detachedBuffer, NativeFixture, nativeAddon } from '../support/index.js';

const native = nativeAddon();
const C = socket as unknown as Record<string, number>;
/** Not a constant of the module (as in Python, it is socket.errno's). */
const EBADF = socket.errno.EBADF!;

// ---- the wrong values ----------------------------------------------------------

/** An array whose element `index` throws when read. */
function throwing(values: unknown[], index: number): unknown[] {
  const array = [...values];
  Object.defineProperty(array, index, {
    get() {
      throw new Error('getter');
    },
  });
  return array;
}

/** Inputs that once tripped bugs of the native layer, kept as regressions. */
function regressions<T>(...values: T[]): T[] {
  return values;
}

/** An ancdata item whose bytes grow between the addon's two reads of it. */
function growingItem(): unknown[] {
  let reads = 0;
  const item: unknown[] = [0xffff, 99];
  Object.defineProperty(item, 2, { get: () => Buffer.alloc(++reads === 1 ? 1 : 4096, 'g'), enumerable: true });
  return item;
}

/** Wrong for every kind of argument. */
const ALIEN: unknown[] = [undefined, null, true, {}, [], Symbol('bad'), 10n, () => 0, new Proxy({}, {}), new Date(0)];
/** Never an fd this process has open (so closing or reading them harms nothing). */
const FDS: unknown[] = [-1, -0x80000000, 0x7fffffff, 1_000_000, '3', ...ALIEN];
const INTS: unknown[] = [-1, 0, 1, 7, 0x7fffffff, -0x80000000, 2 ** 31, 2 ** 32 + 5, 2 ** 53, -(2 ** 53), NaN, Infinity, -Infinity, 1.5, -0, '7', ...ALIEN];
const SIZES: unknown[] = [-1, 0, 1, 65535, 65536, 65537, 1 << 20, 0x7fffffff, -0x80000000, 2 ** 32 + 16, NaN, Infinity, 0.5, '16', ...ALIEN];
const BYTES: unknown[] = [
  Buffer.alloc(0),
  Buffer.alloc(1),
  Buffer.alloc(100_000),
  Buffer.alloc(16).subarray(3, 7),
  new Uint16Array(3),
  new Int32Array(1),
  new Float64Array(2),
  new BigInt64Array(1),
  new DataView(new ArrayBuffer(8), 3, 2),
  new ArrayBuffer(5),
  new Uint8Array(new SharedArrayBuffer(8)),
  new SharedArrayBuffer(4),
  detachedBuffer(8).buffer,
  detachedBuffer(8).view,
  'text',
  [1, 2, 3],
  1,
  ...ALIEN,
];
const STRINGS: unknown[] = ['', 'x'.repeat(70_000), 'é', '\0', 'a\0b', '\ud800', '%', 'lo', Buffer.from('x'), 1, ...ALIEN];
/** Host names that never need DNS: empty, NUL, too long, wrong types. */
const HOSTS: unknown[] = ['', '\0', '\0localhost', 'x'.repeat(70_000), Buffer.from('localhost'), 1, ...ALIEN];
const INET: unknown[] = [
  ['127.0.0.1', 0],
  ['::1', 0, 0, 0],
  ['fe80::1%lo', 0, 0, 0],
  ['fe80::1%1', 0],
  ['fe80::1%999999999', 0],
  ['fe80::1%nosuchif0', 0],
  ['fe80::1%', 0],
  ['::1%lo%lo', 0],
  [`::1%${'x'.repeat(100)}`, 0],
  ['127.0.0.1', -1],
  ['127.0.0.1', 65536],
  ['127.0.0.1', 2 ** 40],
  ['127.0.0.1', 'x'],
  ['127.0.0.1'],
  [],
  ['', 0],
  ['x'.repeat(10_000), 0],
  ['127.0.0.1', 0, 'x', 'y'],
  ['::1', 0, -1, 2 ** 33],
  ['::1', 0, 2 ** 40, -1],
  ['127.0.0.1', 0, 0, 0, 0, 0, 0, 0, 0],
  // eslint-disable-next-line no-sparse-arrays
  [, 0],
  throwing(['127.0.0.1', 0], 1),
  throwing(['::1', 0, 0, 0], 3),
  new Proxy(['127.0.0.1', 0], {}),
  [1, 2],
  '/nonexistent/berkeley',
  Buffer.from('\0berkeley-no-such-name'),
  ...ALIEN,
];
/** Unix addresses (the address argument under AF_UNIX): around sun_path's 108 bytes, abstract, wrong types. */
const UNIX: unknown[] = [
  '',
  '/nonexistent/berkeley',
  'y'.repeat(107),
  'y'.repeat(108),
  'y'.repeat(300),
  'é'.repeat(60),
  Buffer.alloc(0),
  Buffer.from('\0'),
  Buffer.concat([Buffer.alloc(1), Buffer.alloc(107, 'a')]),
  Buffer.concat([Buffer.alloc(1), Buffer.alloc(108, 'a')]),
  Buffer.alloc(108, 'b'),
  Buffer.alloc(200, 1),
  new Uint16Array(60),
  detachedBuffer(8).buffer,
  ['127.0.0.1', 0],
  1,
  ...ALIEN,
];
const CALLBACKS: unknown[] = [null, undefined, 1, 'f', {}, Symbol('f')];
// A watcher's receiver: an object or function; null and undefined mean none.
const RECEIVERS: unknown[] = [1, 'r', true, Symbol('r'), 10n, 0, ''];
const BUFFER_LISTS: unknown[] = [
  [],
  [Buffer.alloc(0)],
  [Buffer.alloc(1), 'x'],
  ['x'],
  [1],
  [detachedBuffer(8).buffer],
  [detachedBuffer(8).view],
  new Array(1024).fill(Buffer.alloc(1)),
  new Array(1025).fill(Buffer.alloc(1)),
  throwing([Buffer.alloc(1), Buffer.alloc(1)], 1),
  Buffer.from('x'),
  ...ALIEN,
];
const ANCDATA: unknown[] = [
  [],
  [[C.SOL_SOCKET, C.SCM_RIGHTS, Int32Array.of(-1)]],
  [[C.SOL_SOCKET, C.SCM_RIGHTS, Buffer.alloc(3)]],
  [[C.SOL_SOCKET, C.SCM_RIGHTS, Buffer.alloc(100_000)]],
  [[C.SOL_SOCKET, C.SCM_CREDENTIALS, Buffer.alloc(12)]],
  [[C.SOL_SOCKET, 99, Buffer.alloc(1)]],
  // Known bug: native/msg.c sendmsg memcpy()s from NULL for empty bytes (UB).
  ...regressions([[C.SOL_SOCKET, C.SCM_RIGHTS, Buffer.alloc(0)]], [[C.SOL_SOCKET, 99, detachedBuffer(8).buffer]]),
  // Known bug: native/msg.c sendmsg reads each item twice (size, then copy): a
  // getter that returns more bytes the second time overflows the control buffer.
  ...regressions([growingItem()]),
  new Array(2000).fill([C.SOL_SOCKET, 99, Buffer.alloc(1000)]),
  [[C.SOL_SOCKET, C.SCM_RIGHTS]],
  [[C.SOL_SOCKET, C.SCM_RIGHTS, Buffer.alloc(4), 1]],
  [['x', 1, Buffer.alloc(1)]],
  [[1, 2, 'x']],
  [null],
  [1],
  throwing([[C.SOL_SOCKET, 99, Buffer.alloc(1)]], 0),
  [throwing([C.SOL_SOCKET, 99, Buffer.alloc(1)], 2)],
  ...ALIEN,
];
/** sendmmsg's addresses: none, a list of the wrong length, entries of every wrong kind. */
const ADDRESS_LISTS: unknown[] = [
  null,
  [],
  [null],
  [null, null],
  ...INET.map((address) => [address, null]),
  [['127.0.0.1', 9], ['::1', 9, 0, 0]],
  throwing([null, ['127.0.0.1', 9]], 1),
  new Proxy([null, null], {}),
  ...ALIEN,
];
const WATCHERS: unknown[] = [null, undefined, {}, 1, 'w', Symbol('w'), () => 0];
const BOOLS: unknown[] = [1, 0, 'true', ...ALIEN];
/** A closed watcher: an external of the addon that is no TLS object. */
function closedWatcher(): unknown {
  const [a, b] = socket.socketpair();
  const watcher = native.watcherNew!(a.fileno(), () => undefined);
  native.watcherClose!(watcher);
  a.close();
  b.close();
  return watcher;
}
const otherContext = native.tlsContextNew!(false);
const closedConnection = native.tlsNew!(otherContext, false);
native.tlsClose!(closedConnection);
/** Wrong for a TLS context: another external of the addon (a connection, a watcher), and the rest. */
const CONTEXTS: unknown[] = [closedConnection, closedWatcher(), ...WATCHERS];
/** Wrong for a TLS connection: a context, a watcher, the rest; and a closed one, which is EBADF. */
const CONNECTIONS: unknown[] = [closedConnection, otherContext, closedWatcher(), ...WATCHERS];
/** Wrong for a memory BIO: a connection, a context, a watcher, the rest. */
const MEMORY_BIOS: unknown[] = [closedConnection, otherContext, closedWatcher(), ...WATCHERS];
/** Wrong for a TLS session: the other externals of the addon, and the rest. */
const SESSIONS: unknown[] = [closedConnection, otherContext, closedWatcher(), ...WATCHERS];
/** A client's TLS session, as its hello makes it (the handshake goes no further). */
function tlsSession(f: NativeFixture): unknown {
  const connection = f.tls();
  native.tlsHandshake!(connection, f.stream1);
  return native.tlsSessionGet!(connection);
}
/** RAND_bytes's n: SIZES but 2^31 - 1, whose 2 GiB of random bytes takes long and reaches no other path. */
const RAND_SIZES: unknown[] = SIZES.filter((n) => n !== 0x7fffffff);
const CA_PEM = Buffer.from(rootCertificates[0]!);
const CA_DER = new X509Certificate(CA_PEM).raw;
const KEY_PEM = Buffer.from(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
/** Certificates, keys and the rest, for the TLS loaders: PEM, DER, truncated, garbage. */
const CREDENTIALS: unknown[] = [CA_PEM, CA_DER, CA_PEM.subarray(0, 100), CA_DER.subarray(0, 100), KEY_PEM, Buffer.concat([CA_PEM, Buffer.from('junk')]), ...BYTES];
/** Int32Array-like views for pollSync: never a real fd other than 0 (stdin), and only with timeout 0. */
const INT32_VIEWS: unknown[] = [
  new Int32Array(0),
  Int32Array.of(-1, 1_000_000),
  new Int32Array(2000).fill(-1),
  new Uint8Array(3),
  // Known bug: native/poll.c pollSync reads int32s through a misaligned pointer (UB).
  ...regressions(Buffer.alloc(9).subarray(1, 9)),
  new Float64Array(1), new ArrayBuffer(4), detachedBuffer(8).buffer, detachedBuffer(8).view, 'x', [1], 1, ...ALIEN];
const INT32_OUT: unknown[] = [
  new Int32Array(0),
  new Uint8Array(3),
  Buffer.alloc(16).subarray(4, 8),
  // Known bug: native/sockopt.c getsockoptInt writes an int through a misaligned pointer (UB).
  ...regressions(Buffer.alloc(16).subarray(1, 5)), new Float64Array(1), new BigInt64Array(1), new ArrayBuffer(4), detachedBuffer(8).buffer, 'x', 1, ...ALIEN];

// ---- the table: each function's argument kinds and good arguments --------------------

interface Spec {
  /** The bad values to try at each argument position. */
  kinds: unknown[][];
  good: (f: NativeFixture) => unknown[];
  /** The call returns fds (socket, dup, accept...) the fixture must close. */
  returnsFds?: boolean;
  /** The call returns a watcher the fixture must close. */
  returnsWatcher?: boolean;
  /** Good arguments on an AF_UNIX socket, whose address (at `address`, only ever connected or sent to; inside what `wrap` makes of it, when given) is replaced by each of UNIX. */
  unix?: { good: (f: NativeFixture) => unknown[]; address: number; wrap?: (address: unknown) => unknown };
}

const numericHost = C.AI_NUMERICHOST | C.AI_NUMERICSERV;
const numericName = C.NI_NUMERICHOST | C.NI_NUMERICSERV;

const specs: Record<string, Spec> = {
  strerror: { kinds: [INTS], good: () => [EBADF] },
  gaiStrerror: { kinds: [INTS], good: () => [-2] },
  hstrerror: { kinds: [INTS], good: () => [1] },
  socket: { kinds: [INTS, INTS, INTS], good: () => [C.AF_INET, C.SOCK_STREAM, 0], returnsFds: true },
  socketpair: { kinds: [INTS, INTS, INTS], good: () => [C.AF_UNIX, C.SOCK_STREAM, 0], returnsFds: true },
  close: { kinds: [FDS], good: (f) => [f.tcp] },
  dup: { kinds: [FDS], good: (f) => [f.tcp], returnsFds: true },
  own: { kinds: [FDS, [...STRINGS, null, undefined]], good: (f) => [f.tcp, 'Socket created at: a test'] },
  disown: { kinds: [FDS], good: (f) => [f.tcp] },
  setNonblocking: { kinds: [FDS], good: (f) => [f.tcp] },
  setBlocking: { kinds: [FDS, [...INTS, 'yes']], good: (f) => [f.tcp, false] },
  getInheritable: { kinds: [FDS], good: (f) => [f.tcp] },
  setInheritable: { kinds: [FDS, [...INTS, false]], good: (f) => [f.tcp, true] },
  bind: { kinds: [FDS, INTS, INET], good: (f) => [f.tcp, C.AF_INET, ['127.0.0.1', 0]] },
  connect: { kinds: [FDS, INTS, INET], good: (f) => [f.tcp, C.AF_INET, ['127.0.0.1', 0]], unix: { good: (f) => [f.unix, C.AF_UNIX, '/nonexistent/berkeley'], address: 2 } },
  listen: { kinds: [FDS, INTS], good: (f) => [f.tcp, 1] },
  accept: { kinds: [FDS], good: (f) => [f.listener], returnsFds: true },
  shutdown: { kinds: [FDS, INTS], good: (f) => [f.stream0, C.SHUT_WR] },
  getsockname: { kinds: [FDS], good: (f) => [f.udp] },
  getpeername: { kinds: [FDS], good: (f) => [f.stream0] },
  recv: { kinds: [FDS, SIZES, INTS], good: (f) => [f.stream0, 16, 0] },
  recvfrom: { kinds: [FDS, SIZES, INTS], good: (f) => [f.udp, 16, 0] },
  recvInto: { kinds: [FDS, BYTES, SIZES, INTS], good: (f) => [f.stream0, Buffer.alloc(16), 16, 0] },
  recvfromInto: { kinds: [FDS, BYTES, SIZES, INTS], good: (f) => [f.udp, Buffer.alloc(16), 16, 0] },
  send: { kinds: [FDS, BYTES, INTS], good: (f) => [f.stream1, Buffer.from('x'), 0] },
  sendto: { kinds: [FDS, BYTES, INTS, INTS, INET], good: (f) => [f.udp, Buffer.from('x'), 0, C.AF_INET, f.udpAddress], unix: { good: (f) => [f.dgram0, Buffer.from('x'), 0, C.AF_UNIX, '/nonexistent/berkeley'], address: 4 } },
  sendfile: { kinds: [FDS, FDS, INTS, SIZES], good: (f) => [f.stream1, f.file, 0, 4] },
  sendmsg: { kinds: [FDS, BUFFER_LISTS, ANCDATA, INTS, INTS, [...INET, null]], good: (f) => [f.udp, [Buffer.from('a'), Buffer.from('b')], [], 0, C.AF_INET, f.udpAddress] },
  recvmsg: { kinds: [FDS, SIZES, SIZES, INTS], good: (f) => [f.dgram0, 16, 64, 0] },
  recvmsgInto: { kinds: [FDS, BUFFER_LISTS, SIZES, INTS], good: (f) => [f.dgram0, [Buffer.alloc(4), new Uint16Array(8)], 64, 0] },
  recvmmsg: { kinds: [FDS, SIZES, SIZES, INTS], good: (f) => [f.dgram0, 4, 16, 0] },
  recvmmsgInto: { kinds: [FDS, BUFFER_LISTS, INTS], good: (f) => [f.udp, [Buffer.alloc(4), new Uint16Array(8)], 0] },
  sendmmsg: {
    kinds: [FDS, BUFFER_LISTS, ADDRESS_LISTS, INTS, INTS],
    good: (f) => [f.udp, [Buffer.from('a'), Buffer.alloc(0)], [f.udpAddress, null], 0, C.AF_INET],
    unix: { good: (f) => [f.dgram0, [Buffer.from('x')], ['/nonexistent/berkeley'], 0, C.AF_UNIX], address: 2, wrap: (address) => [address] },
  },
  CMSG_LEN: { kinds: [SIZES], good: () => [4] },
  CMSG_SPACE: { kinds: [SIZES], good: () => [4] },
  setsockoptInt: { kinds: [FDS, INTS, INTS, INTS], good: (f) => [f.tcp, C.SOL_SOCKET, C.SO_REUSEADDR, 1] },
  setsockoptBytes: { kinds: [FDS, INTS, INTS, BYTES], good: (f) => [f.tcp, C.SOL_SOCKET, C.SO_LINGER, Buffer.alloc(8)] },
  setsockoptNull: { kinds: [FDS, INTS, INTS, SIZES], good: (f) => [f.tcp, C.SOL_SOCKET, C.SO_REUSEADDR, 0] },
  getsockoptInt: { kinds: [FDS, INTS, INTS, INT32_OUT], good: (f) => [f.tcp, C.SOL_SOCKET, C.SO_TYPE, new Int32Array(1)] },
  getsockoptBytes: { kinds: [FDS, INTS, INTS, SIZES], good: (f) => [f.tcp, C.SOL_SOCKET, C.SO_LINGER, 8] },
  // With AI_NUMERICHOST|AI_NUMERICSERV no argument can start a DNS query.
  getaddrinfo: { kinds: [STRINGS, STRINGS, INTS, INTS, INTS, [0x7fffffff, -0x80000000, 'x', ...ALIEN]], good: () => ['127.0.0.1', '80', C.AF_INET, C.SOCK_STREAM, 0, numericHost] },
  getaddrinfoSync: { kinds: [STRINGS, STRINGS, INTS, INTS, INTS, [0x7fffffff, -0x80000000, 'x', ...ALIEN]], good: () => ['127.0.0.1', '80', C.AF_INET, C.SOCK_STREAM, 0, numericHost] },
  getnameinfo: { kinds: [INTS, INET, INTS], good: () => [C.AF_INET, ['127.0.0.1', 80], numericName] },
  getnameinfoSync: { kinds: [INTS, INET, INTS], good: () => [C.AF_INET, ['127.0.0.1', 80], numericName] },
  gethostbyname: { kinds: [HOSTS], good: () => ['127.0.0.1'] },
  gethostbynameSync: { kinds: [HOSTS], good: () => ['127.0.0.1'] },
  // Only loopback addresses may reach a reverse look-up (answered from /etc/hosts).
  gethostbyaddr: { kinds: [[C.AF_INET6, C.AF_UNIX, -1, 'x', ...ALIEN], INET.filter((a) => !(Array.isArray(a) && a[0] === '::1'))], good: () => [C.AF_INET, ['127.0.0.1', 0]] },
  gethostbyaddrSync: { kinds: [[C.AF_INET6, C.AF_UNIX, -1, 'x', ...ALIEN], INET.filter((a) => !(Array.isArray(a) && a[0] === '::1'))], good: () => [C.AF_INET, ['127.0.0.1', 0]] },
  gethostname: { kinds: [], good: () => [] },
  // Never a name the kernel accepts: too long (> HOST_NAME_MAX) or not bytes at all.
  sethostname: { kinds: [['x', 1, ...ALIEN]], good: () => [Buffer.alloc(300, 'x')] },
  getservbyname: { kinds: [STRINGS, STRINGS], good: () => ['http', 'tcp'] },
  getservbyport: { kinds: [INTS, STRINGS], good: () => [80, 'tcp'] },
  getprotobyname: { kinds: [STRINGS], good: () => ['tcp'] },
  ifNameindex: { kinds: [], good: () => [] },
  ifNametoindex: { kinds: [STRINGS], good: () => ['lo'] },
  ifIndextoname: { kinds: [INTS], good: () => [1] },
  inetAton: { kinds: [STRINGS], good: () => ['127.1'] },
  inetPton: { kinds: [INTS, STRINGS], good: () => [C.AF_INET6, '::ffff:1.2.3.4'] },
  inetNtop: { kinds: [INTS, BYTES], good: () => [C.AF_INET, Buffer.from([127, 0, 0, 1])] },
  watcherNew: { kinds: [FDS, CALLBACKS, RECEIVERS], good: (f) => [f.stream0, () => undefined, {}], returnsWatcher: true },
  watcherUpdate: { kinds: [WATCHERS, INTS], good: (f) => [f.watcher(), 1] },
  watcherClose: { kinds: [WATCHERS], good: (f) => [f.watcher()] },
  keepAliveState: { kinds: [], good: () => [] },
  keepAliveSync: { kinds: [], good: () => [] },
  // stream1 is always writable, so no wait here can block, whatever the timeout.
  waitSync: { kinds: [FDS, INTS, INTS], good: (f) => [f.stream1, 3, 0] },
  pollSync: { kinds: [INT32_VIEWS, INT32_VIEWS, INTS], good: (f) => [Int32Array.of(f.stream1, f.stream0, -1), Int32Array.of(3, 1, 1), 0] },
  poll: { kinds: [INT32_VIEWS, INT32_VIEWS, INTS], good: (f) => [Int32Array.of(f.stream1, f.stream0, -1), Int32Array.of(selectors.POLLOUT, selectors.POLLIN, selectors.POLLIN), 0] },
  epollCreate: { kinds: [], good: () => [], returnsFds: true },
  epollCtl: { kinds: [FDS, INTS, FDS, INTS], good: (f) => [f.epoll, NativeFixture.selectConstant('EPOLL_CTL_ADD'), f.stream0, selectors.EPOLLIN | selectors.EPOLLET] },
  // f.epoll watches f.stream1 for EPOLLOUT: ready at once, whatever the timeout.
  epollWait: { kinds: [FDS, SIZES, INTS], good: (f) => [f.epoll, 4, 0] },
  // TLS: a client's first step writes its hello to stream1; a server reads 'hello' (no TLS record) from stream0.
  tlsMissing: { kinds: [], good: () => [] },
  tlsLastError: { kinds: [], good: () => [] },
  tlsContextNew: { kinds: [BOOLS], good: () => [false] },
  tlsContextSetVerify: { kinds: [CONTEXTS, INTS], good: (f) => [f.tlsContext(), 3] },
  tlsContextSetVersions: { kinds: [CONTEXTS, INTS, INTS], good: (f) => [f.tlsContext(), 0x0303, 0] },
  tlsContextSetCiphers: { kinds: [CONTEXTS, STRINGS], good: (f) => [f.tlsContext(), 'ECDHE+AESGCM'] },
  tlsContextSetAlpn: { kinds: [CONTEXTS, [Buffer.from([5, 0x68]), Buffer.alloc(70_000, 1), ...BYTES]], good: (f) => [f.tlsContext(true), Buffer.from([2, 0x68, 0x32])] },
  tlsContextAddCa: { kinds: [CONTEXTS, CREDENTIALS, BOOLS], good: (f) => [f.tlsContext(), CA_PEM, true] },
  tlsContextAddCaPath: { kinds: [CONTEXTS, STRINGS], good: (f) => [f.tlsContext(), '/nonexistent/berkeley'] },
  tlsContextLoadRoots: { kinds: [CONTEXTS, CREDENTIALS], good: (f) => [f.tlsContext(), Buffer.from(rootCertificates.join('\n'))] },
  tlsContextUseChain: { kinds: [CONTEXTS, CREDENTIALS, CREDENTIALS, [...CREDENTIALS, null]], good: (f) => [f.tlsContext(true), CA_PEM, KEY_PEM, null] },
  tlsContextOptions: { kinds: [CONTEXTS, INTS, INTS], good: (f) => [f.tlsContext(), 0x4000, 0] },
  tlsContextVerifyFlags: { kinds: [CONTEXTS, INTS, INTS], good: (f) => [f.tlsContext(), 0x8000, 0] },
  tlsContextSecurityLevel: { kinds: [CONTEXTS], good: (f) => [f.tlsContext()] },
  tlsContextCheckSubject: { kinds: [CONTEXTS, BOOLS], good: (f) => [f.tlsContext(), false] },
  tlsContextCiphers: { kinds: [CONTEXTS], good: (f) => [f.tlsContext()] },
  tlsContextSetDh: { kinds: [CONTEXTS, CREDENTIALS], good: (f) => [f.tlsContext(true), CA_PEM] },
  tlsContextSetCurve: { kinds: [CONTEXTS, STRINGS], good: (f) => [f.tlsContext(true), 'prime256v1'] },
  // The context owns the fd it is given: only "none" and values that are no fd, never a fixture's.
  tlsContextSetKeylog: { kinds: [CONTEXTS, [-1, -2, 'x', null, ...ALIEN]], good: (f) => [f.tlsContext(), -1] },
  tlsContextDefaultPaths: { kinds: [CONTEXTS], good: (f) => [f.tlsContext()] },
  tlsContextStore: { kinds: [CONTEXTS, BOOLS], good: (f) => [f.tlsContext(), true] },
  tlsContextSetSni: { kinds: [CONTEXTS, BOOLS], good: (f) => [f.tlsContext(true), true] },
  tlsOpensslVersion: { kinds: [], good: () => [] },
  tlsDefaultVerifyPaths: { kinds: [], good: () => [] },
  tlsRandBytes: { kinds: [RAND_SIZES], good: () => [16] },
  tlsRandStatus: { kinds: [], good: () => [] },
  tlsRandAdd: { kinds: [BYTES, [...INTS, 0.5, 1e300]], good: () => [Buffer.from('seed'), 1] },
  tlsNew: { kinds: [CONTEXTS, BOOLS], good: (f) => [f.tlsContext(), false] },
  tlsHelloServerName: { kinds: [CONNECTIONS], good: (f) => [f.tls(true)] },
  tlsHelloDecided: { kinds: [CONNECTIONS, INTS], good: (f) => [f.tls(true), -1] },
  tlsSetContext: { kinds: [CONNECTIONS, CONTEXTS], good: (f) => [f.tls(true), f.tlsContext(true)] },
  tlsSetServerName: { kinds: [CONNECTIONS, STRINGS], good: (f) => [f.tls(), 'localhost'] },
  tlsSetVerifyHost: { kinds: [CONNECTIONS, STRINGS, BOOLS], good: (f) => [f.tls(), '127.0.0.1', true] },
  tlsHandshake: { kinds: [CONNECTIONS, FDS], good: (f) => [f.tls(), f.stream1] },
  tlsRead: { kinds: [CONNECTIONS, FDS, SIZES], good: (f) => [f.tls(true), f.stream0, 16] },
  tlsReadInto: { kinds: [CONNECTIONS, FDS, BYTES, SIZES], good: (f) => [f.tls(true), f.stream0, Buffer.alloc(16), 16] },
  tlsWrite: { kinds: [CONNECTIONS, FDS, BYTES, INTS], good: (f) => [f.tls(), f.stream1, Buffer.from('x'), 0] },
  tlsShutdown: { kinds: [CONNECTIONS, FDS], good: (f) => [f.tls(), f.stream1] },
  tlsClose: { kinds: [CONNECTIONS], good: (f) => [f.tls()] },
  tlsVersion: { kinds: [CONNECTIONS], good: (f) => [f.tls()] },
  tlsCipher: { kinds: [CONNECTIONS], good: (f) => [f.tls()] },
  tlsPeerCertificate: { kinds: [CONNECTIONS], good: (f) => [f.tls()] },
  tlsAlpnSelected: { kinds: [CONNECTIONS], good: (f) => [f.tls()] },
  tlsPending: { kinds: [CONNECTIONS], good: (f) => [f.tls()] },
  tlsMemoryNew: { kinds: [], good: () => [] },
  tlsMemoryWrite: { kinds: [MEMORY_BIOS, BYTES], good: (f) => [f.memoryBio(), Buffer.from('x')] },
  tlsMemoryRead: { kinds: [MEMORY_BIOS, [...SIZES, -(2 ** 53), 2 ** 53]], good: (f) => [f.memoryBio('sixteen bytes...'), 16] },
  tlsMemoryWriteEof: { kinds: [MEMORY_BIOS], good: (f) => [f.memoryBio('x')] },
  tlsMemoryPending: { kinds: [MEMORY_BIOS], good: (f) => [f.memoryBio('x')] },
  tlsUseMemory: { kinds: [CONNECTIONS, MEMORY_BIOS, MEMORY_BIOS], good: (f) => [f.tls(), f.memoryBio(), f.memoryBio()] },
  tlsSharedCiphers: { kinds: [CONNECTIONS], good: (f) => [f.tls(true)] },
  tlsChannelBinding: { kinds: [CONNECTIONS], good: (f) => [f.tls()] },
  tlsSessionGet: { kinds: [CONNECTIONS], good: (f) => [f.tls()] },
  tlsSessionSet: { kinds: [CONNECTIONS, SESSIONS], good: (f) => [f.tls(), tlsSession(f)] },
  tlsSessionReused: { kinds: [CONNECTIONS], good: (f) => [f.tls()] },
  tlsSessionInfo: { kinds: [SESSIONS], good: (f) => [tlsSession(f)] },
  tlsContextSessionStats: { kinds: [CONTEXTS], good: (f) => [f.tlsContext()] },
  tlsContextNumTickets: { kinds: [CONTEXTS, INTS], good: (f) => [f.tlsContext(true), 3] },
  tlsPostHandshakeAuth: { kinds: [CONNECTIONS], good: (f) => [f.tls(true)] },
  tlsVerifyClientPostHandshake: { kinds: [CONNECTIONS], good: (f) => [f.tls(true)] },
};

/** One call; the addon may return anything or throw a JS error, never crash. */
async function call(name: string, spec: Spec, args: (f: NativeFixture) => unknown[]): Promise<void> {
  const f = new NativeFixture();
  try {
    let result: unknown;
    const argv = args(f);
    try {
      result = native[name]!(...argv);
      if (name === 'close' && result === 0) f.forget(argv[0]);
      if (result instanceof Promise) result = await bounded(result, 10_000, `${name}()`);
    } catch (error) {
      assert.ok(error instanceof Error, `${name} threw a non-Error: ${String(error)}`);
      return;
    }
    if (spec.returnsFds) f.adopt(result);
    if (spec.returnsWatcher && typeof result === 'object' && result !== null) f.watchers.push(result);
  } finally {
    f.close();
  }
}

test('every native function has a row in the table', () => {
  const functions = Object.keys(native).filter((name) => typeof native[name] === 'function');
  const missing = functions.filter((name) => !(name in specs));
  // A new native function needs its row here so that .ci/memcheck drives it.
  assert.deepEqual(missing, [], `native functions without a row: ${missing.join(', ')}`);
});

for (const [name, spec] of Object.entries(specs)) {
  test(`native.${name}: good arguments, then each argument wrong`, async (t) => {
    if (typeof native[name] !== 'function') return t.skip(`the addon has no ${name}`);
    await call(name, spec, spec.good);
    for (let position = 0; position < spec.kinds.length; position++) {
      for (const bad of spec.kinds[position]!) {
        await call(name, spec, (f) => {
          const args = spec.good(f);
          args[position] = bad;
          return args;
        });
      }
    }
    const { unix } = spec;
    if (unix) {
      for (const bad of UNIX) {
        await call(name, spec, (f) => {
          const args = unix.good(f);
          args[unix.address] = unix.wrap ? unix.wrap(bad) : bad;
          return args;
        });
      }
    }
    // Too few arguments, and more than the addon reads.
    for (let count = 0; count < spec.kinds.length; count++) await call(name, spec, (f) => spec.good(f).slice(0, count));
    await call(name, spec, (f) => [...spec.good(f), 1, 2, 3, 4, 5, 6, 7]);
  });
}

test.after(() => NativeFixture.cleanup());
