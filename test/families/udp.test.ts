// UDP on 127.0.0.1: sendto/recvfrom in both forms, message boundaries,
// MSG_TRUNC, connected UDP, '<broadcast>' as far as loopback allows.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import { bounded, udpSocket } from '../support/index.js';

const { AF_INET, SOCK_DGRAM, SOL_SOCKET } = socket;
type Inet = [string, number];

describe('sendto / recvfrom', () => {
  test('echo, async', async () => {
    using server = udpSocket();
    using client = udpSocket();
    const serve = (async () => {
      const [data, from] = await server.recvfrom(1024);
      await server.sendto(Buffer.concat([Buffer.from('echo:'), data]), from as Inet);
    })();
    assert.equal(await client.sendto('hello', server.getsockname() as Inet), 5);
    const [reply, from] = await bounded(client.recvfrom(1024));
    assert.equal(reply.toString(), 'echo:hello');
    assert.deepEqual(from, server.getsockname());
    await bounded(serve);
  });

  test('echo, Sync', () => {
    using server = udpSocket();
    using client = udpSocket();
    server.settimeout(5);
    client.settimeout(5);
    assert.equal(client.sendtoSync('ping', server.getsockname() as Inet), 4);
    const [data, from] = server.recvfromSync(1024);
    assert.equal(data.toString(), 'ping');
    assert.deepEqual(from, client.getsockname());
    server.sendtoSync(data, from as Inet);
    const [reply, replyFrom] = client.recvfromSync(1024);
    assert.equal(reply.toString(), 'ping');
    assert.deepEqual(replyFrom, server.getsockname());
  });

  test('sendto(data, flags, address) form', async () => {
    using server = udpSocket();
    using client = udpSocket();
    assert.equal(await client.sendto('with flags', 0, server.getsockname() as Inet), 10);
    assert.equal(client.sendtoSync('sync flags', 0, server.getsockname() as Inet), 10);
    assert.equal((await bounded(server.recv(100))).toString(), 'with flags');
    assert.equal((await bounded(server.recv(100))).toString(), 'sync flags');
  });

  test('datagrams keep their boundaries and order', async () => {
    using server = udpSocket();
    using client = udpSocket();
    const to = server.getsockname() as Inet;
    for (const m of ['a', 'bb', 'ccc']) await client.sendto(m, to);
    assert.equal((await bounded(server.recv(100))).toString(), 'a');
    assert.equal((await bounded(server.recv(100))).toString(), 'bb');
    assert.equal(server.recvSync(100).toString(), 'ccc');
  });

  test('an empty datagram is received as an empty Buffer with its sender', async () => {
    using server = udpSocket();
    using client = udpSocket();
    assert.equal(await client.sendto(Buffer.alloc(0), server.getsockname() as Inet), 0);
    const [data, from] = await bounded(server.recvfrom(100));
    assert.equal(data.length, 0);
    assert.deepEqual(from, client.getsockname());
  });

  test('recvfromInto: [nbytes, address], nbytes limits', async () => {
    using server = udpSocket();
    using client = udpSocket();
    await client.sendto('0123456789', server.getsockname() as Inet);
    const buffer = Buffer.alloc(16, '.');
    const [n, from] = await bounded(server.recvfromInto(buffer, 4));
    assert.equal(n, 4);
    assert.equal(buffer.toString(), '0123............');
    assert.deepEqual(from, client.getsockname());
    await client.sendto('abc', server.getsockname() as Inet);
    const [m, from2] = server.recvfromIntoSync(buffer);
    assert.equal(m, 3);
    assert.equal(buffer.subarray(0, 3).toString(), 'abc');
    assert.deepEqual(from2, client.getsockname());
  });

  test('recvfrom and recvfromInto name each sender, however they alternate, with fresh tuples', async () => {
    using server = udpSocket();
    const senders = ['127.0.0.2', '127.0.0.1', '127.0.0.2', '127.255.255.254'].map((host) => {
      const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      s.bind([host, 0]);
      return s;
    });
    try {
      const buffer = Buffer.alloc(8);
      const seen: unknown[] = [];
      for (const [k, sender] of senders.entries()) {
        sender.sendtoSync(String(k), server.getsockname() as Inet);
        const [n, from] = k % 2 === 0 ? server.recvfromIntoSync(buffer) : await bounded(server.recvfromInto(buffer));
        assert.equal(buffer.subarray(0, n).toString(), String(k));
        assert.deepEqual(from, sender.getsockname());
        seen.push(from);
        sender.sendtoSync(`again ${k}`, server.getsockname() as Inet);
        const [data, again] = k % 2 === 0 ? await bounded(server.recvfrom(64)) : server.recvfromSync(64);
        assert.equal(data.toString(), `again ${k}`);
        assert.deepEqual(again, sender.getsockname());
        assert.notEqual(again, from);
      }
      // Each call returns a tuple of its own: changing one changes no other.
      (seen[0] as [string, number])[1] = 0;
      assert.deepEqual(seen[2], senders[2]!.getsockname());
    } finally {
      for (const s of senders) s.close();
    }
  });

  test('a short buffer truncates the datagram and drops the rest', async () => {
    using server = udpSocket();
    using client = udpSocket();
    const to = server.getsockname() as Inet;
    await client.sendto('0123456789', to);
    await client.sendto('next', to);
    assert.equal((await bounded(server.recv(3))).toString(), '012');
    assert.equal((await bounded(server.recv(100))).toString(), 'next');
  });

  test('an unbound socket gets an ephemeral port on its first sendto', async () => {
    using server = udpSocket();
    using client = socket.socket(AF_INET, SOCK_DGRAM);
    assert.deepEqual(client.getsockname(), ['0.0.0.0', 0]);
    await client.sendto('x', server.getsockname() as Inet);
    const [, from] = await bounded(server.recvfrom(10));
    const port = (client.getsockname() as Inet)[1];
    assert.ok(port > 0);
    assert.deepEqual(from, ['127.0.0.1', port]);
  });

  test('sendto a host name (localhost) resolves it', async () => {
    using server = udpSocket();
    using client = udpSocket();
    const port = (server.getsockname() as Inet)[1];
    await client.sendto('by name', ['localhost', port]);
    client.sendtoSync('by name, Sync', ['localhost', port]);
    assert.equal((await bounded(server.recv(100))).toString(), 'by name');
    assert.equal((await bounded(server.recv(100))).toString(), 'by name, Sync');
  });

  test('a large datagram (60 000 bytes) on loopback', async () => {
    using server = udpSocket();
    using client = udpSocket();
    const data = Buffer.alloc(60000);
    for (let i = 0; i < data.length; i++) data[i] = i % 251;
    assert.equal(await client.sendto(data, server.getsockname() as Inet), data.length);
    const got = await bounded(server.recv(65535));
    assert.ok(got.equals(data));
  });

  test('a datagram too large for UDP is EMSGSIZE', async () => {
    using client = udpSocket();
    using server = udpSocket();
    await assert.rejects(client.sendto(Buffer.alloc(70000), server.getsockname() as Inet), (e: unknown) => e instanceof socket.SocketError && e.code === 'EMSGSIZE');
  });
});

describe('MSG_TRUNC and MSG_PEEK', () => {
  test('recvInto / recvfromInto with MSG_TRUNC return the real length; the buffer keeps what fits', async () => {
    using server = udpSocket();
    using client = udpSocket();
    const to = server.getsockname() as Inet;
    await client.sendto('0123456789', to);
    const small = Buffer.alloc(4);
    assert.equal(await bounded(server.recvInto(small, 0, socket.MSG_TRUNC)), 10);
    assert.equal(small.toString(), '0123');
    await client.sendto('abcdefghij', to);
    const [n, from] = server.recvfromIntoSync(small, 0, socket.MSG_TRUNC);
    assert.equal(n, 10);
    assert.equal(small.toString(), 'abcd');
    assert.deepEqual(from, client.getsockname());
  });

  test('recv with MSG_TRUNC returns at most bufsize bytes (never memory beyond them)', async () => {
    using server = udpSocket();
    using client = udpSocket();
    const to = server.getsockname() as Inet;
    await client.sendto('0123456789', to);
    assert.equal((await bounded(server.recv(4, socket.MSG_TRUNC))).toString(), '0123');
    // Large bufsize path too (beyond any scratch buffer), with a larger datagram.
    const big = Buffer.alloc(40000, 'x');
    await client.sendto(big, to);
    const got = await bounded(server.recv(30000, socket.MSG_TRUNC));
    assert.equal(got.length, 30000);
    assert.ok(got.every((b) => b === 0x78));
    await client.sendto('0123456789', to);
    const [data] = await bounded(server.recvfrom(2, socket.MSG_TRUNC));
    assert.equal(data.toString(), '01');
  });

  test('MSG_PEEK on a datagram leaves it queued; then MSG_PEEK|MSG_TRUNC gives the size', async () => {
    using server = udpSocket();
    using client = udpSocket();
    await client.sendto('peeked datagram', server.getsockname() as Inet);
    assert.equal((await bounded(server.recv(6, socket.MSG_PEEK))).toString(), 'peeked');
    assert.equal(server.recvIntoSync(Buffer.alloc(1), 0, socket.MSG_PEEK | socket.MSG_TRUNC), 15);
    assert.equal((await bounded(server.recv(100))).toString(), 'peeked datagram');
  });
});

describe('connected UDP', () => {
  test('connect sets the default destination and filters senders', async () => {
    using a = udpSocket();
    using b = udpSocket();
    using stranger = udpSocket();
    await bounded(a.connect(b.getsockname() as Inet));
    assert.deepEqual(a.getpeername(), b.getsockname());
    assert.equal(await a.send('via send'), 8);
    const [data, from] = await bounded(b.recvfrom(100));
    assert.equal(data.toString(), 'via send');
    assert.deepEqual(from, a.getsockname());
    // Only datagrams from the connected peer reach a.
    await stranger.sendto('ignored', a.getsockname() as Inet);
    await b.sendto('from b', a.getsockname() as Inet);
    assert.equal((await bounded(a.recv(100))).toString(), 'from b');
    a.setblocking(false);
    assert.throws(() => a.recvSync(100), socket.BlockingIOError);
  });

  test('connectSync and sendallSync / recvSync', () => {
    using a = udpSocket();
    using b = udpSocket();
    a.settimeout(5);
    b.settimeout(5);
    a.connectSync(b.getsockname() as Inet);
    b.connectSync(a.getsockname() as Inet);
    a.sendallSync('one');
    assert.equal(b.recvSync(100).toString(), 'one');
    b.sendSync('two');
    assert.equal(a.recvSync(100).toString(), 'two');
  });

  test('sending to a closed port: the next recv is ConnectionRefusedError (ICMP port unreachable)', async () => {
    using closed = udpSocket();
    const port = (closed.getsockname() as Inet)[1];
    closed.close();
    using a = socket.socket(AF_INET, SOCK_DGRAM);
    await bounded(a.connect(['127.0.0.1', port]));
    await a.send('anyone?');
    await assert.rejects(bounded(a.recv(100)), (e: unknown) => e instanceof socket.ConnectionRefusedError && e.code === 'ECONNREFUSED');
  });

  test('an unconnected UDP socket has no peer: ENOTCONN, and send without address is EDESTADDRREQ', async () => {
    using a = udpSocket();
    assert.throws(() => a.getpeername(), (e: unknown) => e instanceof socket.SocketError && e.code === 'ENOTCONN');
    await assert.rejects(a.send('x'), (e: unknown) => e instanceof socket.SocketError && e.code === 'EDESTADDRREQ');
  });
});

describe('broadcast', () => {
  test('SO_BROADCAST round-trips as a bool option', () => {
    using s = socket.socket(AF_INET, SOCK_DGRAM);
    assert.equal(s.getsockopt(SOL_SOCKET, socket.SO_BROADCAST), 0);
    s.setsockopt(SOL_SOCKET, socket.SO_BROADCAST, true);
    assert.equal(s.getsockopt(SOL_SOCKET, socket.SO_BROADCAST), 1);
    s.setsockopt(SOL_SOCKET, socket.SO_BROADCAST, 0);
    assert.equal(s.getsockopt(SOL_SOCKET, socket.SO_BROADCAST), 0);
  });

  test("'<broadcast>' means 255.255.255.255: without SO_BROADCAST it is PermissionError (nothing is sent)", async () => {
    // Sending with SO_BROADCAST set would leave loopback, so it is not done here.
    using s = socket.socket(AF_INET, SOCK_DGRAM);
    await assert.rejects(s.sendto('x', ['<broadcast>', 9]), (e: unknown) => e instanceof socket.PermissionError && e.code === 'EACCES');
    assert.throws(() => s.sendtoSync('x', ['<broadcast>', 9]), socket.PermissionError);
    assert.throws(() => s.sendtoSync('x', ['255.255.255.255', 9]), socket.PermissionError);
  });
});
