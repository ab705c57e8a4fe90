// TCP on 127.0.0.1, receiving: the flags (MSG_PEEK, MSG_WAITALL,
// MSG_DONTWAIT) in both forms, recvInto/recvfromInto, and async reads of
// a python3 peer's replies that come in two sends.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import * as socket from 'berkeley';
import { berkeleyUrl, bounded, Peer, PEER_MS, recvExactly, runNode, tcpPair } from '../support/index.js';

describe('flags', () => {
  test('MSG_PEEK leaves the data queued (async and Sync)', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    await a.sendall('peekaboo');
    assert.equal((await bounded(b.recv(4, socket.MSG_PEEK))).toString(), 'peek');
    assert.equal(b.recvSync(4, socket.MSG_PEEK).toString(), 'peek');
    const into = Buffer.alloc(8);
    assert.equal(await bounded(b.recvInto(into, 8, socket.MSG_PEEK)), 8);
    assert.equal(into.toString(), 'peekaboo');
    assert.equal((await recvExactly(b, 8)).toString(), 'peekaboo');
  });

  test('MSG_PEEK waits for data like recv', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    const peek = b.recv(10, socket.MSG_PEEK);
    await a.sendall('later');
    assert.equal((await bounded(peek)).toString(), 'later');
    assert.equal((await bounded(b.recv(10))).toString(), 'later');
  });

  test('MSG_WAITALL (Sync): all the bytes in one call', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    a.sendSync('12345');
    a.sendSync('67890');
    b.settimeout(5);
    assert.equal(b.recvSync(10, socket.MSG_WAITALL).toString(), '1234567890');
  });

  test('MSG_WAITALL (async): waits for all the bytes, not just those already there', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    await a.sendall('12345');
    const all = b.recv(10, socket.MSG_WAITALL);
    await a.sendall('67890');
    assert.equal((await bounded(all)).toString(), '1234567890');
  });

  test('MSG_WAITALL (Sync): waits for bytes sent by another thread', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    await a.sendall('12345');
    // The second half is sent by a worker thread while recvSync blocks this one.
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       import(${JSON.stringify(berkeleyUrl)}).then((socket) => {
         const s = socket.fromfd(workerData.fd, socket.AF_INET, socket.SOCK_STREAM);
         s.sendallSync('67890');
         s.close();
       });`,
      { eval: true, workerData: { fd: a.fileno() } },
    );
    try {
      b.settimeout(5);
      assert.equal(b.recvSync(10, socket.MSG_WAITALL).toString(), '1234567890');
    } finally {
      await bounded(new Promise((resolve) => worker.once('exit', resolve)), 5000, 'worker exit');
    }
  });

  test('MSG_DONTWAIT in non-blocking mode and once data is there', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    b.setblocking(false);
    assert.throws(() => b.recvSync(10, socket.MSG_DONTWAIT), (e: unknown) => e instanceof socket.BlockingIOError && e.code === 'EAGAIN');
    await assert.rejects(bounded(b.recv(10, socket.MSG_DONTWAIT)), socket.BlockingIOError);
    b.setblocking(true);
    await a.sendall('now');
    // Once data is there it is returned (wait for it with a PEEK first).
    await bounded(b.recv(3, socket.MSG_PEEK));
    assert.equal((await bounded(b.recv(10, socket.MSG_DONTWAIT))).toString(), 'now');
    await a.sendall('then');
    await bounded(b.recv(4, socket.MSG_PEEK));
    assert.equal(b.recvSync(10, socket.MSG_DONTWAIT).toString(), 'then');
  });

  test('MSG_DONTWAIT: BlockingIOError at once even in blocking mode (async)', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    assert.equal(b.gettimeout(), null);
    await assert.rejects(bounded(b.recv(10, socket.MSG_DONTWAIT), 2000), (e: unknown) => e instanceof socket.BlockingIOError && e.code === 'EAGAIN');
    await assert.rejects(bounded(b.recvInto(Buffer.alloc(4), 0, socket.MSG_DONTWAIT), 2000), socket.BlockingIOError);
    await assert.rejects(bounded(b.recvfrom(10, socket.MSG_DONTWAIT), 2000), socket.BlockingIOError);
  });

  test('MSG_DONTWAIT: BlockingIOError at once even in blocking mode (Sync, in a child process so a wrong wait is bounded)', async () => {
    const r = await runNode(`
      import * as socket from 'berkeley';
      const [a, b] = socket.socketpair();
      for (const call of [() => b.recvSync(10, socket.MSG_DONTWAIT), () => b.recvIntoSync(Buffer.alloc(4), 0, socket.MSG_DONTWAIT)]) {
        try { call(); console.log('returned'); } catch (e) { console.log(e.name, e.code); }
      }
      a.close(); b.close();
    `, { ms: 5000 });
    assert.equal(r.stdout, 'BlockingIOError EAGAIN\nBlockingIOError EAGAIN\n');
  });

  test('MSG_DONTWAIT with a timeout waits like Python (which polls first): TimeoutError', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    b.settimeout(0.05);
    assert.throws(() => b.recvSync(10, socket.MSG_DONTWAIT), socket.TimeoutError);
    await assert.rejects(bounded(b.recv(10, socket.MSG_DONTWAIT)), socket.TimeoutError);
  });
});

describe('recvInto and recvfromInto', () => {
  test('recvInto fills the buffer from its start; nbytes limits it', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    await a.sendall('abcdefghij');
    const buffer = Buffer.alloc(16, '.');
    assert.equal(await bounded(b.recvInto(buffer, 4)), 4);
    assert.equal(buffer.toString(), 'abcd............');
    assert.equal(b.recvIntoSync(buffer.subarray(4), 3), 3);
    assert.equal(buffer.toString(), 'abcdefg.........');
    // nbytes omitted or 0: the whole buffer.
    const rest = new Uint8Array(3);
    assert.equal(await bounded(b.recvInto(rest, 0)), 3);
    assert.equal(Buffer.from(rest).toString(), 'hij');
  });

  test('recvInto into other views', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    await a.sendall(Buffer.from([1, 2, 3, 4]));
    const words = new Uint16Array(2);
    assert.equal(await bounded(b.recvInto(words)), 4);
    assert.deepEqual([...new Uint8Array(words.buffer)], [1, 2, 3, 4]);
    await a.sendall(Buffer.from([5, 6]));
    const view = new DataView(new ArrayBuffer(4), 1, 2);
    assert.equal(await bounded(b.recvInto(view)), 2);
    assert.deepEqual([...new Uint8Array(view.buffer)], [0, 5, 6, 0]);
  });

  test('nbytes larger than the buffer is a RangeError', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    assert.throws(() => b.recvIntoSync(Buffer.alloc(4), 5), RangeError);
    await assert.rejects(b.recvInto(Buffer.alloc(4), 5), RangeError);
  });

  test('recvfromInto and recvfrom on a connected TCP socket (address: null, as Python\'s None)', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    await a.sendall('xyzw');
    const buffer = Buffer.alloc(8);
    const [n, address] = await bounded(b.recvfromInto(buffer, 2));
    assert.equal(n, 2);
    assert.equal(buffer.subarray(0, 2).toString(), 'xy');
    assert.equal(address, null);
    const [m, address2] = b.recvfromIntoSync(buffer);
    assert.equal(m, 2);
    assert.equal(buffer.subarray(0, 2).toString(), 'zw');
    assert.equal(address2, null);
    await a.sendall('q');
    const [data, address3] = await bounded(b.recvfrom(10));
    assert.equal(data.toString(), 'q');
    assert.equal(address3, null);
  });

  test('recv(0) returns an empty Buffer at once', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    using _b = b;
    assert.equal((await bounded(b.recv(0))).length, 0);
    assert.equal(b.recvSync(0).length, 0);
  });
});

describe('reads against a python3 peer', () => {
  test('a peer answering in two sends: 200 round trips of async reads that come back short, full and split', async (t) => {
    const peer = new Peer(t, PIECES, []);
    const port = await peer.json<number>();
    using conn = socket.socket();
    await bounded(conn.connect(['127.0.0.1', port]), PEER_MS);
    const buffer = Buffer.alloc(8);
    for (let k = 1; k <= 200; k++) {
      const want = (k % 16) + 1;
      await conn.sendall(Buffer.of(want));
      // Reads of at most 8 bytes: a long reply fills the buffer first, then the rest comes short.
      let got = 0;
      while (got < want) {
        const n = await bounded(conn.recvInto(buffer, Math.min(8, want - got + (k % 3))), PEER_MS);
        assert.ok(n > 0, `round ${k}: EOF after ${got} of ${want}`);
        assert.ok(buffer.subarray(0, n).every((byte) => byte === want));
        got += n;
      }
      assert.equal(got, want, `round ${k}`);
    }
    conn.close();
    await peer.done();
  });
});

// Answers each byte n with n bytes of value n, in two sends when n > 1.
const PIECES = `
  srv = socket.socket()
  srv.bind(('127.0.0.1', 0))
  srv.listen()
  out(srv.getsockname()[1])
  conn, _ = srv.accept()
  while True:
      n = conn.recv(1)
      if not n:
          break
      n = n[0]
      conn.sendall(bytes([n]) * (n // 2))
      conn.sendall(bytes([n]) * (n - n // 2))
`;
