// berkeley connect --tls and listen --tls (berkeley/ssl on OpenSSL) against
// python3's ssl module and each other: verification with --ca, --insecure,
// --sni, --alpn, certificates from --cert and --key, and the failures.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cli, Peer, TestCertificates } from '../support/index.js';

const certificates = new TestCertificates();
before(() => certificates.make());
after(() => certificates.cleanup());
const { file, needs } = certificates;

// A TLS server (certificate argv[1]) for one connection; ALPN argv[2] ('' for none).
// Prints its port, then what the handshake and the client's data were (to
// its close_notify), and answers with them upper-cased.
const SERVER = `
  import ssl
  ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
  ctx.load_cert_chain(sys.argv[1] + '.pem', sys.argv[1] + '.key')
  if sys.argv[2]:
      ctx.set_alpn_protocols(sys.argv[2].split(','))
  seen = {}
  ctx.sni_callback = lambda s, name, c: seen.update(sni=name)
  srv = socket.socket()
  srv.bind(('127.0.0.1', 0))
  srv.listen()
  out(srv.getsockname()[1])
  conn, _ = srv.accept()
  try:
      t = ctx.wrap_socket(conn, server_side=True)
  except (ssl.SSLError, OSError) as e:
      out({"error": type(e).__name__})
      sys.exit(0)
  data = recv_all(t)
  out({"sni": seen.get("sni"), "alpn": t.selected_alpn_protocol(), "data": data.decode()})
  t.sendall(data.upper())
  t.close()
`;

async function server(t: test.TestContext, chain = 'server', alpn = ''): Promise<[Peer, number]> {
  const peer = new Peer(t, SERVER, [file(chain), alpn]);
  return [peer, await peer.json<number>()];
}

test('connect --tls --ca: verifies python\'s server, data both ways, close_notify as the end of stdin', async (t) => {
  if (!needs(t, true)) return;
  const [peer, port] = await server(t);
  const { code, stdout, stderr } = await Cli.run(['connect', '-v', '--tls', '--ca', file('ca.pem'), 'localhost', String(port)], 'secret');
  assert.equal(code, 0, stderr);
  assert.equal(stdout.toString(), 'SECRET');
  assert.deepEqual(await peer.json(), { sni: 'localhost', alpn: null, data: 'secret' });
  assert.match(stderr, /\ntls with 127\.0\.0\.1:\d+: TLSv1\.3, TLS_\w+\n/);
});

test('--sni NAME: the name sent and verified instead of HOST', async (t) => {
  if (!needs(t, true)) return;
  const [peer, port] = await server(t);
  const { code } = await Cli.run(['connect', '--tls', '--ca', file('ca.pem'), '--sni', 'localhost', '127.0.0.1', String(port)], 'x');
  assert.equal(code, 0);
  assert.equal((await peer.json<{ sni: string }>()).sni, 'localhost');
  const [, other] = await server(t);
  const wrong = await Cli.run(['connect', '--tls', '--ca', file('ca.pem'), '--sni', 'elsewhere.test', '127.0.0.1', String(other)], 'x');
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, new RegExp(`^berkeley connect: handshake 127.0.0.1:${other}: \\S+ \\(.*CERTIFICATE_VERIFY_FAILED.*elsewhere\\.test`));
});

test('--alpn LIST: offered, and the one chosen is told by -v', async (t) => {
  if (!needs(t, true)) return;
  const [peer, port] = await server(t, 'server', 'h2,http/1.1');
  const { code, stderr } = await Cli.run(['connect', '-v', '--tls', '--ca', file('ca.pem'), '--alpn', 'spdy/1,http/1.1', 'localhost', String(port)], '');
  assert.equal(code, 0);
  assert.equal((await peer.json<{ alpn: string }>()).alpn, 'http/1.1');
  assert.match(stderr, /, alpn http\/1\.1\n/);
});

test('an unknown CA fails the handshake (status 1, the address and OpenSSL\'s reason); --insecure does not verify', async (t) => {
  if (!needs(t, true)) return;
  const [refusing, port] = await server(t, 'rogue');
  const { code, stdout, stderr } = await Cli.run(['connect', '--tls', 'localhost', String(port)], 'x');
  assert.equal(code, 1);
  assert.equal(stdout.length, 0);
  assert.match(stderr, new RegExp(`^berkeley connect: handshake 127.0.0.1:${port}: \\S+ \\(.*certificate verify failed: unable to get local issuer certificate\\)\\n$`));
  assert.ok('error' in (await refusing.json<object>()));
  const [peer, other] = await server(t, 'rogue');
  const insecure = await Cli.run(['connect', '--tls', '--insecure', 'localhost', String(other)], 'anyway');
  assert.equal(insecure.code, 0);
  assert.equal(insecure.stdout.toString(), 'ANYWAY');
  assert.equal((await peer.json<{ data: string }>()).data, 'anyway');
});

test('listen --tls --cert --key (--alpn): python\'s ssl client verifies it and talks', async (t) => {
  if (!needs(t, true)) return;
  const cli = Cli.start(t, ['listen', '-v', '--tls', '--cert', file('server.pem'), '--key', file('server.key'), '--alpn', 'h2,http/1.1', '127.0.0.1', '0']);
  cli.end('hello, client');
  const peer = new Peer(t, `
    import ssl
    ctx = ssl.create_default_context(cafile=sys.argv[1])
    ctx.set_alpn_protocols(['http/1.1'])
    with ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[2]))), server_hostname='localhost') as c:
        c.sendall(b'hello, server')
        out({"alpn": c.selected_alpn_protocol(), "data": recv_all(c).decode()})
  `, [file('ca.pem'), String(await cli.port())]);
  assert.deepEqual(await peer.json(), { alpn: 'http/1.1', data: 'hello, client' });
  await peer.done();
  const { code, stdout, stderr } = await cli.exit();
  assert.equal(code, 0, stderr);
  assert.equal(stdout.toString(), 'hello, server');
  assert.match(stderr, /tls with 127\.0\.0\.1:\d+: TLSv1\.3, \S+, alpn http\/1\.1\n/);
});

test('listen --tls and connect --tls: berkeley at both ends', async (t) => {
  if (!needs(t)) return;
  const cli = Cli.start(t, ['listen', '-v', '--tls', '--cert', file('server.pem'), '--key', file('server.key'), '127.0.0.1', '0']);
  cli.end('from the server');
  const { code, stdout } = await Cli.run(['connect', '--tls', '--ca', file('ca.pem'), 'localhost', String(await cli.port())], 'from the client');
  assert.equal(code, 0);
  assert.equal(stdout.toString(), 'from the server');
  const end = await cli.exit();
  assert.equal(end.code, 0);
  assert.equal(end.stdout.toString(), 'from the client');
});

test('a missing certificate, key or CA file: status 1, naming the files', async (t) => {
  if (!needs(t)) return;
  const [missing, key] = [file('missing.pem'), file('server.key')];
  const listen = await Cli.run(['listen', '--tls', '--cert', missing, '--key', key, '127.0.0.1', '0']);
  assert.equal(listen.code, 1);
  assert.equal(listen.stderr, `berkeley listen: load ${missing} and ${key}: ENOENT (No such file or directory)\n`);
  const connect = await Cli.run(['connect', '--tls', '--ca', missing, '127.0.0.1', '1']);
  assert.equal(connect.code, 1);
  assert.equal(connect.stderr, `berkeley connect: load ${missing}: ENOENT (No such file or directory)\n`);
});

test('TLS over a Unix socket: listen --tls -U, connect --tls --sni NAME -U', async (t) => {
  if (!needs(t)) return;
  const path = file('tls.sock');
  const cli = Cli.start(t, ['listen', '-v', '--tls', '--cert', file('server.pem'), '--key', file('server.key'), '-U', path]);
  cli.end('over unix');
  await cli.stderrMatch(/listening on/);
  const { code, stdout, stderr } = await Cli.run(['connect', '--tls', '--ca', file('ca.pem'), '--sni', 'localhost', '-U', path], 'and back');
  assert.equal(code, 0, stderr);
  assert.equal(stdout.toString(), 'over unix');
  assert.equal((await cli.exit()).stdout.toString(), 'and back');
});
