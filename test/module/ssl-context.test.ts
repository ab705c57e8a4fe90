// SSLContext's fuller settings against python3's ssl: the defaults of
// options, verifyFlags, securityLevel and hostnameChecksCommonName as
// Python's; OP_NO_TLSv1_3 against a python3 server; VERIFY_CRL_CHECK_LEAF
// without a CRL; getCiphers, getCaCerts and certStoreStats as Python's for
// the same settings; sniCallback switching contexts, failing with an alert
// and throwing; keylogFilename's NSS lines; setDefaultVerifyPaths,
// loadDhParams, setEcdhCurve; and the hostile arguments of each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import * as socket from 'berkeley';
import * as ssl from 'berkeley/ssl';
import { bounded, Peer, PEER_MS, pythonJson, refusedHandshake, tempDir, TestCertificates, tlsPair, openFds } from '../support/index.js';

const certificates = new TestCertificates();
before(() => certificates.make());
after(() => certificates.cleanup());
const { file, needs, serverContext, clientContext } = certificates;

test("defaults as python3's: options, verifyFlags, securityLevel, hostnameChecksCommonName of client, server and default contexts", (t) => {
  if (!needs(t, true)) return;
  const theirs = pythonJson(`import json, ssl
def d(c):
    return [int(c.options), int(c.verify_flags), c.security_level, c.hostname_checks_common_name]
print(json.dumps([d(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)), d(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)), d(ssl.create_default_context())]))`);
  const d = (c: ssl.SSLContext): unknown[] => [c.options, c.verifyFlags, c.securityLevel, c.hostnameChecksCommonName];
  assert.deepEqual([d(new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)), d(new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)), d(ssl.createDefaultContext())], theirs);
  const context = ssl.createDefaultContext();
  for (const flag of [ssl.OP_ALL, ssl.OP_NO_SSLv3, ssl.OP_NO_COMPRESSION, ssl.OP_CIPHER_SERVER_PREFERENCE]) assert.equal((context.options & flag) >>> 0, flag);
});

test('options: JavaScript bitwise forms set and clear a flag (bit 31 and all); python3 sets the same numbers', (t) => {
  if (!needs(t, true)) return;
  const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  const before = context.options;
  context.options |= ssl.OP_NO_TLSv1_3 | ssl.OP_NO_TICKET;
  const withFlags = context.options;
  assert.equal(withFlags, before + ssl.OP_NO_TLSv1_3 + ssl.OP_NO_TICKET);
  context.options &= ~ssl.OP_NO_TICKET;
  assert.equal(context.options, before + ssl.OP_NO_TLSv1_3);
  context.options = before;
  assert.equal(context.options, before);
  context.options = 0; // Python clears every flag it can: what OpenSSL keeps is what it reports
  const theirs = pythonJson(`import json, ssl
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
a = c.options | ssl.OP_NO_TLSv1_3 | ssl.OP_NO_TICKET
c.options = a
b = int(c.options)
c.options = 0
print(json.dumps([b, int(c.options)]))`);
  assert.deepEqual([withFlags, context.options], theirs);
});

test('options: OP_NO_TLSv1_3 on the client makes the handshake with a python3 server TLS 1.2; cleared, TLS 1.3', async (t) => {
  if (!needs(t, true)) return;
  const peer = new Peer(t, `
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[1], sys.argv[2])
    srv = socket.create_server(('127.0.0.1', 0))
    out(srv.getsockname()[1])
    for _ in range(2):
        conn, _ = srv.accept()
        with ctx.wrap_socket(conn, server_side=True) as s:
            s.sendall(s.version().encode())
            s.recv(1)
  `, [file('server.pem'), file('server.key')]);
  const port = await peer.json<number>();
  const client = clientContext();
  for (const [set, expected] of [[true, 'TLSv1.2'], [false, 'TLSv1.3']] as const) {
    if (set) client.options |= ssl.OP_NO_TLSv1_3;
    else client.options &= ~ssl.OP_NO_TLSv1_3;
    const sock = await bounded(socket.createConnection(['127.0.0.1', port]), PEER_MS, 'connect');
    const tls = await bounded(client.wrapSocket(sock, { serverHostname: 'localhost' }), PEER_MS, 'handshake');
    assert.equal(tls.version(), expected);
    assert.equal((await bounded(tls.recv(16), PEER_MS, 'recv')).toString(), expected);
    tls.close();
  }
  await peer.done();
});

test('verifyFlags: VERIFY_CRL_CHECK_LEAF without a CRL fails with verifyCode 3; cleared, the handshake succeeds', async (t) => {
  if (!needs(t)) return;
  const client = clientContext();
  client.verifyFlags |= ssl.VERIFY_CRL_CHECK_LEAF;
  assert.equal(client.verifyFlags, ssl.VERIFY_X509_TRUSTED_FIRST | ssl.VERIFY_CRL_CHECK_LEAF);
  const error = await refusedHandshake(client, serverContext(), 'localhost');
  assert.ok(error instanceof ssl.SSLCertVerificationError, String(error));
  assert.equal(error.verifyCode, 3);
  assert.equal(error.verifyMessage, 'unable to get certificate CRL');
  assert.equal(error.library, 'SSL');
  assert.equal(error.reason, 'CERTIFICATE_VERIFY_FAILED');
  client.verifyFlags = ssl.VERIFY_DEFAULT;
  assert.equal(client.verifyFlags, 0);
  const [c, s] = await tlsPair(client, serverContext());
  c.close();
  s.close();
});

test("getCiphers: python3's names, in order, for the same cipher string; every entry of Python's shape", (t) => {
  if (!needs(t, true)) return;
  const spec = 'ECDHE+AESGCM:!ECDSA';
  const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  context.setCiphers(spec);
  const ours = context.getCiphers();
  const theirs = pythonJson(`import json, ssl; c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.set_ciphers(${JSON.stringify(spec)}); print(json.dumps(c.get_ciphers()))`) as Record<string, unknown>[];
  assert.deepEqual(ours.map((c) => c.name), theirs.map((c) => c.name));
  for (const [k, c] of ours.entries()) {
    const p = theirs[k]!;
    assert.deepEqual(
      [c.id, c.protocol, c.description, c.strengthBits, c.algBits, c.aead, c.symmetric, c.digest, c.kea, c.auth],
      [p.id, p.protocol, p.description, p.strength_bits, p.alg_bits, p.aead, p.symmetric, p.digest, p.kea, p.auth],
    );
  }
});

test("getCaCerts and certStoreStats: python3's for the same CA file; the DER form; the default store's CAs", (t) => {
  if (!needs(t, true)) return;
  const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  assert.deepEqual(context.certStoreStats(), { x509: 0, crl: 0, x509Ca: 0 });
  assert.deepEqual(context.getCaCerts(), []);
  context.loadVerifyLocations({ cafile: file('ca.pem') });
  const theirs = pythonJson(`import json, ssl; c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.load_verify_locations(${JSON.stringify(file('ca.pem'))}); print(json.dumps([c.get_ca_certs(), c.cert_store_stats()]))`) as [unknown[], Record<string, number>];
  assert.deepEqual(JSON.parse(JSON.stringify(context.getCaCerts())), theirs[0]);
  assert.deepEqual(context.certStoreStats(), { x509: theirs[1].x509, crl: theirs[1].crl, x509Ca: theirs[1].x509_ca });
  assert.deepEqual(context.getCaCerts(true), [ssl.PEMCertToDERCert(readFileSync(file('ca.pem'), 'utf8'))]);
  const defaults = ssl.createDefaultContext();
  assert.ok(defaults.certStoreStats().x509Ca > 50);
  assert.equal(defaults.getCaCerts().length, defaults.certStoreStats().x509Ca);
});

test('setDefaultVerifyPaths: trusts the CA file SSL_CERT_FILE names, as OpenSSL reads it', async (t) => {
  if (!needs(t)) return;
  const saved = process.env.SSL_CERT_FILE;
  process.env.SSL_CERT_FILE = file('ca.pem');
  try {
    const client = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    client.setDefaultVerifyPaths();
    assert.ok(client.certStoreStats().x509 >= 1);
    const [c, s] = await tlsPair(client, serverContext());
    c.close();
    s.close();
  } finally {
    if (saved === undefined) delete process.env.SSL_CERT_FILE;
    else process.env.SSL_CERT_FILE = saved;
  }
});

test("loadDefaultCerts: the system's store too, as Python's, through OpenSSL's default paths: here the hashed directory SSL_CERT_DIR names", async (t) => {
  if (!needs(t)) return;
  const [hashed, empty] = [tempDir(), tempDir()];
  const hash = execFileSync('openssl', ['x509', '-subject_hash', '-noout', '-in', file('ca.pem')], { encoding: 'utf8' }).trim();
  copyFileSync(file('ca.pem'), hashed.path(`${hash}.0`));
  const saved = [process.env.SSL_CERT_FILE, process.env.SSL_CERT_DIR] as const;
  delete process.env.SSL_CERT_FILE;
  try {
    process.env.SSL_CERT_DIR = hashed.dir;
    const [c, s] = await tlsPair(ssl.createDefaultContext(), serverContext());
    c.close();
    s.close();
    process.env.SSL_CERT_DIR = empty.dir;
    const refused = await refusedHandshake(ssl.createDefaultContext(), serverContext(), 'localhost');
    assert.ok(refused instanceof ssl.SSLCertVerificationError);
    assert.equal(refused.verifyCode, 20);
  } finally {
    if (saved[0] === undefined) delete process.env.SSL_CERT_FILE;
    else process.env.SSL_CERT_FILE = saved[0];
    if (saved[1] === undefined) delete process.env.SSL_CERT_DIR;
    else process.env.SSL_CERT_DIR = saved[1];
    hashed.cleanup();
    empty.cleanup();
  }
});

test("sniCallback: gets the client's name and the context, switches the connection to another context's certificate; null without SNI", async (t) => {
  if (!needs(t)) return;
  const right = serverContext();
  const server = serverContext('rogue'); // a certificate the client does not trust
  const seen: unknown[] = [];
  server.sniCallback = (sock, name, context) => {
    seen.push([name, context === server, sock.serverSide, sock.context === server]);
    sock.context = right;
    seen.push(sock.context === right);
  };
  assert.equal(typeof server.sniCallback, 'function');
  const [c, s] = await tlsPair(clientContext(), server);
  assert.deepEqual(seen, [['localhost', true, true, true], true]);
  assert.equal(s.context, right);
  await c.sendall(Buffer.from('hi'));
  assert.equal((await bounded(s.recv(2), PEER_MS, 'recv')).toString(), 'hi');
  c.close();
  s.close();
  // An IP address is no SNI: the callback gets null.
  seen.length = 0;
  const [c2, s2] = await tlsPair(clientContext(), server, '127.0.0.1');
  assert.deepEqual(seen, [[null, true, true, true], true]);
  c2.close();
  s2.close();
  // Without the callback, the context's own certificate: refused.
  server.sniCallback = null;
  assert.equal(server.sniCallback, null);
  assert.ok((await refusedHandshake(clientContext(), server, 'localhost')) instanceof ssl.SSLCertVerificationError);
});

/** The handshake of a server whose sniCallback fails it: [client's error, server's error]. */
async function failedBySni(server: ssl.SSLContext): Promise<[unknown, unknown]> {
  const [c, s] = socket.socketpair();
  const results = await bounded(Promise.allSettled([clientContext().wrapSocket(c, { serverHostname: 'localhost' }), server.wrapSocket(s, { serverSide: true })]), PEER_MS, 'handshake');
  c.close();
  s.close();
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  return results.map((r): unknown => (r as PromiseRejectedResult).reason) as [unknown, unknown];
}

test('sniCallback: an ALERT_DESCRIPTION_* result fails the handshake with that alert; a throw with internal_error, its error the cause', async (t) => {
  if (!needs(t)) return;
  const server = serverContext();
  server.sniCallback = () => ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME;
  const [client, own] = await failedBySni(server);
  assert.ok(client instanceof ssl.SSLError && client.reason === 'TLSV1_UNRECOGNIZED_NAME' && client.library === 'SSL', String(client));
  assert.ok(own instanceof ssl.SSLError, String(own));
  const thrown = new Error('no such site');
  server.sniCallback = () => {
    throw thrown;
  };
  const [client2, own2] = await failedBySni(server);
  assert.ok(client2 instanceof ssl.SSLError && client2.reason === 'TLSV1_ALERT_INTERNAL_ERROR', String(client2));
  assert.ok(own2 instanceof ssl.SSLError && own2.cause === thrown, String(own2));
  server.sniCallback = () => 'not a number' as unknown as number;
  const [client3] = await failedBySni(server);
  assert.ok(client3 instanceof ssl.SSLError && client3.reason === 'TLSV1_ALERT_INTERNAL_ERROR', String(client3));
});

test('sniCallback with a python3 client, Sync server: the name python sends; the server answers with the context chosen', async (t) => {
  if (!needs(t, true)) return;
  const listener = socket.createServer(['127.0.0.1', 0]);
  t.after(() => listener.close());
  const peer = new Peer(t, `
    import ssl
    ctx = ssl.create_default_context(cafile=sys.argv[1])
    s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[2]))), server_hostname='localhost')
    out({'subject': dict(x[0] for x in s.getpeercert()['subject']), 'data': s.recv(10).decode()})
    s.close()
  `, [file('ca.pem'), String((listener.getsockname() as [string, number])[1])]);
  const right = serverContext();
  const server = serverContext('rogue');
  const names: (string | null)[] = [];
  server.sniCallback = (sock, name) => {
    names.push(name);
    sock.context = right;
  };
  listener.settimeout(PEER_MS / 1000);
  const [conn] = listener.acceptSync();
  conn.settimeout(PEER_MS / 1000);
  const tls = server.wrapSocketSync(conn, { serverSide: true });
  tls.sendallSync(Buffer.from('hello'));
  const answer = await peer.json<{ subject: Record<string, string>; data: string }>();
  assert.deepEqual(names, ['localhost']);
  assert.equal(answer.subject.commonName, 'localhost');
  assert.equal(answer.data, 'hello');
  tls.close();
  await peer.done();
});

test('keylogFilename: a comment line, then CLIENT_RANDOM lines for TLS 1.2 and the TLS 1.3 traffic secrets, appended per connection', async (t) => {
  if (!needs(t)) return;
  const path = file('keys.log');
  const client = clientContext();
  assert.equal(client.keylogFilename, null);
  client.keylogFilename = path;
  assert.equal(client.keylogFilename, path);
  for (const version of [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3]) {
    client.maximumVersion = version;
    const [c, s] = await tlsPair(client, serverContext());
    c.close();
    s.close();
  }
  client.keylogFilename = null;
  const lines = readFileSync(path, 'utf8').split('\n');
  assert.match(lines[0]!, /^# /);
  assert.equal(lines.at(-1), '');
  const labels = lines.slice(1, -1).map((l) => l.split(' ')[0]);
  assert.ok(labels.includes('CLIENT_RANDOM'), labels.join());
  for (const label of ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0']) assert.ok(labels.includes(label), label);
  for (const line of lines.slice(1, -1)) assert.match(line, /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64,}$/);
  // Set again: appended, without a second comment line.
  const before = lines.length;
  client.keylogFilename = path;
  const [c, s] = await tlsPair(client, serverContext());
  c.close();
  s.close();
  client.keylogFilename = null;
  const after = readFileSync(path, 'utf8').split('\n');
  assert.ok(after.length > before);
  assert.equal(after.filter((l) => l.startsWith('#')).length, 1);
});

test('loadDhParams and setEcdhCurve: named groups work; a missing file is FileNotFoundError; bad parameters SSLError; an unknown curve RangeError', async (t) => {
  if (!needs(t)) return;
  const server = serverContext();
  assert.throws(() => server.loadDhParams(file('missing-dh.pem')), (e: unknown) => e instanceof socket.FileNotFoundError && e.errno === socket.errno.ENOENT);
  assert.throws(() => server.loadDhParams(file('ca.pem')), ssl.SSLError);
  assert.throws(() => server.loadDhParams(5 as unknown as string), TypeError);
  execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', 'group:ffdhe2048', '-out', file('dh.pem')], { stdio: 'pipe', timeout: 20_000 });
  server.loadDhParams(file('dh.pem'));
  server.setEcdhCurve('secp384r1');
  assert.throws(() => server.setEcdhCurve('no-such-curve'), RangeError);
  assert.throws(() => server.setEcdhCurve(384 as unknown as string), TypeError);
  assert.throws(() => server.setEcdhCurve('secp\u0000384r1'), RangeError);
  const [c, s] = await tlsPair(clientContext(), server);
  assert.equal(c.version(), 'TLSv1.3');
  c.close();
  s.close();
});

test('hostile values: TypeError for the wrong type, RangeError for a bad value, no fd left open', (t) => {
  if (!needs(t)) return;
  const fds = openFds();
  const client = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  const server = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  assert.throws(() => (client.options = 'x' as unknown as number), TypeError);
  assert.throws(() => (client.options = 1.5), RangeError);
  assert.throws(() => (client.options = -(2 ** 40)), RangeError);
  assert.throws(() => (client.options = 2 ** 60), RangeError);
  assert.throws(() => (client.verifyFlags = null as unknown as number), TypeError);
  assert.throws(() => (client.verifyFlags = Number.NaN), RangeError);
  assert.throws(() => (client.hostnameChecksCommonName = 1 as unknown as boolean), TypeError);
  assert.throws(() => ((client as { securityLevel: number }).securityLevel = 1), TypeError); // read-only
  assert.throws(() => (client.sniCallback = () => undefined), RangeError); // a client context
  assert.throws(() => (server.sniCallback = 5 as unknown as ssl.SNICallback), TypeError);
  assert.throws(() => (client.keylogFilename = 5 as unknown as string), TypeError);
  assert.throws(() => (client.keylogFilename = certificates.dir.dir), (e: unknown) => e instanceof socket.IsADirectoryError);
  assert.throws(() => (client.keylogFilename = file('no/such/dir/keys.log')), (e: unknown) => e instanceof socket.FileNotFoundError);
  assert.equal(client.keylogFilename, null);
  assert.throws(() => client.getCaCerts('yes' as unknown as boolean), TypeError);
  client.keylogFilename = file('hostile.log');
  client.keylogFilename = file('hostile2.log'); // the first file is closed
  client.keylogFilename = null;
  assert.equal(openFds(), fds);
});

test('SSLSocket.context: only an SSLContext may be set', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  assert.throws(() => (c.context = {} as unknown as ssl.SSLContext), TypeError);
  const other = clientContext();
  c.context = other;
  assert.equal(c.context, other);
  c.close();
  c.context = clientContext(); // closed: kept, nothing to move
  s.close();
});

test('sniCallback on a server SSLObject (wrapBio): the name the client sent, and the context it switches to answers', (t) => {
  if (!needs(t)) return;
  const right = serverContext();
  const server = serverContext('rogue');
  const seen: unknown[] = [];
  server.sniCallback = (obj, name) => {
    seen.push([name, obj instanceof ssl.SSLObject]);
    obj.context = right;
  };
  const [clientIn, clientOut, serverIn, serverOut] = [new ssl.MemoryBIO(), new ssl.MemoryBIO(), new ssl.MemoryBIO(), new ssl.MemoryBIO()];
  const client = clientContext().wrapBio(clientIn, clientOut, false, 'localhost');
  const srv = server.wrapBio(serverIn, serverOut, true);
  const step = (obj: ssl.SSLObject): boolean => {
    try {
      obj.doHandshake();
      return true;
    } catch (error) {
      if (error instanceof ssl.SSLWantReadError) return false;
      throw error;
    }
  };
  let done = false;
  for (let round = 0; round < 10 && !done; round++) {
    const clientDone = step(client);
    serverIn.write(clientOut.read());
    const serverDone = step(srv);
    clientIn.write(serverOut.read());
    done = clientDone && serverDone;
  }
  assert.ok(done, 'the handshake ended');
  assert.deepEqual(seen, [['localhost', true]]);
  assert.equal(srv.context, right);
  assert.equal((client.getpeercert() as { subject: [string, string][][] }).subject.at(-1)![0]![1], 'localhost');
  assert.throws(() => (srv.context = 'x' as unknown as ssl.SSLContext), TypeError);
});
