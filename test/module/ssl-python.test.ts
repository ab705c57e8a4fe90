// berkeley/ssl against python3's ssl module, both directions, with the async
// and the Sync forms, TLS 1.2 and 1.3: megabytes with a checksum, close_notify
// both ways (shutdown, unwrap) against a ragged end (Python's close(), which
// sends no close_notify), and plain text after unwrap on both sides. The
// certificates come from a throwaway CA made by the openssl CLI at test time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as socket from 'berkeley';
import * as ssl from 'berkeley/ssl';
import { bounded, Peer, PEER_MS, recvAll, recvAllSync, recvExactly, recvExactlySync, sha256, SYNC_TIMEOUT, TestCertificates } from '../support/index.js';

const certificates = new TestCertificates();
before(() => certificates.make());
after(() => certificates.cleanup());
const { file, needs, serverContext, clientContext } = certificates;

const VERSIONS = ['TLSv1_2', 'TLSv1_3'] as const;
const BIG = 3 << 20;

// A TLS server: reads to EOF (our close_notify), answers with the bytes
// reversed, then ends with close_notify (unwrap) or raggedly (close).
const REVERSING_SERVER = `
  import ssl
  ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
  ctx.load_cert_chain(sys.argv[1], sys.argv[2])
  ctx.maximum_version = getattr(ssl.TLSVersion, sys.argv[3])
  srv = socket.create_server(('127.0.0.1', 0))
  out(srv.getsockname()[1])
  conn, _ = srv.accept()
  s = ctx.wrap_socket(conn, server_side=True)
  data = recv_all(s)
  out({'len': len(data), 'sha': sha(data), 'version': s.version(), 'cipher': list(s.cipher())})
  s.sendall(data[::-1])
  if sys.argv[4] == 'close_notify':
      s.unwrap().close()
  else:
      s.close()
`;

// A TLS client: sends argv[4] random bytes, reads them back reversed, then
// unwraps and speaks plain text.
const UNWRAPPING_CLIENT = `
  import ssl
  ctx = ssl.create_default_context(cafile=sys.argv[1])
  ctx.maximum_version = getattr(ssl.TLSVersion, sys.argv[3])
  n = int(sys.argv[4])
  data = os.urandom(n)
  s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[2]))), server_hostname='localhost')
  s.sendall(data)
  back = b''
  while len(back) < n:
      back += s.recv(1 << 16)
  version = s.version()
  plain = s.unwrap()
  plain.sendall(b'plain from python')
  out({'reversed': back == data[::-1], 'sha': sha(data), 'version': version, 'plain': plain.recv(100).decode()})
  plain.close()
`;

function reverse(data: Buffer): Buffer {
  return Buffer.from(data).reverse();
}

async function reversingServer(t: Parameters<typeof needs>[0], version: string, ending: string): Promise<[Peer, number]> {
  const peer = new Peer(t, REVERSING_SERVER, [file('server.pem'), file('server.key'), version, ending]);
  return [peer, await peer.json<number>()];
}

test("python3's ssl server, berkeley async client: TLS 1.2 and 1.3, megabytes both ways, close_notify both ways", async (t) => {
  if (!needs(t, true)) return;
  for (const version of VERSIONS) {
    const [peer, port] = await reversingServer(t, version, 'close_notify');
    const tls = await bounded(clientContext().wrapSocket(await socket.createConnection(['127.0.0.1', port]), { serverHostname: 'localhost', suppressRaggedEofs: false }), PEER_MS);
    using _tls = tls;
    const data = randomBytes(BIG);
    await bounded(tls.sendall(data), PEER_MS);
    await bounded(tls.shutdown(socket.SHUT_WR), PEER_MS);
    const seen = await peer.json<{ len: number; sha: string; version: string; cipher: unknown }>();
    assert.deepEqual({ len: seen.len, sha: seen.sha }, { len: BIG, sha: sha256(data) });
    assert.equal(seen.version, version.replace('_', '.'));
    assert.equal(tls.version(), seen.version);
    assert.deepEqual(tls.cipher(), seen.cipher);
    // Python's close_notify ends the data: EOF, not SSLEOFError, with ragged EOFs not suppressed.
    assert.ok((await recvAll(tls, PEER_MS)).equals(reverse(data)));
    await peer.done();
  }
});

test("python3's ssl server, berkeley Sync client: TLS 1.2 and 1.3, megabytes both ways", async (t) => {
  if (!needs(t, true)) return;
  for (const version of VERSIONS) {
    const [peer, port] = await reversingServer(t, version, 'close_notify');
    const raw = socket.createConnectionSync(['127.0.0.1', port], SYNC_TIMEOUT);
    const tls = clientContext().wrapSocketSync(raw, { serverHostname: 'localhost' });
    using _tls = tls;
    assert.equal(tls.gettimeout(), SYNC_TIMEOUT, "the socket's timeout carries over");
    const data = randomBytes(BIG);
    tls.sendallSync(data);
    tls.shutdownSync(socket.SHUT_WR);
    assert.ok(recvAllSync(tls).equals(reverse(data)));
    const seen = await peer.json<{ sha: string; version: string }>();
    assert.equal(seen.sha, sha256(data));
    assert.equal(tls.version(), version.replace('_', '.'));
    await peer.done();
  }
});

test('a ragged end (no close_notify) is EOF by default, SSLEOFError with suppressRaggedEofs false, in both forms', async (t) => {
  if (!needs(t, true)) return;
  for (const [form, suppress] of [['async', true], ['async', false], ['sync', true], ['sync', false]] as const) {
    const [peer, port] = await reversingServer(t, 'TLSv1_3', 'ragged');
    const raw = await socket.createConnection(['127.0.0.1', port], SYNC_TIMEOUT);
    const options = { serverHostname: 'localhost', suppressRaggedEofs: suppress };
    const tls = form === 'sync' ? clientContext().wrapSocketSync(raw, options) : await bounded(clientContext().wrapSocket(raw, options), PEER_MS);
    using _tls = tls;
    if (form === 'sync') tls.sendallSync('ragged');
    else await bounded(tls.sendall('ragged'), PEER_MS);
    await bounded(tls.shutdown(socket.SHUT_WR), PEER_MS);
    assert.equal((await bounded(recvExactly(tls, 6), PEER_MS)).toString(), 'deggar');
    await peer.done();
    const label = `${form}, suppressRaggedEofs ${suppress}`;
    const end = form === 'sync' ? (): Buffer => tls.recvSync(10) : (): Promise<Buffer> => tls.recv(10);
    if (suppress) assert.deepEqual(await end(), Buffer.alloc(0), label);
    else
      await assert.rejects(
        async () => end(),
        (e: unknown) => e instanceof ssl.SSLEOFError && e.errno === ssl.SSL_ERROR_EOF && e.reason === 'UNEXPECTED_EOF_WHILE_READING',
        label,
      );
  }
});

test("python3's ssl client, berkeley async and Sync servers: TLS 1.2 and 1.3, then unwrap to plain text both ways", async (t) => {
  if (!needs(t, true)) return;
  using listener = socket.createServer(['127.0.0.1', 0]);
  const port = String((listener.getsockname() as [string, number])[1]);
  const n = 1 << 20;
  for (const form of ['async', 'sync'] as const) {
    for (const version of VERSIONS) {
      const peer = new Peer(t, UNWRAPPING_CLIENT, [file('ca.pem'), port, version, String(n)]);
      let plain: socket.Socket;
      let sha: string;
      let tlsVersion: string | null;
      if (form === 'sync') {
        listener.settimeout(SYNC_TIMEOUT);
        const [conn] = listener.acceptSync();
        const tls = serverContext().wrapSocketSync(conn, { serverSide: true });
        const all = recvExactlySync(tls, n);
        sha = sha256(all);
        tls.sendallSync(reverse(all));
        tlsVersion = tls.version();
        plain = tls.unwrapSync();
        assert.equal(plain.recvSync(100).toString(), 'plain from python');
        plain.sendallSync('plain from berkeley');
      } else {
        const [conn] = await bounded(listener.accept(), PEER_MS);
        const tls = await bounded(serverContext().wrapSocket(conn, { serverSide: true }), PEER_MS);
        const all = await recvExactly(tls, n, PEER_MS);
        sha = sha256(all);
        await bounded(tls.sendall(reverse(all)), PEER_MS);
        tlsVersion = tls.version();
        plain = await bounded(tls.unwrap(), PEER_MS);
        assert.equal(tls.fileno(), -1);
        assert.equal((await bounded(plain.recv(100), PEER_MS)).toString(), 'plain from python');
        await bounded(plain.sendall('plain from berkeley'), PEER_MS);
      }
      using _plain = plain;
      assert.ok(plain instanceof socket.Socket);
      assert.deepEqual(await peer.json(), { reversed: true, sha, version: tlsVersion, plain: 'plain from berkeley' });
      assert.equal(tlsVersion, version.replace('_', '.'), `${form} ${version}`);
      await peer.done();
    }
  }
});
