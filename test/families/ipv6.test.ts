// IPv6 on ::1: 4-tuple addresses everywhere, TCP and UDP in both forms.
// Every test skips cleanly where ::1 cannot be bound.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import { bounded, hasLoopbackIPv6, recvExactly, tcpPair, udpSocket } from '../support/index.js';

const { AF_INET6, SOCK_STREAM, SOCK_DGRAM, IPPROTO_IPV6 } = socket;
type V6 = [string, number, number, number];

const available = hasLoopbackIPv6();
/** Skips the test (and says why) when ::1 is not available. */
const skipped = (t: TestContext): boolean => {
  if (!available) t.skip('no IPv6 loopback (::1) here');
  return !available;
};

function isV6Tuple(address: unknown): asserts address is V6 {
  assert.ok(Array.isArray(address), `not a tuple: ${String(address)}`);
  assert.equal(address.length, 4);
  assert.equal(typeof address[0], 'string');
  for (const k of [1, 2, 3]) assert.equal(typeof address[k], 'number');
}

describe('IPv6 TCP', () => {
  test('bind ::1 port 0: getsockname is [host, port, flowinfo, scopeId]', (t) => {
    if (skipped(t)) return;
    using s = socket.socket(AF_INET6, SOCK_STREAM);
    s.bind(['::1', 0]);
    const name = s.getsockname();
    isV6Tuple(name);
    assert.equal(name[0], '::1');
    assert.ok(name[1] > 0);
    assert.equal(name[2], 0);
    assert.equal(name[3], 0);
    // The 4-tuple form is accepted on input too.
    using u = socket.socket(AF_INET6, SOCK_STREAM);
    u.bind(['::1', 0, 0, 0]);
    isV6Tuple(u.getsockname());
  });

  test('echo async: accept and the names are 4-tuples; a 2-tuple address connects', async (t) => {
    if (skipped(t)) return;
    using server = socket.socket(AF_INET6, SOCK_STREAM);
    server.bind(['::1', 0]);
    server.listen();
    const [host, port] = server.getsockname() as V6;
    using client = socket.socket(AF_INET6, SOCK_STREAM);
    const [[conn, peer]] = await bounded(Promise.all([server.accept(), client.connect([host, port])]));
    using _conn = conn;
    isV6Tuple(peer);
    assert.deepEqual(peer, client.getsockname());
    assert.equal(peer[0], '::1');
    const remote = client.getpeername();
    isV6Tuple(remote);
    assert.deepEqual(remote, ['::1', port, 0, 0]);
    assert.equal(conn.family, AF_INET6);
    await client.sendall('six');
    assert.equal((await recvExactly(conn, 3)).toString(), 'six');
    await conn.sendall('back');
    assert.equal((await recvExactly(client, 4)).toString(), 'back');
  });

  test('echo Sync', (t) => {
    if (skipped(t)) return;
    using server = socket.socket(AF_INET6, SOCK_STREAM);
    server.bind(['::1', 0]);
    server.listen();
    server.settimeout(5);
    using client = socket.socket(AF_INET6, SOCK_STREAM);
    client.settimeout(5);
    client.connectSync(server.getsockname() as V6);
    const [conn, peer] = server.acceptSync();
    using _conn = conn;
    isV6Tuple(peer);
    client.sendallSync('sync six');
    conn.settimeout(5);
    assert.equal(conn.recvSync(100).toString(), 'sync six');
  });

  test('a refused IPv6 connect is ConnectionRefusedError; connectEx gives the errno', async (t) => {
    if (skipped(t)) return;
    using holder = socket.socket(AF_INET6, SOCK_STREAM);
    holder.bind(['::1', 0]);
    const port = (holder.getsockname() as V6)[1];
    using a = socket.socket(AF_INET6, SOCK_STREAM);
    await assert.rejects(bounded(a.connect(['::1', port])), socket.ConnectionRefusedError);
    using b = socket.socket(AF_INET6, SOCK_STREAM);
    assert.equal(await bounded(b.connectEx(['::1', port])), socket.errno.ECONNREFUSED);
  });

  test('tcpPair helper over IPv6, recvfrom on TCP has no address', async (t) => {
    if (skipped(t)) return;
    const [a, b] = await tcpPair(AF_INET6);
    using _a = a;
    using _b = b;
    await a.sendall('x');
    const [data, from] = await bounded(b.recvfrom(10));
    assert.equal(data.toString(), 'x');
    assert.equal(from, null);
  });

  test('an IPv4 address on an AF_INET6 socket is refused', (t) => {
    if (skipped(t)) return;
    using s = socket.socket(AF_INET6, SOCK_STREAM);
    assert.throws(() => s.bind(['127.0.0.1', 0]), (e: unknown) => e instanceof socket.SocketError);
  });

  test('IPV6_V6ONLY round-trips', (t) => {
    if (skipped(t)) return;
    using s = socket.socket(AF_INET6, SOCK_STREAM);
    s.setsockopt(IPPROTO_IPV6, socket.IPV6_V6ONLY, true);
    assert.equal(s.getsockopt(IPPROTO_IPV6, socket.IPV6_V6ONLY), 1);
    s.setsockopt(IPPROTO_IPV6, socket.IPV6_V6ONLY, false);
    assert.equal(s.getsockopt(IPPROTO_IPV6, socket.IPV6_V6ONLY), 0);
  });
});

describe('IPv6 UDP', () => {
  test('sendto / recvfrom: the sender is a 4-tuple (async and Sync)', async (t) => {
    if (skipped(t)) return;
    using server = udpSocket(AF_INET6);
    using client = udpSocket(AF_INET6);
    const to = server.getsockname() as V6;
    assert.equal(await client.sendto('v6 datagram', [to[0], to[1]]), 11);
    const [data, from] = await bounded(server.recvfrom(100));
    assert.equal(data.toString(), 'v6 datagram');
    isV6Tuple(from);
    assert.deepEqual(from, client.getsockname());
    server.settimeout(5);
    client.settimeout(5);
    server.sendtoSync('reply', from);
    const [reply, replyFrom] = client.recvfromSync(100);
    assert.equal(reply.toString(), 'reply');
    isV6Tuple(replyFrom);
    assert.deepEqual(replyFrom, to);
  });

  test('recvfromInto returns [nbytes, 4-tuple]', async (t) => {
    if (skipped(t)) return;
    using server = udpSocket(AF_INET6);
    using client = udpSocket(AF_INET6);
    await client.sendto('into', server.getsockname() as V6);
    const buffer = Buffer.alloc(10);
    const [n, from] = await bounded(server.recvfromInto(buffer));
    assert.equal(n, 4);
    assert.equal(buffer.subarray(0, 4).toString(), 'into');
    isV6Tuple(from);
  });

  test('flowinfo is passed through on input without error', async (t) => {
    if (skipped(t)) return;
    using server = udpSocket(AF_INET6);
    using client = socket.socket(AF_INET6, SOCK_DGRAM);
    const [host, port] = server.getsockname() as V6;
    await client.sendto('flow', [host, port, 0, 0]);
    assert.equal((await bounded(server.recv(10))).toString(), 'flow');
  });

  test('connected IPv6 UDP: getpeername is a 4-tuple', async (t) => {
    if (skipped(t)) return;
    using a = udpSocket(AF_INET6);
    using b = udpSocket(AF_INET6);
    await bounded(a.connect(b.getsockname() as V6));
    const peer = a.getpeername();
    isV6Tuple(peer);
    assert.deepEqual(peer, b.getsockname());
    await a.send('c6');
    assert.equal((await bounded(b.recv(10))).toString(), 'c6');
  });
});
