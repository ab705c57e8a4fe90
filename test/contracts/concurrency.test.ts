// Concurrency on one socket: reads in call order, sendalls that never
// interleave, close racing pending calls, fd reuse, and resource counts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import { bounded, isErrno, loopTurns, openFds, recvExactly, runNode, tcpPair } from '../support/index.js';

const { AF_INET, AF_UNIX, SOCK_STREAM, SOCK_DGRAM } = socket;

/** For a child that prints `port N`: sends it one datagram with text. */
function sendOnPortLine(text: string): (line: string) => void {
  return (line) => {
    const match = /^port (\d+)$/.exec(line);
    if (match) {
      using sender = socket.socket(AF_INET, SOCK_DGRAM);
      sender.sendtoSync(text, ['127.0.0.1', Number(match[1])]);
    }
  };
}

describe('reads in call order', () => {
  test('concurrent recv(1) calls on a stream get the bytes in call order', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    const pending = Array.from({ length: 10 }, () => b.recv(1));
    await a.sendall('0123456789');
    const got = await bounded(Promise.all(pending));
    assert.deepEqual(got.map((x) => x.toString()), Array.from({ length: 10 }, (_, i) => String(i)));
  });

  test('concurrent recvs served one datagram each, in call order, as datagrams arrive one by one', async () => {
    const [a, b] = socket.socketpair(AF_UNIX, SOCK_DGRAM);
    using _a = a;
    using _b = b;
    const pending = Array.from({ length: 5 }, (_, i) => (i % 2 === 0 ? b.recv(100) : b.recvfrom(100).then(([d]) => d)));
    for (let i = 0; i < 5; i++) {
      await a.send(`message ${i}`);
      // Let the loop deliver before the next one, so each arrival wakes the queue.
      await loopTurns();
    }
    const got = await bounded(Promise.all(pending));
    assert.deepEqual(got.map((x) => x.toString()), [0, 1, 2, 3, 4].map((i) => `message ${i}`));
  });

  test('a new recv does not overtake waiting ones even when data is already there', async () => {
    const [a, b] = socket.socketpair(AF_UNIX, SOCK_DGRAM);
    using _a = a;
    using _b = b;
    const first = b.recv(100);
    const second = b.recv(100);
    a.sendSync('one');
    a.sendSync('two');
    // Data for both is queued in the kernel now; a third call must come last.
    a.sendSync('three');
    const third = b.recv(100);
    const got = await bounded(Promise.all([first, second, third]));
    assert.deepEqual(got.map((x) => x.toString()), ['one', 'two', 'three']);
  });

  test('mixed recv / recvInto / recvfrom calls keep their order', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    const into = Buffer.alloc(2);
    const p1 = b.recv(2);
    const p2 = b.recvInto(into);
    const p3 = b.recvfrom(2);
    await a.sendall('aabbcc');
    const [r1, n2, [r3]] = await bounded(Promise.all([p1, p2, p3]));
    assert.equal(r1.toString(), 'aa');
    assert.equal(n2, 2);
    assert.equal(into.toString(), 'bb');
    assert.equal(r3.toString(), 'cc');
  });

  test('concurrent accepts are served in call order', async () => {
    using server = socket.socket();
    server.bind(['127.0.0.1', 0]);
    server.listen();
    const address = server.getsockname() as [string, number];
    const accepts = [server.accept(), server.accept(), server.accept()];
    const clients: socket.Socket[] = [];
    try {
      // Connect one at a time so the order of arrival is known.
      for (let i = 0; i < 3; i++) {
        const c = socket.socket();
        clients.push(c);
        await bounded(c.connect(address));
        await bounded(accepts[i]!);
      }
      const results = await Promise.all(accepts);
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(results[i]![1], clients[i]!.getsockname());
        results[i]![0].close();
      }
    } finally {
      for (const c of clients) c.close();
    }
  });
});

describe('sendall never interleaves', () => {
  for (const [name, pair] of [
    ['Unix stream', (): Promise<[socket.Socket, socket.Socket]> => Promise.resolve(socket.socketpair())],
    ['TCP', async (): Promise<[socket.Socket, socket.Socket]> => tcpPair()],
  ] as const) {
    test(`${name}: concurrent large sendalls arrive each contiguous, in call order`, async () => {
      const [a, b] = await pair();
      using _a = a;
      using _b = b;
      // Small buffers force every sendall to wait part-way. (Not too small
      // for TCP: tiny TCP windows crawl on some stacks, gVisor's among them.)
      a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, name === 'TCP' ? 65536 : 8192);
      if (name !== 'TCP') b.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192);
      const size = 1 << 20;
      const count = 6;
      const buffers = Array.from({ length: count }, (_, i) => Buffer.alloc(size, 0x41 + i));
      const sends = Promise.all(buffers.map((buffer) => a.sendall(buffer)));
      const received = await recvExactly(b, size * count, 60000);
      await bounded(sends, 10000, 'sendalls');
      assert.equal(received.length, size * count);
      // Each buffer is one contiguous run, in call order.
      for (let i = 0; i < count; i++) {
        const run = received.subarray(i * size, (i + 1) * size);
        const stray = run.findIndex((x) => x !== 0x41 + i);
        assert.equal(stray, -1, `buffer ${i} is interleaved at offset ${i * size + stray}`);
      }
    });
  }

  test('a send issued while a sendall waits goes after it', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
    const size = 1 << 20;
    const big = a.sendall(Buffer.alloc(size, 1));
    const small = a.sendall(Buffer.from([2, 2, 2]));
    const received = await recvExactly(b, size + 3, 30000);
    await bounded(Promise.all([big, small]));
    assert.equal(received.subarray(0, size).findIndex((x) => x !== 1), -1);
    assert.deepEqual([...received.subarray(size)], [2, 2, 2]);
  });
});

describe('close racing pending calls', () => {
  test('close rejects a pending accept with SocketError EBADF', async () => {
    const server = socket.socket();
    server.bind(['127.0.0.1', 0]);
    server.listen();
    const pending = server.accept();
    server.close();
    await assert.rejects(bounded(pending), isErrno('EBADF'));
  });

  test('close rejects pending recvs (all of them) with EBADF', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    const pending: Promise<unknown>[] = [b.recv(10), b.recvInto(Buffer.alloc(4)), b.recvfrom(10)];
    b.close();
    for (const p of pending) await assert.rejects(bounded(p), isErrno('EBADF'));
  });

  test('close rejects a pending recv with a timeout with EBADF (not TimeoutError later)', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    b.settimeout(3600);
    const pending = b.recv(10);
    b.close();
    await assert.rejects(bounded(pending), isErrno('EBADF'));
  });

  test('close rejects a pending sendall and a pending connect with EBADF', async () => {
    const [a, b] = socket.socketpair();
    using _b = b;
    a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
    const pending = a.sendall(Buffer.alloc(8 << 20));
    a.close();
    await assert.rejects(bounded(pending), isErrno('EBADF'));
  });

  test('close from inside a pending call\'s callback is safe', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    const first = b.recv(1).then((data) => {
      b.close();
      return data;
    });
    const second = b.recv(1);
    await a.sendall('xy');
    assert.equal((await bounded(first)).toString(), 'x');
    // The second was queued behind the first and is failed by the close
    // (or, if it was served in the same readiness event, got 'y').
    const outcome = await bounded(second.then((d) => d.toString(), (e: unknown) => e));
    if (typeof outcome !== 'string') isErrno('EBADF')(outcome);
    else assert.equal(outcome, 'y');
  });

  test('a closed socket\'s reused fd is not touched by late calls on the old one', async () => {
    const [peerOfOld, old] = socket.socketpair();
    using _peerOfOld = peerOfOld;
    const oldFd = old.fileno();
    const pending = old.recv(10);
    old.close();
    await assert.rejects(bounded(pending), isErrno('EBADF'));
    // A new socket now gets the lowest free fd: the old number.
    const [fresh, freshPeer] = socket.socketpair();
    using _fresh = fresh;
    using _freshPeer = freshPeer;
    const reused = [fresh, freshPeer].find((s) => s.fileno() === oldFd);
    assert.ok(reused, `fd ${oldFd} was not reused (got ${fresh.fileno()}, ${freshPeer.fileno()})`);
    const other = reused === fresh ? freshPeer : fresh;
    // Late calls on the old socket fail with EBADF and do nothing to the fd.
    assert.throws(() => old.recvSync(10), isErrno('EBADF'));
    await assert.rejects(old.recv(10), isErrno('EBADF'));
    await assert.rejects(old.send('stolen?'), isErrno('EBADF'));
    assert.throws(() => old.sendSync('stolen?'), isErrno('EBADF'));
    assert.throws(() => old.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096), isErrno('EBADF'));
    assert.throws(() => old.shutdown(socket.SHUT_RDWR), isErrno('EBADF'));
    old.close();
    old.unref();
    assert.throws(() => old.settimeout(0), isErrno('EBADF'));
    // The new socket on the reused fd is intact: open, connected, unchanged data.
    assert.equal(reused.fileno(), oldFd);
    await other.sendall('for the new one');
    assert.equal((await recvExactly(reused, 15)).toString(), 'for the new one');
    await reused.sendall('and back');
    assert.equal((await recvExactly(other, 8)).toString(), 'and back');
    assert.equal(reused.gettimeout(), null);
    // Nothing the old socket's peer sends reaches the new one.
    await peerOfOld.send('old peer').catch(() => undefined);
    reused.setblocking(false);
    assert.throws(() => reused.recvSync(10), socket.BlockingIOError);
  });
});

describe('resources', () => {
  test('10,000 create/close cycles leave the open-fd count unchanged', () => {
    const before = openFds();
    for (let i = 0; i < 10000; i++) {
      const s = socket.socket(i % 2 === 0 ? socket.AF_INET : AF_UNIX, i % 3 === 0 ? SOCK_DGRAM : SOCK_STREAM);
      s.close();
    }
    assert.equal(openFds(), before);
  });

  test('1,000 sockets that waited (watcher made) then closed leave the fd count unchanged', async () => {
    const before = openFds();
    for (let i = 0; i < 1000; i++) {
      const [a, b] = socket.socketpair();
      const pending = b.recv(1);
      if (i % 2 === 0) {
        a.sendSync('x');
        await pending;
      } else {
        b.close();
        await pending.catch(() => undefined);
      }
      a.close();
      b.close();
    }
    assert.equal(openFds(), before);
  });

  test('accepted and dup\'d sockets are released too', async () => {
    using server = socket.socket();
    server.bind(['127.0.0.1', 0]);
    server.listen();
    const before = openFds();
    for (let i = 0; i < 200; i++) {
      const c = socket.socket();
      await c.connect(server.getsockname() as [string, number]);
      const [conn] = await server.accept();
      const d = conn.dup();
      conn.close();
      d.close();
      c.close();
    }
    assert.equal(openFds(), before);
  });

  test('the open-fd count goes up by one per socket while open (the counter can see a leak)', () => {
    const before = openFds();
    const sockets = Array.from({ length: 10 }, () => socket.socket());
    assert.equal(openFds(), before + 10);
    for (const s of sockets) s.close();
    assert.equal(openFds(), before);
  });
});

describe('what keeps the process alive (child processes)', () => {
  test('an idle socket (even after waiting once) does not keep the process alive', async () => {
    const r = await runNode(`
      import * as socket from 'berkeley';
      const l = socket.socket(); l.bind(['127.0.0.1', 0]); l.listen();
      const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(['127.0.0.1', 0]);
      const [a, b] = socket.socketpair();
      // One call that really waits, so a watcher exists afterwards.
      const pending = a.recv(10);
      setImmediate(() => b.send('x'));
      console.log('got', (await pending).toString());
      globalThis.keep = [l, u, a, b];
      console.log('idle');
    `);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'got x\nidle\n');
  });

  test('a pending recv keeps the process alive until it is served', async () => {
    const r = await runNode(`
      import * as socket from 'berkeley';
      const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(['127.0.0.1', 0]);
      console.log('port', u.getsockname()[1]);
      const [data] = await u.recvfrom(100);
      console.log('received', data.toString());
      u.close();
    `, { onLine: sendOnPortLine('hello') });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^port \d+\nreceived hello\n$/);
  });

  test('a pending recv on an unref()ed socket does not keep the process alive', async () => {
    const r = await runNode(`
      import * as socket from 'berkeley';
      const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(['127.0.0.1', 0]);
      u.unref();
      u.recv(100).then((d) => console.log('unexpected', d.toString()));
      console.log('waiting');
    `);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'waiting\n');
  });

  test('a pending recv with a timeout on an unref()ed socket does not keep the process alive', async () => {
    const r = await runNode(`
      import * as socket from 'berkeley';
      const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(['127.0.0.1', 0]);
      u.settimeout(3600);
      u.unref();
      u.recv(100).then((d) => console.log('unexpected', d.toString()), (e) => console.log('unexpected', e.name));
      console.log('waiting');
    `);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'waiting\n');
  });

  test('many sockets waiting, served in batches, then idle: the process exits', async () => {
    const r = await runNode(`
      import * as socket from 'berkeley';
      const pairs = Array.from({ length: 20 }, () => socket.socketpair());
      // Each waits twice: its second call starts in the reactions of the first.
      const done = pairs.map(async ([a]) => (await a.recv(10)).toString() + (await a.recv(10)).toString());
      setImmediate(() => { for (const [, b] of pairs) b.send('x'); });
      setImmediate(() => setImmediate(() => { for (const [, b] of pairs) b.send('y'); }));
      const got = await Promise.all(done);
      console.log(got.every((text) => text === 'xy') ? 'all served' : got.join());
      globalThis.keep = pairs;
    `);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'all served\n');
  });

  test('a call served, whose reaction starts a wait on another socket, keeps the process alive until that one is served', async () => {
    const r = await runNode(`
      import * as socket from 'berkeley';
      const [a, b] = socket.socketpair();
      const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(['127.0.0.1', 0]);
      const first = a.recv(10);
      setImmediate(() => b.send('x'));
      console.log('got', (await first).toString());
      // The only wait left starts while the readiness event that served a is delivered.
      const second = u.recvfrom(100);
      console.log('port', u.getsockname()[1]);
      console.log('received', (await second)[0].toString());
      for (const s of [a, b, u]) s.close();
    `, { onLine: sendOnPortLine('late') });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^got x\nport \d+\nreceived late\n$/);
  });

  test('a call served, whose reaction unref()s its socket and waits on it again, lets the process exit', async () => {
    const r = await runNode(`
      import * as socket from 'berkeley';
      const [a, b] = socket.socketpair();
      const first = a.recv(10);
      setImmediate(() => b.send('x'));
      console.log('got', (await first).toString());
      a.unref();
      a.recv(10).then((d) => console.log('unexpected', d.toString()));
      globalThis.keep = [a, b];
    `);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'got x\n');
  });

  test('a wait ended by its timeout, or by its socket closing, lets the process exit', async () => {
    const r = await runNode(`
      import * as socket from 'berkeley';
      const [a, b] = socket.socketpair();
      a.settimeout(0.01);
      await a.recv(10).catch((e) => console.log(e.name));
      const [c, d] = socket.socketpair();
      const pending = c.recv(10).catch((e) => console.log(e.name));
      setImmediate(() => c.close());
      await pending;
      globalThis.keep = [a, b, d];
    `);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'TimeoutError\nSocketError\n');
  });

  test('ref() after unref() keeps a pending call alive again', async () => {
    const r = await runNode(`
      import * as socket from 'berkeley';
      const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(['127.0.0.1', 0]);
      u.unref();
      const pending = u.recv(100);
      u.ref();
      console.log('port', u.getsockname()[1]);
      console.log('received', (await pending).toString());
      u.close();
    `, { onLine: sendOnPortLine('again') });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^port \d+\nreceived again\n$/);
  });
});
