// The smoke program for an installed package (.ci/packaging, .ci/platforms):
// run from a project that installed berkeley, with no compiler and no
// python3 on PATH. Loads every entry point and does real work over
// loopback, in both forms: TCP, UDP, Unix stream and seqpacket, a selector,
// TLS on Node's own OpenSSL (anonymous TLS 1.2: no certificate to make).
// Prints one line and exits 0, or fails; gives up after 30 s.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as socket from 'berkeley';
import * as selectors from 'berkeley/selectors';
import * as socketserver from 'berkeley/socketserver';
import * as ssl from 'berkeley/ssl';

// Every socket made here, closed at the end (plain JS on Node 20 has no `using`).
const opened = [];
const open = (s) => (opened.push(s), s);

setTimeout(() => {
  console.error('smoke: timed out');
  process.exit(1);
}, 30_000).unref();

// Constants and errno names come from the loaded addon.
assert.equal(socket.AF_INET, 2);
assert.equal(typeof socket.SO_REUSEPORT, 'number');
assert.equal(typeof socket.errno.ECONNREFUSED, 'number');
assert.equal(typeof socketserver.ThreadingTCPServer, 'function');
assert.equal(typeof ssl.createDefaultContext, 'function');

// TCP, async.
{
  const server = open(socket.createServer(['127.0.0.1', 0]));
  const client = open(socket.socket(socket.AF_INET, socket.SOCK_STREAM));
  const [[conn]] = await Promise.all([server.accept(), client.connect(server.getsockname())]);
  open(conn);
  await client.sendall('ping');
  assert.equal((await conn.recv(16)).toString(), 'ping');
}

// TCP, Sync (the kernel queues the connection before it is accepted).
{
  const server = open(socket.createServer(['127.0.0.1', 0]));
  const client = open(socket.socket());
  client.connectSync(server.getsockname());
  const [conn] = server.acceptSync();
  open(conn);
  client.sendallSync('pong');
  assert.equal(conn.recvSync(16).toString(), 'pong');
}

// UDP, both forms.
{
  const a = open(socket.socket(socket.AF_INET, socket.SOCK_DGRAM));
  const b = open(socket.socket(socket.AF_INET, socket.SOCK_DGRAM));
  a.bind(['127.0.0.1', 0]);
  b.sendtoSync('datagram', a.getsockname());
  assert.equal(a.recvfromSync(64)[0].toString(), 'datagram');
  await b.sendto('again', a.getsockname());
  assert.equal((await a.recvfrom(64))[0].toString(), 'again');
}

// Unix stream on a path, and a seqpacket pair, watched by a selector.
const dir = mkdtempSync(join(tmpdir(), 'berkeley-smoke-'));
try {
  const server = open(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM));
  server.bind(join(dir, 'sock'));
  server.listen();
  const client = open(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM));
  await client.connect(join(dir, 'sock'));
  const [conn] = await server.accept();
  open(conn);
  await conn.sendall('unix');
  assert.equal((await client.recv(16)).toString(), 'unix');

  const [x, y] = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET).map(open);
  const selector = open(new selectors.DefaultSelector());
  selector.register(y, selectors.EVENT_READ);
  x.sendSync('record');
  assert.equal(selector.selectSync(5).length, 1);
  assert.equal(y.recvSync(64).toString(), 'record');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
// TLS, both forms.
{
  const anonymous = (protocol) => {
    const context = new ssl.SSLContext(protocol);
    context.checkHostname = false;
    context.verifyMode = ssl.CERT_NONE;
    context.maximumVersion = ssl.TLSVersion.TLSv1_2;
    context.setCiphers('aNULL:@SECLEVEL=0');
    return context;
  };
  const [a, b] = socket.socketpair();
  const [client, server] = (await Promise.all([anonymous(ssl.PROTOCOL_TLS_CLIENT).wrapSocket(a), anonymous(ssl.PROTOCOL_TLS_SERVER).wrapSocket(b, { serverSide: true })])).map(open);
  await client.sendall('tls');
  assert.equal((await server.recv(16)).toString(), 'tls');
  server.sendallSync('slt');
  assert.equal(client.recvSync(16).toString(), 'slt');
}
for (const s of opened) s.close();

console.log(`smoke: ok (${process.platform}-${process.arch}, Node.js ${process.version})`);
