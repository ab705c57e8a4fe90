// Unix-domain interop with python3's socket module as the peer: stream and
// datagram (and seqpacket), path and abstract names, both directions, async
// and Sync, with addresses exactly as python sees them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as socket from 'berkeley';
import { bounded, enc, payload, Peer, PEER_MS, recvAll, recvAllSync, reversed, sha256, SYNC_TIMEOUT, tempDir } from '../support/index.js';

const BIG = 4 * 1024 * 1024;

/** A fresh Linux abstract name (a Buffer starting with a 0 byte). */
function abstractName(tag: string): Buffer {
  return Buffer.concat([Buffer.from([0]), Buffer.from(`berkeley-interop-${tag}-${process.pid}-${randomBytes(6).toString('hex')}`)]);
}

// argv[1]: 'path:<p>' or 'hex:<abstract name>'. Accepts one connection, reads
// to EOF, reports, answers with the bytes reversed and closes.
const STREAM_SERVER = `
  kind, _, name = sys.argv[1].partition(":")
  addr = name if kind == "path" else bytes.fromhex(name)
  srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
  srv.bind(addr)
  srv.listen()
  out(enc(srv.getsockname()))
  conn, peer = srv.accept()
  data = recv_all(conn)
  out({"addr": enc(peer), "peername": enc(conn.getpeername()), "sockname": enc(conn.getsockname()), "len": len(data), "sha": sha(data)})
  conn.sendall(data[::-1])
  conn.close()
`;

// argv[1] as above; argv[2]: 'bind:<p>'/'bindhex:<h>'/'-'; argv[3]: hex data
// or a byte count prefixed with 'n:'. Sends, half-closes, reads to EOF.
const STREAM_CLIENT = `
  def parse(a):
      kind, _, name = a.partition(":")
      return name if kind in ("path", "bind") else bytes.fromhex(name)
  c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
  if sys.argv[2] != "-":
      c.bind(parse(sys.argv[2]))
  c.connect(parse(sys.argv[1]))
  data = os.urandom(int(sys.argv[3][2:])) if sys.argv[3].startswith("n:") else bytes.fromhex(sys.argv[3])
  out({"sockname": enc(c.getsockname()), "peername": enc(c.getpeername()), "sent_sha": sha(data)})
  c.sendall(data)
  c.shutdown(socket.SHUT_WR)
  reply = recv_all(c)
  out({"len": len(reply), "sha": sha(reply)})
  c.close()
`;

test('stream on a path: python server, berkeley async client', async (t) => {
  const tmp = tempDir();
  t.after(() => tmp.cleanup());
  const path = tmp.path('py-server.sock');
  const peer = new Peer(t, STREAM_SERVER, [`path:${path}`]);
  assert.equal(await peer.json(), path);
  using client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  await bounded(client.connect(path), PEER_MS);
  assert.equal(client.getpeername(), path);
  assert.equal(client.getsockname(), '');
  const data = payload();
  await client.sendall(data);
  client.shutdown(socket.SHUT_WR);
  // An unbound client is '' to python, as berkeley's getsockname says.
  assert.deepEqual(await peer.json(), { addr: '', peername: '', sockname: path, len: data.length, sha: sha256(data) });
  assert.deepEqual(await bounded(recvAll(client), PEER_MS), reversed(data));
  await peer.done();
});

test('stream on a path: berkeley Sync server, python client bound to a path, 4 MiB with checksum', async (t) => {
  const tmp = tempDir();
  t.after(() => tmp.cleanup());
  const path = tmp.path('berkeley-server.sock');
  const clientPath = tmp.path('py-client.sock');
  using server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  server.bind(path);
  server.listen();
  server.settimeout(SYNC_TIMEOUT);
  assert.equal(server.getsockname(), path);
  const peer = new Peer(t, STREAM_CLIENT, [`path:${path}`, `bind:${clientPath}`, `n:${BIG}`]);
  let received: Buffer;
  let address: unknown;
  let local: unknown;
  {
    const [conn, from] = server.acceptSync();
    using _conn = conn;
    conn.settimeout(SYNC_TIMEOUT);
    address = from;
    local = conn.getsockname();
    assert.equal(conn.getpeername(), clientPath);
    received = recvAllSync(conn);
    conn.sendallSync(reversed(received));
  }
  assert.equal(address, clientPath);
  assert.equal(local, path);
  const names = await peer.json<{ sockname: unknown; peername: unknown; sent_sha: string }>();
  assert.deepEqual(names, { sockname: clientPath, peername: path, sent_sha: sha256(received) });
  assert.equal(received.length, BIG);
  assert.deepEqual(await peer.json(), { len: BIG, sha: sha256(reversed(received)) });
  await peer.done();
});

test('abstract names: berkeley listens, python connects from its own abstract name', async (t) => {
  const name = abstractName('server');
  const clientName = abstractName('client');
  using server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  server.bind(name);
  server.listen();
  assert.deepEqual(server.getsockname(), name);
  const data = payload();
  const peer = new Peer(t, STREAM_CLIENT, [`hex:${name.toString('hex')}`, `bindhex:${clientName.toString('hex')}`, data.toString('hex')]);
  const [conn, from] = await bounded(server.accept(), PEER_MS);
  using _conn = conn;
  assert.deepEqual(from, clientName);
  assert.deepEqual(conn.getpeername(), clientName);
  assert.deepEqual(conn.getsockname(), name);
  const names = await peer.json<{ sockname: unknown; peername: unknown }>();
  assert.deepEqual(names.sockname, enc(clientName));
  assert.deepEqual(names.peername, enc(name));
  assert.deepEqual(await bounded(recvAll(conn), PEER_MS), data);
  await conn.sendall(reversed(data));
  conn.close();
  assert.deepEqual(await peer.json(), { len: data.length, sha: sha256(reversed(data)) });
  await peer.done();
});

test('abstract names: python listens, berkeley connects from a name given as a string', async (t) => {
  const name = abstractName('py');
  // Python accepts a str starting with NUL as an abstract name; so does berkeley.
  const clientName = abstractName('str').toString('latin1');
  const peer = new Peer(t, STREAM_SERVER, [`hex:${name.toString('hex')}`]);
  assert.deepEqual(await peer.json(), enc(name));
  using client = socket.socket(socket.AF_UNIX);
  client.bind(clientName);
  // Abstract names come back as Buffers, as Python returns bytes.
  assert.deepEqual(client.getsockname(), Buffer.from(clientName, 'latin1'));
  await bounded(client.connect(name), PEER_MS);
  assert.deepEqual(client.getpeername(), name);
  const data = payload();
  await client.sendall(data);
  client.shutdown(socket.SHUT_WR);
  const seen = await peer.json<Record<string, unknown>>();
  assert.deepEqual(seen.addr, enc(Buffer.from(clientName, 'latin1')));
  assert.deepEqual(seen.sockname, enc(name));
  assert.equal(seen.sha, sha256(data));
  assert.deepEqual(await bounded(recvAll(client), PEER_MS), reversed(data));
  await peer.done();
});

// argv[1]: own address ('path:'/'hex:'/'auto' = autobind, '-' = unbound);
// argv[2]: the address to send to first ('-' = wait for a datagram first).
// Reports every datagram and answers the sender when it has an address.
const DGRAM_PEER = `
  def parse(a):
      kind, _, name = a.partition(":")
      return name if kind == "path" else bytes.fromhex(name)
  s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
  if sys.argv[1] == "auto":
      s.bind("")
  elif sys.argv[1] != "-":
      s.bind(parse(sys.argv[1]))
  out(enc(s.getsockname()))
  if sys.argv[2] != "-":
      s.sendto(b"first from python", parse(sys.argv[2]))
  for i in range(int(sys.argv[3])):
      data, addr = s.recvfrom(65536)
      out({"addr": enc(addr), "hex": data.hex()})
      if addr:
          s.sendto(data[::-1], addr)
`;

test('datagram on paths: berkeley async to python and back, each sees the other\'s path', async (t) => {
  const tmp = tempDir();
  t.after(() => tmp.cleanup());
  const mine = tmp.path('berkeley.dgram');
  const theirs = tmp.path('py.dgram');
  const peer = new Peer(t, DGRAM_PEER, [`path:${theirs}`, '-', '2']);
  assert.equal(await peer.json(), theirs);
  using sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  sock.bind(mine);
  for (const gram of [Buffer.from('datagram ✓'), randomBytes(60000)]) {
    assert.equal(await sock.sendto(gram, theirs), gram.length);
    assert.deepEqual(await peer.json(), { addr: mine, hex: gram.toString('hex') });
    const [echo, from] = await bounded(sock.recvfrom(65536), PEER_MS);
    assert.deepEqual(echo, reversed(gram));
    assert.equal(from, theirs);
  }
  await peer.done();
});

test('datagram: python writes first, berkeley Sync answers; unbound senders are None/null on both sides', async (t) => {
  const tmp = tempDir();
  t.after(() => tmp.cleanup());
  const mine = tmp.path('berkeley.dgram');
  using sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  sock.bind(mine);
  sock.settimeout(SYNC_TIMEOUT);
  // An unbound python socket: its datagrams have no source address.
  const unbound = new Peer(t, DGRAM_PEER, ['-', `path:${mine}`, '0']);
  assert.equal(await unbound.json(), '');
  const [data, from] = sock.recvfromSync(100);
  assert.equal(data.toString(), 'first from python');
  assert.equal(from, null);
  await unbound.done();

  // A python socket on a path: berkeley answers it with the Sync forms.
  const theirs = tmp.path('py.dgram');
  const bound = new Peer(t, DGRAM_PEER, [`path:${theirs}`, `path:${mine}`, '1']);
  assert.equal(await bound.json(), theirs);
  const buffer = Buffer.alloc(100);
  const [n, source] = sock.recvfromIntoSync(buffer);
  assert.equal(buffer.subarray(0, n).toString(), 'first from python');
  assert.equal(source, theirs);
  assert.equal(sock.sendtoSync(buffer.subarray(0, n), source as string), n);
  assert.deepEqual(await bound.json(), { addr: mine, hex: Buffer.from('first from python').toString('hex') });
  await bound.done();

  // An unbound berkeley socket: python sees None.
  const listener = new Peer(t, DGRAM_PEER, [`path:${tmp.path('py2.dgram')}`, '-', '1']);
  const target = await listener.json<string>();
  using anonymous = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  await anonymous.sendto('from nowhere', target);
  assert.deepEqual(await listener.json(), { addr: null, hex: Buffer.from('from nowhere').toString('hex') });
  await listener.done();
});

test('datagram autobind: berkeley bind(\'\') gets an abstract name python sees as the same bytes', async (t) => {
  const peer = new Peer(t, DGRAM_PEER, ['auto', '-', '1']);
  const pythonName = await peer.json<{ hex: string }>();
  // Python autobound too: a NUL and five hex digits.
  assert.match(pythonName.hex, /^00([0-9a-f]{2}){5}$/);
  using sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  sock.bind('');
  const name = sock.getsockname() as Buffer;
  assert.ok(Buffer.isBuffer(name));
  assert.equal(name.length, 6);
  assert.equal(name[0], 0);
  await sock.sendto('autobound', Buffer.from(pythonName.hex, 'hex'));
  assert.deepEqual(await peer.json(), { addr: enc(name), hex: Buffer.from('autobound').toString('hex') });
  const [echo, from] = await bounded(sock.recvfrom(100), PEER_MS);
  assert.equal(echo.toString(), 'dnuobotua');
  assert.deepEqual(from, Buffer.from(pythonName.hex, 'hex'));
  await peer.done();
});

test('seqpacket: python server keeps berkeley\'s message boundaries', async (t) => {
  const tmp = tempDir();
  t.after(() => tmp.cleanup());
  const path = tmp.path('seq.sock');
  const peer = new Peer(t, `
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    srv.bind(sys.argv[1])
    srv.listen()
    out("ready")
    conn, addr = srv.accept()
    sizes = []
    while True:
        m = conn.recv(65536)
        if not m:
            break
        sizes.append(len(m))
        conn.send(m[::-1])
    out(sizes)
  `, [path]);
  assert.equal(await peer.json(), 'ready');
  using client = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET);
  await bounded(client.connect(path), PEER_MS);
  const messages = [Buffer.from('one'), randomBytes(5000), Buffer.from('three')];
  for (const m of messages) {
    await client.sendall(m);
    assert.deepEqual(await bounded(client.recv(65536), PEER_MS), reversed(m));
  }
  client.shutdown(socket.SHUT_WR);
  assert.deepEqual(await peer.json(), messages.map((m) => m.length));
  await peer.done();
});
