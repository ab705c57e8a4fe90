// The JS<->C contract (native/contract.h, the addon's `contract`) agrees
// with what each side does: a limit is accepted at its value and refused
// one past it, by the TypeScript checks (RangeError) and by the C layer
// itself (-errno), and the kernel's own limits are where the contract says.
// The errno table: every name has its number, its message and, for the
// PEP 3151 names, its subclass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as socket from 'berkeley';
import { EVENT_READ, EVENT_WRITE } from 'berkeley/selectors';
import { addonPath } from '../support/index.js';

const native = createRequire(import.meta.url)(addonPath) as {
  contract: Record<'READ' | 'WRITE' | 'PRIORITY' | 'CLOSED' | 'SCRATCH_SIZE' | 'SOCKOPT_MAX' | 'IOV_MAX' | 'CONTROL_MAX' | 'MMSG_BYTES_MAX' | 'SUN_PATH_MAX' | 'SLL_ADDR_MAX' | 'SCM_MAX_FD' | 'TLS_WANT_READ' | 'TLS_WANT_WRITE' | 'TLS_FAILED' | 'TLS_SERVER_NAME', number>;
  errno: Record<string, number>;
  hostErrors: Record<string, number>;
  getsockoptBytes(fd: number, level: number, opt: number, buflen: number): Buffer | number;
  setsockoptNull(fd: number, level: number, opt: number, optlen: number): number;
  sendmsg(fd: number, buffers: Uint8Array[], ancdata: unknown[], flags: number, family: number, address: unknown): number;
  recvmsg(fd: number, bufsize: number, ancbufsize: number, flags: number): unknown;
  recvmsgInto(fd: number, views: Uint8Array[], ancbufsize: number, flags: number): unknown;
  connect(fd: number, family: number, address: unknown): number;
  sendto(fd: number, data: Uint8Array, flags: number, family: number, address: unknown): number;
  pollSync(fds: Int32Array, events: Int32Array, timeoutMs: number): number;
  waitSync(fd: number, events: number, timeoutMs: number): number;
};
const { READ, WRITE, PRIORITY, CLOSED, SCRATCH_SIZE, SOCKOPT_MAX, IOV_MAX, CONTROL_MAX, SUN_PATH_MAX, SLL_ADDR_MAX, SCM_MAX_FD, TLS_WANT_READ, TLS_WANT_WRITE, TLS_FAILED, TLS_SERVER_NAME } = native.contract;
const E = socket.errno as Record<string, number>;

function pair(): [socket.Socket, socket.Socket] {
  return socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM);
}

test('the contract is frozen, complete, and its event bits are single bits apart from CLOSED', () => {
  assert.ok(Object.isFrozen(native.contract));
  assert.deepEqual(Object.keys(native.contract).sort(), [
    'CLOSED',
    'CONTROL_MAX',
    'IOV_MAX',
    'MMSG_BYTES_MAX',
    'PRIORITY',
    'READ',
    'SCM_MAX_FD',
    'SCRATCH_SIZE',
    'SLL_ADDR_MAX',
    'SOCKOPT_MAX',
    'SUN_PATH_MAX',
    'TLS_FAILED',
    'TLS_SERVER_NAME',
    'TLS_WANT_READ',
    'TLS_WANT_WRITE',
    'WRITE',
  ]);
  const tls = [TLS_WANT_READ, TLS_WANT_WRITE, TLS_FAILED, TLS_SERVER_NAME];
  for (const [name, value] of Object.entries(native.contract)) assert.ok(Number.isInteger(value) && (value > 0 || tls.includes(value)), name);
  for (const bit of [READ, WRITE, PRIORITY, CLOSED]) assert.equal(bit & (bit - 1), 0);
  assert.equal(READ + WRITE + PRIORITY, READ | WRITE | PRIORITY);
  assert.equal(CLOSED & (READ | WRITE | PRIORITY), 0);
  assert.equal(EVENT_READ, READ);
  assert.equal(EVENT_WRITE, WRITE);
  // The TLS operations' codes: distinct, and below every -errno the errno table knows.
  assert.equal(new Set(tls).size, 4);
  const lowest = -Math.max(...Object.values(E));
  for (const code of tls) assert.ok(code < lowest, String(code));
});

test('readiness: a readable and writable fd reports READ | WRITE, a closed fd CLOSED alone', () => {
  const [a, b] = pair();
  try {
    b.sendSync('x');
    assert.equal(native.waitSync(a.fileno(), READ | WRITE, 1000), READ | WRITE);
    const fds = Int32Array.of(a.fileno(), 0x7ffffff0);
    const events = Int32Array.of(READ, READ);
    assert.equal(native.pollSync(fds, events, 0), 2);
    assert.deepEqual([...events], [READ, CLOSED]);
  } finally {
    a.close();
    b.close();
  }
});

test('SCRATCH_SIZE: a recv of that size (through the scratch buffer) and one of a byte more (a Buffer of its own) each return what arrived', () => {
  const [a, b] = pair();
  try {
    const sent = Buffer.alloc(2 * SCRATCH_SIZE + 1, 'abc');
    b.sendallSync(sent);
    const first = a.recvSync(SCRATCH_SIZE);
    const second = a.recvSync(SCRATCH_SIZE + 1);
    assert.deepEqual(Buffer.concat([first, second]), sent);
    b.sendSync('xyz');
    assert.deepEqual(a.recvSync(SCRATCH_SIZE + 1), Buffer.from('xyz'));
  } finally {
    a.close();
    b.close();
  }
});

test('SOCKOPT_MAX: getsockopt buflen and setsockopt optlen up to it, not past it', () => {
  const [a, b] = pair();
  try {
    assert.equal(a.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, SOCKOPT_MAX).length, 4);
    assert.throws(() => a.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, SOCKOPT_MAX + 1), RangeError);
    assert.throws(() => a.setsockopt(socket.SOL_SOCKET, socket.SO_TYPE, null, SOCKOPT_MAX + 1), RangeError);
    assert.equal(native.getsockoptBytes(a.fileno(), socket.SOL_SOCKET, socket.SO_TYPE, SOCKOPT_MAX + 1), -E.EINVAL!);
    assert.equal(native.setsockoptNull(a.fileno(), socket.SOL_SOCKET, socket.SO_TYPE, SOCKOPT_MAX + 1), -E.EINVAL!);
  } finally {
    a.close();
    b.close();
  }
});

test('SUN_PATH_MAX: a path of SUN_PATH_MAX - 1 bytes and an abstract name of SUN_PATH_MAX bytes fit, one more does not', () => {
  const s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  try {
    const path = `/nonexistent-berkeley-${'p'.repeat(SUN_PATH_MAX - 23)}`;
    assert.equal(Buffer.byteLength(path), SUN_PATH_MAX - 1);
    assert.throws(() => s.connectSync(path), socket.FileNotFoundError);
    assert.throws(() => s.connectSync(`${path}p`), RangeError);
    assert.equal(native.connect(s.fileno(), socket.AF_UNIX, `${path}p`), -E.ENAMETOOLONG!);
    const abstract = Buffer.alloc(SUN_PATH_MAX, 'a');
    abstract[0] = 0;
    assert.throws(() => s.connectSync(abstract), socket.ConnectionRefusedError);
    assert.throws(() => s.connectSync(Buffer.concat([abstract, Buffer.of(0x61)])), RangeError);
    assert.equal(native.connect(s.fileno(), socket.AF_UNIX, Buffer.concat([abstract, Buffer.of(0x61)])), -E.ENAMETOOLONG!);
  } finally {
    s.close();
  }
});

test('IOV_MAX: sendmsg and recvmsgInto take IOV_MAX buffers, not one more', () => {
  const [a, b] = pair();
  try {
    const buffers = Array.from({ length: IOV_MAX }, () => Buffer.of(1));
    assert.equal(a.sendmsgSync(buffers), IOV_MAX);
    const into = Array.from({ length: IOV_MAX }, () => Buffer.alloc(1));
    assert.equal(b.recvmsgIntoSync(into)[0], IOV_MAX);
    assert.throws(() => a.sendmsgSync([...buffers, Buffer.of(1)]), RangeError);
    assert.equal(native.sendmsg(a.fileno(), [...buffers, Buffer.of(1)], [], 0, socket.AF_UNIX, null), -E.EMSGSIZE!);
    assert.throws(() => b.recvmsgIntoSync([...into, Buffer.alloc(1)]), RangeError);
    assert.equal(native.recvmsgInto(b.fileno(), [...into, Buffer.alloc(1)], 0, 0), -E.EMSGSIZE!);
  } finally {
    a.close();
    b.close();
  }
});

test('CONTROL_MAX: the largest ancbufsize and CMSG_LEN/CMSG_SPACE length', () => {
  const [a, b] = pair();
  try {
    assert.ok(socket.CMSG_LEN(CONTROL_MAX) > CONTROL_MAX);
    assert.throws(() => socket.CMSG_LEN(CONTROL_MAX + 1), RangeError);
    assert.throws(() => socket.CMSG_SPACE(CONTROL_MAX + 1), RangeError);
    assert.throws(() => a.recvmsgSync(1, CONTROL_MAX + 1), RangeError);
    assert.equal(native.recvmsg(a.fileno(), 1, CONTROL_MAX + 1, 0), -E.EINVAL!);
    assert.throws(() => a.recvmsgIntoSync([Buffer.alloc(1)], CONTROL_MAX + 1), RangeError);
    assert.equal(native.recvmsgInto(a.fileno(), [Buffer.alloc(1)], CONTROL_MAX + 1, 0), -E.EINVAL!);
    b.sendSync('x');
    assert.equal(a.recvmsgSync(1, CONTROL_MAX)[0].toString(), 'x');
  } finally {
    a.close();
    b.close();
  }
});

test('SCM_MAX_FD: the kernel takes that many fds in one message, not one more, and recvFds refuses a larger maxfds', () => {
  const [a, b] = pair();
  try {
    const fds = Array.from({ length: SCM_MAX_FD }, () => a.fileno());
    assert.equal(socket.sendFdsSync(a, ['x'], fds), 1);
    const [data, received] = socket.recvFdsSync(b, 1, SCM_MAX_FD);
    assert.equal(data.toString(), 'x');
    assert.equal(received.length, SCM_MAX_FD);
    for (const fd of received) socket.close(fd);
    assert.throws(() => socket.sendFdsSync(a, ['x'], [...fds, a.fileno()]), (e: unknown) => e instanceof socket.SocketError && e.errno === E.EINVAL);
    assert.throws(() => socket.recvFdsSync(b, 1, SCM_MAX_FD + 1), RangeError);
  } finally {
    a.close();
    b.close();
  }
});

test('SLL_ADDR_MAX: the longest AF_PACKET hardware address the C layer encodes', () => {
  const address = (bytes: number): unknown => ['lo', 0, 0, 0, Buffer.alloc(bytes)];
  assert.equal(native.sendto(-1, Buffer.of(0), 0, socket.AF_PACKET!, address(SLL_ADDR_MAX)), -E.EBADF!);
  assert.equal(native.sendto(-1, Buffer.of(0), 0, socket.AF_PACKET!, address(SLL_ADDR_MAX + 1)), -E.EINVAL!);
});

test('errno: every name has its number and a message; a number is named canonically; PEP 3151 subclasses', () => {
  assert.ok(Object.isFrozen(socket.errno));
  assert.deepEqual(E, native.errno);
  for (const [name, number] of Object.entries(E)) {
    const error = new socket.SocketError(number);
    assert.ok(error.strerror.length > 0, name);
    assert.equal(E[error.code], number, name);
  }
  assert.equal(new socket.SocketError(E.EWOULDBLOCK).code, 'EAGAIN');
  assert.deepEqual(Object.keys(native.hostErrors).sort(), ['HOST_NOT_FOUND', 'NO_DATA', 'NO_RECOVERY', 'TRY_AGAIN']);

  const [a, b] = pair();
  try {
    a.setblocking(false);
    assert.throws(() => a.recvSync(1), (e: unknown) => e instanceof socket.BlockingIOError && e.errno === E.EAGAIN && e.code === 'EAGAIN');
    b.close();
    assert.throws(
      () => {
        for (;;) a.sendSync(Buffer.alloc(65536));
      },
      (e: unknown) => e instanceof socket.BrokenPipeError && e.errno === E.EPIPE,
    );
  } finally {
    a.close();
    b.close();
  }
  const s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  try {
    assert.throws(() => s.connectSync('/nonexistent-berkeley'), (e: unknown) => e instanceof socket.FileNotFoundError && e.code === 'ENOENT');
  } finally {
    s.close();
  }
});
