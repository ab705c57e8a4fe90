// Socket options, table-driven: for every option a process without
// privileges can set on a loopback socket on Linux, one row says which
// socket to use, the value to set and the value the kernel reads back; each
// row does getsockopt → setsockopt → getsockopt and asserts the value
// changed to the expected one. A row skips only when its constant is not
// defined on this platform, its family cannot be made here, or the kernel
// answers ENOPROTOOPT. The options the kernel refuses, and the values
// berkeley refuses before any system call, follow the table.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import * as socket from 'berkeley';
import { isErrno, type SocketKind, socketOf } from '../support/index.js';

/** The names of the module's number constants: the compiler checks every row's option name. */
type Constant = { [K in keyof typeof socket]: (typeof socket)[K] extends number | undefined ? K : never }[keyof typeof socket];

interface Row {
  level: number;
  name: Constant;
  /** The socket the option is set on (unconnected, unbound). */
  on: SocketKind;
  set: number | boolean | Buffer;
  expect: unknown;
  /** For an option read as bytes: the buffer length to ask for, and how to read it. */
  bytes?: { buflen: number; decode(data: Buffer): unknown };
  /** Why the value before may already be the expected one (a default a sysctl chooses): then only the read-back is asserted. */
  mayAlreadyBe?: string;
}

const { SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP, IPPROTO_IPV6 } = socket;

/** The first NUL-terminated string of a buffer (TCP_CONGESTION pads its name with NULs). */
const cString = (data: Buffer): string => data.subarray(0, data.indexOf(0) < 0 ? data.length : data.indexOf(0)).toString('latin1');

/** One row per option; `expect` is what Linux reads back. Booleans are set as 1 or true and read back as 1. */
const ROWS: Row[] = [
  // ---- SOL_SOCKET ----
  { level: SOL_SOCKET, name: 'SO_RCVBUF', on: 'tcp', set: 32768, expect: 65536 }, // the kernel doubles it (room for its bookkeeping)
  { level: SOL_SOCKET, name: 'SO_SNDBUF', on: 'tcp', set: 32768, expect: 65536 }, // doubled too
  { level: SOL_SOCKET, name: 'SO_KEEPALIVE', on: 'tcp', set: true, expect: 1 },
  { level: SOL_SOCKET, name: 'SO_REUSEADDR', on: 'tcp', set: 1, expect: 1 },
  { level: SOL_SOCKET, name: 'SO_REUSEPORT', on: 'tcp', set: 1, expect: 1 },
  { level: SOL_SOCKET, name: 'SO_BROADCAST', on: 'udp', set: true, expect: 1 },
  { level: SOL_SOCKET, name: 'SO_PRIORITY', on: 'tcp', set: 3, expect: 3 }, // 0..6 need no CAP_NET_ADMIN
  { level: SOL_SOCKET, name: 'SO_RCVLOWAT', on: 'tcp', set: 16, expect: 16 },
  { level: SOL_SOCKET, name: 'SO_OOBINLINE', on: 'tcp', set: 1, expect: 1 },
  { level: SOL_SOCKET, name: 'SO_DONTROUTE', on: 'udp', set: 1, expect: 1 },
  { level: SOL_SOCKET, name: 'SO_TIMESTAMP', on: 'udp', set: 1, expect: 1 },
  { level: SOL_SOCKET, name: 'SO_TIMESTAMPNS', on: 'udp', set: 1, expect: 1 },
  { level: SOL_SOCKET, name: 'SO_RXQ_OVFL', on: 'udp', set: 1, expect: 1 },
  { level: SOL_SOCKET, name: 'SO_WIFI_STATUS', on: 'udp', set: 1, expect: 1 },
  { level: SOL_SOCKET, name: 'SO_SELECT_ERR_QUEUE', on: 'udp', set: 1, expect: 1 },
  { level: SOL_SOCKET, name: 'SO_ZEROCOPY', on: 'tcp', set: 1, expect: 1 },
  { level: SOL_SOCKET, name: 'SO_LOCK_FILTER', on: 'tcp', set: 1, expect: 1 },
  { level: SOL_SOCKET, name: 'SO_INCOMING_CPU', on: 'tcp', set: 0, expect: 0 }, // -1 (none) before
  { level: SOL_SOCKET, name: 'SO_PASSCRED', on: 'unix', set: 1, expect: 1 },
  { level: SOL_SOCKET, name: 'SO_PASSSEC', on: 'unix', set: 1, expect: 1 },
  { level: SOL_SOCKET, name: 'SO_PEEK_OFF', on: 'unix', set: 4, expect: 4 }, // -1 (peeking moves no offset) before
  {
    level: SOL_SOCKET, name: 'SO_LINGER', on: 'tcp', set: socket.packLinger(true, 7), expect: { onoff: true, linger: 7 },
    bytes: { buflen: 8, decode: socket.unpackLinger },
  },
  // ---- IPPROTO_TCP, on an unconnected socket ----
  { level: IPPROTO_TCP, name: 'TCP_NODELAY', on: 'tcp', set: true, expect: 1 },
  { level: IPPROTO_TCP, name: 'TCP_KEEPIDLE', on: 'tcp', set: 77, expect: 77 }, // 7200 s before
  { level: IPPROTO_TCP, name: 'TCP_KEEPINTVL', on: 'tcp', set: 11, expect: 11 }, // 75 s before
  { level: IPPROTO_TCP, name: 'TCP_KEEPCNT', on: 'tcp', set: 4, expect: 4 }, // 9 before
  { level: IPPROTO_TCP, name: 'TCP_USER_TIMEOUT', on: 'tcp', set: 3000, expect: 3000 },
  { level: IPPROTO_TCP, name: 'TCP_NOTSENT_LOWAT', on: 'tcp', set: 16384, expect: 16384 },
  { level: IPPROTO_TCP, name: 'TCP_QUICKACK', on: 'tcp', set: 0, expect: 0 }, // 1 before
  { level: IPPROTO_TCP, name: 'TCP_CORK', on: 'tcp', set: 1, expect: 1 },
  { level: IPPROTO_TCP, name: 'TCP_MAXSEG', on: 'tcp', set: 1000, expect: 1000 }, // unconnected: the user MSS; 536 (the default) before
  { level: IPPROTO_TCP, name: 'TCP_SYNCNT', on: 'tcp', set: 3, expect: 3 },
  { level: IPPROTO_TCP, name: 'TCP_LINGER2', on: 'tcp', set: 10, expect: 10 },
  // Seconds become SYN-ACK retransmissions and back: 5 s needs 3 (1 + 2 + 4 = 7 s).
  { level: IPPROTO_TCP, name: 'TCP_DEFER_ACCEPT', on: 'tcp', set: 5, expect: 7 },
  { level: IPPROTO_TCP, name: 'TCP_WINDOW_CLAMP', on: 'tcp', set: 20000, expect: 20000 },
  { level: IPPROTO_TCP, name: 'TCP_FASTOPEN', on: 'tcp', set: 5, expect: 5 },
  { level: IPPROTO_TCP, name: 'TCP_FASTOPEN_CONNECT', on: 'tcp', set: 1, expect: 1 },
  { level: IPPROTO_TCP, name: 'TCP_THIN_LINEAR_TIMEOUTS', on: 'tcp', set: 1, expect: 1 },
  { level: IPPROTO_TCP, name: 'TCP_INQ', on: 'tcp', set: 1, expect: 1 },
  {
    level: IPPROTO_TCP, name: 'TCP_CONGESTION', on: 'tcp', set: Buffer.from('reno'), expect: 'reno',
    bytes: { buflen: 16, decode: cString }, mayAlreadyBe: 'reno may be the default (net.ipv4.tcp_congestion_control)',
  },
  // ---- IPPROTO_IP ----
  { level: IPPROTO_IP, name: 'IP_TTL', on: 'udp', set: 33, expect: 33 }, // 64 before
  { level: IPPROTO_IP, name: 'IP_TOS', on: 'udp', set: 0x10, expect: 0x10 },
  { level: IPPROTO_IP, name: 'IP_MULTICAST_TTL', on: 'udp', set: 5, expect: 5 }, // 1 before
  { level: IPPROTO_IP, name: 'IP_MULTICAST_LOOP', on: 'udp', set: 0, expect: 0 }, // 1 before
  { level: IPPROTO_IP, name: 'IP_MULTICAST_ALL', on: 'udp', set: 0, expect: 0 }, // 1 before
  {
    level: IPPROTO_IP, name: 'IP_MULTICAST_IF', on: 'udp', set: socket.inetAton('127.0.0.1'), expect: '127.0.0.1',
    bytes: { buflen: 4, decode: socket.inetNtoa },
  },
  { level: IPPROTO_IP, name: 'IP_RECVTOS', on: 'udp', set: 1, expect: 1 },
  { level: IPPROTO_IP, name: 'IP_RECVTTL', on: 'udp', set: 1, expect: 1 },
  { level: IPPROTO_IP, name: 'IP_PKTINFO', on: 'udp', set: 1, expect: 1 },
  { level: IPPROTO_IP, name: 'IP_RECVOPTS', on: 'udp', set: 1, expect: 1 },
  { level: IPPROTO_IP, name: 'IP_RETOPTS', on: 'udp', set: 1, expect: 1 },
  { level: IPPROTO_IP, name: 'IP_RECVORIGDSTADDR', on: 'udp', set: 1, expect: 1 },
  { level: IPPROTO_IP, name: 'IP_RECVERR', on: 'udp', set: 1, expect: 1 },
  { level: IPPROTO_IP, name: 'IP_PASSSEC', on: 'udp', set: 1, expect: 1 },
  { level: IPPROTO_IP, name: 'IP_FREEBIND', on: 'udp', set: 1, expect: 1 },
  { level: IPPROTO_IP, name: 'IP_MTU_DISCOVER', on: 'udp', set: socket.IP_PMTUDISC_PROBE ?? 3, expect: socket.IP_PMTUDISC_PROBE ?? 3 },
  { level: IPPROTO_IP, name: 'IP_BIND_ADDRESS_NO_PORT', on: 'tcp', set: 1, expect: 1 },
  // ---- IPPROTO_IPV6 ----
  { level: IPPROTO_IPV6, name: 'IPV6_V6ONLY', on: 'tcp6', set: 1, expect: 1, mayAlreadyBe: 'net.ipv6.bindv6only=1 makes it the default' },
  { level: IPPROTO_IPV6, name: 'IPV6_UNICAST_HOPS', on: 'udp6', set: 9, expect: 9 }, // 64 before
  { level: IPPROTO_IPV6, name: 'IPV6_MULTICAST_HOPS', on: 'udp6', set: 9, expect: 9 }, // 1 before
  { level: IPPROTO_IPV6, name: 'IPV6_MULTICAST_LOOP', on: 'udp6', set: 0, expect: 0 }, // 1 before
  { level: IPPROTO_IPV6, name: 'IPV6_MULTICAST_ALL', on: 'udp6', set: 0, expect: 0 }, // 1 before
  { level: IPPROTO_IPV6, name: 'IPV6_MULTICAST_IF', on: 'udp6', set: socket.ifNametoindex('lo'), expect: socket.ifNametoindex('lo') },
  { level: IPPROTO_IPV6, name: 'IPV6_TCLASS', on: 'udp6', set: 0x20, expect: 0x20 },
  { level: IPPROTO_IPV6, name: 'IPV6_RECVPKTINFO', on: 'udp6', set: 1, expect: 1 },
  { level: IPPROTO_IPV6, name: 'IPV6_RECVTCLASS', on: 'udp6', set: 1, expect: 1 },
  { level: IPPROTO_IPV6, name: 'IPV6_RECVHOPLIMIT', on: 'udp6', set: 1, expect: 1 },
  { level: IPPROTO_IPV6, name: 'IPV6_RECVHOPOPTS', on: 'udp6', set: 1, expect: 1 },
  { level: IPPROTO_IPV6, name: 'IPV6_RECVDSTOPTS', on: 'udp6', set: 1, expect: 1 },
  { level: IPPROTO_IPV6, name: 'IPV6_RECVRTHDR', on: 'udp6', set: 1, expect: 1 },
  { level: IPPROTO_IPV6, name: 'IPV6_RECVPATHMTU', on: 'udp6', set: 1, expect: 1 },
  { level: IPPROTO_IPV6, name: 'IPV6_RECVERR', on: 'udp6', set: 1, expect: 1 },
  { level: IPPROTO_IPV6, name: 'IPV6_DONTFRAG', on: 'udp6', set: 1, expect: 1 },
  { level: IPPROTO_IPV6, name: 'IPV6_FREEBIND', on: 'udp6', set: 1, expect: 1 },
  { level: IPPROTO_IPV6, name: 'IPV6_MTU_DISCOVER', on: 'udp6', set: socket.IPV6_PMTUDISC_PROBE ?? 3, expect: socket.IPV6_PMTUDISC_PROBE ?? 3 },
  { level: IPPROTO_IPV6, name: 'IPV6_AUTOFLOWLABEL', on: 'udp6', set: 0, expect: 0, mayAlreadyBe: 'net.ipv6.auto_flowlabels=0 or 2 makes it the default' },
];

const LEVELS = new Map<number, string>([[SOL_SOCKET, 'SOL_SOCKET'], [IPPROTO_TCP, 'IPPROTO_TCP'], [IPPROTO_IP, 'IPPROTO_IP'], [IPPROTO_IPV6, 'IPPROTO_IPV6']]);

const constant = (name: Constant): number | undefined => socket[name] as number | undefined;
const show = (value: unknown): string => (Buffer.isBuffer(value) ? `<${value.toString('hex')}>` : JSON.stringify(value));

/** Why this row cannot run here (its constant, family or the kernel), or null. */
function unavailable(error: unknown): string | null {
  if (error instanceof socket.SocketError && error.code === 'ENOPROTOOPT') return 'the kernel answers ENOPROTOOPT';
  if (error instanceof socket.SocketError && error.code === 'EAFNOSUPPORT') return 'this family cannot be made here';
  return null;
}

function roundTrip(t: TestContext, row: Row): void {
  const option = constant(row.name);
  if (option === undefined) return t.skip(`${row.name} is not defined on this platform`);
  const read = (s: socket.Socket): unknown => (row.bytes ? row.bytes.decode(s.getsockopt(row.level, option, row.bytes.buflen)) : s.getsockopt(row.level, option));
  let s: socket.Socket;
  try {
    s = socketOf(row.on);
  } catch (error) {
    const why = unavailable(error);
    if (why) return t.skip(`${row.on}: ${why}`);
    throw error;
  }
  using _s = s;
  let before: unknown;
  try {
    before = read(s);
    s.setsockopt(row.level, option, row.set);
  } catch (error) {
    const why = unavailable(error);
    if (why) return t.skip(`${row.name}: ${why}`);
    throw error;
  }
  const after = read(s);
  assert.deepEqual(after, row.expect, `${row.name}: set ${show(row.set)}, read back ${show(after)}`);
  if (!row.mayAlreadyBe) assert.notDeepEqual(before, row.expect, `${row.name} already read ${show(before)} before the set`);
  else if (JSON.stringify(before) === JSON.stringify(row.expect)) t.diagnostic(`${row.name} was already ${show(before)}: ${row.mayAlreadyBe}`);
}

for (const [level, levelName] of LEVELS) {
  describe(`get → set → get at ${levelName}`, () => {
    for (const row of ROWS.filter((r) => r.level === level)) {
      test(`${row.name} on ${row.on}: set ${show(row.set)}, reads back ${show(row.expect)}`, (t) => roundTrip(t, row));
    }
  });
}

test('the table names each option once, at a level it knows', () => {
  const names = ROWS.map((r) => r.name);
  assert.deepEqual(names.filter((n, k) => names.indexOf(n) !== k), []);
  for (const row of ROWS) assert.ok(LEVELS.has(row.level), row.name);
});

describe('options the kernel refuses', () => {
  const UNKNOWN = 0x7fff;

  for (const [level, levelName] of LEVELS) {
    test(`an unknown option at ${levelName}: ENOPROTOOPT from getsockopt and setsockopt`, () => {
      using s = socketOf(level === IPPROTO_TCP ? 'tcp' : level === IPPROTO_IPV6 ? 'udp6' : 'udp');
      assert.throws(() => s.getsockopt(level, UNKNOWN), isErrno('ENOPROTOOPT', 'getsockopt'));
      assert.throws(() => s.getsockopt(level, UNKNOWN, 16), isErrno('ENOPROTOOPT', 'getsockopt'));
      assert.throws(() => s.setsockopt(level, UNKNOWN, 1), isErrno('ENOPROTOOPT', 'setsockopt'));
    });
  }

  // Which errno names an unknown level is the protocol's choice: Linux's IPv4
  // getsockopt says EOPNOTSUPP, its setsockopt and IPv6 say ENOPROTOOPT.
  test('an unknown level: ENOPROTOOPT (or EOPNOTSUPP, IPv4\'s getsockopt)', () => {
    const refused = (syscall: string) => (error: unknown): boolean => {
      assert.ok(error instanceof socket.SocketError, String(error));
      assert.ok(error.code === 'ENOPROTOOPT' || error.code === 'EOPNOTSUPP', error.code);
      return isErrno(error.code, syscall)(error);
    };
    for (const kind of ['tcp', 'udp', 'udp6', 'unix'] as const) {
      using s = socketOf(kind);
      assert.throws(() => s.setsockopt(UNKNOWN, socket.SO_REUSEADDR, 1), refused('setsockopt'), kind);
      assert.throws(() => s.getsockopt(UNKNOWN, socket.SO_REUSEADDR), refused('getsockopt'), kind);
    }
  });

  test('a level the socket does not speak: TCP_NODELAY on UDP, IP_HDRINCL off a raw socket: ENOPROTOOPT', () => {
    using udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    assert.throws(() => udp.setsockopt(IPPROTO_TCP, socket.TCP_NODELAY, 1), isErrno('ENOPROTOOPT', 'setsockopt'));
    assert.throws(() => udp.setsockopt(IPPROTO_IP, socket.IP_HDRINCL, 1), isErrno('ENOPROTOOPT', 'setsockopt'));
  });

  test('read-only options read, and refuse a set: SO_TYPE, SO_SNDLOWAT (fixed at 1 on Linux): ENOPROTOOPT', () => {
    using s = socket.socket();
    assert.equal(s.getsockopt(SOL_SOCKET, socket.SO_TYPE), socket.SOCK_STREAM);
    assert.throws(() => s.setsockopt(SOL_SOCKET, socket.SO_TYPE, socket.SOCK_DGRAM), isErrno('ENOPROTOOPT', 'setsockopt'));
    assert.equal(s.getsockopt(SOL_SOCKET, socket.SO_SNDLOWAT), 1);
    assert.throws(() => s.setsockopt(SOL_SOCKET, socket.SO_SNDLOWAT, 4), isErrno('ENOPROTOOPT', 'setsockopt'));
    assert.equal(s.getsockopt(SOL_SOCKET, socket.SO_SNDLOWAT), 1);
  });

  test('values out of the option\'s range: EINVAL, and the option keeps its value', () => {
    using tcp = socket.socket();
    for (const [option, value] of [[socket.TCP_KEEPIDLE, 0], [socket.TCP_KEEPIDLE, -1], [socket.TCP_KEEPCNT, 0], [socket.TCP_MAXSEG, 1]] as [number | undefined, number][]) {
      if (option === undefined) continue;
      const before = tcp.getsockopt(IPPROTO_TCP, option);
      assert.throws(() => tcp.setsockopt(IPPROTO_TCP, option, value), isErrno('EINVAL', 'setsockopt'), `${option} = ${value}`);
      assert.equal(tcp.getsockopt(IPPROTO_TCP, option), before);
    }
    using udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    assert.throws(() => udp.setsockopt(IPPROTO_IP, socket.IP_TTL, 256), isErrno('EINVAL', 'setsockopt'));
    assert.equal(udp.getsockopt(IPPROTO_IP, socket.IP_TTL), 64);
  });

  test('TCP_CONGESTION naming no algorithm: FileNotFoundError (ENOENT)', (t) => {
    if (socket.TCP_CONGESTION === undefined) return t.skip('TCP_CONGESTION is not defined on this platform');
    using s = socket.socket();
    const before = s.getsockopt(IPPROTO_TCP, socket.TCP_CONGESTION, 16);
    assert.throws(() => s.setsockopt(IPPROTO_TCP, socket.TCP_CONGESTION!, Buffer.from('no-such-algo')), (error: unknown) => {
      assert.ok(error instanceof socket.FileNotFoundError, String(error));
      return isErrno('ENOENT', 'setsockopt')(error);
    });
    assert.deepEqual(s.getsockopt(IPPROTO_TCP, socket.TCP_CONGESTION, 16), before);
  });

  test('a closed socket: EBADF', () => {
    const s = socket.socket();
    s.close();
    assert.throws(() => s.getsockopt(SOL_SOCKET, socket.SO_REUSEADDR), isErrno('EBADF', 'getsockopt'));
    assert.throws(() => s.setsockopt(SOL_SOCKET, socket.SO_REUSEADDR, 1), isErrno('EBADF', 'setsockopt'));
  });
});

describe('arguments berkeley refuses before any system call', () => {
  test('a value that is not a number, boolean, bytes or null: TypeError', () => {
    using s = socket.socket();
    for (const value of ['1', {}, [1], 1n, undefined]) {
      assert.throws(() => s.setsockopt(SOL_SOCKET, socket.SO_REUSEADDR, value as unknown as number), TypeError, inspect(value));
    }
    assert.equal(s.getsockopt(SOL_SOCKET, socket.SO_REUSEADDR), 0);
  });

  test('an integer value outside a C int: RangeError', () => {
    using s = socket.socket();
    for (const value of [2 ** 31, -(2 ** 31) - 1, 2 ** 40, 1.5, NaN]) {
      assert.throws(() => s.setsockopt(SOL_SOCKET, socket.SO_RCVBUF, value), RangeError, String(value));
    }
  });

  test('a buflen outside 1..65536: RangeError', () => {
    using s = socket.socket();
    for (const buflen of [-1, 65537, 1e9, 1.5]) {
      assert.throws(() => s.getsockopt(SOL_SOCKET, socket.SO_LINGER, buflen), RangeError, String(buflen));
    }
  });
});
