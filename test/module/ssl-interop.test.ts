// berkeley/ssl against other TLS stacks over loopback: Node's tls (both
// ends), python3's ssl (both ends, TLS 1.2 and 1.3, host name refusal), the
// README's HTTPS example against Node's https; renegotiation refused; and SSLContext's defaults,
// validation and loading errors. The certificates come from a throwaway CA
// made by the openssl CLI at test time (support/tls.ts; these tests skip
// where there is no openssl).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import * as socket from 'berkeley';
import * as ssl from 'berkeley/ssl';
import { assertEBADF, assertRejectsEBADF, bounded, expectFailure, isErrorNaming, Peer, pythonDecode, refusedHandshake, tcpPair, TestCertificates, tlsPair, type ErrorClass } from '../support/index.js';

const certificates = new TestCertificates();
before(() => certificates.make());
after(() => certificates.cleanup());
const { dir, file, needs, serverContext, clientContext } = certificates;

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

test("renegotiation refused: a TLS 1.2 client of Node's tls that asks for it gets no_renegotiation, the server's read its alert as an SSLError", async (t) => {
  if (!needs(t)) return;
  const server = serverContext();
  server.maximumVersion = ssl.TLSVersion.TLSv1_2;
  using listener = socket.socket();
  listener.bind(['127.0.0.1', 0]);
  listener.listen();
  const [, port] = listener.getsockname() as [string, number];
  const client = tls.connect({ port, host: '127.0.0.1', ca: readFileSync(file('ca.pem')), servername: 'localhost' });
  t.after(() => client.destroy());
  const [conn] = await bounded(listener.accept());
  using s = await bounded(server.wrapSocket(conn, { serverSide: true }));
  await bounded(once(client, 'secureConnect'));
  assert.equal(client.getProtocol(), 'TLSv1.2');
  client.write('one');
  assert.equal((await bounded(s.recv(10))).toString(), 'one');
  const refused = new Promise<Error>((resolve) => client.once('error', resolve));
  // The server's read takes the client's hello and answers no_renegotiation;
  // the client gives up with a handshake_failure alert, which the read reports.
  const read = s.recv(10);
  assert.equal(client.renegotiate({}, () => undefined), true, 'the request goes out');
  const error = await bounded(refused);
  assert.match(error.message, /no renegotiation/);
  await assert.rejects(bounded(read), (e: unknown) => e instanceof ssl.SSLError && /ALERT_HANDSHAKE_FAILURE$/.test(e.reason ?? ''));
});

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
  // An unconnected socket may be wrapped (connect() then handshakes: module/ssl-wrap).
  using unconnected = socket.socket();
  using wrapped = await client.wrapSocket(unconnected, { serverHostname: 'x' });
  assert.equal(wrapped.version(), null);

  if (!needs(t)) return;
  server.loadCertChain(file('server.pem'), file('server-encrypted.key'), 'secret');
  server.loadCertChain(file('server.pem'), file('server-encrypted.key'), () => 'secret');
  assert.throws(() => server.loadCertChain(file('server.pem'), file('server-encrypted.key'), 'wrong'), ssl.SSLError);
  assert.throws(() => server.loadCertChain(file('server.pem'), file('client.key')), ssl.SSLError);
  client.loadVerifyLocations({ capath: dir.dir });
});

test('SSLSocket and wrapSocket: bad arguments are TypeError or RangeError naming the argument, in both forms; a closed SSLSocket is EBADF', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _s = s;
  const rows: [method: string, args: unknown[], error: ErrorClass, arg?: string][] = [
    ['recv', ['x'], TypeError, 'bufsize'],
    ['recv', [-1], RangeError, 'bufsize'],
    ['recv', [10, socket.MSG_PEEK], RangeError],
    ['recvInto', ['x'], TypeError, 'buffer'],
    ['recvInto', [Buffer.alloc(4), 5], RangeError, 'nbytes'],
    ['send', [5], TypeError, 'data'],
    ['send', ['x', socket.MSG_OOB], RangeError],
    ['sendall', [{}], TypeError, 'data'],
    ['sendfile', ['file'], TypeError, 'file'],
    ['shutdown', ['x'], TypeError, 'how'],
  ];
  const target = c as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const [method, args, error, arg] of rows) {
    await expectFailure(true, () => target[method]!(...args), isErrorNaming(error, arg));
    await expectFailure(false, () => target[`${method}Sync`]!(...args), isErrorNaming(error, arg));
  }
  await expectFailure(true, () => c.recv(1, 0, { signal: 'x' as unknown as AbortSignal }), isErrorNaming(TypeError, 'options.signal'));

  const context = clientContext();
  const wrapRows: [object, ErrorClass, string][] = [
    [{ serverHostname: 5 }, TypeError, 'serverHostname'],
    [{ serverHostname: 'a\0b' }, RangeError, 'serverHostname'],
    [{ serverHostname: 'x'.repeat(256) }, RangeError, 'serverHostname'],
    [{ serverHostname: 'localhost', serverSide: 'yes' }, TypeError, 'serverSide'],
    [{ serverHostname: 'localhost', doHandshakeOnConnect: 1 }, TypeError, 'doHandshakeOnConnect'],
    [{ serverHostname: 'localhost', suppressRaggedEofs: 'no' }, TypeError, 'suppressRaggedEofs'],
  ];
  const [a, b] = await tcpPair();
  using _a = a;
  using _b = b;
  for (const [options, error, arg] of wrapRows) {
    await expectFailure(true, () => context.wrapSocket(a, options as ssl.WrapOptions), isErrorNaming(error, arg));
    await expectFailure(false, () => context.wrapSocketSync(a, options as ssl.WrapOptions), isErrorNaming(error, arg));
  }
  assert.notEqual(a.fileno(), -1, 'a refused wrap leaves the socket alone');

  c.close();
  await assertRejectsEBADF(c.recv(1));
  await assertRejectsEBADF(c.doHandshake());
  assertEBADF(() => c.sendallSync('x'));
  assertEBADF(() => c.unwrapSync());
  assert.deepEqual([c.version(), c.cipher(), c.pending(), c.fileno()], [null, null, 0, -1]);
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
