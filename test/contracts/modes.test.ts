// Python's three modes, the same from the async and the Sync forms:
// blocking (timeout null), timeout (t > 0: TimeoutError), non-blocking
// (0: BlockingIOError at once); the module-wide default timeout.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import { bounded, isTimeout, isWouldBlock, loopTurns, tcpListener, tcpPair, udpSocket } from '../support/index.js';

const { AF_INET, SOCK_DGRAM } = socket;

// Every test leaves the module default as it found it.
afterEach(() => socket.setdefaulttimeout(null));

describe('settimeout / gettimeout / setblocking / getblocking', () => {
  test('a new socket blocks (timeout null)', () => {
    using s = socket.socket();
    assert.equal(s.gettimeout(), null);
    assert.equal(s.getblocking(), true);
  });

  test('the three modes and their getters', () => {
    using s = socket.socket();
    s.settimeout(2.5);
    assert.equal(s.gettimeout(), 2.5);
    assert.equal(s.getblocking(), true);
    s.settimeout(0);
    assert.equal(s.gettimeout(), 0);
    assert.equal(s.getblocking(), false);
    s.settimeout(null);
    assert.equal(s.gettimeout(), null);
    assert.equal(s.getblocking(), true);
    s.setblocking(false);
    assert.equal(s.gettimeout(), 0);
    assert.equal(s.getblocking(), false);
    s.setblocking(true);
    assert.equal(s.gettimeout(), null);
    assert.equal(s.getblocking(), true);
    s.settimeout(0.001);
    assert.equal(s.gettimeout(), 0.001);
    // setblocking(true) after a timeout drops it, as in Python.
    s.setblocking(true);
    assert.equal(s.gettimeout(), null);
  });

  test('bad timeouts: negative/NaN are RangeError, non-numbers TypeError', () => {
    using s = socket.socket();
    assert.throws(() => s.settimeout(-1), RangeError);
    assert.throws(() => s.settimeout(Number.NaN), RangeError);
    assert.throws(() => s.settimeout('1' as unknown as number), TypeError);
    assert.equal(s.gettimeout(), null, 'a failed settimeout changes nothing');
    assert.throws(() => socket.setdefaulttimeout(-0.5), RangeError);
    assert.equal(socket.getdefaulttimeout(), null);
  });

  test('the timeout property is gettimeout(), read-only, as Python\'s socket.timeout', () => {
    socket.setdefaulttimeout(4);
    using s = socket.socket();
    assert.equal(s.timeout, 4);
    for (const timeout of [null, 0, 2.5]) {
      s.settimeout(timeout);
      assert.equal(s.timeout, s.gettimeout());
      assert.equal(s.timeout, timeout);
    }
    s.setblocking(false);
    assert.equal(s.timeout, 0);
    assert.throws(() => ((s as unknown as { timeout: number }).timeout = 1), TypeError);
    assert.equal(s.gettimeout(), 0);
    s.close();
    assert.equal(s.timeout, 0, 'as Python, a closed socket keeps its timeout');
  });

  test('the mode is per socket', () => {
    using a = socket.socket();
    using b = socket.socket();
    a.settimeout(3);
    assert.equal(b.gettimeout(), null);
  });
});

describe('setdefaulttimeout / getdefaulttimeout', () => {
  test('the default is null; it applies to sockets created afterwards only', () => {
    assert.equal(socket.getdefaulttimeout(), null);
    using before = socket.socket();
    socket.setdefaulttimeout(4.5);
    assert.equal(socket.getdefaulttimeout(), 4.5);
    using after = socket.socket();
    using constructed = new socket.Socket(AF_INET, SOCK_DGRAM);
    assert.equal(before.gettimeout(), null);
    assert.equal(after.gettimeout(), 4.5);
    assert.equal(constructed.gettimeout(), 4.5);
    const [x, y] = socket.socketpair();
    using _x = x;
    using _y = y;
    assert.equal(x.gettimeout(), 4.5);
    assert.equal(y.gettimeout(), 4.5);
    socket.setdefaulttimeout(0);
    using nonblocking = socket.socket();
    assert.equal(nonblocking.gettimeout(), 0);
    assert.equal(nonblocking.getblocking(), false);
    socket.setdefaulttimeout(null);
    using blocking = socket.socket();
    assert.equal(blocking.gettimeout(), null);
    assert.equal(after.gettimeout(), 4.5, 'existing sockets keep theirs');
  });

  test('accept gives the new socket getdefaulttimeout(), not the listener\'s timeout', async () => {
    using server = tcpListener();
    server.settimeout(7);
    const address = server.getsockname() as [string, number];
    using c1 = socket.socket();
    await bounded(c1.connect(address));
    const [conn1] = await bounded(server.accept());
    using _conn1 = conn1;
    assert.equal(conn1.gettimeout(), null);
    socket.setdefaulttimeout(1.25);
    using c2 = socket.socket();
    await bounded(c2.connect(address));
    const [conn2] = server.acceptSync();
    using _conn2 = conn2;
    assert.equal(conn2.gettimeout(), 1.25);
    // Also from a non-blocking listener.
    socket.setdefaulttimeout(null);
    server.setblocking(false);
    using c3 = socket.socket();
    await bounded(c3.connect(address));
    await bounded(c3.send('x'));
    // The connection is queued once connect resolved.
    const [conn3] = server.acceptSync();
    using _conn3 = conn3;
    assert.equal(conn3.gettimeout(), null);
    assert.equal(conn3.getblocking(), true);
  });

  test('dup keeps the socket\'s own timeout, not the default', () => {
    using s = socket.socket();
    s.settimeout(0);
    socket.setdefaulttimeout(9);
    using d = s.dup();
    assert.equal(d.gettimeout(), 0);
  });
});

describe('timeout mode: TimeoutError from both forms', () => {
  test('recv / recvInto / recvfrom / recvfromInto time out', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    b.settimeout(0.05);
    await assert.rejects(bounded(b.recv(10)), isTimeout);
    await assert.rejects(bounded(b.recvInto(Buffer.alloc(4))), isTimeout);
    await assert.rejects(bounded(b.recvfrom(10)), isTimeout);
    await assert.rejects(bounded(b.recvfromInto(Buffer.alloc(4))), isTimeout);
    assert.throws(() => b.recvSync(10), isTimeout);
    assert.throws(() => b.recvIntoSync(Buffer.alloc(4)), isTimeout);
    assert.throws(() => b.recvfromSync(10), isTimeout);
    assert.throws(() => b.recvfromIntoSync(Buffer.alloc(4)), isTimeout);
  });

  test('the TimeoutError names the call', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    b.settimeout(0.02);
    await assert.rejects(b.recv(1), (e: unknown) => e instanceof socket.TimeoutError && e.syscall === 'recv');
    using server = tcpListener();
    server.settimeout(0.02);
    await assert.rejects(server.accept(), (e: unknown) => e instanceof socket.TimeoutError && e.syscall === 'accept');
  });

  test('accept times out (async and Sync)', async () => {
    using server = tcpListener();
    server.settimeout(0.05);
    await assert.rejects(bounded(server.accept()), isTimeout);
    assert.throws(() => server.acceptSync(), isTimeout);
  });

  test('sendall times out when the peer does not read (async and Sync)', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
    b.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096);
    a.settimeout(0.1);
    const big = Buffer.alloc(32 * 1024 * 1024);
    await assert.rejects(bounded(a.sendall(big), 10000), isTimeout);
    assert.throws(() => a.sendallSync(big), isTimeout);
    assert.throws(() => a.sendSync(big), isTimeout);
  });

  test('UDP recvfrom times out (async and Sync)', async () => {
    using u = udpSocket();
    u.settimeout(0.05);
    await assert.rejects(bounded(u.recvfrom(10)), isTimeout);
    assert.throws(() => u.recvfromSync(10), isTimeout);
  });

  test('data that arrives within the timeout is returned', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    b.settimeout(30);
    const pending = b.recv(10);
    await a.sendall('in time');
    assert.equal((await bounded(pending)).toString(), 'in time');
    await a.sendall('sync too');
    assert.equal(b.recvSync(10).toString(), 'sync too');
  });

  test('after a timeout the socket still works and the timed-out call took nothing', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    b.settimeout(0.02);
    await assert.rejects(b.recv(10), socket.TimeoutError);
    b.settimeout(null);
    const next = b.recv(10);
    await a.sendall('after');
    assert.equal((await bounded(next)).toString(), 'after');
  });

  test('a call queued behind one that times out is served in turn', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    b.settimeout(0.05);
    const first = b.recv(10);
    b.settimeout(null);
    const second = b.recv(10);
    await assert.rejects(bounded(first), socket.TimeoutError);
    await a.sendall('second');
    assert.equal((await bounded(second)).toString(), 'second');
  });

  test('connect with a timeout succeeds on loopback', async () => {
    using server = tcpListener();
    using a = socket.socket();
    a.settimeout(5);
    await bounded(a.connect(server.getsockname() as [string, number]));
    using b = socket.socket();
    b.settimeout(5);
    b.connectSync(server.getsockname() as [string, number]);
  });
});

describe('non-blocking mode: BlockingIOError at once from both forms', () => {
  test('recv family', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    b.setblocking(false);
    await assert.rejects(b.recv(10), isWouldBlock());
    await assert.rejects(b.recvInto(Buffer.alloc(4)), isWouldBlock());
    await assert.rejects(b.recvfrom(10), isWouldBlock());
    await assert.rejects(b.recvfromInto(Buffer.alloc(4)), isWouldBlock());
    assert.throws(() => b.recvSync(10), isWouldBlock());
    assert.throws(() => b.recvIntoSync(Buffer.alloc(4)), isWouldBlock());
    assert.throws(() => b.recvfromSync(10), isWouldBlock());
    assert.throws(() => b.recvfromIntoSync(Buffer.alloc(4)), isWouldBlock());
  });

  test('the rejection comes before any I/O event (no watcher wait)', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    b.settimeout(0);
    // The promise settles without the peer doing anything: bounded proves it
    // did not wait forever, and no data is ever sent.
    await assert.rejects(bounded(b.recv(10), 2000), socket.BlockingIOError);
  });

  test('accept', async () => {
    using server = tcpListener();
    server.setblocking(false);
    await assert.rejects(server.accept(), isWouldBlock());
    assert.throws(() => server.acceptSync(), isWouldBlock());
  });

  test('data already there is returned in non-blocking mode', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    await a.sendall('ready');
    await bounded(b.recv(5, socket.MSG_PEEK));
    b.setblocking(false);
    assert.equal((await b.recv(10)).toString(), 'ready');
  });

  test('send on a full buffer: BlockingIOError from send and sendall (both forms)', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    a.setblocking(false);
    const chunk = Buffer.alloc(1 << 20);
    // Fill the send buffer until it refuses.
    for (;;) {
      try {
        a.sendSync(chunk);
      } catch (error) {
        assert.ok(error instanceof socket.BlockingIOError);
        break;
      }
    }
    assert.throws(() => a.sendSync('x'), isWouldBlock());
    await assert.rejects(a.send('x'), isWouldBlock());
    await assert.rejects(a.sendall('x'), isWouldBlock());
    assert.throws(() => a.sendallSync('x'), isWouldBlock());
  });

  test('connect: BlockingIOError EINPROGRESS, then the connection completes', async () => {
    using server = tcpListener();
    const address = server.getsockname() as [string, number];
    using a = socket.socket();
    a.setblocking(false);
    await assert.rejects(a.connect(address), isWouldBlock('EINPROGRESS'));
    using b = socket.socket();
    b.setblocking(false);
    assert.throws(() => b.connectSync(address), isWouldBlock('EINPROGRESS'));
    using c = socket.socket();
    c.setblocking(false);
    assert.equal(c.connectExSync(address), socket.errno.EINPROGRESS);
    // The handshake finishes in the background: accept sees the connection.
    server.settimeout(5);
    const [conn] = server.acceptSync();
    conn.close();
  });

  test('a socket made with SOCK_NONBLOCK starts non-blocking', async () => {
    using u = socket.socket(AF_INET, SOCK_DGRAM | socket.SOCK_NONBLOCK!);
    u.bind(['127.0.0.1', 0]);
    assert.equal(u.getblocking(), false);
    await assert.rejects(u.recv(10), socket.BlockingIOError);
  });
});

describe('blocking mode', () => {
  test('async calls wait without blocking the event loop', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    let ticked = false;
    const pending = b.recv(10).then((data) => {
      assert.ok(ticked, 'the loop ran while recv waited');
      return data;
    });
    await loopTurns();
    ticked = true;
    await a.sendall('later');
    assert.equal((await bounded(pending)).toString(), 'later');
  });

  test('a Sync call in blocking mode waits for data that is already on its way', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    a.sendSync('sent');
    assert.equal(b.recvSync(10).toString(), 'sent');
  });
});

describe('Python\'s socket.timeout', () => {
  test('TimeoutError is a SocketError and an Error (socket.timeout is an alias of TimeoutError in Python)', () => {
    const e = new socket.TimeoutError(socket.errno.ETIMEDOUT!, 'timed out', 'recv');
    assert.ok(e instanceof socket.SocketError);
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'TimeoutError');
  });
});
