// Sans-I/O TLS against python3's ssl over a real loopback socket: a
// berkeley SSLObject whose BIOs the test pumps to and from a berkeley
// Socket (Sync and async calls) against python3's SSLSocket server, and
// python3's own SSLObject, pumped by its script, against a berkeley
// SSLSocket server. TLS 1.2 and 1.3, SNI and ALPN, data with a checksum
// both ways, then unwrap with the plain bytes after close_notify left in
// the incoming BIO, as Python leaves them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as socket from 'berkeley';
import * as ssl from 'berkeley/ssl';
import { bounded, Peer, PEER_MS, recvExactly, sha256, SYNC_TIMEOUT, TestCertificates } from '../support/index.js';

const certificates = new TestCertificates();
before(() => certificates.make());
after(() => certificates.cleanup());
const { file, needs, serverContext, clientContext } = certificates;

const VERSIONS = ['TLSv1_2', 'TLSv1_3'] as const;
const N = 300_000;
const PLAIN = 'plain after tls';

// A TLS server: records the SNI it was sent, reads argv[4] bytes, answers
// them reversed, then unwraps and sends PLAIN in the clear.
const SERVER = `
  import ssl
  names = []
  ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
  ctx.load_cert_chain(sys.argv[1], sys.argv[2])
  ctx.maximum_version = getattr(ssl.TLSVersion, sys.argv[3])
  ctx.set_alpn_protocols(['x-other', 'x-berkeley'])
  ctx.sni_callback = lambda s, name, c: names.append(name)
  srv = socket.create_server(('127.0.0.1', 0))
  out(srv.getsockname()[1])
  conn, _ = srv.accept()
  s = ctx.wrap_socket(conn, server_side=True)
  n = int(sys.argv[4])
  data = b''
  while len(data) < n:
      data += s.recv(1 << 16)
  s.sendall(data[::-1])
  out({'sni': names, 'version': s.version(), 'alpn': s.selected_alpn_protocol(), 'sha': sha(data)})
  plain = s.unwrap()
  plain.sendall(b'${PLAIN}')
  plain.close()
`;

/** How the test moves bytes between a socket and an SSLObject's BIOs: Sync or async calls. */
interface Transport {
  send(data: Buffer): void | Promise<void>;
  recv(): Buffer | Promise<Buffer>;
}

/**
 * Runs op until it stops wanting the peer's bytes: after each try, what the
 * object wrote goes out; on SSLWantReadError, what the socket brings goes
 * into the incoming BIO (its end as writeEof()).
 */
async function drive<T>(transport: Transport, incoming: ssl.MemoryBIO, outgoing: ssl.MemoryBIO, op: () => T): Promise<T> {
  for (;;) {
    let result: { value: T } | undefined;
    try {
      result = { value: op() };
    } catch (error) {
      if (!(error instanceof ssl.SSLWantReadError)) throw error;
    }
    const out = outgoing.read();
    if (out.length > 0) await transport.send(out);
    if (result !== undefined) return result.value;
    const data = await transport.recv();
    if (data.length === 0) incoming.writeEof();
    else incoming.write(data);
  }
}

for (const form of ['sync', 'async'] as const) {
  test(`a berkeley SSLObject pumped over a ${form} Socket, against python3's ssl server: TLS 1.2 and 1.3, SNI, ALPN, data both ways, unwrap`, async (t) => {
    if (!needs(t, true)) return;
    for (const version of VERSIONS) {
      const peer = new Peer(t, SERVER, [file('server.pem'), file('server.key'), version, String(N)]);
      const port = await peer.json<number>();
      using sock = await socket.createConnection(['127.0.0.1', port], SYNC_TIMEOUT);
      const transport: Transport =
        form === 'sync'
          ? { send: (data) => sock.sendallSync(data), recv: () => sock.recvSync(1 << 16) }
          : { send: (data) => bounded(sock.sendall(data), PEER_MS), recv: () => bounded(sock.recv(1 << 16), PEER_MS) };
      const incoming = new ssl.MemoryBIO();
      const outgoing = new ssl.MemoryBIO();
      const context = clientContext();
      context.setAlpnProtocols(['x-berkeley']);
      const tls = context.wrapBio(incoming, outgoing, false, 'localhost');
      const run = <T>(op: () => T): Promise<T> => drive(transport, incoming, outgoing, op);

      await run(() => tls.doHandshake());
      const data = randomBytes(N);
      assert.equal(await run(() => tls.write(data)), N);
      const chunks: Buffer[] = [];
      for (let got = 0; got < N; ) {
        const chunk = await run(() => tls.read(1 << 16));
        assert.ok(chunk.length > 0, 'no early end');
        chunks.push(chunk);
        got += chunk.length;
      }
      assert.ok(Buffer.concat(chunks).equals(Buffer.from(data).reverse()));
      const seen = await peer.json<{ sni: string[]; version: string; alpn: string; sha: string }>();
      const name = version.replace('_', '.');
      assert.deepEqual(seen, { sni: ['localhost'], version: name, alpn: 'x-berkeley', sha: sha256(data) });
      assert.deepEqual([tls.version(), tls.selectedAlpnProtocol()], [name, 'x-berkeley']);

      await run(() => tls.unwrap());
      // What came after the peer's close_notify stays in the incoming BIO, then the socket.
      let plain = incoming.read();
      while (plain.length < PLAIN.length) plain = Buffer.concat([plain, await transport.recv()]);
      assert.equal(plain.toString(), PLAIN);
      await peer.done();
    }
  });
}

// A TLS client on python3's SSLObject: it pumps its BIOs over a plain
// socket, sends argv[4] bytes, reads them back reversed, unwraps and reads
// the plain text that follows.
const BIO_CLIENT = `
  import ssl
  ctx = ssl.create_default_context(cafile=sys.argv[1])
  ctx.maximum_version = getattr(ssl.TLSVersion, sys.argv[3])
  ctx.set_alpn_protocols(['x-berkeley'])
  sock = socket.create_connection(('127.0.0.1', int(sys.argv[2])))
  incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
  obj = ctx.wrap_bio(incoming, outgoing, server_hostname='localhost')
  def drive(op, *args):
      while True:
          try:
              result = op(*args)
              sock.sendall(outgoing.read())
              return result
          except ssl.SSLWantReadError:
              sock.sendall(outgoing.read())
              data = sock.recv(1 << 16)
              if data:
                  incoming.write(data)
              else:
                  incoming.write_eof()
  drive(obj.do_handshake)
  n = int(sys.argv[4])
  data = os.urandom(n)
  drive(obj.write, data)
  back = b''
  while len(back) < n:
      back += drive(obj.read, 1 << 16)
  version, alpn = obj.version(), obj.selected_alpn_protocol()
  drive(obj.unwrap)
  plain = incoming.read()
  while len(plain) < ${PLAIN.length}:
      plain += sock.recv(100)
  out({'reversed': back == data[::-1], 'sha': sha(data), 'version': version, 'alpn': alpn, 'plain': plain.decode()})
`;

test("python3's SSLObject, pumped by its script, against a berkeley SSLSocket server: TLS 1.2 and 1.3, ALPN, unwrap", async (t) => {
  if (!needs(t, true)) return;
  using listener = socket.createServer(['127.0.0.1', 0]);
  const port = String((listener.getsockname() as [string, number])[1]);
  for (const version of VERSIONS) {
    const peer = new Peer(t, BIO_CLIENT, [file('ca.pem'), port, version, String(N)]);
    const [conn] = await bounded(listener.accept(), PEER_MS);
    const context = serverContext();
    context.setAlpnProtocols(['x-berkeley']);
    const tls = await bounded(context.wrapSocket(conn, { serverSide: true }), PEER_MS);
    const data = await bounded(recvExactly(tls, N), PEER_MS);
    await bounded(tls.sendall(Buffer.from(data).reverse()), PEER_MS);
    using plain = await bounded(tls.unwrap(), PEER_MS);
    await bounded(plain.sendall(PLAIN), PEER_MS);
    const seen = await peer.json<{ reversed: boolean; sha: string; version: string; alpn: string; plain: string }>();
    assert.deepEqual(seen, { reversed: true, sha: sha256(data), version: version.replace('_', '.'), alpn: 'x-berkeley', plain: PLAIN });
    await peer.done();
  }
});
