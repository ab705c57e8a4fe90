// berkeley/ssl in Python's three modes, with the async and the Sync forms:
// blocking, timeout (TimeoutError, the connection still usable) and
// non-blocking (SSLWantReadError / SSLWantWriteError, and a handshake driven
// by select()); the abort signal; peers that send garbage or stop in the
// middle of the handshake (an error, no hang, no fd left open); and a worker
// terminated in the middle of recvSync. Certificates from support/tls.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import * as ssl from 'berkeley/ssl';
import { selectSync } from 'berkeley/selectors';
import { bounded, openFds, Peer, PEER_MS, recvExactly, tcpPair, terminatedWorkers, TestCertificates, tlsPair } from '../support/index.js';

const certificates = new TestCertificates();
before(() => certificates.make());
after(() => certificates.cleanup());
const { file, needs, serverContext, clientContext } = certificates;

const isTimeout = (e: unknown): boolean => e instanceof socket.TimeoutError;
const wantsRead = (e: unknown): boolean => e instanceof ssl.SSLWantReadError && e.errno === ssl.SSL_ERROR_WANT_READ && e.code === 'SSL_ERROR_WANT_READ';
const wantsWrite = (e: unknown): boolean => e instanceof ssl.SSLWantWriteError && e.errno === ssl.SSL_ERROR_WANT_WRITE;

test('timeout mode: recv and recvSync time out and the connection goes on; blocking recvSync returns what came', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _c = c;
  using _s = s;
  c.settimeout(0.05);
  await assert.rejects(bounded(c.recv(10)), isTimeout);
  assert.throws(() => c.recvSync(10), isTimeout);
  await s.sendall('late');
  assert.equal(c.recvSync(10).toString(), 'late');
  c.settimeout(null);
  await s.sendall('blocking');
  const into = Buffer.alloc(16);
  assert.equal(into.subarray(0, c.recvIntoSync(into)).toString(), 'blocking');
  // A peer that reads nothing: the socket's buffers fill and the sendall runs out of time.
  s.settimeout(0.05);
  assert.throws(() => s.sendallSync(Buffer.alloc(32 << 20)), isTimeout);
});

test('non-blocking mode: SSLWantReadError from recv, recvInto and their Sync forms; SSLWantWriteError once the socket is full', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _c = c;
  using _s = s;
  c.setblocking(false);
  assert.equal(c.gettimeout(), 0);
  assert.throws(() => c.recvSync(10), wantsRead);
  assert.throws(() => c.recvIntoSync(Buffer.alloc(10)), wantsRead);
  await assert.rejects(c.recv(10), wantsRead);
  await assert.rejects(c.recvInto(Buffer.alloc(10)), wantsRead);
  await s.sendall('now');
  // Readable once it arrives (TCP may hold a small segment back until an ACK).
  selectSync([c.fileno()], [], [], 5);
  assert.equal((await c.recv(10)).toString(), 'now');
  assert.equal(c.pending(), 0);

  // send() takes what the socket takes, then wants to write.
  const chunk = Buffer.alloc(1 << 16, 'w');
  let sent = 0;
  let wanted: unknown;
  for (let k = 0; k < 2048 && wanted === undefined; k++) {
    try {
      sent += c.sendSync(chunk);
    } catch (error) {
      wanted = error;
    }
  }
  assert.ok(wantsWrite(wanted), String(wanted));
  await assert.rejects(c.send(chunk), wantsWrite);
  // Once the peer has read it all, the socket takes the rest of the same
  // data (a TLS write is retried with the data it was given, as in Python).
  let got = 0;
  while (got < sent) got += (await bounded(s.recv(1 << 20))).length;
  assert.equal(got, sent);
  const more = c.sendSync(chunk);
  assert.ok(more > 0 && more <= chunk.length);
  assert.equal((await bounded(recvExactly(s, more))).length, more);
});

test('a non-blocking handshake (doHandshakeOnConnect false): want errors until done, waited for with select()', async (t) => {
  if (!needs(t)) return;
  const [a, b] = await tcpPair();
  a.setblocking(false);
  b.setblocking(false);
  assert.throws(() => clientContext().wrapSocketSync(a, { serverHostname: 'localhost' }), RangeError, 'not with the handshake on connect');
  const c = clientContext().wrapSocketSync(a, { serverHostname: 'localhost', doHandshakeOnConnect: false });
  const s = serverContext().wrapSocketSync(b, { serverSide: true, doHandshakeOnConnect: false });
  using _c = c;
  using _s = s;
  assert.equal(c.version(), null, 'no handshake yet');
  assert.throws(() => c.getpeercert(), RangeError);
  const pending = new Set([c, s]);
  for (let turn = 0; pending.size > 0 && turn < 100; turn++) {
    for (const side of [...pending]) {
      try {
        side.doHandshakeSync();
        pending.delete(side);
      } catch (error) {
        assert.ok(wantsRead(error) || wantsWrite(error), String(error));
      }
    }
    if (pending.size > 0) selectSync([...pending].map((side) => side.fileno()), [], [], 5);
  }
  assert.equal(pending.size, 0, 'the handshake finished');
  assert.equal(c.version(), 'TLSv1.3');
  assert.equal(s.version(), 'TLSv1.3');
  c.sendSync('done');
  selectSync([s.fileno()], [], [], 5);
  assert.equal(s.recvSync(10).toString(), 'done');
});

test('the abort signal: a waiting recv rejects with AbortError and consumes nothing; wrapSocket aborted closes the socket', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _c = c;
  using _s = s;
  const controller = new AbortController();
  const waiting = c.recv(10, 0, { signal: controller.signal });
  controller.abort(new Error('enough'));
  await assert.rejects(bounded(waiting), (e: unknown) => e instanceof socket.AbortError && (e.cause as Error).message === 'enough');
  await assert.rejects(c.recvInto(Buffer.alloc(4), 0, 0, { signal: AbortSignal.abort() }), socket.AbortError);
  await s.sendall('after');
  assert.equal((await bounded(c.recv(10))).toString(), 'after');

  // A server that never answers the client's hello.
  const [a, b] = await tcpPair();
  using _b = b;
  const stop = new AbortController();
  const wrapping = clientContext().wrapSocket(a, { serverHostname: 'localhost', signal: stop.signal });
  stop.abort();
  await assert.rejects(bounded(wrapping), socket.AbortError);
  assert.equal(a.fileno(), -1);
});

test('a peer that stops in the middle of the handshake: TimeoutError under a timeout, in both forms, and no fd left open', async () => {
  const before = openFds();
  for (const form of ['async', 'sync'] as const) {
    const [a, b] = await tcpPair();
    // Half of a record header, then nothing.
    await b.sendall(Buffer.from([0x16, 0x03]));
    a.settimeout(0.1);
    const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    const options = { serverHostname: 'localhost' };
    if (form === 'sync') assert.throws(() => context.wrapSocketSync(a, options), isTimeout);
    else await assert.rejects(bounded(context.wrapSocket(a, options)), isTimeout);
    assert.equal(a.fileno(), -1, 'a failed handshake closes the socket');
    b.close();
  }
  assert.equal(openFds(), before);
});

test('a peer that sends garbage, before or after the handshake: SSLError with OpenSSL reason, in both forms, and no fd left open', async (t) => {
  const before = openFds();
  for (const form of ['async', 'sync'] as const) {
    const [a, b] = await tcpPair();
    await b.sendall(Buffer.alloc(64, 0x41));
    const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    const wrap = async (): Promise<unknown> => (form === 'sync' ? context.wrapSocketSync(a, { serverHostname: 'localhost' }) : context.wrapSocket(a, { serverHostname: 'localhost' }));
    const error = await bounded(wrap()).catch((e: unknown) => e);
    assert.ok(error instanceof ssl.SSLError && error.library === 'SSL' && typeof error.reason === 'string', String(error));
    assert.match(error.message, /^\[SSL: [A-Z_]+\] /);
    b.close();
  }
  assert.equal(openFds(), before);

  if (!needs(t, true)) return;
  // Python writes raw bytes under its TLS, after the handshake.
  const peer = new Peer(
    t,
    `
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[1], sys.argv[2])
    srv = socket.create_server(('127.0.0.1', 0))
    out(srv.getsockname()[1])
    for _ in range(2):
        s = ctx.wrap_socket(srv.accept()[0], server_side=True)
        s.recv(10)
        os.write(s.fileno(), bytes(range(23, 123)))
        try:
            s.recv(10)
        except OSError:
            pass  # berkeley's alert
    `,
    [file('server.pem'), file('server.key')],
  );
  const port = await peer.json<number>();
  for (const form of ['async', 'sync'] as const) {
    const tls = await bounded(clientContext().wrapSocket(await socket.createConnection(['127.0.0.1', port]), { serverHostname: 'localhost' }), PEER_MS);
    using _tls = tls;
    tls.settimeout(20);
    await tls.sendall('go');
    const error = await bounded(Promise.resolve().then(() => (form === 'sync' ? tls.recvSync(100) : tls.recv(100)))).catch((e: unknown) => e);
    assert.ok(error instanceof ssl.SSLError && error.errno === ssl.SSL_ERROR_SSL && error.reason !== null, String(error));
  }
});

test('a worker terminated while it waits in recvSync (or recv) on TLS: the process lives on', async (t) => {
  if (!needs(t)) return;
  const url = (name: string): string => JSON.stringify(import.meta.resolve(name));
  const worker = (call: string): string => `
    Promise.all([import('node:worker_threads'), import(${url('berkeley')}), import(${url('berkeley/ssl')})]).then(async ([{ parentPort, workerData }, socket, ssl]) => {
      const server = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
      server.loadCertChain(workerData.cert, workerData.key);
      const client = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      client.checkHostname = false;
      client.verifyMode = ssl.CERT_NONE;
      const [a, b] = socket.socketpair();
      const [c] = await Promise.all([client.wrapSocket(a), server.wrapSocket(b, { serverSide: true })]);
      parentPort.postMessage('ready');
      ${call};
    });`;
  const result = await terminatedWorkers([worker('c.recvSync(10)'), worker('c.recv(10)')], { cert: file('server.pem'), key: file('server.key') });
  assert.deepEqual({ code: result.code, signal: result.signal, stdout: result.stdout.trim() }, { code: 0, signal: null, stdout: 'alive' }, result.stderr);
});
