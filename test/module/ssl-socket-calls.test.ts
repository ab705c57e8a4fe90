// The Socket's own calls on an SSLSocket, as Python's SSLSocket inherits
// them: bind and listen for a server socket wrapped before it was bound
// (python3's client is served), the timeout attribute, the inheritable
// flag, compression(); and detach(), which keeps the fd and drops TLS:
// waiting calls reject, the fd stays open for the caller, and a detached
// SSLSocket never touches the fd number once something else reuses it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fstatSync } from 'node:fs';
import * as socket from 'berkeley';
import { bounded, isErrorNaming, openFds, Peer, PEER_MS, TestCertificates, tlsPair } from '../support/index.js';

const certificates = new TestCertificates();
before(() => certificates.make());
after(() => certificates.cleanup());
const { file, needs, serverContext, clientContext } = certificates;

const isEBADF = (e: unknown): boolean => e instanceof socket.SocketError && e.errno === socket.errno.EBADF;

// A python3 TLS client: connects to the port, says hello, prints the reply.
const HELLO_CLIENT = `
  import ssl
  ctx = ssl.create_default_context(cafile=sys.argv[1])
  s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[2]))), server_hostname='localhost')
  s.sendall(b'hello')
  out(s.recv(100).decode())
  s.close()
`;

test('a server socket wrapped before it is bound: bind, listen, then accept serves python3 (both forms); timeout, inheritable and compression as the Socket says', async (t) => {
  if (!needs(t, true)) return;
  for (const form of ['async', 'sync'] as const) {
    using listener = serverContext().wrapSocketSync(socket.socket(socket.AF_INET, socket.SOCK_STREAM), { serverSide: true });
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
    listener.bind(['127.0.0.1', 0]);
    listener.listen();
    listener.settimeout(20);
    assert.equal(listener.timeout, 20);
    assert.equal(listener.getInheritable(), false, 'close-on-exec, as every berkeley socket');
    listener.setInheritable(true);
    assert.equal(listener.getInheritable(), true);
    listener.setInheritable(false);
    const peer = new Peer(t, HELLO_CLIENT, [file('ca.pem'), String(listener.getsockname()[1])]);
    const [conn] = form === 'sync' ? listener.acceptSync() : await bounded(listener.accept(), PEER_MS);
    using _conn = conn;
    assert.equal(conn.timeout, null, 'an accepted connection has the default timeout');
    conn.settimeout(20);
    assert.equal(conn.recvSync(100).toString(), 'hello');
    assert.equal(conn.compression(), null);
    conn.sendallSync(`${form} hi`);
    assert.equal(await peer.json<string>(), `${form} hi`);
    await peer.done();
  }
});

test("the plain calls refuse bad arguments as the Socket's do, and a closed SSLSocket with EBADF", (t) => {
  if (!needs(t)) return;
  const tls = serverContext().wrapSocketSync(socket.socket(socket.AF_INET, socket.SOCK_STREAM), { serverSide: true });
  assert.throws(() => tls.bind(42 as never), isErrorNaming(TypeError));
  assert.throws(() => tls.listen('5' as never), isErrorNaming(TypeError, 'backlog'));
  assert.throws(() => tls.setInheritable('yes' as never), isErrorNaming(TypeError, 'inheritable'));
  tls.close();
  assert.throws(() => tls.bind(['127.0.0.1', 0]), isEBADF);
  assert.throws(() => tls.listen(), isEBADF);
  assert.throws(() => tls.getInheritable(), isEBADF);
  assert.throws(() => tls.setInheritable(true), isEBADF);
  assert.equal(tls.detach(), -1, 'a closed SSLSocket has no fd to give');
});

test('detach() keeps the fd open and drops TLS: the SSLSocket is closed, a waiting recv rejects with EBADF, and the fd works as a plain socket', async (t) => {
  if (!needs(t)) return;
  const fdsBefore = openFds();
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _s = s;
  const fd = c.fileno();
  const waiting = c.recv(10);
  assert.equal(c.detach(), fd);
  await assert.rejects(bounded(waiting), isEBADF);
  assert.equal(c.fileno(), -1);
  assert.equal(c.closed, true);
  assert.equal(c.version(), null);
  assert.equal(c.cipher(), null);
  assert.equal(c.pending(), 0);
  assert.throws(() => c.recvSync(10), isEBADF);
  assert.throws(() => c.getpeercert(), isEBADF);
  assert.equal(c.detach(), -1, 'detach again');
  c.close(); // idempotent, and the fd is not closed by it
  assert.ok(fstatSync(fd).isSocket(), 'the fd stays open for the caller');

  // The fd as a plain Socket: the same connection, its TLS state gone; the
  // server sees the connection end without close_notify.
  const plain = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fd);
  assert.deepEqual(plain.getsockname(), s.getpeername());
  plain.close();
  s.settimeout(20);
  assert.equal(s.recvSync(10).length, 0, 'a ragged EOF, suppressed by default');
  s.close();
  assert.equal(openFds(), fdsBefore, 'no fd left open');
});

test('a detached SSLSocket never touches its old fd number once another socket has it', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _s = s;
  const fd = c.detach();
  socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fd).close();
  using reused = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  reused.bind(['127.0.0.1', 0]);
  const name = reused.getsockname();
  // The kernel gives the lowest free number; whether or not it is the old one, nothing the detached SSLSocket does may reach it.
  assert.throws(() => c.sendallSync('x'), isEBADF);
  assert.throws(() => c.recvSync(1), isEBADF);
  assert.throws(() => c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192), isEBADF);
  assert.throws(() => c.bind(['127.0.0.1', 0]), isEBADF);
  assert.throws(() => c.setInheritable(true), isEBADF);
  assert.equal(c.detach(), -1);
  c.close();
  assert.deepEqual(reused.getsockname(), name, 'the socket on the reused number is untouched');
  assert.equal(reused.getInheritable(), false);
  assert.ok(fstatSync(reused.fileno()).isSocket());
});
