// TCP interop with python3's socket module as the peer, in both directions,
// with berkeley's async and Sync forms: exact bytes, addresses as each side
// sees them, half-close as EOF, multi-megabyte transfers with a checksum.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as socket from 'berkeley';
import { bounded, enc, hasLoopbackIPv6, payload, Peer, PEER_MS, recvAll, recvAllSync, recvExactly, reversed, sha256, SYNC_TIMEOUT } from '../support/index.js';

type Addr = [string, number];

const BIG = 8 * 1024 * 1024;

// Accepts one connection, reads to EOF, reports what it saw, then answers
// with the bytes reversed (writing after the peer's half-close) and closes.
const REVERSING_SERVER = `
  host = sys.argv[1]
  srv = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET)
  srv.bind((host, 0))
  srv.listen()
  out(srv.getsockname()[1])
  conn, addr = srv.accept()
  data = recv_all(conn)
  out({"addr": enc(addr), "peername": enc(conn.getpeername()), "sockname": enc(conn.getsockname()), "len": len(data), "sha": sha(data)})
  conn.sendall(data[::-1])
  conn.close()
`;

// Connects to argv[1]:argv[2], sends argv[3] (hex), half-closes, reads to EOF.
const HALF_CLOSING_CLIENT = `
  host, port, data = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3])
  c = socket.create_connection((host, port))
  out({"sockname": enc(c.getsockname()), "peername": enc(c.getpeername())})
  c.sendall(data)
  c.shutdown(socket.SHUT_WR)
  reply = recv_all(c)
  out({"hex": reply.hex()})
  c.close()
`;

test('python server, berkeley async client: exact bytes, addresses, half-close is EOF to python', async (t) => {
  const peer = new Peer(t, REVERSING_SERVER, ['127.0.0.1']);
  const port = await peer.json<number>();
  using client = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await bounded(client.connect(['127.0.0.1', port]), PEER_MS);
  assert.deepEqual(client.getpeername(), ['127.0.0.1', port]);
  // Names taken now: once both sides have closed, getpeername is ENOTCONN.
  const local = enc(client.getsockname());
  const remote = enc(client.getpeername());
  const data = payload();
  await bounded(client.sendall(data), PEER_MS);
  client.shutdown(socket.SHUT_WR);
  // Python's recv returned b'' (EOF) after our SHUT_WR, or it would not report.
  const seen = await peer.json<Record<string, unknown>>();
  assert.deepEqual(seen.addr, local);
  assert.deepEqual(seen.peername, local);
  assert.deepEqual(seen.sockname, remote);
  assert.equal(seen.len, data.length);
  assert.equal(seen.sha, sha256(data));
  // The other direction still works after our half-close.
  assert.deepEqual(await bounded(recvAll(client), PEER_MS), reversed(data));
  await peer.done();
});

test('berkeley async server, python client: accept address, python half-close is EOF to berkeley', async (t) => {
  using server = socket.socket();
  server.bind(['127.0.0.1', 0]);
  server.listen();
  const [, port] = server.getsockname() as Addr;
  const data = payload();
  const peer = new Peer(t, HALF_CLOSING_CLIENT, ['127.0.0.1', String(port), data.toString('hex')]);
  const [conn, address] = await bounded(server.accept(), PEER_MS);
  using _conn = conn;
  const names = await peer.json<{ sockname: unknown; peername: unknown }>();
  assert.deepEqual(enc(address), names.sockname);
  assert.deepEqual(enc(conn.getpeername()), names.sockname);
  assert.deepEqual(enc(conn.getsockname()), names.peername);
  assert.deepEqual(names.peername, ['127.0.0.1', port]);
  // recv returns an empty Buffer once python has shut down its side.
  assert.deepEqual(await bounded(recvAll(conn), PEER_MS), data);
  await bounded(conn.sendall(reversed(data)), PEER_MS);
  conn.close();
  const reply = await peer.json<{ hex: string }>();
  assert.equal(reply.hex, reversed(data).toString('hex'));
  await peer.done();
});

test('python server, berkeley Sync client', async (t) => {
  const peer = new Peer(t, REVERSING_SERVER, ['127.0.0.1']);
  const port = await peer.json<number>();
  const data = payload();
  let reply: Buffer;
  let local: unknown;
  {
    // From here to the end of the block the event loop is blocked: python
    // needs nothing from us, and the socket's timeout bounds every wait.
    using client = socket.socket();
    client.settimeout(SYNC_TIMEOUT);
    client.connectSync(['127.0.0.1', port]);
    local = client.getsockname();
    client.sendallSync(data);
    client.shutdown(socket.SHUT_WR);
    reply = recvAllSync(client);
  }
  assert.deepEqual(reply, reversed(data));
  const seen = await peer.json<Record<string, unknown>>();
  assert.deepEqual(seen.addr, enc(local));
  assert.equal(seen.sha, sha256(data));
  await peer.done();
});

test('berkeley Sync server, python client', async (t) => {
  using server = socket.socket();
  server.bind(['127.0.0.1', 0]);
  server.listen();
  server.settimeout(SYNC_TIMEOUT);
  const [, port] = server.getsockname() as Addr;
  const data = payload();
  const peer = new Peer(t, HALF_CLOSING_CLIENT, ['127.0.0.1', String(port), data.toString('hex')]);
  let address: unknown;
  let received: Buffer;
  {
    const [conn, from] = server.acceptSync();
    using _conn = conn;
    assert.equal(conn.gettimeout(), socket.getdefaulttimeout());
    conn.settimeout(SYNC_TIMEOUT);
    address = from;
    received = recvAllSync(conn);
    conn.sendallSync(reversed(received));
  }
  assert.deepEqual(received, data);
  const names = await peer.json<{ sockname: unknown }>();
  assert.deepEqual(enc(address), names.sockname);
  assert.equal((await peer.json<{ hex: string }>()).hex, reversed(data).toString('hex'));
  await peer.done();
});

// Both sides send 8 MiB at once (python's sender in a thread), so neither can
// finish unless the other reads while it writes.
const FULL_DUPLEX_SERVER = `
  import threading
  n = int(sys.argv[1])
  srv = socket.socket()
  srv.bind(("127.0.0.1", 0))
  srv.listen()
  out(srv.getsockname()[1])
  conn, addr = srv.accept()
  blob = os.urandom(n)
  out({"sent_sha": sha(blob)})
  def send():
      conn.sendall(blob)
      conn.shutdown(socket.SHUT_WR)
  sender = threading.Thread(target=send)
  sender.start()
  data = recv_all(conn)
  sender.join()
  out({"len": len(data), "sha": sha(data)})
  conn.close()
`;

test('8 MiB each way at once, async, checksums match', async (t) => {
  const peer = new Peer(t, FULL_DUPLEX_SERVER, [String(BIG)]);
  const port = await peer.json<number>();
  using client = socket.socket();
  await bounded(client.connect(['127.0.0.1', port]), PEER_MS);
  const { sent_sha } = await peer.json<{ sent_sha: string }>();
  const blob = randomBytes(BIG);
  const [, received] = await bounded(
    Promise.all([client.sendall(blob).then(() => client.shutdown(socket.SHUT_WR)), recvExactly(client, BIG + 1, PEER_MS * 3)]),
    PEER_MS * 3,
    '8 MiB exchange',
  );
  assert.equal(received.length, BIG);
  assert.equal(sha256(received), sent_sha);
  const seen = await peer.json<{ len: number; sha: string }>();
  assert.equal(seen.len, BIG);
  assert.equal(seen.sha, sha256(blob));
  await peer.done();
});

// Reads to EOF, reports, then sends its own n bytes and closes.
const BULK_SERVER = `
  n = int(sys.argv[1])
  srv = socket.socket()
  srv.bind(("127.0.0.1", 0))
  srv.listen()
  out(srv.getsockname()[1])
  conn, addr = srv.accept()
  data = recv_all(conn)
  blob = os.urandom(n)
  out({"len": len(data), "sha": sha(data), "sent_sha": sha(blob)})
  conn.sendall(blob)
  conn.close()
`;

test('8 MiB each way, Sync, checksums match', async (t) => {
  const peer = new Peer(t, BULK_SERVER, [String(BIG)]);
  const port = await peer.json<number>();
  const blob = randomBytes(BIG);
  let received: Buffer;
  {
    using client = socket.socket();
    client.settimeout(SYNC_TIMEOUT);
    client.connectSync(['127.0.0.1', port]);
    client.sendallSync(blob);
    client.shutdown(socket.SHUT_WR);
    received = recvAllSync(client);
  }
  const seen = await peer.json<{ len: number; sha: string; sent_sha: string }>();
  assert.equal(seen.len, BIG);
  assert.equal(seen.sha, sha256(blob));
  assert.equal(received.length, BIG);
  assert.equal(sha256(received), seen.sent_sha);
  await peer.done();
});

test('an abortive close is ConnectionResetError on the other side, both ways', async (t) => {
  // python resets: SO_LINGER {on, 0} then close.
  const resetter = new Peer(t, `
    import struct
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    out(srv.getsockname()[1])
    conn, addr = srv.accept()
    conn.recv(1)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()
    out("reset")
  `);
  const port = await resetter.json<number>();
  using client = socket.socket();
  await bounded(client.connect(['127.0.0.1', port]), PEER_MS);
  await client.sendall('x');
  assert.equal(await resetter.json(), 'reset');
  await assert.rejects(bounded(client.recv(16), PEER_MS), socket.ConnectionResetError);
  await resetter.done();

  // berkeley resets, with the same option given as bytes; python sees ECONNRESET.
  using server = socket.socket();
  server.bind(['127.0.0.1', 0]);
  server.listen();
  const [, serverPort] = server.getsockname() as Addr;
  const victim = new Peer(t, `
    c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    c.sendall(b"x")
    try:
        c.recv(16)
        out("no error")
    except ConnectionResetError:
        out("ConnectionResetError")
  `, [String(serverPort)]);
  const [conn] = await bounded(server.accept(), PEER_MS);
  assert.equal((await bounded(conn.recv(1), PEER_MS)).toString(), 'x');
  const linger = Buffer.alloc(8);
  linger.writeInt32LE(1, 0);
  linger.writeInt32LE(0, 4);
  conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger);
  assert.deepEqual(conn.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8), linger);
  conn.close();
  assert.equal(await victim.json(), 'ConnectionResetError');
  await victim.done();
});

test('IPv6 on ::1 both ways: 4-tuple addresses agree', { skip: !hasLoopbackIPv6() && 'no ::1 here' }, async (t) => {
  const peer = new Peer(t, REVERSING_SERVER, ['::1']);
  const port = await peer.json<number>();
  using client = socket.socket(socket.AF_INET6);
  await bounded(client.connect(['::1', port]), PEER_MS);
  assert.deepEqual(client.getpeername(), ['::1', port, 0, 0]);
  const data = payload();
  await client.sendall(data);
  client.shutdown(socket.SHUT_WR);
  const seen = await peer.json<Record<string, unknown>>();
  assert.deepEqual(seen.addr, enc(client.getsockname()));
  assert.deepEqual(seen.sockname, ['::1', port, 0, 0]);
  assert.equal(seen.sha, sha256(data));
  assert.deepEqual(await bounded(recvAll(client), PEER_MS), reversed(data));
  await peer.done();

  using server = socket.socket(socket.AF_INET6);
  server.bind(['::1', 0]);
  server.listen();
  const serverPort = (server.getsockname() as [string, number, number, number])[1];
  const client6 = new Peer(t, HALF_CLOSING_CLIENT, ['::1', String(serverPort), data.toString('hex')]);
  const [conn, address] = await bounded(server.accept(), PEER_MS);
  using _conn = conn;
  const names = await client6.json<{ sockname: unknown; peername: unknown }>();
  assert.deepEqual(enc(address), names.sockname);
  assert.deepEqual(names.peername, ['::1', serverPort, 0, 0]);
  assert.deepEqual(await bounded(recvAll(conn), PEER_MS), data);
  conn.close();
  assert.equal((await client6.json<{ hex: string }>()).hex, '');
  await client6.done();
});
