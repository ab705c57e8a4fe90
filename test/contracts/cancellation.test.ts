// Cancellation: an optional last `{ signal }` on every async call that can
// wait. On abort the call rejects with an AbortError (code ABORT_ERR, the
// signal's reason as cause); the socket stays open and usable; an aborted
// receive consumed nothing; an aborted sendall or sendfile says how much it
// sent. An already-aborted signal rejects at once, without a system call.
// Each call below is waiting as soon as it returns (its first try found
// nothing to do), so the abort comes while it waits, with no sleep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import * as socket from 'berkeley';
import { bounded, bytesSentOnAbort, drain, isAbort, nonBlocking, tcpListener, tempDir, udpSocket, unixPair } from '../support/index.js';

type Receive = (sock: socket.Socket, signal: AbortSignal) => Promise<unknown>;

const receives: [string, Receive][] = [
  ['recv', (s, signal) => s.recv(16, 0, { signal })],
  ['recvInto', (s, signal) => s.recvInto(Buffer.alloc(16), 0, 0, { signal })],
  ['recvfrom', (s, signal) => s.recvfrom(16, 0, { signal })],
  ['recvfromInto', (s, signal) => s.recvfromInto(Buffer.alloc(16), 0, 0, { signal })],
  ['recvmsg', (s, signal) => s.recvmsg(16, 0, 0, { signal })],
  ['recvmsgInto', (s, signal) => s.recvmsgInto([Buffer.alloc(8), Buffer.alloc(8)], 0, 0, { signal })],
  ['recvFds', (s, signal) => socket.recvFds(s, 16, 1, 0, { signal })],
];

for (const [name, receive] of receives) {
  test(`${name}: an abort while it waits rejects with AbortError, consumes nothing, and the socket serves on`, async () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    const controller = new AbortController();
    const reason = new Error('enough');
    const waiting = receive(a, controller.signal);
    controller.abort(reason);
    await assert.rejects(bounded(waiting), isAbort(reason));
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    // Nothing was read: the next receive gets all of what is sent now.
    b.sendallSync('hello');
    assert.equal((await bounded(a.recv(16))).toString(), 'hello');
  });

  test(`${name}: an already-aborted signal rejects at once and leaves the data queued`, async () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    b.sendallSync('ready');
    const reason = new Error('before');
    await assert.rejects(receive(a, AbortSignal.abort(reason)), isAbort(reason));
    assert.equal(a.recvSync(16).toString(), 'ready');
  });
}

test('accept: aborted while it waits; the listener accepts the next connection', async () => {
  using listener = tcpListener();
  const controller = new AbortController();
  const waiting = listener.accept({ signal: controller.signal });
  controller.abort();
  await assert.rejects(bounded(waiting), { name: 'AbortError', code: 'ABORT_ERR' });
  using client = socket.socket();
  client.connectSync(socket.inetAddress(listener.getsockname()));
  const [conn] = await bounded(listener.accept());
  conn.close();
});

test('sendall: an abort after part went out says how much in bytesSent, and exactly that arrives', async () => {
  const [a, b] = unixPair();
  using _a = a;
  using _b = b;
  a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
  const data = Buffer.alloc(4 << 20, 7);
  const controller = new AbortController();
  const waiting = a.sendall(data, 0, { signal: controller.signal });
  controller.abort();
  const sent = await bytesSentOnAbort(waiting);
  assert.ok(sent > 0 && sent < data.length, `bytesSent ${sent}`);
  assert.equal(drain(b), sent);
  // The socket is usable: a later sendall goes out whole.
  await bounded(a.sendall('tail'));
  assert.equal(b.recvSync(16).toString(), 'tail');
});

test('send and sendto: aborted while waiting for room, and with an already-aborted signal', async () => {
  const [a, b] = unixPair();
  using _a = a;
  using _b = b;
  a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
  // Fill the socket until a send would wait.
  nonBlocking(a, () => {
    for (;;) {
      try {
        a.sendSync(Buffer.alloc(4096));
      } catch (error) {
        if (error instanceof socket.BlockingIOError) return;
        throw error;
      }
    }
  });
  const controller = new AbortController();
  const waiting = a.send('x', 0, { signal: controller.signal });
  controller.abort();
  await assert.rejects(bounded(waiting), { name: 'AbortError', code: 'ABORT_ERR' });
  const queued = drain(b);
  assert.ok(queued > 0);
  // Nothing of the aborted send arrived; the socket sends on.
  await bounded(a.send('y'));
  assert.equal(b.recvSync(16).toString(), 'y');
  using udp = udpSocket();
  using peer = udpSocket();
  const to = peer.getsockname() as socket.Address;
  await assert.rejects(udp.sendto('x', to, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  await assert.rejects(udp.sendto('x', 0, to, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  // Both forms still send without a signal, or with one that is not aborted.
  assert.equal(await bounded(udp.sendto('one', to, { signal: new AbortController().signal })), 3);
  assert.equal(await bounded(udp.sendto('two', 0, to)), 3);
  assert.equal(peer.recvSync(16).toString(), 'one');
  assert.equal(peer.recvSync(16).toString(), 'two');
});

test('sendfile: an abort while it waits for room says how much of the file went out', async () => {
  const files = tempDir();
  try {
    const path = files.path('big');
    writeFileSync(path, Buffer.alloc(4 << 20, 1));
    await using handle = await open(path);
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
    const controller = new AbortController();
    const waiting = a.sendfile(handle, 0, null, { signal: controller.signal });
    controller.abort();
    const sent = await bytesSentOnAbort(waiting);
    assert.ok(sent > 0 && sent < 4 << 20, `bytesSent ${sent}`);
    assert.equal(drain(b), sent);
  } finally {
    files.cleanup();
  }
});

test('connect, connectEx, createConnection and the look-ups: an already-aborted signal rejects at once', async () => {
  using listener = tcpListener();
  const address = listener.getsockname() as [string, number];
  const reason = new Error('no');
  using s = socket.socket();
  await assert.rejects(s.connect(address, { signal: AbortSignal.abort(reason) }), isAbort(reason));
  await assert.rejects(s.connectEx(address, { signal: AbortSignal.abort(reason) }), isAbort(reason));
  // The socket was never connected: a plain connect still works.
  await bounded(s.connect(address));
  await assert.rejects(socket.createConnection(address, null, null, { signal: AbortSignal.abort(reason) }), isAbort(reason));
  await assert.rejects(socket.getaddrinfo('localhost', 80, 0, 0, 0, 0, { signal: AbortSignal.abort(reason) }), isAbort(reason));
  await assert.rejects(socket.getnameinfo(['127.0.0.1', 80], 0, { signal: AbortSignal.abort(reason) }), isAbort(reason));
  await assert.rejects(socket.gethostbyname('localhost', { signal: AbortSignal.abort(reason) }), isAbort(reason));
  await assert.rejects(socket.getfqdn('localhost', { signal: AbortSignal.abort(reason) }), isAbort(reason));
  // With a signal that is not aborted, they work as without one.
  const conn = await bounded(socket.createConnection(address, null, null, { signal: new AbortController().signal }));
  conn.close();
  assert.ok((await socket.getaddrinfo('127.0.0.1', 80, 0, 0, 0, 0, { signal: new AbortController().signal })).length > 0);
});

test('a call that finished leaves no listener on its signal; an abort after close is harmless', async () => {
  const [a, b] = unixPair();
  using _b = b;
  const controller = new AbortController();
  for (let i = 0; i < 100; i++) {
    const reading = a.recv(1, 0, { signal: controller.signal });
    b.sendSync('x');
    assert.equal((await bounded(reading)).toString(), 'x');
  }
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  // Closed under a waiting call: EBADF, and the later abort changes nothing.
  const waiting = a.recv(1, 0, { signal: controller.signal });
  a.close();
  await assert.rejects(bounded(waiting), { name: 'SocketError', code: 'EBADF' });
  controller.abort();
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});

test('options that are not an object, or a signal that is not an AbortSignal, are a TypeError naming them', async () => {
  const [a, b] = unixPair();
  using _a = a;
  using _b = b;
  await assert.rejects(a.recv(1, 0, 5 as unknown as socket.WaitOptions), { name: 'TypeError', message: /"options"/ });
  await assert.rejects(a.recv(1, 0, { signal: 'soon' as unknown as AbortSignal }), { name: 'TypeError', message: /options\.signal/ });
  await assert.rejects(a.sendall('x', 0, { signal: {} as AbortSignal }), { name: 'TypeError', message: /options\.signal/ });
  // Nothing was sent by the refused call.
  assert.equal(drain(b), 0);
});
