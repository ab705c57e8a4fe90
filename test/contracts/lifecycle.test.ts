// Socket creation and lifetime: families x types, fileno, close, detach,
// dup, socketpair, fromfd, adopting an fd, inheritance, disposal, ref/unref,
// inspect/toString, SOCK_RAW, and the GC of an unclosed socket.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { inspect } from 'node:util';
import * as socket from 'berkeley';
import { assertEBADF, assertRejectsEBADF, bounded, hasLoopbackIPv6, openFds, runNode, tempDir } from '../support/index.js';

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

describe('inheritance', () => {
  test('sockets are not inheritable by default (close-on-exec), and it can be changed', () => {
    using s = socket.socket();
    assert.equal(s.getInheritable(), false);
    s.setInheritable(true);
    assert.equal(s.getInheritable(), true);
    s.setInheritable(false);
    assert.equal(s.getInheritable(), false);
  });

  test('accepted, dup\'d and socketpair sockets are not inheritable', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    assert.equal(a.getInheritable(), false);
    assert.equal(b.getInheritable(), false);
    using d = a.dup();
    assert.equal(d.getInheritable(), false);
    using listener = socket.socket();
    listener.bind(['127.0.0.1', 0]);
    listener.listen();
    using client = socket.socket();
    const [[conn]] = await bounded(Promise.all([listener.accept(), client.connect(listener.getsockname() as [string, number])]));
    using _conn = conn;
    assert.equal(conn.getInheritable(), false);
  });

  test('an inheritable socket fd is seen by a child process, a default one is not', async () => {
    using s = socket.socket();
    using inherited = socket.socket();
    inherited.setInheritable(true);
    const { spawnSync } = await import('node:child_process');
    // /proc/self/fd of the child (ls) shows what it inherited.
    const listing = spawnSync('sh', ['-c', `ls /proc/$$/fd`], { encoding: 'utf8', timeout: 5000 });
    assert.equal(listing.status, 0, listing.stderr);
    const fds = listing.stdout.split(/\s+/).filter(Boolean).map(Number);
    assert.ok(fds.includes(inherited.fileno()), `inheritable fd ${inherited.fileno()} missing in ${fds.join(' ')}`);
    assert.ok(!fds.includes(s.fileno()), `close-on-exec fd ${s.fileno()} leaked into ${fds.join(' ')}`);
  });
});

describe('toString and inspect', () => {
  test('a bound TCP socket', () => {
    using s = socket.socket();
    s.bind(['127.0.0.1', 0]);
    const port = (s.getsockname() as [string, number])[1];
    const expected = `<berkeley.Socket fd=${s.fileno()}, family=AF_INET, type=SOCK_STREAM, proto=0, laddr=['127.0.0.1', ${port}]>`;
    assert.equal(s.toString(), expected);
    assert.equal(String(s), expected);
    // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- what is tested is a Socket in a template literal
    assert.equal(`${s}`, expected);
    assert.equal(inspect(s), expected);
  });

  test('an unbound socket has no laddr; a connected one has raddr', async () => {
    using listener = socket.socket();
    listener.bind(['127.0.0.1', 0]);
    listener.listen();
    const lport = (listener.getsockname() as [string, number])[1];
    using client = socket.socket();
    // As in Python: an unbound internet socket's name is the any address, port 0.
    assert.equal(String(client), `<berkeley.Socket fd=${client.fileno()}, family=AF_INET, type=SOCK_STREAM, proto=0, laddr=['0.0.0.0', 0]>`);
    await bounded(client.connect(['127.0.0.1', lport]));
    const cport = (client.getsockname() as [string, number])[1];
    assert.equal(
      String(client),
      `<berkeley.Socket fd=${client.fileno()}, family=AF_INET, type=SOCK_STREAM, proto=0, laddr=['127.0.0.1', ${cport}], raddr=['127.0.0.1', ${lport}]>`,
    );
    const [conn] = await bounded(listener.accept());
    conn.close();
  });

  test('UDP, Unix and closed sockets', () => {
    const t = tempDir();
    try {
      using u = socket.socket(AF_INET, SOCK_DGRAM);
      assert.equal(String(u), `<berkeley.Socket fd=${u.fileno()}, family=AF_INET, type=SOCK_DGRAM, proto=0, laddr=['0.0.0.0', 0]>`);
      using x = socket.socket(AF_UNIX, SOCK_STREAM);
      x.bind(t.path('sock'));
      assert.equal(String(x), `<berkeley.Socket fd=${x.fileno()}, family=AF_UNIX, type=SOCK_STREAM, proto=0, laddr=${t.path('sock')}>`);
      using a = socket.socket(AF_UNIX, SOCK_DGRAM);
      a.bind(Buffer.from(`\0berkeley-inspect-${process.pid}`));
      assert.equal(String(a), `<berkeley.Socket fd=${a.fileno()}, family=AF_UNIX, type=SOCK_DGRAM, proto=0, laddr=b'\\x00berkeley-inspect-${process.pid}'>`);
      const c = socket.socket();
      c.close();
      assert.equal(String(c), '<berkeley.Socket [closed] fd=-1, family=AF_INET, type=SOCK_STREAM, proto=0>');
    } finally {
      t.cleanup();
    }
  });

  test('an unnamed Unix socket shows no laddr (its name is \'\', left out as in Python)', () => {
    using x = socket.socket(AF_UNIX, SOCK_STREAM);
    assert.equal(String(x), `<berkeley.Socket fd=${x.fileno()}, family=AF_UNIX, type=SOCK_STREAM, proto=0>`);
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    assert.equal(String(a), `<berkeley.Socket fd=${a.fileno()}, family=AF_UNIX, type=SOCK_STREAM, proto=0>`);
  });

  test('IPv6 shows the 4-tuple', (t) => {
    if (!hasLoopbackIPv6()) return t.skip('no IPv6 loopback');
    using s = socket.socket(AF_INET6, SOCK_STREAM);
    s.bind(['::1', 0]);
    const port = (s.getsockname() as [string, number])[1];
    assert.equal(String(s), `<berkeley.Socket fd=${s.fileno()}, family=AF_INET6, type=SOCK_STREAM, proto=0, laddr=['::1', ${port}, 0, 0]>`);
  });
});

describe('ref/unref and GC', () => {
  test('ref() and unref() return the socket', () => {
    using s = socket.socket();
    assert.equal(s.unref(), s);
    assert.equal(s.ref(), s);
  });

  test('the GC of an unclosed socket closes its fd and emits a ResourceWarning', async () => {
    const r = await runNode(`
      import * as socket from 'berkeley';
      import { existsSync } from 'node:fs';
      const warnings = [];
      process.on('warning', (w) => warnings.push(w));
      let fd;
      (() => { const s = socket.socket(); s.bind(['127.0.0.1', 0]); fd = s.fileno(); })();
      if (!existsSync('/proc/self/fd/' + fd)) throw new Error('fd not open before GC');
      for (let i = 0; i < 200 && warnings.length === 0; i++) {
        globalThis.gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      const w = warnings[0];
      console.log(JSON.stringify({ name: w?.name, message: w?.message, open: existsSync('/proc/self/fd/' + fd) }));
    `, { args: ['--expose-gc', '--no-warnings'] });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { name?: string; message?: string; open: boolean };
    assert.equal(result.name, 'ResourceWarning');
    assert.match(result.message ?? '', /unclosed/);
    assert.match(result.message ?? '', /berkeley\.Socket/);
    assert.equal(result.open, false);
  });

  test('a closed socket that is collected emits no warning', async () => {
    const r = await runNode(`
      import * as socket from 'berkeley';
      const warnings = [];
      process.on('warning', (w) => warnings.push(w));
      (() => { const s = socket.socket(); s.close(); })();
      (() => { const s = socket.socket(); socket.close(s.detach()); })();
      // A marker object proves collection happened.
      let collected = false;
      const registry = new FinalizationRegistry(() => { collected = true; });
      (() => { registry.register({}, 0); })();
      for (let i = 0; i < 200 && !collected; i++) {
        globalThis.gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      console.log(JSON.stringify({ collected, warnings: warnings.map((w) => w.name) }));
    `, { args: ['--expose-gc', '--no-warnings'] });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { collected: true, warnings: [] });
  });
});
