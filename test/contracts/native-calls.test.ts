// Every function of the C addon, called directly with good arguments and
// then with each argument in turn replaced by wrong ones (wrong types, out
// of range numbers, odd byte views, malformed addresses, too few and too
// many arguments). The addon must never crash: each call returns a result
// or -errno, or throws a JS error. Run normally this checks that no input
// aborts the process; run by .ci/memcheck it is the table that drives every
// native code path under AddressSanitizer and UBSan.
//
// Safety: fds given are only this test's own or ones that cannot be open;
// host names never need DNS; sethostname only ever gets names the kernel
// refuses; Unix addresses are only connected to, never bound, except in a
// temporary directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as socket from 'berkeley';
import { addonPath, bounded, detachedBuffer, loopTurns, tempDir } from '../support/index.js';

type Fn = (...args: unknown[]) => unknown;
const native = createRequire(import.meta.url)(addonPath) as Record<string, Fn>;
const C = socket as unknown as Record<string, number>;
/** Not a constant of the module (as in Python, it is socket.errno's). */
const EBADF = socket.errno.EBADF!;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

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
const WATCHERS: unknown[] = [null, undefined, {}, 1, 'w', Symbol('w'), () => 0];
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

// ---- the sockets each call gets (fresh for every call) -------------------------------

const temp = tempDir();
const dataFile = temp.path('data');
writeFileSync(dataFile, 'berkeley sendfile data');

class Fixture {
  readonly fds: number[] = [];
  readonly watchers: unknown[] = [];
  /** Connected AF_UNIX stream pair; `stream0` has 'hello' waiting to be read. */
  stream0: number;
  stream1: number;
  /** Connected AF_UNIX datagram pair; `dgram0` has a datagram waiting. */
  dgram0: number;
  dgram1: number;
  /** UDP socket on 127.0.0.1 with a datagram from itself waiting. */
  udp: number;
  udpAddress: unknown;
  /** Fresh unbound sockets. */
  tcp: number;
  tcp6: number;
  unix: number;
  /** A listening TCP socket. */
  listener: number;
  /** A file to sendfile from. */
  file: number;

  constructor() {
    [this.stream0, this.stream1] = this.pair(C.SOCK_STREAM);
    [this.dgram0, this.dgram1] = this.pair(C.SOCK_DGRAM);
    native.send!(this.stream1, Buffer.from('hello'), 0);
    native.send!(this.dgram1, Buffer.from('datagram'), 0);
    this.udp = this.own(native.socket!(C.AF_INET, C.SOCK_DGRAM, 0));
    native.bind!(this.udp, C.AF_INET, ['127.0.0.1', 0]);
    this.udpAddress = native.getsockname!(this.udp);
    native.sendto!(this.udp, Buffer.from('to myself'), 0, C.AF_INET, this.udpAddress);
    this.tcp = this.own(native.socket!(C.AF_INET, C.SOCK_STREAM, 0));
    this.tcp6 = this.own(native.socket!(C.AF_INET6, C.SOCK_STREAM, 0));
    this.unix = this.own(native.socket!(C.AF_UNIX, C.SOCK_STREAM, 0));
    this.listener = this.own(native.socket!(C.AF_INET, C.SOCK_STREAM, 0));
    native.bind!(this.listener, C.AF_INET, ['127.0.0.1', 0]);
    native.listen!(this.listener, 4);
    this.file = openSync(dataFile, 'r');
  }

  own(fd: unknown): number {
    if (typeof fd === 'number' && fd >= 0) this.fds.push(fd);
    return fd as number;
  }

  pair(type: number): [number, number] {
    const fds = native.socketpair!(C.AF_UNIX, type, 0) as [number, number];
    this.fds.push(...fds);
    return fds;
  }

  watcher(fd = this.stream0): unknown {
    const w = native.watcherNew!(fd, () => undefined);
    this.watchers.push(w);
    return w;
  }

  /** Takes in whatever fds a call returned (an fd, a pair, or [fd, address]), to be closed with the rest. */
  adopt(result: unknown): void {
    if (typeof result === 'number') this.own(result);
    else if (Array.isArray(result)) {
      if (typeof result[0] === 'number') this.own(result[0]);
      if (typeof result[1] === 'number') this.own(result[1]);
    }
  }

  /** An fd the call itself closed: not to be closed again (its number may be reused by then). */
  forget(fd: unknown): void {
    const index = this.fds.indexOf(fd as number);
    if (index >= 0) this.fds.splice(index, 1);
  }

  close(): void {
    for (const w of this.watchers) {
      if (typeof w === 'object' && w !== null) native.watcherClose!(w);
    }
    for (const fd of new Set(this.fds)) native.close!(fd);
    closeSync(this.file);
  }
}

// ---- the table: each function's argument kinds and good arguments --------------------

interface Spec {
  /** The bad values to try at each argument position. */
  kinds: unknown[][];
  good: (f: Fixture) => unknown[];
  /** The call returns fds (socket, dup, accept...) the fixture must close. */
  returnsFds?: boolean;
  /** The call returns a watcher the fixture must close. */
  returnsWatcher?: boolean;
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
  own: { kinds: [FDS], good: (f) => [f.tcp] },
  disown: { kinds: [FDS], good: (f) => [f.tcp] },
  setNonblocking: { kinds: [FDS], good: (f) => [f.tcp] },
  getInheritable: { kinds: [FDS], good: (f) => [f.tcp] },
  setInheritable: { kinds: [FDS, [...INTS, false]], good: (f) => [f.tcp, true] },
  bind: { kinds: [FDS, INTS, INET], good: (f) => [f.tcp, C.AF_INET, ['127.0.0.1', 0]] },
  connect: { kinds: [FDS, INTS, INET], good: (f) => [f.tcp, C.AF_INET, ['127.0.0.1', 0]] },
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
  sendto: { kinds: [FDS, BYTES, INTS, INTS, INET], good: (f) => [f.udp, Buffer.from('x'), 0, C.AF_INET, f.udpAddress] },
  sendfile: { kinds: [FDS, FDS, INTS, SIZES], good: (f) => [f.stream1, f.file, 0, 4] },
  sendmsg: { kinds: [FDS, BUFFER_LISTS, ANCDATA, INTS, INTS, [...INET, null]], good: (f) => [f.udp, [Buffer.from('a'), Buffer.from('b')], [], 0, C.AF_INET, f.udpAddress] },
  recvmsg: { kinds: [FDS, SIZES, SIZES, INTS], good: (f) => [f.dgram0, 16, 64, 0] },
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
  watcherNew: { kinds: [FDS, CALLBACKS], good: (f) => [f.stream0, () => undefined], returnsWatcher: true },
  watcherUpdate: { kinds: [WATCHERS, INTS, [...INTS, false]], good: (f) => [f.watcher(), 1, false] },
  watcherClose: { kinds: [WATCHERS], good: (f) => [f.watcher()] },
  // stream1 is always writable, so no wait here can block, whatever the timeout.
  waitSync: { kinds: [FDS, INTS, INTS], good: (f) => [f.stream1, 3, 0] },
  pollSync: { kinds: [INT32_VIEWS, INT32_VIEWS, INTS], good: (f) => [Int32Array.of(f.stream1, f.stream0, -1), Int32Array.of(3, 1, 1), 0] },
};

/** One call; the addon may return anything or throw a JS error, never crash. */
async function call(name: string, spec: Spec, args: (f: Fixture) => unknown[]): Promise<void> {
  const f = new Fixture();
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
    // Too few arguments, and more than the addon reads.
    for (let count = 0; count < spec.kinds.length; count++) await call(name, spec, (f) => spec.good(f).slice(0, count));
    await call(name, spec, (f) => [...spec.good(f), 1, 2, 3, 4, 5, 6, 7]);
  });
}

// ---- paths the table cannot reach: real traffic, every address family, lifetimes ----

test('native: addresses of every family come back from the kernel intact', () => {
  const f = new Fixture();
  const dir = tempDir();
  try {
    // AF_UNIX: a path, an abstract name, an unnamed socket.
    const server = f.own(native.socket!(C.AF_UNIX, C.SOCK_DGRAM, 0));
    assert.equal(native.bind!(server, C.AF_UNIX, dir.path('u')), 0);
    assert.equal(native.getsockname!(server), dir.path('u'));
    const abstract = Buffer.from(`\0berkeley-native-${process.pid}`);
    const named = f.own(native.socket!(C.AF_UNIX, C.SOCK_DGRAM, 0));
    assert.equal(native.bind!(named, C.AF_UNIX, abstract), 0);
    assert.deepEqual(native.getsockname!(named), abstract);
    const longest = Buffer.concat([Buffer.alloc(1), Buffer.alloc(107, 'z')]);
    const longName = f.own(native.socket!(C.AF_UNIX, C.SOCK_DGRAM, 0));
    assert.equal(native.bind!(longName, C.AF_UNIX, longest), 0);
    assert.deepEqual(native.getsockname!(longName), longest);
    assert.equal(native.sendto!(named, Buffer.from('u'), 0, C.AF_UNIX, dir.path('u')), 1);
    const [data, from] = native.recvfrom!(server, 100, 0) as [Buffer, unknown];
    assert.equal(data.toString(), 'u');
    assert.deepEqual(from, abstract);
    assert.equal(native.getsockname!(f.unix), '');
    // AF_INET6 with a scope id, where ::1 exists.
    const v6 = f.own(native.socket!(C.AF_INET6, C.SOCK_DGRAM, 0));
    if (v6 >= 0 && native.bind!(v6, C.AF_INET6, ['::1', 0, 0, 0]) === 0) {
      const address = native.getsockname!(v6) as [string, number, number, number];
      assert.equal(address[0], '::1');
      native.sendto!(v6, Buffer.from('six'), 0, C.AF_INET6, address);
      const [got, sender] = native.recvfrom!(v6, 100, 0) as [Buffer, unknown];
      assert.equal(got.toString(), 'six');
      assert.deepEqual(sender, address);
      native.connect!(f.tcp6, C.AF_INET6, ['fe80::1%1', 9, 0, 0]);
    }
    // A family the address code does not know: [family, raw bytes].
    const { AF_NETLINK } = socket;
    if (AF_NETLINK !== undefined) {
      const netlink = f.own(native.socket!(AF_NETLINK, C.SOCK_RAW, 0));
      if (netlink >= 0) {
        const [family, raw] = native.getsockname!(netlink) as [number, Buffer];
        assert.equal(family, AF_NETLINK);
        assert.ok(Buffer.isBuffer(raw));
      }
    }
  } finally {
    f.close();
    dir.cleanup();
  }
});

test('native: large and truncated reads, scratch and direct buffers', () => {
  const f = new Fixture();
  try {
    const [a, b] = f.pair(C.SOCK_DGRAM);
    const big = Buffer.alloc(100_000, 'q');
    for (const [n, flags] of [[100_000, 0], [70_000, 0], [65536, 0], [10, 0], [10, C.MSG_TRUNC], [70_000, C.MSG_TRUNC], [200_000, 0]] as const) {
      assert.equal(native.send!(b, big, 0), big.length);
      const got = native.recv!(a, n, flags) as Buffer;
      assert.equal(got.length, Math.min(n, big.length));
    }
    for (const n of [10, 100_000]) {
      assert.equal(native.send!(b, big, 0), big.length);
      const into = Buffer.alloc(n);
      assert.equal(native.recvInto!(a, into, n, C.MSG_TRUNC), big.length);
      assert.equal(native.send!(b, big, 0), big.length);
      const [count] = native.recvfromInto!(a, into, n, 0) as [number, unknown];
      assert.equal(count, n);
      assert.equal(native.send!(b, big, 0), big.length);
      const [data, , msgFlags] = native.recvmsg!(a, n, 0, 0) as [Buffer, unknown, number];
      assert.equal(data.length, Math.min(n, big.length));
      assert.equal((msgFlags & C.MSG_TRUNC) !== 0, n < big.length);
    }
    const bytes = native.getsockoptBytes!(a, C.SOL_SOCKET, C.SO_RCVBUF, 65536) as Buffer;
    assert.equal(bytes.length, 4);
    const out = new Int32Array(1);
    assert.equal(native.getsockoptInt!(a, C.SOL_SOCKET, C.SO_TYPE, out), 0);
    assert.equal(out[0], C.SOCK_DGRAM);
  } finally {
    f.close();
  }
});

test('native: fds and credentials through sendmsg/recvmsg, truncated control data', () => {
  const f = new Fixture();
  try {
    const [a, b] = f.pair(C.SOCK_DGRAM);
    const fds = Int32Array.of(f.tcp, f.udp, f.tcp6);
    for (const ancbufsize of [1024, 24, 20, 17, 16, 1, 0]) {
      assert.equal(native.sendmsg!(b, [Buffer.from('fds')], [[C.SOL_SOCKET, C.SCM_RIGHTS, fds]], 0, C.AF_UNIX, null), 3);
      const [data, ancdata] = native.recvmsg!(a, 16, ancbufsize, 0) as [Buffer, [number, number, Buffer][]];
      assert.equal(data.toString(), 'fds');
      for (const [, type, payload] of ancdata) {
        if (type !== C.SCM_RIGHTS) continue;
        for (let k = 0; k + 4 <= payload.length; k += 4) f.own(payload.readInt32LE(k));
      }
    }
    const { SO_PASSCRED } = socket;
    if (SO_PASSCRED !== undefined) {
      native.setsockoptInt!(a, C.SOL_SOCKET, SO_PASSCRED, 1);
      native.send!(b, Buffer.from('cred'), 0);
      const [, ancdata] = native.recvmsg!(a, 16, 256, 0) as [Buffer, [number, number, Buffer][]];
      assert.equal(ancdata.length, 1);
    }
  } finally {
    f.close();
  }
});

test('native: watchers report readiness, close while armed, and are collected unclosed', async () => {
  const f = new Fixture();
  try {
    let events = 0;
    const ready = new Promise<void>((resolve) => {
      const w = native.watcherNew!(f.stream0, (status: unknown, ev: unknown) => {
        events = ev as number;
        native.watcherUpdate!(w, 0, false);
        resolve();
      });
      f.watchers.push(w);
      assert.equal(native.watcherUpdate!(w, 3, true), 0);
    });
    await bounded(ready, 5000, 'readiness');
    assert.notEqual(events & 1, 0);
    // Armed and then closed; its updates after close are EBADF; closing twice is harmless.
    const w2 = native.watcherNew!(f.stream1, () => undefined);
    native.watcherUpdate!(w2, 2, false);
    native.watcherClose!(w2);
    assert.equal(native.watcherUpdate!(w2, 1, true), -(EBADF));
    native.watcherClose!(w2);
    // Watchers dropped without close, some armed: their finalizers close them.
    for (let k = 0; k < 50; k++) {
      const [a] = f.pair(C.SOCK_DGRAM);
      const w = native.watcherNew!(a, () => undefined);
      if (k % 2 === 0) assert.equal(native.watcherUpdate!(w, k % 3, false), 0);
    }
    gc();
    await loopTurns();
    gc();
  } finally {
    f.close();
  }
});

test('native: the addon in worker threads, which exit with watchers and sockets still open', async () => {
  const code = `
    const native = require(${JSON.stringify(addonPath)});
    const { parentPort } = require('node:worker_threads');
    const [a, b] = native.socketpair(1, 1, 0);
    native.send(b, Buffer.from('w'), 0);
    const w = native.watcherNew(a, () => {});
    native.watcherUpdate(w, 1, false);
    native.recv(a, 100000, 0);
    native.getaddrinfo('127.0.0.1', null, 0, 0, 0, 4).then(() => parentPort.postMessage('done'));
    native.watcherNew(b, () => {});
  `;
  for (let k = 0; k < 4; k++) {
    const worker = new Worker(code, { eval: true });
    const [message] = (await bounded(new Promise((resolve, reject) => {
      worker.once('message', (m) => resolve([m]));
      worker.once('error', reject);
    }), 10_000, 'worker')) as [string];
    assert.equal(message, 'done');
    await bounded(worker.terminate(), 10_000, 'worker terminate');
  }
});

test.after(() => temp.cleanup());
