// AF_UNIX: stream, datagram and seqpacket sockets on paths in a temp dir,
// Linux abstract names (Buffers starting with 0), unnamed sockets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as socket from 'berkeley';
import { bounded, recvExactly, tempDir } from '../support/index.js';

const { AF_UNIX, SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET } = socket;

let dir: ReturnType<typeof tempDir>;
before(() => (dir = tempDir()));
after(() => dir.cleanup());

let counter = 0;
/** A fresh abstract name, unique to this process and call. */
const abstractName = (): Buffer => Buffer.from(`\0berkeley-test-${process.pid}-${++counter}`);

describe('SOCK_STREAM on a path', () => {
  test('echo, async; names on both sides', async () => {
    const path = dir.path('stream.sock');
    using server = socket.socket(AF_UNIX, SOCK_STREAM);
    server.bind(path);
    assert.ok(existsSync(path));
    server.listen();
    assert.equal(server.getsockname(), path);
    using client = socket.socket(AF_UNIX, SOCK_STREAM);
    const [[conn, peer]] = await bounded(Promise.all([server.accept(), client.connect(path)]));
    using _conn = conn;
    // The client is unnamed: its address is '' (as in Python).
    assert.equal(peer, '');
    assert.equal(client.getsockname(), '');
    assert.equal(client.getpeername(), path);
    assert.equal(conn.getsockname(), path);
    assert.equal(conn.family, AF_UNIX);
    assert.equal(conn.type, SOCK_STREAM);
    await client.sendall('over unix');
    assert.equal((await recvExactly(conn, 9)).toString(), 'over unix');
    await conn.sendall('back');
    assert.equal((await recvExactly(client, 4)).toString(), 'back');
    client.shutdown(socket.SHUT_WR);
    assert.equal((await bounded(conn.recv(10))).length, 0);
  });

  test('echo, Sync', () => {
    const path = dir.path('stream-sync.sock');
    using server = socket.socket(AF_UNIX, SOCK_STREAM);
    server.bind(path);
    server.listen();
    server.settimeout(5);
    using client = socket.socket(AF_UNIX, SOCK_STREAM);
    client.settimeout(5);
    client.connectSync(path);
    const [conn, peer] = server.acceptSync();
    using _conn = conn;
    assert.equal(peer, '');
    client.sendallSync('sync');
    assert.equal(conn.recvSync(10).toString(), 'sync');
  });

  test('a client bound to its own path is seen by that name', async () => {
    const path = dir.path('named-server.sock');
    const clientPath = dir.path('named-client.sock');
    using server = socket.socket(AF_UNIX, SOCK_STREAM);
    server.bind(path);
    server.listen();
    using client = socket.socket(AF_UNIX, SOCK_STREAM);
    client.bind(clientPath);
    const [[conn, peer]] = await bounded(Promise.all([server.accept(), client.connect(path)]));
    using _conn = conn;
    assert.equal(peer, clientPath);
    assert.equal(conn.getpeername(), clientPath);
  });

  test('binding an existing path is EADDRINUSE; connecting to a missing one is FileNotFoundError', async () => {
    const path = dir.path('taken.sock');
    using a = socket.socket(AF_UNIX, SOCK_STREAM);
    a.bind(path);
    using b = socket.socket(AF_UNIX, SOCK_STREAM);
    assert.throws(() => b.bind(path), (e: unknown) => e instanceof socket.SocketError && e.code === 'EADDRINUSE');
    using c = socket.socket(AF_UNIX, SOCK_STREAM);
    await assert.rejects(c.connect(dir.path('missing.sock')), (e: unknown) => e instanceof socket.FileNotFoundError && e.code === 'ENOENT' && e.syscall === 'connect');
    using d = socket.socket(AF_UNIX, SOCK_STREAM);
    assert.throws(() => d.connectSync(dir.path('missing.sock')), socket.FileNotFoundError);
  });

  test('connecting to a bound but not listening path is ConnectionRefusedError', async () => {
    const path = dir.path('not-listening.sock');
    using a = socket.socket(AF_UNIX, SOCK_STREAM);
    a.bind(path);
    using b = socket.socket(AF_UNIX, SOCK_STREAM);
    await assert.rejects(b.connect(path), socket.ConnectionRefusedError);
  });

  test('a path given as a Buffer works and comes back as a string', () => {
    const path = dir.path('buffer-path.sock');
    using s = socket.socket(AF_UNIX, SOCK_STREAM);
    s.bind(Buffer.from(path));
    assert.equal(s.getsockname(), path);
  });

  test('a path of 107 bytes (the longest sun_path) works', () => {
    const base = dir.path('');
    const name = 'p'.repeat(107 - Buffer.byteLength(base));
    const path = base + name;
    assert.equal(Buffer.byteLength(path), 107);
    using s = socket.socket(AF_UNIX, SOCK_STREAM);
    s.bind(path);
    assert.equal(s.getsockname(), path);
  });
});

describe('SOCK_DGRAM on paths', () => {
  test('sendto / recvfrom with sender paths, async and Sync', async () => {
    const serverPath = dir.path('dgram-server.sock');
    const clientPath = dir.path('dgram-client.sock');
    using server = socket.socket(AF_UNIX, SOCK_DGRAM);
    server.bind(serverPath);
    using client = socket.socket(AF_UNIX, SOCK_DGRAM);
    client.bind(clientPath);
    assert.equal(await client.sendto('hello', serverPath), 5);
    const [data, from] = await bounded(server.recvfrom(100));
    assert.equal(data.toString(), 'hello');
    assert.equal(from, clientPath);
    server.settimeout(5);
    client.settimeout(5);
    server.sendtoSync('reply', from as string);
    const [reply, replyFrom] = client.recvfromSync(100);
    assert.equal(reply.toString(), 'reply');
    assert.equal(replyFrom, serverPath);
  });

  test('an unbound sender has no address (null, as Python\'s None); boundaries are kept', async () => {
    const path = dir.path('dgram-anon.sock');
    using server = socket.socket(AF_UNIX, SOCK_DGRAM);
    server.bind(path);
    using client = socket.socket(AF_UNIX, SOCK_DGRAM);
    await client.sendto('one', path);
    await client.sendto('two', path);
    const [first, from] = await bounded(server.recvfrom(100));
    assert.equal(first.toString(), 'one');
    assert.equal(from, null);
    assert.equal((await bounded(server.recv(100))).toString(), 'two');
  });

  test('connected datagram sockets: send/recv', async () => {
    const path = dir.path('dgram-connected.sock');
    using server = socket.socket(AF_UNIX, SOCK_DGRAM);
    server.bind(path);
    using client = socket.socket(AF_UNIX, SOCK_DGRAM);
    await bounded(client.connect(path));
    assert.equal(client.getpeername(), path);
    await client.send('connected');
    assert.equal((await bounded(server.recv(100))).toString(), 'connected');
  });

  test('a short buffer truncates a datagram; MSG_TRUNC gives the real length', async () => {
    const [a, b] = socket.socketpair(AF_UNIX, SOCK_DGRAM);
    using _a = a;
    using _b = b;
    await a.send('0123456789');
    await a.send('abcdefghij');
    assert.equal((await bounded(b.recv(4))).toString(), '0123');
    const small = Buffer.alloc(4);
    assert.equal(await bounded(b.recvInto(small, 0, socket.MSG_TRUNC)), 10);
    assert.equal(small.toString(), 'abcd');
  });

  test('sending to a path nobody bound is FileNotFoundError', async () => {
    using client = socket.socket(AF_UNIX, SOCK_DGRAM);
    await assert.rejects(client.sendto('x', dir.path('nobody.sock')), socket.FileNotFoundError);
  });
});

describe('SOCK_SEQPACKET', () => {
  test('connection-oriented with message boundaries', async () => {
    const path = dir.path('seqpacket.sock');
    using server = socket.socket(AF_UNIX, SOCK_SEQPACKET);
    server.bind(path);
    server.listen();
    using client = socket.socket(AF_UNIX, SOCK_SEQPACKET);
    const [[conn]] = await bounded(Promise.all([server.accept(), client.connect(path)]));
    using _conn = conn;
    assert.equal(conn.type, SOCK_SEQPACKET);
    await client.send('first message');
    await client.send('second');
    await client.sendall('third');
    // A message is read whole or truncated, never merged with the next.
    assert.equal((await bounded(conn.recv(100))).toString(), 'first message');
    assert.equal((await bounded(conn.recv(3))).toString(), 'sec');
    assert.equal(conn.recvSync(100).toString(), 'third');
    client.close();
    assert.equal((await bounded(conn.recv(100))).length, 0);
  });

  test('Sync echo', () => {
    const path = dir.path('seqpacket-sync.sock');
    using server = socket.socket(AF_UNIX, SOCK_SEQPACKET);
    server.bind(path);
    server.listen();
    server.settimeout(5);
    using client = socket.socket(AF_UNIX, SOCK_SEQPACKET);
    client.settimeout(5);
    client.connectSync(path);
    const [conn] = server.acceptSync();
    using _conn = conn;
    conn.settimeout(5);
    client.sendSync('a');
    client.sendSync('b');
    assert.equal(conn.recvSync(100).toString(), 'a');
    assert.equal(conn.recvSync(100).toString(), 'b');
  });
});

describe('abstract names (Linux)', () => {
  test('bind a Buffer starting with 0; getsockname returns it as the same Buffer', () => {
    const name = abstractName();
    using s = socket.socket(AF_UNIX, SOCK_STREAM);
    s.bind(name);
    const got = s.getsockname();
    assert.ok(Buffer.isBuffer(got), `expected a Buffer, got ${String(got)}`);
    assert.ok(got.equals(name));
    // Nothing appears in the file system.
    assert.ok(!existsSync(name.subarray(1).toString()));
  });

  test('a string starting with \\0 is also abstract, and comes back as a Buffer', () => {
    const name = abstractName();
    using s = socket.socket(AF_UNIX, SOCK_DGRAM);
    s.bind(name.toString('latin1'));
    const got = s.getsockname();
    assert.ok(Buffer.isBuffer(got));
    assert.ok(got.equals(name));
  });

  test('stream: connect to an abstract name; accept, peer names', async () => {
    const name = abstractName();
    using server = socket.socket(AF_UNIX, SOCK_STREAM);
    server.bind(name);
    server.listen();
    using client = socket.socket(AF_UNIX, SOCK_STREAM);
    const [[conn, peer]] = await bounded(Promise.all([server.accept(), client.connect(name)]));
    using _conn = conn;
    assert.equal(peer, '');
    const remote = client.getpeername();
    assert.ok(Buffer.isBuffer(remote) && remote.equals(name));
    await client.sendall('abstract');
    assert.equal((await recvExactly(conn, 8)).toString(), 'abstract');
  });

  test('datagram: recvfrom returns the abstract sender as a Buffer', async () => {
    const serverName = abstractName();
    const clientName = abstractName();
    using server = socket.socket(AF_UNIX, SOCK_DGRAM);
    server.bind(serverName);
    using client = socket.socket(AF_UNIX, SOCK_DGRAM);
    client.bind(clientName);
    await client.sendto('hi', serverName);
    const [data, from] = await bounded(server.recvfrom(10));
    assert.equal(data.toString(), 'hi');
    assert.ok(Buffer.isBuffer(from) && from.equals(clientName));
  });

  test('an abstract name may contain further zero bytes and is exact (no trailing NUL)', () => {
    const name = Buffer.concat([abstractName(), Buffer.from([0, 1, 0])]);
    using s = socket.socket(AF_UNIX, SOCK_DGRAM);
    s.bind(name);
    const got = s.getsockname() as Buffer;
    assert.ok(got.equals(name), `got ${got.toString('hex')}`);
    // A prefix of it is another name: binding it is allowed.
    using t = socket.socket(AF_UNIX, SOCK_DGRAM);
    t.bind(name.subarray(0, name.length - 1));
  });

  test('an abstract name in use is EADDRINUSE; a missing one is ECONNREFUSED', async () => {
    const name = abstractName();
    using a = socket.socket(AF_UNIX, SOCK_STREAM);
    a.bind(name);
    using b = socket.socket(AF_UNIX, SOCK_STREAM);
    assert.throws(() => b.bind(name), (e: unknown) => e instanceof socket.SocketError && e.code === 'EADDRINUSE');
    using c = socket.socket(AF_UNIX, SOCK_STREAM);
    await assert.rejects(c.connect(abstractName()), socket.ConnectionRefusedError);
  });

  test('autobind: binding an empty name picks an abstract name', (t) => {
    using s = socket.socket(AF_UNIX, SOCK_DGRAM);
    try {
      s.bind('');
    } catch (error) {
      return t.skip(`autobind not supported here: ${String(error)}`);
    }
    const got = s.getsockname();
    assert.ok(Buffer.isBuffer(got), `got ${String(got)}`);
    assert.equal(got[0], 0);
    assert.ok(got.length > 1);
  });
});

describe('unnamed sockets', () => {
  test('an unbound socket\'s getsockname is \'\' for every type', () => {
    for (const type of [SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET]) {
      using s = socket.socket(AF_UNIX, type);
      assert.equal(s.getsockname(), '');
    }
  });

  test('socketpair ends are unnamed on both sides', () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    assert.equal(a.getsockname(), '');
    assert.equal(a.getpeername(), '');
    assert.equal(b.getpeername(), '');
  });
});
