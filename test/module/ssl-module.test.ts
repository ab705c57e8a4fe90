// berkeley/ssl's module-level constants and functions against python3's
// ssl module: every OP_*, VERIFY_*, ALERT_DESCRIPTION_* and SSL_ERROR_*
// value Python has, the HAS_* flags, VerifyMode, PEM_HEADER/PEM_FOOTER,
// CHANNEL_BINDING_TYPES, CertificateError, the OpenSSL version (of the
// library loaded), DER <-> PEM, certTimeToSeconds, getDefaultVerifyPaths,
// the RAND_* functions of OpenSSL's generator, and getServerCertificate
// (+Sync) against a python3 ssl server on 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import * as socket from 'berkeley';
import * as ssl from 'berkeley/ssl';
import { bounded, hasPythonSsl, isErrorNaming, openFds, Peer, PEER_MS, pythonJson, refusedHandshake, SYNC_TIMEOUT, terminatedWorkers, TestCertificates, tlsPair } from '../support/index.js';

const certificates = new TestCertificates();
before(() => certificates.make());
after(() => certificates.cleanup());
const { file, needs } = certificates;

function python(t: { skip(message: string): void }, code: string): unknown {
  if (!hasPythonSsl()) {
    t.skip('no python3 with ssl');
    return undefined;
  }
  return pythonJson(code);
}

test("every OP_*, VERIFY_*, ALERT_DESCRIPTION_* and SSL_ERROR_* constant python3's ssl has, with the same value; the enums map both ways", (t) => {
  const theirs = python(t, "import json, ssl; print(json.dumps({n: int(getattr(ssl, n)) for n in dir(ssl) if n.startswith(('OP_', 'VERIFY_', 'ALERT_DESCRIPTION_', 'SSL_ERROR_'))}))") as Record<string, number> | undefined;
  if (theirs === undefined) return;
  const ours = ssl as unknown as Record<string, unknown>;
  assert.ok(Object.keys(theirs).length > 50);
  for (const [name, value] of Object.entries(theirs)) assert.equal(ours[name], value, name);
  assert.equal(ssl.Options.OP_NO_TLSv1_3, ssl.OP_NO_TLSv1_3);
  assert.equal(ssl.Options[ssl.OP_NO_TLSv1_3], 'OP_NO_TLSv1_3');
  assert.equal(ssl.Options[0], 'OP_NO_SSLv2'); // Python's canonical name of 0, as OP_SINGLE_DH_USE is 0 too
  assert.equal(ssl.VerifyFlags[ssl.VERIFY_X509_TRUSTED_FIRST], 'VERIFY_X509_TRUSTED_FIRST');
  assert.equal(ssl.AlertDescription.ALERT_DESCRIPTION_UNRECOGNIZED_NAME, 112);
  assert.equal(ssl.SSLErrorNumber[ssl.SSL_ERROR_EOF], 'SSL_ERROR_EOF');
  assert.ok(Object.isFrozen(ssl.Options));
});

test("VerifyMode, PEM_HEADER, PEM_FOOTER and CHANNEL_BINDING_TYPES as python3's ssl has them", (t) => {
  const theirs = python(
    t,
    'import json, ssl; print(json.dumps([[(m.name, m.value) for m in ssl.VerifyMode], ssl.PEM_HEADER, ssl.PEM_FOOTER, ssl.CHANNEL_BINDING_TYPES]))',
  ) as [[string, number][], string, string, string[]] | undefined;
  if (theirs === undefined) return;
  const [modes, header, footer, types] = theirs;
  assert.deepEqual(Object.entries(ssl.VerifyMode).filter(([name]) => Number.isNaN(Number(name))), modes);
  for (const [name, value] of modes) assert.equal(ssl.VerifyMode[value], name);
  assert.equal(ssl.VerifyMode.CERT_REQUIRED, ssl.CERT_REQUIRED);
  assert.equal(ssl.VerifyMode[3], undefined);
  assert.ok(Object.isFrozen(ssl.VerifyMode));
  assert.equal(ssl.PEM_HEADER, header);
  assert.equal(ssl.PEM_FOOTER, footer);
  assert.deepEqual(ssl.CHANNEL_BINDING_TYPES, types);
  assert.throws(() => (ssl.CHANNEL_BINDING_TYPES as string[]).push('tls-exporter'), TypeError);
});

test('getChannelBinding takes the types of CHANNEL_BINDING_TYPES and refuses another (RangeError, as Python\'s ValueError)', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(certificates.clientContext(), certificates.serverContext());
  using _c = c;
  using _s = s;
  for (const type of ssl.CHANNEL_BINDING_TYPES) assert.ok(c.getChannelBinding(type) instanceof Buffer, type);
  for (const type of ['tls-server-end-point', 'TLS-UNIQUE', '']) assert.throws(() => c.getChannelBinding(type), { name: 'RangeError', message: 'Unsupported channel binding type' }, type);
});

test('CertificateError is SSLCertVerificationError, the same class: a failed verification is an instance of it', async (t) => {
  if (!needs(t)) return;
  assert.equal(ssl.CertificateError, ssl.SSLCertVerificationError);
  // A server whose certificate another CA signed.
  const error = await refusedHandshake(certificates.clientContext(), certificates.serverContext('rogue'), 'localhost');
  assert.ok(error instanceof ssl.CertificateError, String(error));
  assert.equal(error.verifyCode, 20);
});

test('RAND_bytes: a Buffer of n random bytes for n 0, 1 and 4096, different on each call; RAND_status true, as python3\'s', (t) => {
  for (const n of [0, 1, 4096]) {
    const bytes = ssl.RAND_bytes(n);
    assert.ok(Buffer.isBuffer(bytes));
    assert.equal(bytes.length, n);
  }
  const draws = Array.from({ length: 4 }, () => ssl.RAND_bytes(4096).toString('hex'));
  assert.equal(new Set(draws).size, draws.length);
  assert.equal(ssl.RAND_status(), true);
  const theirs = python(t, 'import json, ssl; print(json.dumps([ssl.RAND_status(), len(ssl.RAND_bytes(4096))]))');
  if (theirs !== undefined) assert.deepEqual(theirs, [true, 4096]);
});

test('RAND_bytes: a wrong type is TypeError; a negative, fractional or too large n is RangeError naming n (0 to 2^31 - 1, as Python\'s C int)', () => {
  for (const n of ['16', 10n, undefined, null, {}] as unknown[]) assert.throws(() => ssl.RAND_bytes(n as number), isErrorNaming(TypeError, 'n'), String(n));
  for (const n of [-1, 1.5, NaN, Infinity, 2 ** 31, 2 ** 53]) assert.throws(() => ssl.RAND_bytes(n), isErrorNaming(RangeError, 'n'), String(n));
  assert.throws(() => ssl.RAND_bytes(-1), { code: 'ERR_OUT_OF_RANGE' });
});

test('RAND_add: a string, Buffer, TypedArray, DataView or ArrayBuffer with any finite entropy; other data or entropy refused', () => {
  for (const data of ['seed', '', Buffer.from('seed'), new Uint16Array(3), new DataView(new ArrayBuffer(8), 2, 4), new ArrayBuffer(5)]) {
    for (const entropy of [0, 1, -1, 0.5, 1e300]) ssl.RAND_add(data, entropy);
  }
  for (const data of [1, null, undefined, {}, ['seed']]) assert.throws(() => ssl.RAND_add(data as string, 1), isErrorNaming(TypeError, 'data'), inspect(data));
  for (const entropy of ['1', undefined, null, 1n] as unknown[]) assert.throws(() => ssl.RAND_add('seed', entropy as number), isErrorNaming(TypeError, 'entropy'), String(entropy));
  for (const entropy of [NaN, Infinity, -Infinity]) assert.throws(() => ssl.RAND_add('seed', entropy), isErrorNaming(RangeError, 'entropy'), String(entropy));
  assert.equal(ssl.RAND_bytes(32).length, 32);
});

test('a worker terminated while it calls RAND_bytes: the process lives on', async () => {
  const url = JSON.stringify(import.meta.resolve('berkeley/ssl'));
  const worker = `
    Promise.all([import('node:worker_threads'), import(${url})]).then(([{ parentPort }, ssl]) => {
      parentPort.postMessage('ready');
      for (;;) { ssl.RAND_bytes(65536); ssl.RAND_add('x', 1); }
    });`;
  const result = await terminatedWorkers([worker], null);
  assert.deepEqual({ code: result.code, signal: result.signal, stdout: result.stdout.trim() }, { code: 0, signal: null, stdout: 'alive' }, result.stderr);
});

test("HAS_* as python3's ssl says, where it says; OPENSSL_VERSION* of the OpenSSL Node runs on", (t) => {
  const theirs = python(t, "import json, ssl; print(json.dumps({n: getattr(ssl, n) for n in dir(ssl) if n.startswith('HAS_')}))") as Record<string, boolean> | undefined;
  if (theirs === undefined) return;
  const ours = ssl as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(theirs)) assert.equal(ours[name], value, name);
  assert.equal(ssl.HAS_PHA, true);
  // The library loaded, not the headers: the same version Node reports.
  assert.match(ssl.OPENSSL_VERSION, new RegExp(`^OpenSSL ${process.versions.openssl.replace(/[.+]/g, '\\$&')}\\b`));
  const [major, minor, patch] = process.versions.openssl.split(/[.+-]/).map(Number) as [number, number, number];
  assert.deepEqual(ssl.OPENSSL_VERSION_INFO, [major, minor, 0, patch, 0]);
  assert.equal(ssl.OPENSSL_VERSION_NUMBER, major * 2 ** 28 + minor * 2 ** 20 + patch * 2 ** 4);
  // Python's tuple of the same number, for the same form.
  const tuple = python(t, `import json, ssl; n = ${ssl.OPENSSL_VERSION_NUMBER}; print(json.dumps([n >> 28 & 255, n >> 20 & 255, n >> 12 & 255, n >> 4 & 255, n & 15]))`);
  assert.deepEqual(tuple, [...ssl.OPENSSL_VERSION_INFO]);
});

test("DERCertToPEMCert and PEMCertToDERCert: python3's exact text and bytes, round trips; bad input refused", (t) => {
  if (!needs(t, true)) return;
  const pem = readFileSync(file('server.pem'), 'utf8');
  const der = ssl.PEMCertToDERCert(pem);
  const theirs = pythonJson(`import json, ssl; pem = open(${JSON.stringify(file('server.pem'))}).read(); der = ssl.PEM_cert_to_DER_cert(pem); print(json.dumps([der.hex(), ssl.DER_cert_to_PEM_cert(der)]))`) as [string, string];
  assert.equal(der.toString('hex'), theirs[0]);
  assert.equal(ssl.DERCertToPEMCert(der), theirs[1]);
  assert.deepEqual(ssl.PEMCertToDERCert(ssl.DERCertToPEMCert(der)), der);
  assert.deepEqual(ssl.PEMCertToDERCert(ssl.DERCertToPEMCert(new Uint8Array(der))), der);
  assert.throws(() => ssl.PEMCertToDERCert('junk'), RangeError);
  assert.throws(() => ssl.PEMCertToDERCert('-----BEGIN CERTIFICATE-----\nAAAA\n'), RangeError);
  assert.throws(() => ssl.PEMCertToDERCert(der as unknown as string), TypeError);
  assert.throws(() => ssl.DERCertToPEMCert('text' as unknown as Buffer), TypeError);
});

test("certTimeToSeconds: python3's cert_time_to_seconds for the same strings, UTC; the same strings refused", (t) => {
  const good = ['Jan  5 09:34:43 2018 GMT', 'Jan 05 09:34:43 2018 GMT', 'dec 31 23:59:59 9999 GMT', 'Feb 29 00:00:00 2024 GMT', 'Mar  1 0:0:0 1970 GMT', 'May  9 00:00:60 2007 GMT', 'Jun 30 12:00:00 0001 GMT'];
  const bad = ['Jan  5 09:34:43 2018 UTC', 'Foo  5 09:34:43 2018 GMT', 'Jan 32 09:34:43 2018 GMT', 'Jan  5 24:00:00 2018 GMT', 'Jan  5 09:34 2018 GMT', ''];
  const theirs = python(
    t,
    `import json, ssl
def f(s):
    try:
        return ssl.cert_time_to_seconds(s)
    except ValueError:
        return 'ValueError'
print(json.dumps([f(s) for s in ${JSON.stringify([...good, ...bad])}]))`,
  ) as (number | string)[] | undefined;
  if (theirs === undefined) return;
  const ours = [...good, ...bad].map((s) => {
    try {
      return ssl.certTimeToSeconds(s);
    } catch (error) {
      assert.ok(error instanceof RangeError);
      return 'ValueError';
    }
  });
  assert.deepEqual(ours, theirs);
  assert.equal(ssl.certTimeToSeconds('Jan  5 09:34:43 2018 GMT'), 1515144883);
  assert.throws(() => ssl.certTimeToSeconds(5 as unknown as string), TypeError);
});

test("getDefaultVerifyPaths: OpenSSL's variable names; the environment's file and directory when they exist, as python3's", (t) => {
  if (!needs(t, true)) return;
  const saved = [process.env.SSL_CERT_FILE, process.env.SSL_CERT_DIR];
  const restore = (name: 'SSL_CERT_FILE' | 'SSL_CERT_DIR', value: string | undefined): void => {
    if (value === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = value;
  };
  try {
    for (const [cafile, capath] of [
      [file('ca.pem'), certificates.dir.dir],
      [file('missing.pem'), file('missing')],
    ] as const) {
      process.env.SSL_CERT_FILE = cafile;
      process.env.SSL_CERT_DIR = capath;
      const ours = ssl.getDefaultVerifyPaths();
      const theirs = pythonJson('import json, ssl; print(json.dumps(ssl.get_default_verify_paths()._asdict()))') as Record<string, string | null>;
      assert.equal(ours.cafile, theirs.cafile);
      assert.equal(ours.capath, theirs.capath);
      assert.equal(ours.opensslCafileEnv, theirs.openssl_cafile_env);
      assert.equal(ours.opensslCapathEnv, theirs.openssl_capath_env);
      assert.equal(typeof ours.opensslCafile, 'string');
      assert.equal(typeof ours.opensslCapath, 'string');
    }
  } finally {
    restore('SSL_CERT_FILE', saved[0]);
    restore('SSL_CERT_DIR', saved[1]);
  }
});

// A python3 TLS server that answers handshakes until stdin closes.
const CERT_SERVER = `
  import ssl, threading
  ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
  ctx.load_cert_chain(sys.argv[1], sys.argv[2])
  srv = socket.create_server(('127.0.0.1', 0))
  out(srv.getsockname()[1])
  def serve():
      while True:
          conn, _ = srv.accept()
          try:
              with ctx.wrap_socket(conn, server_side=True) as s:
                  s.recv(1)
          except (ssl.SSLError, OSError):
              pass
  threading.Thread(target=serve, daemon=True).start()
  sys.stdin.read()
`;

test('getServerCertificate and its Sync form: the PEM of a python3 ssl server on 127.0.0.1, verified only with caCerts', async (t) => {
  if (!needs(t, true)) return;
  const peer = new Peer(t, CERT_SERVER, [file('server.pem'), file('server.key')]);
  const port = await peer.json<number>();
  const expected = ssl.PEMCertToDERCert(readFileSync(file('server.pem'), 'utf8'));
  const pem = await bounded(ssl.getServerCertificate(['127.0.0.1', port]), PEER_MS, 'getServerCertificate');
  assert.match(pem, /^-----BEGIN CERTIFICATE-----\n/);
  assert.deepEqual(ssl.PEMCertToDERCert(pem), expected);
  assert.equal(ssl.getServerCertificateSync(['127.0.0.1', port], { timeout: SYNC_TIMEOUT }), pem);
  assert.equal(await bounded(ssl.getServerCertificate(['127.0.0.1', port], { caCerts: file('ca.pem'), timeout: SYNC_TIMEOUT }), PEER_MS, 'verified'), pem);
  assert.equal(ssl.getServerCertificateSync(['localhost', port], { caCerts: file('ca.pem'), timeout: SYNC_TIMEOUT }), pem);
  // Another CA: the certificate does not verify.
  await assert.rejects(ssl.getServerCertificate(['127.0.0.1', port], { caCerts: file('rogue-ca.pem'), timeout: SYNC_TIMEOUT }), (e: unknown) => e instanceof ssl.SSLCertVerificationError && e.verifyCode === 20);
  assert.throws(() => ssl.getServerCertificateSync(['127.0.0.1', port], { caCerts: file('rogue-ca.pem'), timeout: SYNC_TIMEOUT }), ssl.SSLCertVerificationError);
  // Python's certificate of the same server, in the same text.
  const theirs = pythonJson(`import json, ssl; print(json.dumps(ssl.get_server_certificate(('127.0.0.1', ${port}))))`);
  assert.equal(pem, theirs);
  peer.child.stdin.end();
  await peer.done();
});

test('getServerCertificate: bad arguments are TypeError or RangeError; an aborted signal rejects at once; a missing caCerts is FileNotFoundError', async () => {
  await assert.rejects(ssl.getServerCertificate('localhost' as unknown as [string, number]), TypeError);
  await assert.rejects(ssl.getServerCertificate(['127.0.0.1', 70000]), RangeError);
  await assert.rejects(ssl.getServerCertificate(['127.0.0.1', 1], { timeout: -1 }), RangeError);
  await assert.rejects(ssl.getServerCertificate(['127.0.0.1', 1], { caCerts: 5 as unknown as string }), TypeError);
  assert.throws(() => ssl.getServerCertificateSync(['127.0.0.1', 1], { caCerts: '/nonexistent/ca.pem' }), { code: 'ENOENT' });
  await assert.rejects(ssl.getServerCertificate(['127.0.0.1', 1], { signal: AbortSignal.abort() }), { name: 'AbortError' });
});

test('getServerCertificate: a server that closes at once, or never answers the handshake within the timeout: the error, in both forms, and no fd left open', async (t) => {
  if (!needs(t)) return;
  const fds = openFds();
  const listener = socket.createServer(['127.0.0.1', 0]);
  const address = listener.getsockname() as [string, number];
  // Closes the connection unanswered (a peer that vanishes).
  const closing = listener.accept().then(([conn]) => conn.close());
  await assert.rejects(ssl.getServerCertificate(address, { timeout: SYNC_TIMEOUT }), (e: unknown) => e instanceof ssl.SSLEOFError || e instanceof socket.ConnectionResetError);
  await bounded(closing, PEER_MS, 'the closing server');
  // Never answers: the timeout ends the handshake's wait.
  const held: socket.Socket[] = [];
  const holding = listener.accept().then(([conn]) => held.push(conn));
  await assert.rejects(ssl.getServerCertificate(address, { timeout: 0.2 }), (e: unknown) => e instanceof socket.TimeoutError);
  await bounded(holding, PEER_MS, 'accept');
  assert.throws(() => ssl.getServerCertificateSync(address, { timeout: 0.2 }), (e: unknown) => e instanceof socket.TimeoutError);
  held.push(listener.acceptSync()[0]);
  for (const conn of held) conn.close();
  listener.close();
  assert.equal(openFds(), fds);
});
