// UDP interop with python3's socket module as the peer, both directions,
// async and Sync: exact datagrams (boundaries kept, empty and 64 KiB ones),
// and recvfrom addresses exactly as python sees them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as socket from 'berkeley';
import { bounded, enc, hasLoopbackIPv6, Peer, PEER_MS, sha256, SYNC_TIMEOUT } from '../support/index.js';

// The largest UDP payload over IPv4 (65535 - 20 - 8), then smaller ones,
// including the empty datagram.
const SIZES = [0, 1, 2, 100, 1472, 9000, 65507];

function localPort(sock: socket.Socket): number {
  return (sock.getsockname() as [string, number])[1];
}

function datagrams(): Buffer[] {
  return SIZES.map((n) => randomBytes(n));
}

// Echoes argv[2] datagrams back to their senders, reporting each one.
const ECHO = `
  host, count = sys.argv[1], int(sys.argv[2])
  s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
  s.bind((host, 0))
  out(s.getsockname()[1])
  for i in range(count):
      data, addr = s.recvfrom(65535)
      out({"addr": enc(addr), "len": len(data), "sha": sha(data)})
      s.sendto(data, addr)
`;

// Sends the datagrams given as hex in argv[3:] to argv[1]:argv[2] from its own
// bound socket and reports, for each echo, whether it matched and its source.
const SENDER = `
  host, port = sys.argv[1], int(sys.argv[2])
  s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
  s.bind((host, 0))
  out(enc(s.getsockname()))
  results = []
  for h in sys.argv[3:]:
      data = bytes.fromhex(h)
      s.sendto(data, (host, port))
      echo, addr = s.recvfrom(65535)
      results.append({"same": echo == data, "from": enc(addr)})
  out(results)
`;

test('python echo server, berkeley async client: exact datagrams and addresses', async (t) => {
  const grams = datagrams();
  const peer = new Peer(t, ECHO, ['127.0.0.1', String(grams.length)]);
  const port = await peer.json<number>();
  using client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  for (const gram of grams) {
    assert.equal(await bounded(client.sendto(gram, ['127.0.0.1', port]), PEER_MS), gram.length);
    const [echo, from] = await bounded(client.recvfrom(65535), PEER_MS);
    assert.deepEqual(echo, gram);
    assert.deepEqual(from, ['127.0.0.1', port]);
    // sendto autobound the client (to the wildcard address, so python sees
    // loopback as the source) on the port it reports.
    const seen = await peer.json<{ addr: unknown; len: number; sha: string }>();
    assert.deepEqual(client.getsockname(), ['0.0.0.0', localPort(client)]);
    assert.deepEqual(seen, { addr: ['127.0.0.1', localPort(client)], len: gram.length, sha: sha256(gram) });
  }
  await peer.done();
});

test('python echo server, berkeley Sync client (both sendto forms)', async (t) => {
  const grams = datagrams();
  const peer = new Peer(t, ECHO, ['127.0.0.1', String(grams.length)]);
  const port = await peer.json<number>();
  const echoes: [Buffer, unknown][] = [];
  let local: unknown;
  {
    using client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    client.settimeout(SYNC_TIMEOUT);
    grams.forEach((gram, i) => {
      const sent = i % 2 ? client.sendtoSync(gram, ['127.0.0.1', port]) : client.sendtoSync(gram, 0, ['127.0.0.1', port]);
      assert.equal(sent, gram.length);
      echoes.push(client.recvfromSync(65535));
    });
    local = ['127.0.0.1', localPort(client)];
  }
  grams.forEach((gram, i) => assert.deepEqual(echoes[i], [gram, ['127.0.0.1', port]]));
  for (const gram of grams) assert.deepEqual(await peer.json(), { addr: local, len: gram.length, sha: sha256(gram) });
  await peer.done();
});

test('berkeley async server, python client: recvfrom gives python\'s address', async (t) => {
  using server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  server.bind(['127.0.0.1', 0]);
  const [, port] = server.getsockname() as [string, number];
  const grams = datagrams();
  const peer = new Peer(t, SENDER, ['127.0.0.1', String(port), ...grams.map((g) => g.toString('hex'))]);
  const pythonAddress = await peer.json();
  for (const gram of grams) {
    const [data, from] = await bounded(server.recvfrom(65535), PEER_MS);
    assert.deepEqual(data, gram);
    assert.deepEqual(enc(from), pythonAddress);
    await server.sendto(data, from as [string, number]);
  }
  const results = await peer.json<{ same: boolean; from: unknown }[]>();
  assert.deepEqual(results, grams.map(() => ({ same: true, from: ['127.0.0.1', port] })));
  await peer.done();
});

test('berkeley Sync server with recvfromInto, python client', async (t) => {
  using server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  server.bind(['127.0.0.1', 0]);
  server.settimeout(SYNC_TIMEOUT);
  const [, port] = server.getsockname() as [string, number];
  const grams = datagrams();
  const peer = new Peer(t, SENDER, ['127.0.0.1', String(port), ...grams.map((g) => g.toString('hex'))]);
  // Python prints its address before it sends, so we may block from here on.
  const pythonAddress = await peer.json();
  const buffer = Buffer.alloc(65535);
  for (const gram of grams) {
    const [n, from] = server.recvfromIntoSync(buffer);
    assert.equal(n, gram.length);
    assert.deepEqual(buffer.subarray(0, n), gram);
    assert.deepEqual(enc(from), pythonAddress);
    server.sendtoSync(buffer.subarray(0, n), from as [string, number]);
  }
  const results = await peer.json<{ same: boolean; from: unknown }[]>();
  assert.deepEqual(results, grams.map(() => ({ same: true, from: ['127.0.0.1', port] })));
  await peer.done();
});

test('connected UDP: berkeley connect + send/recv against a python echo server', async (t) => {
  const peer = new Peer(t, ECHO, ['127.0.0.1', '2']);
  const port = await peer.json<number>();
  using client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  await client.connect(['127.0.0.1', port]);
  assert.deepEqual(client.getpeername(), ['127.0.0.1', port]);
  assert.equal(await client.send('connected ✓'), Buffer.byteLength('connected ✓'));
  assert.equal((await bounded(client.recv(100), PEER_MS)).toString(), 'connected ✓');
  const buffer = Buffer.alloc(4);
  client.settimeout(SYNC_TIMEOUT);
  assert.equal(client.sendSync(Buffer.from('abcdefgh')), 8);
  // A datagram bigger than the buffer: the rest is discarded, as in Python.
  assert.equal(client.recvIntoSync(buffer), 4);
  assert.equal(buffer.toString(), 'abcd');
  const local = enc(client.getsockname());
  assert.deepEqual((await peer.json<{ addr: unknown }>()).addr, local);
  assert.deepEqual((await peer.json<{ addr: unknown }>()).addr, local);
  await peer.done();
});

test('IPv6 UDP on ::1 both ways: 4-tuple addresses agree', { skip: !hasLoopbackIPv6() && 'no ::1 here' }, async (t) => {
  const peer = new Peer(t, ECHO, ['::1', '1']);
  const port = await peer.json<number>();
  using client = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
  await client.sendto('six', ['::1', port]);
  const [echo, from] = await bounded(client.recvfrom(100), PEER_MS);
  assert.equal(echo.toString(), 'six');
  assert.deepEqual(from, ['::1', port, 0, 0]);
  assert.deepEqual(client.getsockname(), ['::', localPort(client), 0, 0]);
  assert.deepEqual((await peer.json<{ addr: unknown }>()).addr, ['::1', localPort(client), 0, 0]);
  await peer.done();

  using server = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
  server.bind(['::1', 0]);
  const [, serverPort] = server.getsockname();
  const sender = new Peer(t, SENDER, ['::1', String(serverPort), Buffer.from('hello six').toString('hex')]);
  const pythonAddress = await sender.json();
  const [data, address] = await bounded(server.recvfrom(100), PEER_MS);
  assert.equal(data.toString(), 'hello six');
  assert.deepEqual(enc(address), pythonAddress);
  await server.sendto(data, address as [string, number, number, number]);
  assert.deepEqual(await sender.json(), [{ same: true, from: ['::1', serverPort, 0, 0] }]);
  await sender.done();
});
