// berkeley/ssl, berkeley against itself over loopback: data, versions, ALPN,
// verification (host names, CAs, client certificates), bulk and concurrent
// calls, unwrap, shutdown, close, makefile. The modes and hostile peers are
// in ssl-modes, python3's ssl in both forms in ssl-python. The certificates come
// from a throwaway CA made by the openssl CLI at test time (support/tls.ts;
// these tests skip where there is no openssl). Node's tls and python3's ssl
// as the peer are in ssl-interop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import * as socket from 'berkeley';
import * as ssl from 'berkeley/ssl';
import { bounded, hasPythonSsl, pythonDecode, refusedHandshake, tcpPair, TestCertificates, tlsPair } from '../support/index.js';

const certificates = new TestCertificates();
before(() => certificates.make());
after(() => certificates.cleanup());
const { dir, file, needs, serverContext, clientContext } = certificates;

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
  if (hasPythonSsl()) assert.deepEqual(peer, pythonDecode(file('server.pem')), "the same dict as Python's");
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

test('ALPN: the server picks from what the client offers; lists that share nothing give none', async (t) => {
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

  // Lists that share nothing: the handshake completes without ALPN, as Python's does.
  const disjoint = serverContext();
  disjoint.setAlpnProtocols(['x-other']);
  const h2Only = clientContext();
  h2Only.setAlpnProtocols(['h2']);
  const [c3, s3] = await tlsPair(h2Only, disjoint);
  assert.equal(c3.selectedAlpnProtocol(), null);
  assert.equal(s3.selectedAlpnProtocol(), null);
  c3.close();
  s3.close();
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
  // Python's first failure: no issuer found locally.
  assert.equal(error.verifyCode, 20);
  assert.equal(error.verifyMessage, 'unable to get local issuer certificate');

  // The default CAs and ours: trusted; and the default CAs of every other
  // context (one store, shared) stay without ours.
  const both = ssl.createDefaultContext();
  both.loadVerifyLocations({ cafile: file('ca.pem') });
  const [c, s] = await tlsPair(both, serverContext());
  c.close();
  s.close();
  assert.ok((await refusedHandshake(ssl.createDefaultContext(), serverContext(), 'localhost')) instanceof ssl.SSLCertVerificationError);
  const ours = clientContext();
  ours.loadDefaultCerts();
  const [c2, s2] = await tlsPair(ours, serverContext());
  c2.close();
  s2.close();

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
  const [clientSide, serverSide] = await bounded(Promise.allSettled([clientContext().wrapSocket(c2, { serverHostname: 'localhost' }), server.wrapSocket(s2, { serverSide: true })]));
  // TLS 1.3: the client's handshake is done before the server checks it.
  if (clientSide.status === 'fulfilled') clientSide.value.close();
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

test('toDuplex and toWebStreams over an SSLSocket: a pipeline through TLS, end() and close() send close_notify, the stream closes the socket', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _s = s;
  const duplex = c.toDuplex();
  const payload = randomBytes(300_000);
  duplex.end(payload);
  const received: Buffer[] = [];
  for (let chunk = await bounded(s.recv(65536)); chunk.length > 0; chunk = await bounded(s.recv(65536))) received.push(chunk);
  assert.ok(Buffer.concat(received).equals(payload), 'every byte, then EOF by close_notify');
  await s.sendall('answer');
  await s.shutdown(socket.SHUT_WR);
  const answer: Buffer[] = [];
  for await (const chunk of duplex) answer.push(chunk as Buffer);
  assert.equal(Buffer.concat(answer).toString(), 'answer');
  if (!duplex.closed) await bounded(once(duplex, 'close')); // for await destroys it once done
  assert.equal(c.fileno(), -1, 'the stream closed the socket');

  const [c2, s2] = await tlsPair(clientContext(), serverContext());
  using _s2 = s2;
  const { readable, writable } = c2.toWebStreams();
  const writer = writable.getWriter();
  await writer.write('web ');
  await writer.write(Buffer.from('streams'));
  await bounded(writer.close());
  let text = '';
  for (let chunk = await bounded(s2.recv(100)); chunk.length > 0; chunk = await bounded(s2.recv(100))) text += chunk.toString();
  assert.equal(text, 'web streams');
  await s2.sendall('back');
  await s2.shutdown(socket.SHUT_WR);
  const chunks: Uint8Array[] = [];
  for await (const chunk of readable) chunks.push(chunk);
  assert.equal(Buffer.concat(chunks).toString(), 'back');
  assert.equal(c2.fileno(), -1);
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
  // The file's Sync forms run on the TLS socket's Sync calls.
  out.writeSync('sync line\n');
  out.flushSync();
  assert.equal(await bounded(lines.readline()), 'sync line\n');
  await s.sendall('sync answer\n');
  assert.deepEqual(out.readlineSync(), Buffer.from('sync answer\n'));
  c.close();
  assert.notEqual(c.fileno(), -1, 'a file is still open');
  await out.close();
  assert.equal(c.fileno(), -1);
  await lines.close();
});
