// berkeley/ssl over loopback: berkeley against itself, against Node's tls and
// against python3's ssl, with a throwaway CA made by the openssl CLI at test
// time (the certificate tests skip where there is no openssl).
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import * as socket from 'berkeley';
import * as ssl from 'berkeley/ssl';
import { bounded, Peer, tcpPair, tempDir } from '../support/index.js';

const hasPython = spawnSync('python3', ['-c', 'import ssl'], { timeout: 10_000 }).status === 0;

// ---- certificates ------------------------------------------------------------

const dir = tempDir();
const file = (name: string): string => dir.path(name);
let certs = false;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir.dir, stdio: 'pipe', timeout: 20_000 });
}

function makeCertificate(name: string, subject: string, issuer: string | null, extensions: string[] = []): void {
  const signing = issuer === null ? [] : ['-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`];
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', subject, ...signing, ...extensions.flatMap((e) => ['-addext', e]));
}

before(() => {
  try {
    makeCertificate('ca', '/CN=berkeley test CA', null);
    makeCertificate('server', '/C=US/O=berkeley/CN=localhost', 'ca', ['subjectAltName=DNS:localhost,IP:127.0.0.1', 'basicConstraints=critical,CA:FALSE', 'extendedKeyUsage=serverAuth']);
    makeCertificate('client', '/O=berkeley/CN=berkeley client', 'ca', ['basicConstraints=critical,CA:FALSE', 'extendedKeyUsage=clientAuth']);
    makeCertificate('rogue-ca', '/CN=rogue CA', null);
    makeCertificate('rogue', '/CN=localhost', 'rogue-ca', ['subjectAltName=DNS:localhost', 'basicConstraints=critical,CA:FALSE']);
    openssl('pkey', '-in', 'server.key', '-aes256', '-passout', 'pass:secret', '-out', 'server-encrypted.key');
    certs = true;
  } catch {
    // No openssl (or one without `req -CA`): the certificate tests skip.
  }
});

after(() => dir.cleanup());

/** Skips t unless the certificates (and python3 when asked) are there. */
function needs(t: TestContext, python = false): boolean {
  if (!certs) t.skip('no openssl CLI to make test certificates');
  else if (python && !hasPython) t.skip('no python3 with ssl');
  else return true;
  return false;
}

function serverContext(chain = 'server'): ssl.SSLContext {
  const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  context.loadCertChain(file(`${chain}.pem`), file(`${chain}.key`));
  return context;
}

function clientContext(): ssl.SSLContext {
  return ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: file('ca.pem') });
}

/** A TLS connection over a fresh TCP pair: [client, server]. */
async function tlsPair(client: ssl.SSLContext, server: ssl.SSLContext, serverHostname: string | null = 'localhost'): Promise<[ssl.SSLSocket, ssl.SSLSocket]> {
  const [c, s] = await tcpPair();
  const fds = [c.fileno(), s.fileno()];
  const pair = await bounded(Promise.all([client.wrapSocket(c, { serverHostname }), server.wrapSocket(s, { serverSide: true })]), 10_000, 'handshake');
  // As Python's wrap_socket: the TLS socket took the fd over, the plain one is detached.
  assert.deepEqual([c.fileno(), s.fileno()], [-1, -1]);
  assert.deepEqual(pair.map((t) => t.fileno()), fds);
  return pair;
}

/** A handshake that the client must refuse: resolves with the client's error (both sides settled). */
async function refusedHandshake(client: ssl.SSLContext, server: ssl.SSLContext, serverHostname: string): Promise<unknown> {
  const [c, s] = await tcpPair();
  const [clientSide, serverSide] = await bounded(Promise.allSettled([client.wrapSocket(c, { serverHostname }), server.wrapSocket(s, { serverSide: true })]), 10_000, 'handshake');
  if (serverSide.status === 'fulfilled') serverSide.value.close();
  s.close();
  assert.equal(clientSide.status, 'rejected', 'the client accepted the handshake');
  assert.equal(c.fileno(), -1, 'a failed handshake closes the socket');
  return clientSide.reason;
}

/** Python's decoding of a PEM certificate, as JSON (tuples become lists). */
function pythonDecode(path: string): unknown {
  const out = execFileSync('python3', ['-c', 'import json, ssl, sys; print(json.dumps(ssl._ssl._test_decode_cert(sys.argv[1])))', path], { timeout: 10_000 });
  return JSON.parse(out.toString());
}

// ---- berkeley against berkeley ---------------------------------------------------

test('client and server: data both ways, TLS 1.3, cipher, peer certificate', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _c = c;
  using _s = s;
  await c.sendall('hello over TLS');
  assert.equal((await bounded(s.recv(100))).toString(), 'hello over TLS');
  await s.send(Buffer.from('and back'));
  const into = Buffer.alloc(32);
  const n = await bounded(c.recvInto(into));
  assert.equal(into.subarray(0, n).toString(), 'and back');

  assert.equal(c.version(), 'TLSv1.3');
  assert.equal(s.version(), 'TLSv1.3');
  const [name, protocol, bits] = c.cipher()!;
  assert.match(name, /^TLS_/);
  assert.equal(protocol, 'TLSv1.3');
  assert.ok(bits >= 128);
  assert.deepEqual(s.cipher(), c.cipher());

  assert.ok(c.getpeercert(true)!.equals(new X509Certificate(readFileSync(file('server.pem'))).raw));
  const peer = c.getpeercert() as ssl.PeerCertificate;
  assert.deepEqual(peer.subject, [[['countryName', 'US']], [['organizationName', 'berkeley']], [['commonName', 'localhost']]]);
  assert.deepEqual(peer.subjectAltName, [['DNS', 'localhost'], ['IP Address', '127.0.0.1']]);
  if (hasPython) assert.deepEqual(peer, pythonDecode(file('server.pem')), "the same dict as Python's");
  assert.equal(s.getpeercert(), null, 'the server asked for no client certificate');
  assert.equal(c.serverHostname, 'localhost');
  assert.equal(s.serverSide, true);
  assert.equal(c.fileno() >= 0, true);
  assert.match(String(c), /^<berkeley\.SSLSocket fd=\d+.*version=TLSv1\.3>$/);
});

test('sendfile goes through TLS (read + send), a range too; socket options reach the socket under it', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _c = c;
  using _s = s;
  const content = randomBytes(300_000);
  const path = dir.path('sendfile.bin');
  writeFileSync(path, content);
  const file = await open(path);
  try {
    const receive = async (n: number): Promise<Buffer> => {
      const parts: Buffer[] = [];
      for (let got = 0; got < n; ) {
        const part = await s.recv(65536);
        assert.ok(part.length > 0, 'early EOF');
        parts.push(part);
        got += part.length;
      }
      return Buffer.concat(parts);
    };
    const [sent, received] = await bounded(Promise.all([c.sendfile(file), receive(content.length)]));
    assert.equal(sent, content.length);
    assert.ok(received.equals(content));
    const [ranged, part] = await bounded(Promise.all([c.sendfile(file.fd, 1000, 500), receive(500)]));
    assert.equal(ranged, 500);
    assert.ok(part.equals(content.subarray(1000, 1500)));
  } finally {
    await file.close();
  }
  c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, true);
  assert.notEqual(c.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 0);
  assert.equal(c.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 4).readInt32LE(0), socket.SOCK_STREAM);
});

test('maximumVersion TLSv1_2 gives TLS 1.2; minimumVersion TLSv1_3 against it fails', async (t) => {
  if (!needs(t)) return;
  const client = clientContext();
  client.maximumVersion = ssl.TLSVersion.TLSv1_2;
  assert.equal(client.maximumVersion, ssl.TLSVersion.TLSv1_2);
  const [c, s] = await tlsPair(client, serverContext());
  assert.equal(c.version(), 'TLSv1.2');
  assert.equal(s.version(), 'TLSv1.2');
  assert.equal(c.cipher()![1], 'TLSv1.2');
  await c.sendall('twelve');
  assert.equal((await bounded(s.recv(100))).toString(), 'twelve');
  c.close();
  s.close();

  const server = serverContext();
  server.minimumVersion = ssl.TLSVersion.TLSv1_3;
  const error = await refusedHandshake(client, server, 'localhost');
  assert.ok(error instanceof ssl.SSLError, String(error));
});

test('ALPN: the server picks from what the client offers', async (t) => {
  if (!needs(t)) return;
  const client = clientContext();
  client.setAlpnProtocols(['h2', 'http/1.1']);
  const server = serverContext();
  server.setAlpnProtocols(['http/1.1', 'x-other']);
  const [c, s] = await tlsPair(client, server);
  assert.equal(c.selectedAlpnProtocol(), 'http/1.1');
  assert.equal(s.selectedAlpnProtocol(), 'http/1.1');
  c.close();
  s.close();

  const [c2, s2] = await tlsPair(clientContext(), serverContext());
  assert.equal(c2.selectedAlpnProtocol(), null);
  c2.close();
  s2.close();
  assert.throws(() => client.setAlpnProtocols(['']), RangeError);
  assert.throws(() => client.setAlpnProtocols('h2' as unknown as string[]), TypeError);
});

test('a wrong host name is refused by default', async (t) => {
  if (!needs(t)) return;
  const error = await refusedHandshake(clientContext(), serverContext(), 'wrong.example');
  assert.ok(error instanceof ssl.SSLCertVerificationError, String(error));
  assert.ok(error instanceof ssl.SSLError);
  assert.ok(error instanceof socket.SocketError);
  assert.equal(error.verifyCode, 62);
  assert.equal(error.verifyMessage, "Hostname mismatch, certificate is not valid for 'wrong.example'.");
  assert.equal(error.reason, 'CERTIFICATE_VERIFY_FAILED');
  assert.equal(error.code, 'SSL_ERROR_SSL');

  const ip = await refusedHandshake(clientContext(), serverContext(), '127.0.0.2');
  assert.ok(ip instanceof ssl.SSLCertVerificationError);
  assert.equal(ip.verifyCode, 64);

  // By IP address, as the certificate names it.
  const [c, s] = await tlsPair(clientContext(), serverContext(), '127.0.0.1');
  assert.equal(c.version(), 'TLSv1.3');
  c.close();
  s.close();
});

test('an untrusted CA is refused by the default context', async (t) => {
  if (!needs(t)) return;
  // Node's bundled roots do not include our CA.
  const error = await refusedHandshake(ssl.createDefaultContext(), serverContext(), 'localhost');
  assert.ok(error instanceof ssl.SSLCertVerificationError, String(error));
  // Python's first failure: no issuer found locally (Node's last one is 21).
  assert.equal(error.verifyCode, 20);
  assert.equal(error.verifyMessage, 'unable to get local issuer certificate');

  const rogue = await refusedHandshake(clientContext(), serverContext('rogue'), 'localhost');
  assert.ok(rogue instanceof ssl.SSLCertVerificationError);

  // A bare client context trusts nothing until told to.
  const bare = await refusedHandshake(new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), serverContext(), 'localhost');
  assert.ok(bare instanceof ssl.SSLCertVerificationError);
});

test('CERT_NONE connects to anyone; the certificate is then not decoded', async (t) => {
  if (!needs(t)) return;
  const client = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.throws(() => (client.verifyMode = ssl.CERT_NONE), RangeError, 'not while checkHostname is on');
  client.checkHostname = false;
  client.verifyMode = ssl.CERT_NONE;
  const [c, s] = await tlsPair(client, serverContext('rogue'), null);
  assert.deepEqual(c.getpeercert(), {});
  assert.ok(Buffer.isBuffer(c.getpeercert(true)));
  c.close();
  s.close();
  client.checkHostname = true;
  assert.equal(client.verifyMode, ssl.CERT_REQUIRED, 'checkHostname turns verification back on');
});

test('client certificates: CERT_REQUIRED and CERT_OPTIONAL servers', async (t) => {
  if (!needs(t)) return;
  const server = serverContext();
  server.verifyMode = ssl.CERT_REQUIRED;
  server.loadVerifyLocations({ cadata: readFileSync(file('ca.pem'), 'latin1') });
  const client = clientContext();
  client.loadCertChain(file('client.pem'), file('client.key'));
  const [c, s] = await tlsPair(client, server);
  const peer = s.getpeercert() as ssl.PeerCertificate;
  assert.deepEqual(peer.subject.at(-1), [['commonName', 'berkeley client']]);
  c.close();
  s.close();

  // No client certificate: the server refuses.
  const [c2, s2] = await tcpPair();
  const [, serverSide] = await bounded(Promise.allSettled([clientContext().wrapSocket(c2, { serverHostname: 'localhost' }), server.wrapSocket(s2, { serverSide: true })]));
  c2.close();
  assert.equal(serverSide.status, 'rejected');
  const error = (serverSide as PromiseRejectedResult).reason as ssl.SSLError;
  assert.ok(error instanceof ssl.SSLError, String(error));
  assert.equal(error.reason, 'PEER_DID_NOT_RETURN_A_CERTIFICATE');

  // CERT_OPTIONAL takes no certificate, and a good one (DER cadata this time).
  const optional = serverContext();
  optional.verifyMode = ssl.CERT_OPTIONAL;
  optional.loadVerifyLocations({ cadata: new X509Certificate(readFileSync(file('ca.pem'))).raw });
  const [c3, s3] = await tlsPair(clientContext(), optional);
  assert.equal(s3.getpeercert(), null);
  c3.close();
  s3.close();
  const [c4, s4] = await tlsPair(client, optional);
  assert.ok(s4.getpeercert(true));
  c4.close();
  s4.close();
});

test('bulk data both ways at once, concurrent calls served in call order', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _c = c;
  using _s = s;
  const up = randomBytes(3 << 20);
  const down = randomBytes(2 << 20);
  const receive = async (from: ssl.SSLSocket, n: number): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for (let got = 0; got < n; ) {
      const chunk = await from.recv(50_000);
      assert.ok(chunk.length > 0, 'early EOF');
      chunks.push(chunk);
      got += chunk.length;
    }
    return Buffer.concat(chunks);
  };
  const [atServer, atClient] = await bounded(Promise.all([receive(s, up.length), receive(c, down.length), c.sendall(up), s.sendall(down)]), 30_000, 'bulk transfer');
  assert.ok(atServer.equals(up));
  assert.ok(atClient.equals(down));

  const reads = [c.recv(5), c.recv(5), c.recv(5)];
  await Promise.all([s.sendall('aaaaa'), s.sendall('bbbbb'), s.sendall('ccccc')]);
  assert.deepEqual((await bounded(Promise.all(reads))).map(String), ['aaaaa', 'bbbbb', 'ccccc']);
});

test('unwrap: close_notify both ways, then the plain socket, bytes right after it intact', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  await c.sendall('secret');
  assert.equal((await bounded(s.recv(100))).toString(), 'secret');
  // The server speaks plain text the moment its unwrap is done: those bytes
  // may reach the client before its own unwrap finishes.
  const [plainC, plainS] = await bounded(
    Promise.all([
      c.unwrap(),
      s.unwrap().then(async (plain) => {
        await plain.sendall('in the clear');
        return plain;
      }),
    ]),
  );
  using _c = plainC;
  using _s = plainS;
  assert.ok(plainC instanceof socket.Socket);
  assert.equal(c.fileno(), -1);
  assert.equal(c.closed, true);
  assert.equal((await bounded(plainC.recv(100))).toString(), 'in the clear');
  await plainC.sendall('plain reply');
  assert.equal((await bounded(plainS.recv(100))).toString(), 'plain reply');
  await assert.rejects(c.recv(1), (e: socket.SocketError) => e.code === 'EBADF');
});

test('shutdown(SHUT_WR) sends close_notify: the peer reads EOF and can still answer', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _c = c;
  using _s = s;
  await c.sendall('last words');
  await bounded(c.shutdown(socket.SHUT_WR));
  assert.equal((await bounded(s.recv(100))).toString(), 'last words');
  assert.equal((await bounded(s.recv(100))).length, 0, 'EOF');
  await s.sendall('reply after EOF');
  assert.equal((await bounded(c.recv(100))).toString(), 'reply after EOF');
});

test('timeouts: recv times out and the connection stays usable; non-blocking recv wants read', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _c = c;
  using _s = s;
  c.settimeout(0.05);
  assert.equal(c.gettimeout(), 0.05);
  await assert.rejects(bounded(c.recv(10)), socket.TimeoutError);
  await s.sendall('late');
  assert.equal((await bounded(c.recv(10))).toString(), 'late');
  c.setblocking(false);
  await assert.rejects(c.recv(10), ssl.SSLWantReadError);
  c.setblocking(true);
  assert.equal(c.getblocking(), true);
  // A peer that reads nothing: the socket's buffers fill and sendall runs out of time.
  s.settimeout(0.05);
  await assert.rejects(bounded(s.sendall(Buffer.alloc(32 << 20))), socket.TimeoutError);
});

test('the handshake runs under the socket timeout', async () => {
  // A peer that accepts the connection and never says a word.
  const [c, s] = await tcpPair();
  using _s = s;
  c.settimeout(0.05);
  const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  await assert.rejects(bounded(context.wrapSocket(c, { serverHostname: 'localhost' })), socket.TimeoutError);
  assert.equal(c.fileno(), -1);
});

test('a peer that is not speaking TLS, and one that hangs up, fail the handshake', async () => {
  const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  const [c, s] = await tcpPair();
  await s.sendall('HTTP/1.0 400 Bad Request\r\n\r\n');
  const error = await bounded(context.wrapSocket(c, { serverHostname: 'localhost' })).catch((e: unknown) => e);
  s.close();
  assert.ok(error instanceof ssl.SSLError, String(error));

  const [c2, s2] = await tcpPair();
  s2.close();
  const eof = await bounded(context.wrapSocket(c2, { serverHostname: 'localhost' })).catch((e: unknown) => e);
  assert.ok(eof instanceof socket.SocketError, String(eof));
});

test('close: a pending recv rejects with EBADF; close is idempotent', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _s = s;
  const pending = c.recv(10);
  c.close();
  c.close();
  await assert.rejects(bounded(pending), (e: socket.SocketError) => e.code === 'EBADF');
  assert.equal(c.fileno(), -1);
  // The end, or a reset: the client closed with a session ticket unread.
  const end = await bounded(s.recv(10)).catch((e: unknown) => e);
  assert.ok((Buffer.isBuffer(end) && end.length === 0) || end instanceof socket.ConnectionResetError, String(end));
});

test('makefile over TLS: lines in, lines out; the socket closes with its last file', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _s = s;
  const out = c.makefile('rwb');
  await out.write('first line\nsecond line\n');
  await out.flush();
  const lines = s.makefile('r');
  assert.equal(await bounded(lines.readline()), 'first line\n');
  assert.equal(await bounded(lines.readline()), 'second line\n');
  await s.sendall('answer\n');
  assert.deepEqual(await bounded(out.readline()), Buffer.from('answer\n'));
  c.close();
  assert.notEqual(c.fileno(), -1, 'a file is still open');
  await out.close();
  assert.equal(c.fileno(), -1);
  await lines.close();
});

// ---- berkeley against Node's tls ------------------------------------------------

test("against Node's tls.createServer and tls.connect", async (t) => {
  if (!needs(t)) return;
  const key = readFileSync(file('server.key'));
  const cert = readFileSync(file('server.pem'));
  const server = tls.createServer({ key, cert, ALPNProtocols: ['x-node'] }, (conn) => {
    conn.on('error', () => undefined);
    conn.on('data', (data: Buffer) => conn.end(data.toString().toUpperCase()));
  });
  server.listen(0, '127.0.0.1');
  await bounded(once(server, 'listening'));
  t.after(() => server.close());
  const context = clientContext();
  context.setAlpnProtocols(['x-node']);
  const sock = await bounded(socket.createConnection(['127.0.0.1', (server.address() as AddressInfo).port]));
  const client = await bounded(context.wrapSocket(sock, { serverHostname: 'localhost' }));
  using _client = client;
  assert.equal(client.selectedAlpnProtocol(), 'x-node');
  await client.sendall('shout');
  assert.equal((await bounded(client.recv(100))).toString(), 'SHOUT');
  assert.equal((await bounded(client.recv(100))).length, 0);

  // Node's client against a berkeley server.
  using listener = socket.createServer(['127.0.0.1', 0]);
  const port = (listener.getsockname() as [string, number])[1];
  const nodeClient = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(file('ca.pem')) });
  nodeClient.on('error', () => undefined);
  t.after(() => nodeClient.destroy());
  const secure = once(nodeClient, 'secureConnect');
  const [conn] = await bounded(listener.accept());
  const served = await bounded(serverContext().wrapSocket(conn, { serverSide: true }));
  using _served = served;
  await bounded(secure);
  nodeClient.write('from node');
  assert.equal((await bounded(served.recv(100))).toString(), 'from node');
  await served.sendall('to node');
  const [reply] = (await bounded(once(nodeClient, 'data'))) as [Buffer];
  assert.equal(reply.toString(), 'to node');
});

// ---- berkeley against python3's ssl -----------------------------------------------

test("a berkeley client against python3's ssl server, unwrap included", async (t) => {
  if (!needs(t, true)) return;
  const peer = new Peer(
    t,
    `
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[1], sys.argv[2])
    ctx.set_alpn_protocols(['x-python', 'http/1.1'])
    srv = socket.create_server(('127.0.0.1', 0))
    out({'port': srv.getsockname()[1]})
    conn, _ = srv.accept()
    s = ctx.wrap_socket(conn, server_side=True)
    data = s.recv(100)
    s.sendall(data.upper())
    out({'version': s.version(), 'alpn': s.selected_alpn_protocol(), 'cipher': list(s.cipher())})
    plain = s.unwrap()
    plain.sendall(b'plain from python')
    out({'plain': plain.recv(100).decode()})
    plain.close()
    `,
    [file('server.pem'), file('server.key')],
  );
  const { port } = await peer.json<{ port: number }>();
  const context = clientContext();
  context.setAlpnProtocols(['http/1.1']);
  const sock = await bounded(socket.createConnection(['127.0.0.1', port]));
  const client = await bounded(context.wrapSocket(sock, { serverHostname: 'localhost' }));
  await client.sendall('hello python');
  assert.equal((await bounded(client.recv(100))).toString(), 'HELLO PYTHON');
  const seen = await peer.json<{ version: string; alpn: string; cipher: [string, string, number] }>();
  assert.equal(seen.version, 'TLSv1.3');
  assert.equal(client.version(), 'TLSv1.3');
  assert.equal(seen.alpn, 'http/1.1');
  assert.equal(client.selectedAlpnProtocol(), 'http/1.1');
  assert.deepEqual(client.cipher(), seen.cipher);
  assert.deepEqual(client.getpeercert(), pythonDecode(file('server.pem')));
  const plain = await bounded(client.unwrap());
  using _plain = plain;
  assert.equal((await bounded(plain.recv(100))).toString(), 'plain from python');
  await plain.sendall('plain from berkeley');
  assert.deepEqual(await peer.json(), { plain: 'plain from berkeley' });
  await peer.done();
});

test("python3's ssl client against a berkeley server, TLS 1.2 and 1.3", async (t) => {
  if (!needs(t, true)) return;
  using listener = socket.createServer(['127.0.0.1', 0]);
  const port = (listener.getsockname() as [string, number])[1];
  const server = serverContext();
  server.setAlpnProtocols(['x-berkeley']);
  for (const maximum of ['TLSv1_2', 'TLSv1_3']) {
    const peer = new Peer(
      t,
      `
      import ssl
      ctx = ssl.create_default_context(cafile=sys.argv[1])
      ctx.maximum_version = getattr(ssl.TLSVersion, sys.argv[3])
      ctx.set_alpn_protocols(['h2', 'x-berkeley'])
      with socket.create_connection(('127.0.0.1', int(sys.argv[2]))) as raw:
          with ctx.wrap_socket(raw, server_hostname='localhost') as s:
              s.sendall(b'hello from python')
              out({'echo': s.recv(100).decode(), 'version': s.version(), 'alpn': s.selected_alpn_protocol(), 'cipher': list(s.cipher()), 'peer': s.getpeercert()})
      `,
      [file('ca.pem'), String(port), maximum],
    );
    const [conn] = await bounded(listener.accept());
    const served = await bounded(server.wrapSocket(conn, { serverSide: true }));
    using _served = served;
    const data = await bounded(served.recv(100));
    await served.sendall(Buffer.concat([Buffer.from('echo: '), data]));
    const seen = await peer.json<{ echo: string; version: string; alpn: string; cipher: unknown; peer: unknown }>();
    assert.equal(seen.echo, 'echo: hello from python');
    assert.equal(seen.version, maximum.replace('_', '.'));
    assert.equal(served.version(), seen.version);
    assert.equal(seen.alpn, 'x-berkeley');
    assert.equal(served.selectedAlpnProtocol(), 'x-berkeley');
    assert.deepEqual(served.cipher(), seen.cipher);
    assert.deepEqual(seen.peer, pythonDecode(file('server.pem')));
    await peer.done();
  }
});

test('python3 refuses a berkeley server with the wrong name, as berkeley refuses it', async (t) => {
  if (!needs(t, true)) return;
  using listener = socket.createServer(['127.0.0.1', 0]);
  const port = (listener.getsockname() as [string, number])[1];
  const peer = new Peer(
    t,
    `
    import ssl
    ctx = ssl.create_default_context(cafile=sys.argv[1])
    try:
        with socket.create_connection(('127.0.0.1', int(sys.argv[2]))) as raw:
            ctx.wrap_socket(raw, server_hostname='wrong.example')
    except ssl.SSLCertVerificationError as e:
        out({'code': e.verify_code, 'message': e.verify_message, 'reason': e.reason})
    `,
    [file('ca.pem'), String(port)],
  );
  const [conn] = await bounded(listener.accept());
  await bounded(serverContext().wrapSocket(conn, { serverSide: true })).then(
    (s) => s.close(),
    () => undefined,
  );
  const python = await peer.json<{ code: number; message: string; reason: string }>();
  const ours = await refusedHandshake(clientContext(), serverContext(), 'wrong.example');
  assert.ok(ours instanceof ssl.SSLCertVerificationError);
  assert.deepEqual({ code: ours.verifyCode, message: ours.verifyMessage, reason: ours.reason }, python);
  await peer.done();
});

// ---- contexts and errors ----------------------------------------------------------------

test('SSLContext: defaults, validation and loading errors', async (t) => {
  const client = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.equal(client.checkHostname, true);
  assert.equal(client.verifyMode, ssl.CERT_REQUIRED);
  assert.equal(client.minimumVersion, ssl.TLSVersion.TLSv1_2);
  assert.equal(client.maximumVersion, ssl.TLSVersion.MAXIMUM_SUPPORTED);
  const server = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  assert.equal(server.checkHostname, false);
  assert.equal(server.verifyMode, ssl.CERT_NONE);
  assert.equal(ssl.createDefaultContext().verifyMode, ssl.CERT_REQUIRED);
  assert.equal(ssl.createDefaultContext(ssl.Purpose.CLIENT_AUTH).protocol, ssl.PROTOCOL_TLS_SERVER);
  assert.throws(() => new ssl.SSLContext(3), RangeError);
  assert.throws(() => (client.minimumVersion = 5 as ssl.TLSVersion), RangeError);
  assert.throws(() => client.setCiphers('NO-SUCH-CIPHER'), ssl.SSLError);
  client.setCiphers('ECDHE+AESGCM');
  assert.throws(() => client.loadCertChain(dir.path('missing.pem')), socket.FileNotFoundError);
  assert.throws(() => client.loadVerifyLocations({ cafile: dir.path('missing.pem') }), socket.FileNotFoundError);
  assert.throws(() => client.loadVerifyLocations({}), TypeError);
  assert.throws(() => client.loadVerifyLocations({ cadata: 'not a certificate' }), ssl.SSLError);

  const [c, s] = await tcpPair();
  using _c = c;
  using _s = s;
  await assert.rejects(client.wrapSocket(c), RangeError, 'checkHostname requires serverHostname');
  await assert.rejects(client.wrapSocket(c, { serverSide: true }), RangeError);
  await assert.rejects(server.wrapSocket(s), RangeError);
  await assert.rejects(server.wrapSocket(s, { serverSide: true, serverHostname: 'x' }), RangeError);
  await assert.rejects(client.wrapSocket({} as unknown as socket.Socket, { serverHostname: 'x' }), TypeError);
  using udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  await assert.rejects(client.wrapSocket(udp, { serverHostname: 'x' }), RangeError);
  using unconnected = socket.socket();
  await assert.rejects(client.wrapSocket(unconnected, { serverHostname: 'x' }), (e: socket.SocketError) => e.code === 'ENOTCONN');

  if (!needs(t)) return;
  server.loadCertChain(file('server.pem'), file('server-encrypted.key'), 'secret');
  server.loadCertChain(file('server.pem'), file('server-encrypted.key'), () => 'secret');
  assert.throws(() => server.loadCertChain(file('server.pem'), file('server-encrypted.key'), 'wrong'), ssl.SSLError);
  assert.throws(() => server.loadCertChain(file('server.pem'), file('client.key')), ssl.SSLError);
  client.loadVerifyLocations({ capath: dir.dir });
});

// ---- the README example -------------------------------------------------------------

test('docs example: an HTTPS request over berkeley/ssl', async (t) => {
  if (!needs(t)) return;
  const web = https.createServer({ key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')) }, (_req, res) => res.end('hello over TLS'));
  web.listen(0, '127.0.0.1');
  await bounded(once(web, 'listening'));
  t.after(() => web.close());
  const port = (web.address() as AddressInfo).port;

  const context = ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: file('ca.pem') });
  const sock = await socket.createConnection(['127.0.0.1', port], 5);
  await using tlsSock = await context.wrapSocket(sock, { serverHostname: 'localhost' });
  await tlsSock.sendall('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
  const response = tlsSock.makefile('rb');
  const statusLine = (await bounded(response.readline())).toString();
  const rest = (await bounded(response.read())).toString();
  await response.close();

  assert.equal(statusLine, 'HTTP/1.1 200 OK\r\n');
  assert.match(rest, /\r\n\r\nhello over TLS$/);
});
