// Python's sans-I/O TLS: MemoryBIO and SSLContext.wrapBio()'s SSLObject,
// two SSLObjects in memory with the test moving the bytes between their
// BIOs: TLS 1.2 and 1.3, the handshake, data both ways, pending(),
// close_notify and unwrap, ALPN, host name and CA failures as
// SSLCertVerificationError, SSLWantReadError when the incoming BIO is
// empty, writeEof (SSLEOFError, or the end after close_notify), garbage
// (an SSLError, never a crash) and bad arguments. Against python3's ssl
// over a real socket: ssl-memory-python.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import * as ssl from 'berkeley/ssl';
import { runNode, sha256, TestCertificates } from '../support/index.js';

const certificates = new TestCertificates();
before(() => certificates.make());
after(() => certificates.cleanup());
const { file, needs, serverContext, clientContext } = certificates;

const VERSIONS = [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3] as const;
const WANT = Symbol('SSLWantReadError');

/** f's result, or WANT when it throws SSLWantReadError. */
function attempt<T>(f: () => T): T | typeof WANT {
  try {
    return f();
  } catch (error) {
    if (error instanceof ssl.SSLWantReadError) return WANT;
    throw error;
  }
}

/** Two SSLObjects whose BIOs the test connects: pump() moves what each wrote to the other's incoming BIO. */
class MemoryPair {
  readonly clientIn = new ssl.MemoryBIO();
  readonly clientOut = new ssl.MemoryBIO();
  readonly serverIn = new ssl.MemoryBIO();
  readonly serverOut = new ssl.MemoryBIO();
  readonly client: ssl.SSLObject;
  readonly server: ssl.SSLObject;

  constructor(client = clientContext(), server = serverContext(), serverHostname: string | null = 'localhost') {
    this.client = client.wrapBio(this.clientIn, this.clientOut, false, serverHostname);
    this.server = server.wrapBio(this.serverIn, this.serverOut, true);
  }

  /** Moves every waiting byte both ways; returns how many moved. */
  pump(): number {
    const up = this.clientOut.read();
    const down = this.serverOut.read();
    this.serverIn.write(up);
    this.clientIn.write(down);
    return up.length + down.length;
  }

  /** Runs the handshake on both sides, moving bytes until both are done (a round that moves nothing fails). */
  handshake(): void {
    let clientDone = false;
    let serverDone = false;
    while (!clientDone || !serverDone) {
      clientDone ||= attempt(() => this.client.doHandshake()) !== WANT;
      serverDone ||= attempt(() => this.server.doHandshake()) !== WANT;
      if (this.pump() === 0 && (!clientDone || !serverDone)) assert.fail('the handshake stalled');
    }
  }
}

/** Everything `from` has decrypted, read until it wants more bytes. */
function readAll(from: ssl.SSLObject): Buffer {
  const chunks: Buffer[] = [];
  for (let chunk = attempt(() => from.read(1 << 16)); chunk !== WANT && chunk.length > 0; chunk = attempt(() => from.read(1 << 16))) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A client context of the given maximum version. */
function versioned(version: ssl.TLSVersion): ssl.SSLContext {
  const context = clientContext();
  context.maximumVersion = version;
  return context;
}

test('MemoryBIO: write, read, pending and eof as Python has them', () => {
  const bio = new ssl.MemoryBIO();
  assert.deepEqual([bio.pending, bio.eof], [0, false]);
  assert.deepEqual(bio.read(), Buffer.alloc(0));
  assert.equal(bio.write('héllo'), 6, 'a string is its UTF-8 bytes');
  assert.equal(bio.write(Buffer.from(' world')), 6);
  assert.equal(bio.write(new Uint16Array(2)), 4, 'any ArrayBufferView, by its bytes');
  assert.equal(bio.write(new ArrayBuffer(1)), 1);
  assert.equal(bio.write(Buffer.alloc(0)), 0);
  assert.equal(bio.pending, 17);
  assert.equal(bio.read(6).toString(), 'héllo');
  assert.equal(bio.read(0).length, 0);
  assert.equal(bio.read(-5).length, 11, 'a negative size reads everything');
  assert.equal(bio.pending, 0);
  const big = randomBytes(3 << 20);
  bio.write(big);
  assert.ok(bio.read(100_000_000).equals(big));
  bio.write('tail');
  bio.writeEof();
  assert.equal(bio.eof, false, 'the end comes after the bytes before it');
  assert.equal(bio.read().toString(), 'tail');
  assert.equal(bio.eof, true);
  assert.throws(
    () => bio.write('more'),
    (e: unknown) => e instanceof ssl.SSLError && e.message === 'cannot write() after write_eof()',
  );
  bio.writeEof();
  assert.equal(String(bio), '<berkeley.ssl.MemoryBIO pending=0, eof=true>');
});

test('MemoryBIO: wrong types are TypeError, and it cannot be cloned', () => {
  const bio = new ssl.MemoryBIO();
  for (const bad of [1, null, undefined, {}, [1, 2], 10n]) assert.throws(() => bio.write(bad as never), TypeError, inspect(bad));
  for (const bad of ['1', {}, null, 10n]) assert.throws(() => bio.read(bad as never), TypeError, inspect(bad));
  assert.throws(() => bio.read(1.5), RangeError);
  assert.throws(() => structuredClone(bio), (e: unknown) => e instanceof DOMException && e.name === 'DataCloneError');
  assert.equal(bio.pending, 0, 'nothing was written by a refused call');
});

test('SSLObject pair in memory, TLS 1.2 and 1.3: handshake, data both ways, pending(), close_notify and unwrap', (t) => {
  if (!needs(t)) return;
  for (const version of VERSIONS) {
    const cctx = versioned(version);
    const sctx = serverContext();
    const pair = new MemoryPair(cctx, sctx);
    const { client, server } = pair;
    assert.deepEqual([client.serverSide, client.serverHostname, client.context], [false, 'localhost', cctx]);
    assert.deepEqual([server.serverSide, server.serverHostname, server.context], [true, null, sctx]);
    assert.deepEqual([client.version(), client.cipher(), client.selectedAlpnProtocol(), client.pending(), client.compression()], [null, null, null, 0, null]);
    assert.throws(() => client.getpeercert(), RangeError, 'handshake not done yet');
    pair.handshake();
    const name = version === ssl.TLSVersion.TLSv1_2 ? 'TLSv1.2' : 'TLSv1.3';
    assert.deepEqual([client.version(), server.version()], [name, name]);
    assert.deepEqual(client.cipher(), server.cipher());
    assert.equal(client.cipher()![1], name);
    assert.match(String(client), new RegExp(`^<berkeley.ssl.SSLObject client, serverHostname='localhost', version=${name}>$`));
    assert.deepEqual((client.getpeercert() as ssl.PeerCertificate).subject.at(-1), [['commonName', 'localhost']]);
    assert.ok(client.getpeercert(true)!.equals(new X509Certificate(readFileSync(file('server.pem'))).raw));
    assert.equal(server.getpeercert(), null, 'the client sent no certificate');

    // Megabytes up, each side's records moved whole.
    const up = randomBytes(1 << 20);
    assert.equal(client.write(up), up.length);
    assert.equal(client.write(''), 0);
    pair.pump();
    assert.equal(sha256(readAll(server)), sha256(up));
    assert.ok(attempt(() => server.read()) === WANT, 'nothing more: SSLWantReadError');

    // One 10 KB record, read 100 bytes at a time: the rest is pending() in OpenSSL, none in the BIO.
    assert.equal(server.write(Buffer.alloc(10_240, 'p')), 10_240);
    pair.pump();
    assert.equal(client.read(100).length, 100);
    assert.deepEqual([client.pending(), pair.clientIn.pending], [10_140, 0]);
    const into = Buffer.alloc(20_000);
    assert.equal(client.read(undefined, into), 1024, "into a buffer: len's default 1024, as Python's");
    assert.equal(client.read(0, into), 9116, 'len 0: as much as the buffer holds');
    assert.equal(client.pending(), 0);
    server.write('abcdef');
    pair.pump();
    assert.equal(client.read(3, into), 3);
    assert.equal(into.subarray(0, 3).toString(), 'abc');
    const small = Buffer.alloc(2);
    assert.equal(client.read(undefined, small), 2, 'len past the buffer: as much as it holds, as Python');
    assert.equal(small.toString(), 'de');
    assert.equal(client.read(0).length, 0);
    assert.equal(client.read().toString(), 'f');

    // close_notify: the client's unwrap() waits for the server's.
    assert.ok(attempt(() => client.unwrap()) === WANT);
    assert.ok(pair.clientOut.pending > 0, "the client's close_notify is out");
    pair.pump();
    assert.deepEqual(server.read(), Buffer.alloc(0), "the client's close_notify is the end");
    server.unwrap();
    pair.pump();
    client.unwrap();
    assert.throws(() => server.write('late'), ssl.SSLError);
  }
});

test('SSLWantReadError whenever the incoming BIO is empty, with what the peer needs already in the outgoing one', (t) => {
  if (!needs(t)) return;
  const pair = new MemoryPair();
  const { client, server } = pair;
  assert.throws(
    () => client.doHandshake(),
    (e: unknown) => e instanceof ssl.SSLWantReadError && e.errno === ssl.SSL_ERROR_WANT_READ && e.syscall === 'do_handshake',
  );
  const hello = pair.clientOut.pending;
  assert.ok(hello > 0, 'the ClientHello');
  assert.throws(() => client.doHandshake(), ssl.SSLWantReadError);
  assert.equal(pair.clientOut.pending, hello, 'asked again, it sends nothing more');
  assert.throws(() => server.doHandshake(), ssl.SSLWantReadError, 'a server with nothing yet');
  assert.throws(() => server.read(), ssl.SSLWantReadError, 'a read before the handshake runs it');
  assert.throws(() => client.write('early'), ssl.SSLWantReadError, 'so does a write');
  pair.handshake();
  assert.throws(() => client.read(), ssl.SSLWantReadError);
  assert.throws(() => server.read(10, Buffer.alloc(10)), ssl.SSLWantReadError);
});

test('ALPN in memory: the first of the client\'s list the server has; none shared is no ALPN', (t) => {
  if (!needs(t)) return;
  for (const [offered, accepted, chosen] of [
    [['h2', 'http/1.1'], ['http/1.1', 'h2'], 'http/1.1'],
    [['x-a'], ['x-b'], null],
  ] as const) {
    const cctx = clientContext();
    const sctx = serverContext();
    cctx.setAlpnProtocols(offered);
    sctx.setAlpnProtocols(accepted);
    const pair = new MemoryPair(cctx, sctx);
    pair.handshake();
    assert.deepEqual([pair.client.selectedAlpnProtocol(), pair.server.selectedAlpnProtocol()], [chosen, chosen]);
  }
});

test('certificates are checked as for an SSLSocket: host name and IP mismatches, an unknown CA, CERT_NONE', (t) => {
  if (!needs(t)) return;
  const refused = (pair: MemoryPair): ssl.SSLCertVerificationError => {
    let error: unknown;
    try {
      pair.handshake();
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof ssl.SSLCertVerificationError, String(error));
    // The client's alert reaches the server, which fails too.
    pair.pump();
    assert.throws(() => pair.server.doHandshake(), ssl.SSLError);
    return error;
  };
  const named = refused(new MemoryPair(clientContext(), serverContext(), 'example.org'));
  assert.deepEqual([named.verifyCode, named.verifyMessage], [62, "Hostname mismatch, certificate is not valid for 'example.org'."]);
  assert.equal(named.syscall, 'do_handshake');
  assert.equal(refused(new MemoryPair(clientContext(), serverContext(), '127.0.0.2')).verifyCode, 64);
  const rogue = refused(new MemoryPair(clientContext(), serverContext('rogue')));
  assert.deepEqual([rogue.verifyCode, rogue.verifyMessage], [20, 'unable to get local issuer certificate']);

  const trusting = clientContext();
  trusting.checkHostname = false;
  trusting.verifyMode = ssl.CERT_NONE;
  const pair = new MemoryPair(trusting, serverContext('rogue'), null);
  pair.handshake();
  assert.deepEqual(pair.client.getpeercert(), {}, 'not verified: an empty dict, as Python');
  assert.ok(pair.client.getpeercert(true) instanceof Buffer);
});

test('writeEof: SSLEOFError mid-handshake and for a ragged end; after close_notify the end is an empty read', (t) => {
  if (!needs(t)) return;
  const early = new MemoryPair();
  assert.throws(() => early.client.doHandshake(), ssl.SSLWantReadError);
  early.clientIn.writeEof();
  assert.throws(
    () => early.client.doHandshake(),
    (e: unknown) => e instanceof ssl.SSLEOFError && e.errno === ssl.SSL_ERROR_EOF,
  );

  const ragged = new MemoryPair();
  ragged.handshake();
  ragged.server.write('last words');
  ragged.pump();
  ragged.clientIn.writeEof();
  assert.equal(ragged.client.read().toString(), 'last words', 'the bytes before the end come first');
  assert.throws(
    () => ragged.client.read(),
    (e: unknown) => e instanceof ssl.SSLEOFError && e.reason === 'UNEXPECTED_EOF_WHILE_READING',
  );
  assert.equal(ragged.clientIn.eof, true);

  const clean = new MemoryPair();
  clean.handshake();
  assert.throws(() => clean.server.unwrap(), ssl.SSLWantReadError);
  clean.pump();
  clean.clientIn.writeEof();
  assert.deepEqual(clean.client.read(), Buffer.alloc(0));
  assert.deepEqual(clean.client.read(), Buffer.alloc(0), 'and again');
});

test('garbage in the incoming BIO is an SSLError, never a crash or a want', (t) => {
  if (!needs(t)) return;
  const http = new MemoryPair();
  http.serverIn.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
  assert.throws(
    () => http.server.doHandshake(),
    (e: unknown) => e instanceof ssl.SSLError && !(e instanceof ssl.SSLWantReadError) && e.library === 'SSL',
  );

  // Whole records of random bytes: too short, a wrong tag, longer than TLS allows.
  for (const size of [5, 300, 16_000, 20_000]) {
    const pair = new MemoryPair();
    pair.handshake();
    pair.clientIn.write(Buffer.concat([Buffer.from([23, 3, 3, size >> 8, size & 0xff]), randomBytes(size)]));
    assert.throws(
      () => pair.client.read(),
      (e: unknown) => e instanceof ssl.SSLError && !(e instanceof ssl.SSLWantReadError),
      `${size} bytes of a forged application record`,
    );
  }

  const random = new MemoryPair();
  random.clientIn.write(Buffer.concat([Buffer.of(0xff), randomBytes(1 << 16)]));
  assert.throws(() => random.client.doHandshake(), (e: unknown) => e instanceof ssl.SSLError && !(e instanceof ssl.SSLWantReadError));
});

test('wrapBio and SSLObject arguments: TypeError for a wrong type, RangeError for a wrong value, no public constructor', (t) => {
  if (!needs(t)) return;
  const bio = new ssl.MemoryBIO();
  const client = clientContext();
  const server = serverContext();
  for (const bad of [null, undefined, 1, {}, Buffer.alloc(1)]) {
    assert.throws(() => client.wrapBio(bad as never, bio, false, 'localhost'), TypeError);
    assert.throws(() => client.wrapBio(bio, bad as never, false, 'localhost'), TypeError);
  }
  assert.throws(() => client.wrapBio(bio, bio, 'yes' as never, 'localhost'), TypeError);
  assert.throws(() => client.wrapBio(bio, bio, false, 1 as never), TypeError);
  assert.throws(() => client.wrapBio(bio, bio), RangeError, 'checkHostname requires serverHostname');
  assert.throws(() => client.wrapBio(bio, bio, true), RangeError, 'a server side on a client context');
  assert.throws(() => server.wrapBio(bio, bio, false), RangeError, 'a client side on a server context');
  assert.throws(() => server.wrapBio(bio, bio, true, 'localhost'), RangeError);
  const Ctor = ssl.SSLObject as unknown as new () => unknown;
  assert.throws(() => new Ctor(), (e: unknown) => e instanceof TypeError && (e as { code?: string }).code === 'ERR_ILLEGAL_CONSTRUCTOR');

  const pair = new MemoryPair();
  pair.handshake();
  const { client: obj } = pair;
  assert.throws(() => obj.read(-1), RangeError);
  assert.throws(() => obj.read('1' as never), TypeError);
  assert.throws(() => obj.read(10, 'x' as never), TypeError);
  assert.throws(() => obj.read('1' as never, Buffer.alloc(5)), TypeError);
  assert.throws(() => obj.write(1 as never), TypeError);
  assert.throws(() => obj.getpeercert('yes' as never), TypeError);
  assert.throws(() => structuredClone(obj), (e: unknown) => e instanceof DOMException && e.name === 'DataCloneError');
  // One BIO as both ends: the object's own records come back to it, which OpenSSL refuses.
  const loop = new ssl.MemoryBIO();
  const self = client.wrapBio(loop, loop, false, 'localhost');
  assert.throws(() => self.doHandshake(), ssl.SSLError);
});

test('the bytes of MemoryBIOs and SSLObjects are freed with them: 400 MiB through dropped objects, bounded growth', async (t) => {
  if (!needs(t)) return;
  const r = await runNode(
    `
      import * as ssl from 'berkeley/ssl';
      const server = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
      server.loadCertChain(${JSON.stringify(file('server.pem'))}, ${JSON.stringify(file('server.key'))});
      const client = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
      client.checkHostname = false;
      client.verifyMode = ssl.CERT_NONE;
      const MiB = Buffer.alloc(1 << 20, 7);
      const settle = async () => {
        globalThis.gc();
        await new Promise((resolve) => setImmediate(resolve));
      };
      const start = process.memoryUsage().rss;
      for (let i = 0; i < 200; i++) {
        // A BIO with a MiB unread; an SSLObject pair mid-handshake whose BIOs hold a MiB of records.
        new ssl.MemoryBIO().write(MiB);
        const [a, b, c, d] = [new ssl.MemoryBIO(), new ssl.MemoryBIO(), new ssl.MemoryBIO(), new ssl.MemoryBIO()];
        const tls = client.wrapBio(a, b);
        server.wrapBio(c, d, true);
        try { tls.doHandshake(); } catch {}
        a.write(MiB);
        if (i % 10 === 9) await settle();
      }
      await settle();
      console.log(JSON.stringify({ growthMiB: (process.memoryUsage().rss - start) / (1 << 20) }));
    `,
    // Under .ci/memcheck, AddressSanitizer keeps freed memory in quarantine (256 MiB), which would look like a leak here.
    { args: ['--expose-gc'], ms: 120_000, env: process.env.ASAN_OPTIONS === undefined ? {} : { ASAN_OPTIONS: `${process.env.ASAN_OPTIONS}:quarantine_size_mb=0` } },
  );
  assert.equal(r.code, 0, r.stderr);
  const { growthMiB } = JSON.parse(r.stdout) as { growthMiB: number };
  t.diagnostic(`rss growth after 400 MiB through dropped objects: ${growthMiB.toFixed(1)} MiB`);
  assert.ok(growthMiB < 150, `rss grew ${growthMiB} MiB: the BIOs' bytes were not freed`);
});

test('a worker holding SSLObjects and MemoryBIOs mid-handshake, terminated or exiting, frees them without a crash', async (t) => {
  if (!needs(t)) return;
  const r = await runNode(
    `
      import { Worker } from 'node:worker_threads';
      import { once } from 'node:events';
      const code = \`
        const { parentPort, workerData } = require('node:worker_threads');
        (async () => {
          const ssl = await import('berkeley/ssl');
          const server = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
          server.loadCertChain(workerData.cert, workerData.key);
          const client = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
          client.checkHostname = false;
          client.verifyMode = ssl.CERT_NONE;
          const kept = [];
          for (let i = 0; i < 20; i++) {
            const [a, b, c, d] = [new ssl.MemoryBIO(), new ssl.MemoryBIO(), new ssl.MemoryBIO(), new ssl.MemoryBIO()];
            const tlsClient = client.wrapBio(a, b);
            const tlsServer = server.wrapBio(c, d, true);
            try { tlsClient.doHandshake(); } catch {}
            c.write(b.read());
            try { tlsServer.doHandshake(); } catch {}
            a.write(Buffer.alloc(100000, 1));
            kept.push(tlsClient, tlsServer, a, b, c, d);
          }
          globalThis.kept = kept;
          parentPort.postMessage('ready');
          if (workerData.exit) process.exit(0);
          setInterval(() => {}, 1000);
        })();
      \`;
      for (const exit of [false, true]) {
        const worker = new Worker(code, { eval: true, execArgv: [], workerData: { exit, cert: ${JSON.stringify(file('server.pem'))}, key: ${JSON.stringify(file('server.key'))} } });
        const [message] = await once(worker, 'message');
        if (message !== 'ready') throw new Error(String(message));
        if (exit) await once(worker, 'exit');
        else await worker.terminate();
      }
      console.log('done');
    `,
    { ms: 60_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'done');
});
