// Bad-argument tables for every method of the Socket class: a wrong type is
// a TypeError, a bad value a RangeError, each with a message naming the
// argument; plausible values the OS refuses are SocketErrors; a closed socket
// is SocketError EBADF. Async forms reject (they never throw synchronously),
// Sync and plain forms throw. The module's functions are in
// arguments-functions.
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import * as socket from 'berkeley';
import { type ErrorClass, expectFailure, isErrorNaming, showArguments, type SocketKind, socketOf, tempDir } from '../support/index.js';

type Kind = Exclude<SocketKind, 'udp6'>;

/** The Socket methods that return a Promise. */
const ASYNC = new Set(['accept', 'connect', 'connectEx', 'recv', 'recvInto', 'recvfrom', 'recvfromInto', 'send', 'sendall', 'sendto']);

const tmp = tempDir();
process.on('exit', () => tmp.cleanup());

function canCreate(family: number): boolean {
  try {
    socket.socket(family).close();
    return true;
  } catch {
    return false;
  }
}
const inet6 = canCreate(socket.AF_INET6);

function make(kind: Kind): socket.Socket {
  const s = socketOf(kind);
  // Should a check be missing, the call fails at once instead of waiting.
  s.settimeout(0);
  return s;
}

interface Row {
  kind: Kind;
  /** 'recv*' stands for both recv and recvSync. */
  method: string;
  args: unknown[];
  error: ErrorClass;
  arg?: string;
}

function expand(rows: Row[]): Row[] {
  return rows.flatMap((row) =>
    row.method.endsWith('*') ? [{ ...row, method: row.method.slice(0, -1) }, { ...row, method: `${row.method.slice(0, -1)}Sync` }] : [row],
  );
}

const LONG_PATH = tmp.path('p'.repeat(120));
const PATH_108 = 'q'.repeat(108);
const ABSTRACT_109 = Buffer.concat([Buffer.from([0]), Buffer.alloc(108, 0x61)]);
const data16 = (): Buffer => Buffer.alloc(16);

// Addresses that are wrong for AF_INET, with the argument each error names.
const badInet: [unknown, ErrorClass, string][] = [
  ['127.0.0.1', TypeError, 'address'],
  [undefined, TypeError, 'address'],
  [{ host: '127.0.0.1', port: 1 }, TypeError, 'address'],
  [[], RangeError, 'address'],
  [['127.0.0.1'], RangeError, 'address'],
  [['127.0.0.1', 0, 0], RangeError, 'address'],
  [['::1', 0, 0, 0], RangeError, 'address'],
  [['127.0.0.1', 70000], RangeError, 'address[1]'],
  [['127.0.0.1', 65536], RangeError, 'address[1]'],
  [['127.0.0.1', -1], RangeError, 'address[1]'],
  [['127.0.0.1', 1.5], RangeError, 'address[1]'],
  [['127.0.0.1', NaN], RangeError, 'address[1]'],
  [['127.0.0.1', Infinity], RangeError, 'address[1]'],
  [['127.0.0.1', '80'], TypeError, 'address[1]'],
  [['127.0.0.1', 80n], TypeError, 'address[1]'],
  [['127.0.0.1', null], TypeError, 'address[1]'],
  [[127, 0], TypeError, 'address[0]'],
  [[null, 0], TypeError, 'address[0]'],
  [['127.0.0.1\0', 0], RangeError, 'address[0]'],
];

const badInet6: [unknown, ErrorClass, string][] = [
  [['::1'], RangeError, 'address'],
  [['::1', 0, 0, 0, 0], RangeError, 'address'],
  [['::1', 70000], RangeError, 'address[1]'],
  [['::1', 0, -1], RangeError, 'address[2]'],
  [['::1', 0, 0x100000], RangeError, 'address[2]'],
  [['::1', 0, 'x'], TypeError, 'address[2]'],
  [['::1', 0, 0, -1], RangeError, 'address[3]'],
  [['::1', 0, 0, 2 ** 32], RangeError, 'address[3]'],
  [['::1', 0, 0, 1.5], RangeError, 'address[3]'],
  ['::1', TypeError, 'address'],
];

const badUnix: [unknown, ErrorClass, string][] = [
  [123, TypeError, 'address'],
  [undefined, TypeError, 'address'],
  [['/tmp/x', 0], TypeError, 'address'],
  [{}, TypeError, 'address'],
  [LONG_PATH, RangeError, 'address'],
  [PATH_108, RangeError, 'address'],
  [Buffer.alloc(108, 0x61), RangeError, 'address'],
  [ABSTRACT_109, RangeError, 'address'],
];

function addressRows(method: string, kinds: { inet: Kind; inet6: Kind; unix: Kind }): Row[] {
  return [
    ...badInet.map(([address, error, arg]) => ({ kind: kinds.inet, method, args: [address], error, arg })),
    ...(inet6 ? badInet6.map(([address, error, arg]) => ({ kind: kinds.inet6, method, args: [address], error, arg })) : []),
    ...badUnix.map(([address, error, arg]) => ({ kind: kinds.unix, method, args: [address], error, arg })),
  ];
}

const streams = { inet: 'tcp', inet6: 'tcp6', unix: 'unix' } as const;

const rows: Row[] = expand([
  // bind / connect / connectEx: every bad address, for each family
  ...addressRows('bind', streams),
  ...addressRows('connect*', streams),
  ...addressRows('connectEx*', streams),

  // sendto: data, flags and address
  ...[123, null, undefined, [1, 2, 3], {}, true, 5n].map((data): Row => ({ kind: 'udp', method: 'sendto*', args: [data, ['127.0.0.1', 9]], error: TypeError, arg: 'data' })),
  { kind: 'udp', method: 'sendto*', args: ['x'], error: TypeError, arg: 'address' },
  { kind: 'udp', method: 'sendto*', args: ['x', 'x'], error: TypeError, arg: 'address' },
  { kind: 'udp', method: 'sendto*', args: ['x', ['127.0.0.1', 70000]], error: RangeError, arg: 'address[1]' },
  { kind: 'udp', method: 'sendto*', args: ['x', 0, ['127.0.0.1', -1]], error: RangeError, arg: 'address[1]' },
  { kind: 'udp', method: 'sendto*', args: ['x', 0, ['127.0.0.1']], error: RangeError, arg: 'address' },
  { kind: 'udp', method: 'sendto*', args: ['x', 'x', ['127.0.0.1', 9]], error: TypeError, arg: 'flags' },
  { kind: 'udp', method: 'sendto*', args: ['x', 1.5, ['127.0.0.1', 9]], error: RangeError, arg: 'flags' },
  { kind: 'udp', method: 'sendto*', args: ['x', 2 ** 31, ['127.0.0.1', 9]], error: RangeError, arg: 'flags' },
  { kind: 'unixdgram', method: 'sendto*', args: ['x', LONG_PATH], error: RangeError, arg: 'address' },
  { kind: 'unixdgram', method: 'sendto*', args: ['x', ['a', 1]], error: TypeError, arg: 'address' },

  // recv / recvfrom: bufsize and flags
  ...(['recv*', 'recvfrom*'] as const).flatMap((method): Row[] => [
    { kind: 'udp', method, args: [], error: TypeError, arg: 'bufsize' },
    { kind: 'udp', method, args: ['16'], error: TypeError, arg: 'bufsize' },
    { kind: 'udp', method, args: [16n], error: TypeError, arg: 'bufsize' },
    { kind: 'udp', method, args: [null], error: TypeError, arg: 'bufsize' },
    { kind: 'udp', method, args: [-1], error: RangeError, arg: 'bufsize' },
    { kind: 'udp', method, args: [1.5], error: RangeError, arg: 'bufsize' },
    { kind: 'udp', method, args: [NaN], error: RangeError, arg: 'bufsize' },
    { kind: 'udp', method, args: [Infinity], error: RangeError, arg: 'bufsize' },
    { kind: 'udp', method, args: [2 ** 31], error: RangeError, arg: 'bufsize' },
    { kind: 'udp', method, args: [16, 'x'], error: TypeError, arg: 'flags' },
    { kind: 'udp', method, args: [16, null], error: TypeError, arg: 'flags' },
    { kind: 'udp', method, args: [16, 1.5], error: RangeError, arg: 'flags' },
    { kind: 'udp', method, args: [16, -(2 ** 31) - 1], error: RangeError, arg: 'flags' },
  ]),

  // recvInto / recvfromInto: buffer, nbytes and flags
  ...(['recvInto*', 'recvfromInto*'] as const).flatMap((method): Row[] => [
    { kind: 'udp', method, args: [], error: TypeError, arg: 'buffer' },
    { kind: 'udp', method, args: ['x'], error: TypeError, arg: 'buffer' },
    { kind: 'udp', method, args: [[1, 2, 3]], error: TypeError, arg: 'buffer' },
    { kind: 'udp', method, args: [16], error: TypeError, arg: 'buffer' },
    { kind: 'udp', method, args: [data16(), 17], error: RangeError, arg: 'nbytes' },
    { kind: 'udp', method, args: [new Uint32Array(4), 17], error: RangeError, arg: 'nbytes' },
    { kind: 'udp', method, args: [data16().subarray(8), 9], error: RangeError, arg: 'nbytes' },
    { kind: 'udp', method, args: [data16(), -1], error: RangeError, arg: 'nbytes' },
    { kind: 'udp', method, args: [data16(), 1.5], error: RangeError, arg: 'nbytes' },
    { kind: 'udp', method, args: [data16(), 2 ** 53], error: RangeError, arg: 'nbytes' },
    { kind: 'udp', method, args: [data16(), '4'], error: TypeError, arg: 'nbytes' },
    { kind: 'udp', method, args: [data16(), null], error: TypeError, arg: 'nbytes' },
    { kind: 'udp', method, args: [data16(), 4, 'x'], error: TypeError, arg: 'flags' },
    { kind: 'udp', method, args: [data16(), 4, 1.5], error: RangeError, arg: 'flags' },
  ]),

  // send / sendall: data and flags
  ...(['send*', 'sendall*'] as const).flatMap((method): Row[] => [
    ...[undefined, null, 123, [1, 2, 3], {}, false, 1n, Symbol('s')].map((data): Row => ({ kind: 'tcp', method, args: [data], error: TypeError, arg: 'data' })),
    { kind: 'tcp', method, args: ['x', 'x'], error: TypeError, arg: 'flags' },
    { kind: 'tcp', method, args: ['x', 1.5], error: RangeError, arg: 'flags' },
    { kind: 'tcp', method, args: ['x', 2 ** 53], error: RangeError, arg: 'flags' },
  ]),

  // listen, shutdown
  { kind: 'tcp', method: 'listen', args: ['x'], error: TypeError, arg: 'backlog' },
  { kind: 'tcp', method: 'listen', args: [null], error: TypeError, arg: 'backlog' },
  { kind: 'tcp', method: 'listen', args: [1.5], error: RangeError, arg: 'backlog' },
  { kind: 'tcp', method: 'listen', args: [NaN], error: RangeError, arg: 'backlog' },
  { kind: 'tcp', method: 'listen', args: [2 ** 31], error: RangeError, arg: 'backlog' },
  { kind: 'tcp', method: 'shutdown', args: [], error: TypeError, arg: 'how' },
  { kind: 'tcp', method: 'shutdown', args: ['SHUT_WR'], error: TypeError, arg: 'how' },
  { kind: 'tcp', method: 'shutdown', args: [1.5], error: RangeError, arg: 'how' },

  // setsockopt / getsockopt
  { kind: 'tcp', method: 'setsockopt', args: ['x', socket.SO_REUSEADDR, 1], error: TypeError, arg: 'level' },
  { kind: 'tcp', method: 'setsockopt', args: [1.5, socket.SO_REUSEADDR, 1], error: RangeError, arg: 'level' },
  { kind: 'tcp', method: 'setsockopt', args: [socket.SOL_SOCKET, 'x', 1], error: TypeError, arg: 'option' },
  { kind: 'tcp', method: 'setsockopt', args: [socket.SOL_SOCKET, 2 ** 31, 1], error: RangeError, arg: 'option' },
  { kind: 'tcp', method: 'setsockopt', args: [socket.SOL_SOCKET, socket.SO_REUSEADDR], error: TypeError, arg: 'value' },
  { kind: 'tcp', method: 'setsockopt', args: [socket.SOL_SOCKET, socket.SO_PRIORITY!, 2 ** 31], error: RangeError, arg: 'value' },
  { kind: 'tcp', method: 'setsockopt', args: [socket.SOL_SOCKET, socket.SO_PRIORITY!, -(2 ** 31) - 1], error: RangeError, arg: 'value' },
  { kind: 'tcp', method: 'setsockopt', args: [socket.SOL_SOCKET, socket.SO_REUSEADDR, '1'], error: TypeError, arg: 'value' },
  { kind: 'tcp', method: 'setsockopt', args: [socket.SOL_SOCKET, socket.SO_REUSEADDR, {}], error: TypeError, arg: 'value' },
  { kind: 'tcp', method: 'setsockopt', args: [socket.SOL_SOCKET, socket.SO_REUSEADDR, 1n], error: TypeError, arg: 'value' },
  { kind: 'tcp', method: 'setsockopt', args: [socket.SOL_SOCKET, socket.SO_REUSEADDR, 2 ** 32], error: RangeError, arg: 'value' },
  { kind: 'tcp', method: 'setsockopt', args: [socket.SOL_SOCKET, socket.SO_REUSEADDR, -(2 ** 31) - 1], error: RangeError, arg: 'value' },
  { kind: 'tcp', method: 'setsockopt', args: [socket.SOL_SOCKET, socket.SO_REUSEADDR, 1.5], error: RangeError, arg: 'value' },
  { kind: 'tcp', method: 'setsockopt', args: [socket.SOL_SOCKET, socket.SO_REUSEADDR, NaN], error: RangeError, arg: 'value' },
  { kind: 'tcp', method: 'setsockopt', args: [socket.SOL_SOCKET, socket.SO_REUSEADDR, null], error: TypeError, arg: 'optlen' },
  { kind: 'tcp', method: 'setsockopt', args: [socket.SOL_SOCKET, socket.SO_REUSEADDR, null, -1], error: RangeError, arg: 'optlen' },
  { kind: 'tcp', method: 'setsockopt', args: [socket.SOL_SOCKET, socket.SO_REUSEADDR, null, 'x'], error: TypeError, arg: 'optlen' },
  { kind: 'tcp', method: 'setsockopt', args: [socket.SOL_SOCKET, socket.SO_REUSEADDR, null, 2 ** 20], error: RangeError, arg: 'optlen' },
  { kind: 'tcp', method: 'setsockopt', args: [socket.SOL_SOCKET, socket.SO_REUSEADDR, 1, 4], error: TypeError, arg: 'optlen' },
  { kind: 'tcp', method: 'getsockopt', args: ['x', socket.SO_TYPE], error: TypeError, arg: 'level' },
  { kind: 'tcp', method: 'getsockopt', args: [socket.SOL_SOCKET, undefined], error: TypeError, arg: 'option' },
  { kind: 'tcp', method: 'getsockopt', args: [socket.SOL_SOCKET, 1.5], error: RangeError, arg: 'option' },
  { kind: 'tcp', method: 'getsockopt', args: [socket.SOL_SOCKET, socket.SO_TYPE, -1], error: RangeError, arg: 'buflen' },
  { kind: 'tcp', method: 'getsockopt', args: [socket.SOL_SOCKET, socket.SO_TYPE, -1], error: RangeError, arg: 'buflen' },
  { kind: 'tcp', method: 'getsockopt', args: [socket.SOL_SOCKET, socket.SO_TYPE, 2 ** 31], error: RangeError, arg: 'buflen' },
  { kind: 'tcp', method: 'getsockopt', args: [socket.SOL_SOCKET, socket.SO_TYPE, 'x'], error: TypeError, arg: 'buflen' },
  { kind: 'tcp', method: 'getsockopt', args: [socket.SOL_SOCKET, socket.SO_TYPE, null], error: TypeError, arg: 'buflen' },

  // modes and inheritance
  { kind: 'tcp', method: 'settimeout', args: ['1'], error: TypeError, arg: 'timeout' },
  { kind: 'tcp', method: 'settimeout', args: [{}], error: TypeError, arg: 'timeout' },
  { kind: 'tcp', method: 'settimeout', args: [1n], error: TypeError, arg: 'timeout' },
  { kind: 'tcp', method: 'settimeout', args: [-1], error: RangeError, arg: 'timeout' },
  { kind: 'tcp', method: 'settimeout', args: [-0.001], error: RangeError, arg: 'timeout' },
  { kind: 'tcp', method: 'settimeout', args: [NaN], error: RangeError, arg: 'timeout' },
  { kind: 'tcp', method: 'settimeout', args: [-Infinity], error: RangeError, arg: 'timeout' },
  { kind: 'tcp', method: 'setblocking', args: ['x'], error: TypeError, arg: 'flag' },
  { kind: 'tcp', method: 'setblocking', args: [undefined], error: TypeError, arg: 'flag' },
  { kind: 'tcp', method: 'setInheritable', args: ['x'], error: TypeError, arg: 'inheritable' },
  { kind: 'tcp', method: 'setInheritable', args: [], error: TypeError, arg: 'inheritable' },
]);

describe('Socket methods: bad arguments', () => {
  for (const row of rows) {
    const async = ASYNC.has(row.method);
    const skip = row.kind === 'tcp6' && !inet6 ? 'no AF_INET6' : false;
    it(`${row.kind}.${row.method}(${showArguments(row.args)}) -> ${row.error.name}${row.arg ? ` naming "${row.arg}"` : ''}`, { skip }, async () => {
      using s = make(row.kind);
      const method = (s as unknown as Record<string, (...a: unknown[]) => unknown>)[row.method]!;
      await expectFailure(async, () => method.apply(s, row.args), isErrorNaming(row.error, row.arg));
      // A refused argument leaves the socket as it was.
      assert.equal(s.closed, false);
    });
  }
});

describe('Socket methods: values the OS refuses are SocketErrors', () => {
  const cases: [Kind, string, unknown[], socket.ErrnoName][] = [
    ['tcp', 'shutdown', [99], 'EINVAL'],
    ['tcp', 'setsockopt', [socket.SOL_SOCKET, 99999, 1], 'ENOPROTOOPT'],
    ['tcp', 'getsockopt', [socket.SOL_SOCKET, 99999], 'ENOPROTOOPT'],
    ['tcp', 'getsockopt', [socket.SOL_SOCKET, 99999, 16], 'ENOPROTOOPT'],
    ['udp', 'listen', [], 'EOPNOTSUPP'],
    ['tcp', 'getpeername', [], 'ENOTCONN'],
    ['tcp', 'accept', [], 'EINVAL'],
    ['tcp', 'acceptSync', [], 'EINVAL'],
    ['unix', 'connect', [tmp.path('nobody-here')], 'ENOENT'],
    ['unix', 'connectSync', [tmp.path('nobody-here')], 'ENOENT'],
  ];
  for (const [kind, name, args, code] of cases) {
    it(`${kind}.${name}(${showArguments(args)}) -> SocketError ${code}`, async () => {
      using s = make(kind);
      const method = (s as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
      await expectFailure(ASYNC.has(name), () => method.apply(s, args), (e) => {
        assert.ok(e instanceof socket.SocketError, inspect(e));
        assert.equal(e.code, code);
        assert.equal(e.errno, socket.errno[code]);
        return true;
      });
    });
  }

  it('connectEx returns the errno for an OS failure, but throws for a bad argument', async () => {
    using s = make('unix');
    assert.equal(await s.connectEx(tmp.path('nobody-here')), socket.errno.ENOENT);
    assert.equal(s.connectExSync(tmp.path('nobody-here')), socket.errno.ENOENT);
    await assert.rejects(s.connectEx(LONG_PATH), RangeError);
    assert.throws(() => s.connectExSync(LONG_PATH), RangeError);
  });
});

describe('AF_UNIX name lengths: the limits themselves are accepted', () => {
  it('a 107-byte path and a 108-byte abstract name bind; one byte more does not', () => {
    const dir = tmp.path('');
    const path107 = dir + 'b'.repeat(107 - Buffer.byteLength(dir));
    assert.equal(Buffer.byteLength(path107), 107);
    using a = make('unix');
    a.bind(path107);
    assert.equal(a.getsockname(), path107);
    using b = make('unix');
    assert.throws(() => b.bind(`${path107}b`), isErrorNaming(RangeError, 'address'));
    const abstract108 = Buffer.concat([Buffer.from([0]), Buffer.from(`berkeley-${process.pid}-`), Buffer.alloc(108, 0x7a)]).subarray(0, 108);
    using c = make('unix');
    c.bind(abstract108);
    assert.deepEqual(c.getsockname(), abstract108);
    using d = make('unix');
    assert.throws(() => d.bind(Buffer.concat([abstract108, Buffer.from('z')])), isErrorNaming(RangeError, 'address'));
  });

  it('multi-byte UTF-8 paths are measured in bytes', () => {
    const dir = tmp.path('');
    // 'é' is 2 bytes: a path of 54 such characters is 108 bytes plus the dir.
    using s = make('unix');
    assert.throws(() => s.bind(dir + 'é'.repeat(54)), isErrorNaming(RangeError, 'address'));
  });
});

describe('a closed socket is SocketError EBADF', () => {
  const address = ['127.0.0.1', 9];
  const calls: [Kind, string, unknown[]][] = [
    ['tcp', 'bind', [['127.0.0.1', 0]]],
    ['tcp', 'listen', []],
    ['tcp', 'accept', []],
    ['tcp', 'acceptSync', []],
    ['tcp', 'connect', [address]],
    ['tcp', 'connectSync', [address]],
    ['tcp', 'recv', [16]],
    ['tcp', 'recvSync', [16]],
    ['tcp', 'recvInto', [data16()]],
    ['tcp', 'recvIntoSync', [data16()]],
    ['udp', 'recvfrom', [16]],
    ['udp', 'recvfromSync', [16]],
    ['udp', 'recvfromInto', [data16()]],
    ['udp', 'recvfromIntoSync', [data16()]],
    ['tcp', 'send', ['x']],
    ['tcp', 'sendSync', ['x']],
    ['tcp', 'sendall', ['x']],
    ['tcp', 'sendallSync', ['x']],
    ['tcp', 'sendall', ['']],
    ['tcp', 'sendallSync', ['']],
    ['udp', 'sendto', ['x', address]],
    ['udp', 'sendtoSync', ['x', address]],
    ['udp', 'sendto', ['x', 0, address]],
    ['udp', 'sendtoSync', ['x', 0, address]],
    ['tcp', 'shutdown', [socket.SHUT_RDWR]],
    ['tcp', 'getsockname', []],
    ['tcp', 'getpeername', []],
    ['tcp', 'setsockopt', [socket.SOL_SOCKET, socket.SO_REUSEADDR, 1]],
    ['tcp', 'setsockopt', [socket.SOL_SOCKET, socket.SO_REUSEADDR, true]],
    ['tcp', 'setsockopt', [socket.SOL_SOCKET, socket.SO_REUSEADDR, Buffer.alloc(4)]],
    ['tcp', 'setsockopt', [socket.SOL_SOCKET, socket.SO_REUSEADDR, null, 4]],
    ['tcp', 'getsockopt', [socket.SOL_SOCKET, socket.SO_TYPE]],
    ['tcp', 'getsockopt', [socket.SOL_SOCKET, socket.SO_TYPE, 4]],
    ['tcp', 'getInheritable', []],
    ['tcp', 'setInheritable', [true]],
    ['tcp', 'dup', []],
    ['unix', 'bind', [tmp.path('closed.sock')]],
    ['unixdgram', 'sendto', ['x', tmp.path('closed.sock')]],
  ];
  for (const how of ['closed', 'detached'] as const) {
    for (const [kind, name, args] of calls) {
      it(`${how}: ${kind}.${name}(${showArguments(args)})`, async () => {
        const s = make(kind);
        s.settimeout(null);
        let detachedFd = -1;
        if (how === 'closed') s.close();
        else detachedFd = s.detach();
        try {
          const method = (s as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
          await expectFailure(ASYNC.has(name), () => method.apply(s, args), (e) => {
            assert.ok(e instanceof socket.SocketError, inspect(e));
            assert.equal(e.code, 'EBADF');
            assert.equal(e.errno, socket.errno.EBADF);
            return true;
          });
        } finally {
          if (detachedFd >= 0) socket.close(detachedFd);
        }
      });
    }
  }

  it('connectEx returns EBADF; fileno and detach give -1; close stays idempotent', async () => {
    const s = make('tcp');
    s.close();
    assert.equal(await s.connectEx(address as [string, number]), socket.errno.EBADF);
    assert.equal(s.connectExSync(address as [string, number]), socket.errno.EBADF);
    assert.equal(s.fileno(), -1);
    assert.equal(s.detach(), -1);
    assert.equal(s.closed, true);
    s.close();
    s.close();
    // Argument checks still come first on a closed socket, as they would on an open one.
    assert.throws(() => s.recvSync(-1), RangeError);
  });
});

test('settimeout(Infinity) and setdefaulttimeout(Infinity) are RangeErrors, as Python refuses them', () => {
  using s = make('tcp');
  assert.throws(() => s.settimeout(Infinity), isErrorNaming(RangeError, 'timeout'));
  const before = socket.getdefaulttimeout();
  try {
    assert.throws(() => socket.setdefaulttimeout(Infinity), isErrorNaming(RangeError, 'timeout'));
  } finally {
    socket.setdefaulttimeout(before);
  }
});
