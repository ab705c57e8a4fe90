// berkeley/ssl's sessions and what else a handshake leaves: SSLSession and
// resumption (TLS 1.2 session ids and tickets, TLS 1.3 tickets that arrive
// after the handshake) berkeley against itself and against python3's ssl
// on either side, Python's errors for a session that cannot be set, the
// context's numTickets and sessionStats; sharedCiphers, the tls-unique
// channel binding (equal on both ends, and to python3's), and TLS 1.3
// post-handshake authentication with python3's client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ssl from 'berkeley/ssl';
import { bounded, connectTo, Peer, PEER_MS, recvExactly, tcpListener, tcpPair, TestCertificates } from '../support/index.js';

const certificates = new TestCertificates();
before(() => certificates.make());
after(() => certificates.cleanup());
const { file, needs, serverContext, clientContext } = certificates;

const VERSIONS = ['TLSv1_2', 'TLSv1_3'] as const;
type Version = (typeof VERSIONS)[number];

/** A client and a server over a fresh TCP pair, the client resuming `session` when given. */
async function pair(client: ssl.SSLContext, server: ssl.SSLContext, session?: ssl.SSLSession | null): Promise<[ssl.SSLSocket, ssl.SSLSocket]> {
  const [a, b] = await tcpPair();
  return bounded(Promise.all([client.wrapSocket(a, { serverHostname: 'localhost', session }), server.wrapSocket(b, { serverSide: true })]), 10_000, 'handshake');
}

function versioned(context: ssl.SSLContext, version: Version): ssl.SSLContext {
  context.maximumVersion = ssl.TLSVersion[version];
  return context;
}

/** The client's session after a byte from the server (TLS 1.3's tickets come after the handshake, read with it). */
async function sessionAfterRead(c: ssl.SSLSocket, s: ssl.SSLSocket): Promise<ssl.SSLSession> {
  await s.sendall('x');
  assert.equal((await bounded(recvExactly(c, 1))).toString(), 'x');
  const session = c.session;
  assert.ok(session instanceof ssl.SSLSession);
  return session;
}

for (const version of VERSIONS) {
  test(`${version}: the second connection resumes the first one's session (sessionReused on both sides, the counters)`, async (t) => {
    if (!needs(t)) return;
    const client = versioned(clientContext(), version);
    const server = serverContext();
    const [c1, s1] = await pair(client, server);
    assert.equal(c1.sessionReused, false);
    assert.equal(s1.sessionReused, false);
    const session = await sessionAfterRead(c1, s1);
    c1.close();
    s1.close();
    const seconds = Date.now() / 1000;
    assert.ok(session.time > seconds - 3600 && session.time <= seconds + 1, String(session.time));
    assert.ok(session.timeout > 0);
    assert.equal(session.hasTicket, true);
    assert.ok(session.ticketLifetimeHint > 0);
    assert.ok(Buffer.isBuffer(session.id));
    assert.ok(session.equals(session));
    assert.equal(session.equals(null), false);
    assert.match(String(session), /^<berkeley\.SSLSession id=[0-9a-f]*>$/);

    const [c2, s2] = await pair(client, server, session);
    using _c2 = c2;
    using _s2 = s2;
    assert.equal(c2.version(), version.replace('_', '.'));
    assert.equal(c2.sessionReused, true);
    assert.equal(s2.sessionReused, true);
    if (version === 'TLSv1_2') assert.ok(c2.session!.equals(session), 'TLS 1.2 resumes the same session id');
    const stats = server.sessionStats();
    assert.deepEqual([stats.accept, stats.acceptGood, stats.hits], [2, 2, 1]);
    const clientStats = client.sessionStats();
    assert.deepEqual([clientStats.connect, clientStats.connectGood], [2, 2]);
    // The channel binding of a resumed session: the server's Finished, on both ends.
    assert.deepEqual(c2.getChannelBinding(), s2.getChannelBinding());
  });
}

test('setting a session: Python errors for another context, a server side, after the handshake, not a session', async (t) => {
  if (!needs(t)) return;
  const client = clientContext();
  const server = serverContext();
  const [c1, s1] = await pair(client, server);
  using _c1 = c1;
  using _s1 = s1;
  const session = await sessionAfterRead(c1, s1);
  assert.throws(() => (c1.session = session), { name: 'RangeError', message: 'Cannot set session after handshake.' });
  assert.throws(() => (s1.session = session), { name: 'RangeError', message: 'Session refers to a different SSLContext.' });
  assert.throws(() => (s1.session = s1.session!), { name: 'RangeError', message: 'Cannot set session for server-side SSLSocket.' });
  assert.throws(() => (c1.session = 'a session' as unknown as ssl.SSLSession), TypeError);
  assert.throws(() => new (ssl.SSLSession as unknown as new () => unknown)(), TypeError);

  const [a, b] = await tcpPair();
  using _b = b;
  const other = clientContext();
  await assert.rejects(other.wrapSocket(a, { serverHostname: 'localhost', session, doHandshakeOnConnect: false }), { name: 'RangeError', message: 'Session refers to a different SSLContext.' });
  assert.equal(a.fileno(), -1, 'the socket was taken over, then closed');
  const [d, e] = await tcpPair();
  using _d = d;
  using _e = e;
  await assert.rejects(server.wrapSocket(e, { serverSide: true, session }), { name: 'RangeError', message: 'session can only be specified in client mode' });
  // Before the handshake, on the client, the property takes it.
  using late = client.wrapSocketSync(d, { serverHostname: 'localhost', doHandshakeOnConnect: false });
  late.session = session;
  assert.ok(session.equals(late.session));
  late.close();
  assert.equal(late.session, null);
  assert.equal(late.sessionReused, false);
});

test('numTickets (a server context only, not negative) and sessionStats', async (t) => {
  if (!needs(t)) return;
  const server = serverContext();
  const client = clientContext();
  assert.equal(server.numTickets, 2);
  assert.equal(client.numTickets, 2);
  assert.throws(() => (client.numTickets = 1), { name: 'RangeError', message: 'SSLContext is not a server context.' });
  assert.throws(() => (server.numTickets = -1), { name: 'RangeError', message: 'value must be non-negative' });
  assert.throws(() => (server.numTickets = 1.5), RangeError);
  assert.throws(() => (server.numTickets = '1' as unknown as number), TypeError);
  server.numTickets = 3;
  assert.equal(server.numTickets, 3);
  assert.deepEqual(Object.keys(client.sessionStats()), ['number', 'connect', 'connectGood', 'connectRenegotiate', 'accept', 'acceptGood', 'acceptRenegotiate', 'hits', 'misses', 'timeouts', 'cacheFull']);
  assert.ok(Object.values(client.sessionStats()).every((n) => n === 0));

  // No tickets: a TLS 1.3 client has no ticket to resume with.
  server.numTickets = 0;
  const [c, s] = await pair(client, server);
  using _c = c;
  using _s = s;
  assert.equal((await sessionAfterRead(c, s)).hasTicket, false);
});

test('sharedCiphers on the server (the ciphers both sides have, the one chosen among them); null on the client', async (t) => {
  if (!needs(t)) return;
  for (const version of VERSIONS) {
    const [c, s] = await pair(versioned(clientContext(), version), serverContext());
    using _c = c;
    using _s = s;
    assert.equal(c.sharedCiphers(), null);
    const shared = s.sharedCiphers()!;
    assert.ok(shared.length > 0);
    for (const [name, protocol, bits] of shared) assert.ok(typeof name === 'string' && typeof protocol === 'string' && Number.isInteger(bits));
    assert.ok(shared.some(([name]) => name === s.cipher()![0]), `${s.cipher()![0]} in ${shared.map(([n]) => n).join(' ')}`);
  }
  const [a, b] = await tcpPair();
  using early = serverContext().wrapSocketSync(b, { serverSide: true, doHandshakeOnConnect: false });
  a.close();
  assert.equal(early.sharedCiphers(), null, 'no client hello yet');
  assert.equal(early.getChannelBinding(), null, 'no handshake yet');
  early.close();
  assert.throws(() => early.sharedCiphers(), { code: 'EBADF' });
});

test("getChannelBinding('tls-unique'): the same bytes on both ends, TLS 1.2 and 1.3; other types are RangeError", async (t) => {
  if (!needs(t)) return;
  for (const version of VERSIONS) {
    const [c, s] = await pair(versioned(clientContext(), version), serverContext());
    using _c = c;
    using _s = s;
    const binding = c.getChannelBinding();
    assert.ok(Buffer.isBuffer(binding) && binding.length >= 12, String(binding));
    assert.deepEqual(s.getChannelBinding('tls-unique'), binding);
    assert.throws(() => c.getChannelBinding('tls-server-end-point'), { name: 'RangeError', message: 'Unsupported channel binding type' });
  }
});

// A python3 TLS client: two connections, the second resuming the first's
// session; what it saw of each (its channel binding too).
const RESUMING_CLIENT = `
  import ssl
  ctx = ssl.create_default_context(cafile=sys.argv[1])
  ctx.maximum_version = getattr(ssl.TLSVersion, sys.argv[3])
  session = None
  for _ in range(2):
      s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[2]))), server_hostname='localhost', session=session)
      s.recv(1)
      session = s.session
      out({'reused': s.session_reused, 'cb': s.get_channel_binding().hex(), 'ticket': session.has_ticket})
      s.close()
`;

test("python3's ssl client resumes its session with a berkeley server (a wrapped listener), TLS 1.2 and 1.3; tls-unique as Python sees it", async (t) => {
  if (!needs(t, true)) return;
  for (const version of VERSIONS) {
    const server = serverContext();
    const listener = await server.wrapSocket(tcpListener(), { serverSide: true });
    using _listener = listener;
    const peer = new Peer(t, RESUMING_CLIENT, [file('ca.pem'), String(listener.getsockname()[1]), version]);
    for (const reused of [false, true]) {
      const [conn] = await bounded(listener.accept(), PEER_MS);
      using _conn = conn;
      await conn.sendall('x');
      const seen = await peer.json<{ reused: boolean; cb: string; ticket: boolean }>();
      assert.deepEqual(seen, { reused, cb: conn.getChannelBinding()!.toString('hex'), ticket: true });
      assert.equal(conn.sessionReused, reused);
    }
    await peer.done();
    assert.equal(server.sessionStats().hits, 1);
  }
});

// A python3 TLS server: two connections, saying whether each resumed.
const RESUMED_SERVER = `
  import ssl
  ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
  ctx.load_cert_chain(sys.argv[1], sys.argv[2])
  ctx.maximum_version = getattr(ssl.TLSVersion, sys.argv[3])
  srv = socket.create_server(('127.0.0.1', 0))
  out(srv.getsockname()[1])
  for _ in range(2):
      s = ctx.wrap_socket(srv.accept()[0], server_side=True)
      s.sendall(b'x')
      out({'reused': s.session_reused, 'cb': s.get_channel_binding().hex()})
      s.recv(1)
      s.close()
`;

test("a berkeley client resumes its session with python3's ssl server, TLS 1.2 and 1.3, in both forms", async (t) => {
  if (!needs(t, true)) return;
  for (const version of VERSIONS) {
    const peer = new Peer(t, RESUMED_SERVER, [file('server.pem'), file('server.key'), version]);
    const port = await peer.json<number>();
    const client = clientContext();
    let session: ssl.SSLSession | null = null;
    for (const form of ['async', 'sync'] as const) {
      const raw = await connectTo(['127.0.0.1', port]);
      const tls: ssl.SSLSocket = form === 'sync' ? client.wrapSocketSync(raw, { serverHostname: 'localhost', session }) : await bounded(client.wrapSocket(raw, { serverHostname: 'localhost', session }), PEER_MS);
      using _tls = tls;
      assert.equal((await bounded(recvExactly(tls, 1))).toString(), 'x');
      const seen = await peer.json<{ reused: boolean; cb: string }>();
      assert.deepEqual(seen, { reused: session !== null, cb: tls.getChannelBinding()!.toString('hex') });
      assert.equal(tls.sessionReused, session !== null);
      session = tls.session;
      await tls.sendall('y');
    }
    await peer.done();
  }
});

// A python3 client with post-handshake authentication and a certificate,
// asking the server for PHA, then whether it has the certificate.
const PHA_CLIENT = `
  import ssl
  ctx = ssl.create_default_context(cafile=sys.argv[1])
  ctx.maximum_version = getattr(ssl.TLSVersion, sys.argv[5])
  ctx.post_handshake_auth = sys.argv[6] == 'pha'
  ctx.load_cert_chain(sys.argv[3], sys.argv[4])
  s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[2]))), server_hostname='localhost')
  for word in [b'HASCERT', b'PHA', b'HASCERT']:
      s.sendall(word)
      out(s.recv(100).decode())
  s.close()
`;

test("post-handshake authentication: python3's client sends its certificate when the berkeley server asks; Python's errors otherwise", async (t) => {
  if (!needs(t, true)) return;
  const client = clientContext();
  assert.equal(client.postHandshakeAuth, false);
  assert.throws(() => (client.postHandshakeAuth = 1 as unknown as boolean), TypeError);
  for (const [version, pha, expected] of [
    ['TLSv1_3', 'pha', ['no', 'ok', 'berkeley client']],
    // TLS 1.2 has no PHA: a server that verifies clients asks in the handshake.
    ['TLSv1_2', 'pha', ['berkeley client', 'WRONG_SSL_VERSION', 'berkeley client']],
    ['TLSv1_3', 'none', ['no', 'EXTENSION_NOT_RECEIVED', 'no']],
  ] as const) {
    const server = serverContext();
    server.verifyMode = ssl.CERT_REQUIRED;
    server.loadVerifyLocations({ cafile: file('ca.pem') });
    server.postHandshakeAuth = true;
    const listener = await server.wrapSocket(tcpListener(), { serverSide: true });
    using _listener = listener;
    const peer = new Peer(t, PHA_CLIENT, [file('ca.pem'), String(listener.getsockname()[1]), file('client.pem'), file('client.key'), version, pha]);
    const [conn] = await bounded(listener.accept(), PEER_MS);
    using _conn = conn;
    conn.settimeout(20);
    const answers: string[] = [];
    for (let k = 0; k < 3; k++) {
      const word = (await bounded(conn.recv(100))).toString();
      let answer: string;
      if (word === 'PHA') {
        try {
          conn.verifyClientPostHandshake();
          answer = 'ok';
        } catch (error) {
          assert.ok(error instanceof ssl.SSLError, String(error));
          answer = error.reason!;
        }
      } else {
        const subject = (conn.getpeercert() as ssl.PeerCertificate | null)?.subject;
        answer = subject?.flat().find(([key]) => key === 'commonName')?.[1] ?? 'no';
      }
      await conn.sendall(answer);
      answers.push(await peer.line(PEER_MS).then((line) => JSON.parse(line) as string));
    }
    assert.deepEqual(answers, expected);
    await peer.done();
  }
  // On a client: NOT_SERVER, as Python.
  const [c, s] = await pair(clientContext(), serverContext());
  using _c = c;
  using _s = s;
  assert.throws(() => c.verifyClientPostHandshake(), (e: unknown) => e instanceof ssl.SSLError && e.reason === 'NOT_SERVER');
});
