// Cancellation in the modules above the socket: serveForever's signal stops
// the server as shutdown() does and rejects with an AbortError, and the
// server serves again; every SSLSocket call, wrapSocket's handshake and a
// file over an SSLSocket take `{ signal }` (the certificates come from a
// throwaway CA made by the openssl CLI: those tests skip without it). A call
// is aborted after loopTurns() has let it reach its wait; no sleeps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { open } from 'node:fs/promises';
import * as socket from 'berkeley';
import * as socketserver from 'berkeley/socketserver';
import { bounded, bytesSentOnAbort, exchange, isAbort, LineEcho, LOCAL, loopTurns, recvAll, tcpPair, TestCertificates, tlsPair } from '../support/index.js';

// ---- serveForever ------------------------------------------------------------

test('serveForever: an abort stops it as shutdown() would, it rejects with AbortError, and the server serves again', async () => {
  const server = new socketserver.TCPServer(LOCAL, LineEcho);
  const address = server.serverAddress as socket.Address;
  try {
    const controller = new AbortController();
    const reason = new Error('closing time');
    const serving = server.serveForever(0.5, { signal: controller.signal });
    assert.equal(await bounded(exchange(address, 'one\n')), 'one\n');
    controller.abort(reason);
    await assert.rejects(bounded(serving, 5000, 'serveForever to stop'), isAbort(reason));
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    // Usable: it serves again, and shutdown() ends that as usual.
    const again = server.serveForever(0.5, { signal: new AbortController().signal });
    assert.equal(await bounded(exchange(address, 'two\n')), 'two\n');
    await bounded(server.shutdown());
    await bounded(again);
  } finally {
    await server.serverClose();
  }
});

test('serveForever: an already-aborted signal rejects at once and leaves the server idle; bad options are a TypeError', async () => {
  const server = new socketserver.TCPServer(LOCAL, LineEcho);
  try {
    const reason = new Error('never');
    await assert.rejects(server.serveForever(0.5, { signal: AbortSignal.abort(reason) }), isAbort(reason));
    await assert.rejects(server.serveForever(0.5, 7 as unknown as socket.WaitOptions), { name: 'TypeError', message: /"options"/ });
    // Not running: a serveForever now is the only one.
    const serving = server.serveForever(undefined, {});
    assert.equal(await bounded(exchange(server.serverAddress as socket.Address, 'x\n')), 'x\n');
    await bounded(server.shutdown());
    await bounded(serving);
  } finally {
    await server.serverClose();
  }
});

// ---- ssl -------------------------------------------------------------------------

const certificates = new TestCertificates();
before(() => certificates.make());
after(() => certificates.cleanup());
const { needs, serverContext, clientContext } = certificates;

test('SSLSocket recv and recvInto: an abort while waiting rejects with AbortError and reads nothing', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _c = c;
  using _s = s;
  const receives: ((signal: AbortSignal) => Promise<unknown>)[] = [(signal) => c.recv(100, 0, { signal }), (signal) => c.recvInto(Buffer.alloc(100), 0, 0, { signal })];
  for (const receive of receives) {
    const controller = new AbortController();
    const reason = new Error('stop');
    const waiting = receive(controller.signal);
    await loopTurns(2);
    controller.abort(reason);
    await assert.rejects(bounded(waiting), isAbort(reason));
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    await s.sendall('hello');
    assert.equal((await bounded(c.recv(100))).toString(), 'hello');
  }
});

test('SSLSocket: every call rejects at once with an already-aborted signal, and the connection works on', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _c = c;
  using _s = s;
  const reason = new Error('before');
  const signal = AbortSignal.abort(reason);
  await assert.rejects(c.send('lost', 0, { signal }), isAbort(reason, 0));
  await assert.rejects(c.sendall('lost', 0, { signal }), isAbort(reason, 0));
  await using file = await open(process.execPath);
  await assert.rejects(c.sendfile(file, 0, 1, { signal }), isAbort(reason, 0));
  await assert.rejects(c.shutdown(socket.SHUT_WR, { signal }), isAbort(reason));
  await assert.rejects(c.unwrap({ signal }), isAbort(reason));
  await s.sendall('data');
  await assert.rejects(c.recv(100, 0, { signal }), isAbort(reason));
  // Nothing was sent, shut down or read.
  await c.sendall('kept');
  assert.equal((await bounded(s.recv(100))).toString(), 'kept');
  assert.equal((await bounded(c.recv(100))).toString(), 'data');
});

test('SSLSocket sendall: an abort says in bytesSent what went out, all of that arrives, and the rest follows from there', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _c = c;
  using _s = s;
  // More than the socket buffers hold, and a peer that reads nothing yet: the
  // write waits. (Buffers shrunk mid-connection would stall TCP itself.)
  const data = Buffer.concat(Array.from({ length: 32 }, () => randomBytes(1 << 20)));
  const controller = new AbortController();
  const sending = c.sendall(data, 0, { signal: controller.signal });
  await loopTurns(2);
  controller.abort();
  const sent = await bytesSentOnAbort(sending);
  assert.ok(sent > 0 && sent < data.length, `bytesSent ${sent}`);
  const received = async (n: number): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for (let got = 0; got < n; ) {
      const chunk = await bounded(s.recv(1 << 16));
      assert.ok(chunk.length > 0, 'EOF before the bytes that went out');
      chunks.push(chunk);
      got += chunk.length;
    }
    return Buffer.concat(chunks);
  };
  assert.ok((await received(sent)).equals(data.subarray(0, sent)));
  // A TLS write goes on with the same data (a record may be half out).
  const [rest] = await Promise.all([received(data.length - sent), bounded(c.sendall(data.subarray(sent)))]);
  assert.ok(rest.equals(data.subarray(sent)));
});

test('SSLSocket unwrap: aborted while waiting for the peer\'s close_notify, then done by both sides', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _c = c;
  using _s = s;
  const controller = new AbortController();
  const waiting = c.unwrap({ signal: controller.signal });
  await loopTurns(2);
  controller.abort();
  await assert.rejects(bounded(waiting), { name: 'AbortError' });
  const [plainC, plainS] = await bounded(Promise.all([c.unwrap(), s.unwrap()]), 10_000, 'unwrap');
  using _pc = plainC;
  using _ps = plainS;
  await plainC.sendall('plain');
  assert.equal((await bounded(plainS.recv(100))).toString(), 'plain');
});

test('a file over an SSLSocket: an aborted readline keeps what had arrived', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _c = c;
  using _s = s;
  const f = c.makefile('r');
  await s.sendall('par');
  const controller = new AbortController();
  const waiting = f.readline(-1, { signal: controller.signal });
  await loopTurns(4);
  controller.abort();
  await assert.rejects(bounded(waiting), { name: 'AbortError' });
  await s.sendall('tial\n');
  assert.equal(await bounded(f.readline()), 'partial\n');
  await f.close();
});

test('wrapSocket: an already-aborted signal leaves the socket as it was; an abort during the handshake closes the connection', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tcpPair();
  using _c = c;
  using _s = s;
  const reason = new Error('not now');
  await assert.rejects(clientContext().wrapSocket(c, { serverHostname: 'localhost', signal: AbortSignal.abort(reason) }), isAbort(reason));
  assert.ok(c.fileno() >= 0, 'still the caller\'s socket');
  await c.sendall('plain');
  assert.equal((await bounded(s.recv(100))).toString(), 'plain');
  // The server never answers: the client's handshake waits until the abort.
  const controller = new AbortController();
  const handshake = clientContext().wrapSocket(c, { serverHostname: 'localhost', signal: controller.signal });
  await loopTurns(2);
  controller.abort(reason);
  await assert.rejects(bounded(handshake), isAbort(reason));
  const rest = await recvAll(s); // the ClientHello, then EOF: closed
  assert.ok(rest.length > 0);
  await assert.rejects(serverContext().wrapSocket(c, { serverSide: true, signal: 5 as unknown as AbortSignal }), { name: 'TypeError' });
});
