// Socket creation and lifetime: families x types, fileno, close, detach,
// dup, socketpair, fromfd, adopting an fd, disposal, SOCK_RAW. A socket and
// its process (inheritance, inspect/toString, ref/unref, the GC of an
// unclosed socket) are in lifecycle-process.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as socket from 'berkeley';
import { assertEBADF, assertRejectsEBADF, bounded, hasLoopbackIPv6, openFds, tempDir } from '../support/index.js';

const { AF_INET, AF_INET6, AF_UNIX, SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET } = socket;

describe('creation', () => {
  const v6 = hasLoopbackIPv6();
  const families: [string, number][] = [['AF_INET', AF_INET], ['AF_INET6', AF_INET6], ['AF_UNIX', AF_UNIX]];
  const types: [string, number][] = [['SOCK_STREAM', SOCK_STREAM], ['SOCK_DGRAM', SOCK_DGRAM], ['SOCK_SEQPACKET', SOCK_SEQPACKET]];
  for (const [familyName, family] of families) {
    for (const [typeName, type] of types) {
      test(`socket(${familyName}, ${typeName})`, (t) => {
        if (family === AF_INET6 && !v6) return t.skip('no IPv6 loopback');
        if (type === SOCK_SEQPACKET && family !== AF_UNIX) {
          // Only with SCTP (IPPROTO_SCTP) on the internet families; proto 0 is refused.
          let s: socket.Socket | undefined;
          try {
            s = socket.socket(family, type);
          } catch (error) {
            assert.ok(error instanceof socket.SocketError);
            assert.ok(['ESOCKTNOSUPPORT', 'EPROTONOSUPPORT', 'EPROTOTYPE'].includes(error.code), error.code);
            assert.equal(error.syscall, 'socket');
            return;
          }
          s.close();
          return;
        }
        for (const make of [() => socket.socket(family, type), () => new socket.Socket(family, type)]) {
          using s = make();
          assert.ok(s instanceof socket.Socket);
          assert.equal(s.family, family);
          assert.equal(s.type, type);
          assert.equal(s.proto, 0);
          assert.equal(typeof s.fileno(), 'number');
          assert.ok(s.fileno() >= 0);
          assert.equal(s.closed, false);
          assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), type);
          assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN!), family);
        }
      });
    }
  }

  test('defaults are AF_INET, SOCK_STREAM, proto 0', () => {
    using a = socket.socket();
    using b = new socket.Socket();
    for (const s of [a, b]) {
      assert.equal(s.family, AF_INET);
      assert.equal(s.type, SOCK_STREAM);
      assert.equal(s.proto, 0);
    }
  });

  test('type does not include SOCK_NONBLOCK / SOCK_CLOEXEC; SOCK_NONBLOCK makes it non-blocking', () => {
    using s = socket.socket(AF_INET, SOCK_STREAM | socket.SOCK_NONBLOCK! | socket.SOCK_CLOEXEC!);
    assert.equal(s.type, SOCK_STREAM);
    assert.equal(s.gettimeout(), 0);
    assert.equal(s.getblocking(), false);
  });

  test('an explicit protocol is kept', () => {
    using s = socket.socket(AF_INET, SOCK_STREAM, socket.IPPROTO_TCP);
    assert.equal(s.proto, socket.IPPROTO_TCP);
    using u = socket.socket(AF_INET, SOCK_DGRAM, socket.IPPROTO_UDP);
    assert.equal(u.proto, socket.IPPROTO_UDP);
  });

  test('an unsupported family is a SocketError from socket(2)', () => {
    assert.throws(() => socket.socket(12345, SOCK_STREAM), (error: unknown) => {
      assert.ok(error instanceof socket.SocketError);
      assert.equal(error.code, 'EAFNOSUPPORT');
      assert.equal(error.syscall, 'socket');
      return true;
    });
  });

  test('SOCK_RAW: PermissionError without privilege, a socket with it', () => {
    let s: socket.Socket | undefined;
    try {
      s = socket.socket(AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP);
    } catch (error) {
      assert.ok(error instanceof socket.PermissionError, String(error));
      assert.ok(['EPERM', 'EACCES'].includes(error.code));
      assert.notEqual(process.getuid?.(), 0, 'root was refused a raw socket');
      return;
    }
    try {
      assert.equal(s.type, socket.SOCK_RAW);
      assert.equal(s.proto, socket.IPPROTO_ICMP);
    } finally {
      s.close();
    }
  });
});

describe('close', () => {
  test('close is idempotent; fileno() is -1 and closed is true afterwards', () => {
    const s = socket.socket();
    assert.ok(s.fileno() >= 0);
    s.close();
    assert.equal(s.fileno(), -1);
    assert.equal(s.closed, true);
    s.close();
    s.close();
    assert.equal(s.fileno(), -1);
  });

  test('close releases the fd', () => {
    const before = openFds();
    const s = socket.socket();
    assert.equal(openFds(), before + 1);
    s.close();
    assert.equal(openFds(), before);
  });

  test('every call on a closed socket is SocketError EBADF', async () => {
    const s = socket.socket();
    s.close();
    assertEBADF(() => s.bind(['127.0.0.1', 0]), 'bind');
    assertEBADF(() => s.listen(), 'listen');
    assertEBADF(() => s.getsockname(), 'getsockname');
    assertEBADF(() => s.getpeername(), 'getpeername');
    assertEBADF(() => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1), 'setsockopt');
    assertEBADF(() => s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR), 'getsockopt');
    assertEBADF(() => s.shutdown(socket.SHUT_RDWR), 'shutdown');
    assertEBADF(() => s.dup());
    assertEBADF(() => s.getInheritable());
    assertEBADF(() => s.setInheritable(true));
    assertEBADF(() => s.recvSync(10));
    assertEBADF(() => s.recvIntoSync(Buffer.alloc(4)));
    assertEBADF(() => s.recvfromSync(10));
    assertEBADF(() => s.sendSync('x'));
    assertEBADF(() => s.sendallSync('x'));
    assertEBADF(() => s.sendtoSync('x', ['127.0.0.1', 9]));
    assertEBADF(() => s.acceptSync());
    assertEBADF(() => s.connectSync(['127.0.0.1', 9]));
    await assertRejectsEBADF(s.recv(10));
    await assertRejectsEBADF(s.recvInto(Buffer.alloc(4)));
    await assertRejectsEBADF(s.recvfrom(10));
    await assertRejectsEBADF(s.recvfromInto(Buffer.alloc(4)));
    await assertRejectsEBADF(s.send('x'));
    await assertRejectsEBADF(s.sendall('x'));
    await assertRejectsEBADF(s.sendto('x', ['127.0.0.1', 9]));
    await assertRejectsEBADF(s.accept());
    await assertRejectsEBADF(s.connect(['127.0.0.1', 9]));
    // Plain (non-fd) state stays readable, as in Python.
    assert.equal(s.family, AF_INET);
    assert.equal(s.gettimeout(), null);
  });

  test('Symbol.dispose closes (using)', () => {
    let fd: number;
    let kept: socket.Socket;
    {
      using s = socket.socket();
      kept = s;
      fd = s.fileno();
      assert.ok(fd >= 0);
    }
    assert.equal(kept.fileno(), -1);
    assert.equal(kept.closed, true);
  });

  test('Symbol.asyncDispose closes (await using)', async () => {
    let kept: socket.Socket;
    {
      await using s = socket.socket();
      kept = s;
      assert.ok(s.fileno() >= 0);
    }
    assert.equal(kept.closed, true);
    // Disposing again is harmless.
    kept[Symbol.dispose]();
    await kept[Symbol.asyncDispose]();
  });
});

describe('detach, dup, fromfd, socketpair, adopting an fd', () => {
  test('detach gives up the fd without closing it', () => {
    const s = socket.socket();
    s.bind(['127.0.0.1', 0]);
    const address = s.getsockname();
    const fd = s.detach();
    assert.ok(fd >= 0);
    assert.equal(s.fileno(), -1);
    assert.equal(s.closed, true);
    s.close(); // does not close the detached fd
    using again = new socket.Socket(AF_INET, SOCK_STREAM, 0, fd);
    assert.equal(again.fileno(), fd);
    assert.deepEqual(again.getsockname(), address);
  });

  test('detach of a closed socket returns -1', () => {
    const s = socket.socket();
    s.close();
    assert.equal(s.detach(), -1);
  });

  test('dup makes an independent socket on the same open file, with the same timeout', async () => {
    using s = socket.socket(AF_INET, SOCK_DGRAM);
    s.bind(['127.0.0.1', 0]);
    s.settimeout(2.5);
    const copy = s.dup();
    try {
      assert.notEqual(copy.fileno(), s.fileno());
      assert.equal(copy.family, AF_INET);
      assert.equal(copy.type, SOCK_DGRAM);
      assert.equal(copy.gettimeout(), 2.5);
      assert.deepEqual(copy.getsockname(), s.getsockname());
      // Closing the copy leaves the original working.
      copy.close();
      using peer = socket.socket(AF_INET, SOCK_DGRAM);
      await peer.sendto('after dup', s.getsockname() as [string, number]);
      assert.equal((await bounded(s.recv(100))).toString(), 'after dup');
    } finally {
      copy.close();
    }
  });

  test('socketpair defaults to AF_UNIX SOCK_STREAM and is connected both ways', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    for (const s of [a, b]) {
      assert.equal(s.family, AF_UNIX);
      assert.equal(s.type, SOCK_STREAM);
      assert.equal(s.proto, 0);
    }
    await a.sendall('to b');
    assert.equal((await bounded(b.recv(10))).toString(), 'to b');
    b.sendallSync('to a');
    assert.equal(a.recvSync(10).toString(), 'to a');
  });

  test('socketpair of SOCK_DGRAM and SOCK_SEQPACKET keep message boundaries', async () => {
    for (const type of [SOCK_DGRAM, SOCK_SEQPACKET]) {
      const [a, b] = socket.socketpair(AF_UNIX, type);
      using _a = a;
      using _b = b;
      assert.equal(a.type, type);
      await a.send('one');
      await a.send('two');
      assert.equal((await bounded(b.recv(100))).toString(), 'one');
      assert.equal((await bounded(b.recv(100))).toString(), 'two');
    }
  });

  test('socketpair(AF_INET) fails with a SocketError', () => {
    assert.throws(() => socket.socketpair(AF_INET, SOCK_STREAM), socket.SocketError);
  });

  test('fromfd dups: the original fd stays open and the caller\'s', () => {
    using original = socket.socket(AF_INET, SOCK_DGRAM);
    original.bind(['127.0.0.1', 0]);
    const s = socket.fromfd(original.fileno(), AF_INET, SOCK_DGRAM);
    try {
      assert.notEqual(s.fileno(), original.fileno());
      assert.equal(s.family, AF_INET);
      assert.equal(s.type, SOCK_DGRAM);
      assert.deepEqual(s.getsockname(), original.getsockname());
    } finally {
      s.close();
    }
    // Still usable after the copy closed.
    assert.equal((original.getsockname() as [string, number])[0], '127.0.0.1');
  });

  test('fromfd of a closed fd is EBADF', () => {
    const s = socket.socket();
    const fd = s.fileno();
    s.close();
    assert.throws(() => socket.fromfd(fd, AF_INET, SOCK_STREAM), (e: unknown) => e instanceof socket.SocketError && e.code === 'EBADF');
  });

  test('new Socket(undefined, undefined, undefined, fileno) detects family, type and proto', () => {
    const t = tempDir();
    try {
      const original = socket.socket(AF_UNIX, SOCK_DGRAM);
      original.bind(t.path('detect'));
      const fd = original.detach();
      using s = new socket.Socket(undefined, undefined, undefined, fd);
      assert.equal(s.family, AF_UNIX);
      assert.equal(s.type, SOCK_DGRAM);
      assert.equal(s.proto, 0);
      assert.equal(s.getsockname(), t.path('detect'));
    } finally {
      t.cleanup();
    }
  });

  test('socket.socket(undefined, undefined, undefined, fileno) detects the family too', () => {
    const original = socket.socket(AF_INET6, SOCK_DGRAM);
    const fd = original.detach();
    using s = socket.socket(undefined, undefined, undefined, fd);
    assert.equal(s.family, AF_INET6);
    assert.equal(s.type, SOCK_DGRAM);
  });

  test('new Socket(-1, -1, -1, fileno) detects family, type and proto from the fd', () => {
    const original = socket.socket(AF_UNIX, SOCK_SEQPACKET);
    const fd = original.detach();
    using s = new socket.Socket(-1, -1, -1, fd);
    assert.equal(s.family, AF_UNIX);
    assert.equal(s.type, SOCK_SEQPACKET);
    assert.equal(s.proto, 0);
    assert.equal(s.fileno(), fd);
  });

  test('detecting the family of an fd that is not a socket is a SocketError (ENOTSOCK), and the fd stays open', async () => {
    const { openSync, closeSync } = await import('node:fs');
    const fd = openSync('/dev/null', 'r');
    try {
      // Detection reads SO_TYPE etc. from the fd, which fails for a non-socket
      // (with everything given nothing is read, as in Python).
      const notSocket = (e: unknown): boolean => e instanceof socket.SocketError && e.code === 'ENOTSOCK';
      assert.throws(() => new socket.Socket(undefined, undefined, undefined, fd), notSocket);
      assert.throws(() => new socket.Socket(-1, -1, -1, fd), notSocket);
      assert.throws(() => socket.fromfd(fd, -1, -1), notSocket);
      assert.ok(existsSync(`/proc/self/fd/${fd}`));
    } finally {
      closeSync(fd);
    }
  });

  test('module close(fd) and dup(fd)', () => {
    const s = socket.socket();
    const fd = s.detach();
    const copy = socket.dup(fd);
    assert.notEqual(copy, fd);
    socket.close(fd);
    socket.close(copy);
    assert.throws(() => socket.close(fd), (e: unknown) => e instanceof socket.SocketError && e.code === 'EBADF');
  });
});
