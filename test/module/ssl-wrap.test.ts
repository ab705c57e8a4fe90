// berkeley/ssl's sockets wrapped before they are connected, as Python's
// wrap_socket allows: connect()/connectEx() then handshake, in the three
// modes and both forms (non-blocking: BlockingIOError, then a handshake of
// want errors); a wrapped listening socket's accept() giving server-side
// SSLSockets to python3's clients; Python's errors; and hostile ends: a
// client that vanishes mid-handshake after accept (no fd left open), a
// signal during acceptSync, a worker terminated in it; and STARTTLS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import * as ssl from 'berkeley/ssl';
import { selectSync } from 'berkeley/selectors';
import { bounded, openFds, Peer, PEER_MS, recvExactly, runNode, signalWhenPolling, tcpListener, terminatedWorkers, TestCertificates, waitUntil } from '../support/index.js';

const certificates = new TestCertificates();
before(() => certificates.make());
after(() => certificates.cleanup());
const { file, needs, serverContext, clientContext } = certificates;

const wantsEither = (e: unknown): boolean => e instanceof ssl.SSLWantReadError || e instanceof ssl.SSLWantWriteError;

// A python3 TLS server answering each connection's first message in upper case.
const UPPER_SERVER = `
  import ssl
  ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
  ctx.load_cert_chain(sys.argv[1], sys.argv[2])
  srv = socket.create_server(('127.0.0.1', 0))
  out(srv.getsockname()[1])
  while True:
      conn, _ = srv.accept()
      try:
          s = ctx.wrap_socket(conn, server_side=True)
          s.sendall(s.recv(100).upper())
          s.close()
      except OSError:
          conn.close()
`;

async function upperServer(t: Parameters<typeof needs>[0]): Promise<[string, number]> {
  const peer = new Peer(t, UPPER_SERVER, [file('server.pem'), file('server.key')]);
  return ['127.0.0.1', await peer.json<number>()];
}

/** An unconnected client SSLSocket in the given mode. */
function unconnected(mode: 'blocking' | 'timeout' | 'non-blocking', options: ssl.WrapOptions = {}): ssl.SSLSocket<typeof socket.AF_INET> {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  sock.settimeout(mode === 'blocking' ? null : mode === 'timeout' ? 20 : 0);
  return clientContext().wrapSocketSync(sock, { serverHostname: 'localhost', ...options });
}

type ConnectForm = 'connect' | 'connectSync' | 'connectEx' | 'connectExSync';

/** One of the four ways to connect: connectEx's errno, or undefined. */
async function connectBy(tls: ssl.SSLSocket<typeof socket.AF_INET>, form: ConnectForm, address: [string, number]): Promise<number | undefined> {
  switch (form) {
    case 'connect':
      await bounded(tls.connect(address), PEER_MS);
      return undefined;
    case 'connectSync':
      tls.connectSync(address);
      return undefined;
    case 'connectEx':
      return bounded(tls.connectEx(address), PEER_MS);
    case 'connectExSync':
      return tls.connectExSync(address);
  }
}

async function exchange(tls: ssl.SSLSocket, word: string): Promise<string> {
  await tls.sendall(word);
  return (await bounded(recvExactly(tls, word.length))).toString();
}

test('an unconnected socket wrapped, then connect / connectSync / connectEx / connectExSync: the handshake follows, in blocking and timeout mode', async (t) => {
  if (!needs(t, true)) return;
  const address = await upperServer(t);
  for (const mode of ['blocking', 'timeout'] as const) {
    for (const form of ['connect', 'connectSync', 'connectEx', 'connectExSync'] satisfies ConnectForm[]) {
      using tls = unconnected(mode);
      assert.equal(tls.version(), null);
      assert.throws(() => tls.getpeername(), { code: 'ENOTCONN' });
      assert.equal(await connectBy(tls, form, address), form.startsWith('connectEx') ? 0 : undefined);
      assert.equal(tls.version(), 'TLSv1.3', `${mode} ${form}`);
      assert.deepEqual(tls.getpeername(), address);
      assert.equal(await exchange(tls, `${mode} ${form}`), `${mode} ${form}`.toUpperCase());
      assert.throws(() => tls.connectSync(address), { name: 'RangeError', message: 'attempt to connect already-connected SSLSocket!' });
      await assert.rejects(tls.recvfrom(10), { name: 'RangeError', message: 'recvfrom not allowed on instances of SSLSocket' });
    }
  }
  // doHandshakeOnConnect false: connect only; doHandshake (or the first read or write) does the rest.
  using later = unconnected('timeout', { doHandshakeOnConnect: false });
  await bounded(later.connect(address), PEER_MS);
  assert.equal(later.version(), null);
  await bounded(later.doHandshake(), PEER_MS);
  assert.equal(await exchange(later, 'later'), 'LATER');
});

test('non-blocking: connect throws BlockingIOError (EINPROGRESS), connectEx gives it; then a handshake of want errors, waited for with select()', async (t) => {
  if (!needs(t, true)) return;
  const address = await upperServer(t);
  for (const form of ['connect', 'connectSync', 'connectEx', 'connectExSync'] satisfies ConnectForm[]) {
    using tls = unconnected('non-blocking');
    try {
      const rc = await connectBy(tls, form, address);
      if (form.startsWith('connectEx')) assert.equal(rc, socket.errno.EINPROGRESS);
    } catch (error) {
      assert.ok(error instanceof socket.BlockingIOError && error.errno === socket.errno.EINPROGRESS, String(error));
    }
    // Wait in the direction the last try named: writable for the connect
    // itself (ENOTCONN until it is made), then what OpenSSL wants.
    let done = false;
    let wantsRead = false;
    for (let turn = 0; !done && turn < 100; turn++) {
      selectSync(wantsRead ? [tls] : [], wantsRead ? [] : [tls], [], 5);
      try {
        tls.doHandshakeSync();
        done = true;
      } catch (error) {
        assert.ok(wantsEither(error) || (error instanceof socket.SocketError && error.code === 'ENOTCONN'), String(error));
        wantsRead = error instanceof ssl.SSLWantReadError;
      }
    }
    assert.equal(tls.version(), 'TLSv1.3', form);
    tls.sendSync('nb');
    // Readable may first mean the server's session tickets, which are no data.
    let reply: Buffer | undefined;
    for (let turn = 0; reply === undefined && turn < 100; turn++) {
      selectSync([tls], [], [], 5);
      try {
        reply = tls.recvSync(10);
      } catch (error) {
        assert.ok(error instanceof ssl.SSLWantReadError, String(error));
      }
    }
    assert.equal(reply?.toString(), 'NB');
  }
});

test("connect's errors as Python's: refused (then another try), a server side, a name that does not resolve; recvfrom before connecting is the socket's", async (t) => {
  if (!needs(t, true)) return;
  const address = await upperServer(t);
  const closed = tcpListener();
  const refused = socket.inetAddress(closed.getsockname());
  closed.close();
  using tls = unconnected('timeout');
  assert.throws(() => tls.recvfromSync(10), { code: 'ENOTCONN' });
  await assert.rejects(tls.connect(refused), socket.ConnectionRefusedError);
  assert.equal(tls.connectExSync(refused), socket.errno.ECONNREFUSED);
  // A refused socket cannot connect again (as a plain socket: Linux gives ECONNABORTED or the like); a fresh one does.
  using again = unconnected('timeout');
  again.connectSync(address);
  assert.equal(await exchange(again, 'again'), 'AGAIN');

  using listener = serverContext().wrapSocketSync(tcpListener(), { serverSide: true });
  assert.throws(() => listener.connectSync(address), { name: 'RangeError', message: "can't connect in server-side mode" });
  using client = clientContext().wrapSocketSync(tcpListener(), { serverHostname: 'localhost' });
  await assert.rejects(client.accept(), { name: 'RangeError', message: 'Cannot create a server socket with a PROTOCOL_TLS_CLIENT context' });
  client.close();
  await assert.rejects(client.connect(address), { code: 'EBADF' });
});

test('a socket whose connection was reset with bytes unread is refused, as Python refuses it (they did not come through TLS)', async (t) => {
  if (!needs(t)) return;
  using listener = tcpListener();
  using client = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  client.connectSync(listener.getsockname() as [string, number]);
  const [conn] = listener.acceptSync();
  client.sendallSync('early');
  // SO_LINGER on, 0 s: close sends RST, and the server's side is no longer connected.
  client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
  client.close();
  await waitUntil(() => {
    try {
      conn.getpeername();
      return false;
    } catch {
      return true;
    }
  }, 5000, 'the reset to arrive');
  assert.throws(() => serverContext().wrapSocketSync(conn, { serverSide: true }), (e: unknown) => e instanceof ssl.SSLError && e.message === 'Closed before TLS handshake with data in recv buffer.');
  assert.equal(conn.fileno(), -1, 'closed');
});

// A python3 TLS client: connects, says hello, prints what came back and its own address.
const HELLO_CLIENT = `
  import ssl
  ctx = ssl.create_default_context(cafile=sys.argv[1])
  for _ in range(int(sys.argv[3])):
      s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[2]))), server_hostname='localhost')
      s.sendall(b'hello')
      out({'back': s.recv(100).decode(), 'addr': list(s.getsockname())})
      s.close()
`;

test("a wrapped listening socket's accept and acceptSync give server-side SSLSockets (handshake done, or not with doHandshakeOnConnect false) to python3's clients", async (t) => {
  if (!needs(t, true)) return;
  for (const handshake of [true, false]) {
    using listener = serverContext().wrapSocketSync(tcpListener(), { serverSide: true, doHandshakeOnConnect: handshake, suppressRaggedEofs: false });
    listener.settimeout(20);
    assert.equal(listener.version(), null);
    const peer = new Peer(t, HELLO_CLIENT, [file('ca.pem'), String(listener.getsockname()[1]), '2']);
    for (const form of ['async', 'sync'] as const) {
      const [conn, address] = form === 'sync' ? listener.acceptSync() : await bounded(listener.accept(), PEER_MS);
      using _conn = conn;
      assert.ok(conn instanceof ssl.SSLSocket && conn.serverSide && conn.context === listener.context);
      assert.equal(conn.version(), handshake ? 'TLSv1.3' : null);
      assert.equal(conn.gettimeout(), null, "the Socket's accept gives the default timeout");
      conn.settimeout(20);
      if (!handshake) conn.doHandshakeSync();
      assert.equal(conn.recvSync(100).toString(), 'hello');
      conn.sendallSync(`${form} hi`);
      const seen = await peer.json<{ back: string; addr: [string, number] }>();
      assert.deepEqual(seen, { back: `${form} hi`, addr: address });
      assert.deepEqual(conn.getpeername(), address);
    }
    await peer.done();
  }
});

test("the abort signal on a wrapped listener's accept: AbortError, and the listener accepts again", async (t) => {
  if (!needs(t, true)) return;
  using listener = serverContext().wrapSocketSync(tcpListener(), { serverSide: true });
  const controller = new AbortController();
  const waiting = listener.accept({ signal: controller.signal });
  controller.abort(new Error('enough'));
  await assert.rejects(bounded(waiting), (e: unknown) => e instanceof socket.AbortError && (e.cause as Error).message === 'enough');
  await assert.rejects(listener.accept({ signal: AbortSignal.abort() }), socket.AbortError);
  const peer = new Peer(t, HELLO_CLIENT, [file('ca.pem'), String(listener.getsockname()[1]), '1']);
  const [conn] = await bounded(listener.accept(), PEER_MS);
  using _conn = conn;
  assert.equal((await bounded(conn.recv(10))).toString(), 'hello');
  await conn.sendall('again');
  assert.equal((await peer.json<{ back: string }>()).back, 'again');
});

// A client that starts the handshake and vanishes: half a ClientHello, then close.
const VANISHING_CLIENT = `
  for _ in range(int(sys.argv[2])):
      s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
      s.sendall(bytes([0x16, 0x03, 0x01, 0x01, 0x00, 0x01]))
      s.close()
  out('gone')
`;

test('a client that vanishes in the middle of the handshake after accept: accept and acceptSync fail with SSLError, no fd left open, the listener goes on', async (t) => {
  if (!needs(t, true)) return;
  using listener = serverContext().wrapSocketSync(tcpListener(), { serverSide: true });
  listener.settimeout(20);
  const peer = new Peer(t, VANISHING_CLIENT, [String(listener.getsockname()[1]), '2']);
  assert.equal(await peer.json<string>(), 'gone');
  await peer.done();
  const before = openFds();
  assert.throws(() => listener.acceptSync(), (e: unknown) => e instanceof ssl.SSLError, 'sync');
  await assert.rejects(bounded(listener.accept()), (e: unknown) => e instanceof ssl.SSLError, 'async');
  assert.equal(openFds(), before);
  const hello = new Peer(t, HELLO_CLIENT, [file('ca.pem'), String(listener.getsockname()[1]), '1']);
  const [conn] = listener.acceptSync();
  using _conn = conn;
  conn.settimeout(20);
  assert.equal(conn.recvSync(10).toString(), 'hello');
  conn.sendallSync('still');
  assert.equal((await hello.json<{ back: string }>()).back, 'still');
});

const url = (name: string): string => JSON.stringify(import.meta.resolve(name));

test('a handled signal during acceptSync on a wrapped listener is waited through; the connection then arrives and is wrapped', async (t) => {
  if (!needs(t)) return;
  const script = `
    const socket = await import(${url('berkeley')});
    const ssl = await import(${url('berkeley/ssl')});
    process.on('SIGUSR1', () => {}); // handled: without it, SIGUSR1 would end the process
    const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    context.loadCertChain(${JSON.stringify(file('server.pem'))}, ${JSON.stringify(file('server.key'))});
    const listener = context.wrapSocketSync(socket.createServer(['127.0.0.1', 0]), { serverSide: true });
    listener.settimeout(20);
    console.log(listener.getsockname()[1]);
    const [conn] = listener.acceptSync();
    conn.sendallSync('through');
    console.log(conn.version());
    conn.close();`;
  let sent: Promise<unknown> | undefined;
  let client: Promise<string> | undefined;
  const result = await runNode(script, {
    ms: 30_000,
    onLine: (line, child) => {
      if (!/^\d+$/.test(line)) return;
      sent = signalWhenPolling(child.pid!, 'SIGUSR1');
      client = sent.then(async () => {
        using tls = await clientContext().wrapSocket(await socket.createConnection(['127.0.0.1', Number(line)]), { serverHostname: 'localhost' });
        return (await recvExactly(tls, 7)).toString();
      });
    },
  });
  await sent;
  assert.equal(await bounded(client!), 'through');
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(result.stdout.trim().split('\n').slice(1), ['TLSv1.3']);
});

test('a worker terminated while it waits in acceptSync (or accept) on a wrapped listener: the process lives on', async (t) => {
  if (!needs(t)) return;
  const worker = (call: string): string => `
    Promise.all([import('node:worker_threads'), import(${url('berkeley')}), import(${url('berkeley/ssl')})]).then(async ([{ parentPort, workerData }, socket, ssl]) => {
      const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
      context.loadCertChain(workerData.cert, workerData.key);
      const listener = context.wrapSocketSync(socket.createServer(['127.0.0.1', 0]), { serverSide: true });
      parentPort.postMessage('ready');
      ${call};
    });`;
  const result = await terminatedWorkers([worker('listener.acceptSync()'), worker('await listener.accept()')], { cert: file('server.pem'), key: file('server.key') });
  assert.deepEqual({ code: result.code, signal: result.signal, stdout: result.stdout.trim() }, { code: 0, signal: null, stdout: 'alive' }, result.stderr);
});

// STARTTLS: plain lines first, then TLS on the same connection; the
// server's first TLS record follows the handshake at once.
const STARTTLS_SERVER = `
  import ssl
  ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
  ctx.load_cert_chain(sys.argv[1], sys.argv[2])
  srv = socket.create_server(('127.0.0.1', 0))
  out(srv.getsockname()[1])
  conn, _ = srv.accept()
  conn.sendall(b'220 ready\\n')
  line = b''
  while not line.endswith(b'\\n'):
      line += conn.recv(1)
  assert line == b'STARTTLS\\n'
  conn.sendall(b'220 go\\n')
  s = ctx.wrap_socket(conn, server_side=True)
  s.sendall(b'hello in TLS')
  s.sendall(s.recv(100).upper())
  s.close()
`;

test('STARTTLS: plain async reads, then the socket wrapped: TLS reads of a byte find what OpenSSL holds, which no readiness shows', async (t) => {
  if (!needs(t, true)) return;
  const peer = new Peer(t, STARTTLS_SERVER, [file('server.pem'), file('server.key')]);
  const sock = socket.socket();
  await bounded(sock.connect(['127.0.0.1', await peer.json<number>()]), PEER_MS);
  assert.equal((await bounded(sock.recv(100), PEER_MS)).toString(), '220 ready\n');
  await sock.sendall('STARTTLS\n');
  assert.equal((await bounded(sock.recv(100), PEER_MS)).toString(), '220 go\n');
  using tls = await bounded(clientContext().wrapSocket(sock, { serverHostname: 'localhost' }), PEER_MS);
  // One byte at a time: OpenSSL holds the rest of the record, which no readiness shows.
  let greeting = '';
  while (greeting.length < 'hello in TLS'.length) greeting += (await bounded(tls.recv(1), PEER_MS)).toString();
  assert.equal(greeting, 'hello in TLS');
  assert.equal(await exchange(tls, 'shout'), 'SHOUT');
});
