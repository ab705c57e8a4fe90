// toNetSocket() and Socket.fromNetSocket(): berkeley sockets served by Node's
// http (accepted connections, and a listening fd), spoken through Node's
// tls, and net.Sockets taken over by berkeley.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import * as socket from 'berkeley';
import { bounded, recvExactly, tempDir } from '../support/index.js';

/** Serves every connection accepted on listener with server, until listener closes. */
async function acceptInto(listener: socket.Socket, server: http.Server): Promise<number> {
  let served = 0;
  for (;;) {
    let conn: socket.Socket;
    try {
      [conn] = await listener.accept();
    } catch (error) {
      if (error instanceof socket.SocketError && error.code === 'EBADF') return served; // closed
      throw error;
    }
    server.emit('connection', conn.toNetSocket());
    conn.close(); // the net.Socket has its own dup
    served++;
  }
}

function hello(request: http.IncomingMessage, response: http.ServerResponse): void {
  response.setHeader('connection', 'close');
  response.end(`hello ${request.url} from ${request.socket.remoteAddress}`);
}

describe('toNetSocket', () => {
  test('SO_REUSEPORT listeners whose accepted connections http.createServer serves to fetch()', async () => {
    const first = socket.socket();
    first.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1);
    first.bind(['127.0.0.1', 0]);
    first.listen();
    const port = (first.getsockname() as [string, number])[1];
    const second = socket.socket();
    second.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1);
    second.bind(['127.0.0.1', port]); // the same port: SO_REUSEPORT
    second.listen();
    const server = http.createServer(hello);
    const serving = Promise.all([acceptInto(first, server), acceptInto(second, server)]);
    try {
      for (let i = 0; i < 8; i++) {
        const response = await bounded(fetch(`http://127.0.0.1:${port}/${i}`));
        assert.equal(response.status, 200);
        assert.equal(await bounded(response.text()), `hello /${i} from 127.0.0.1`);
      }
    } finally {
      first.close();
      second.close();
    }
    const [a, b] = await bounded(serving);
    assert.equal(a + b, 8);
    server.closeAllConnections();
  });

  test('a listening fd handed to server.listen({fd})', async () => {
    const listener = socket.socket();
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1);
    listener.bind(['127.0.0.1', 0]);
    listener.listen();
    const port = (listener.getsockname() as [string, number])[1];
    const server = http.createServer(hello);
    server.listen({ fd: listener.detach() }); // Node owns the fd now
    await bounded(once(server, 'listening'));
    try {
      const response = await bounded(fetch(`http://127.0.0.1:${port}/fd`));
      assert.equal(await bounded(response.text()), 'hello /fd from 127.0.0.1');
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  test('Node\'s tls over a berkeley connection', async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', dir.path('key.pem'), '-out', dir.path('cert.pem')], { stdio: 'ignore' });
    const cert = readFileSync(dir.path('cert.pem'));
    const server = tls.createServer({ key: readFileSync(dir.path('key.pem')), cert }, (s) => s.pipe(s));
    server.listen(0, '127.0.0.1');
    await bounded(once(server, 'listening'));
    t.after(() => server.close());
    using client = socket.socket();
    await bounded(client.connect(['127.0.0.1', (server.address() as net.AddressInfo).port]));
    const secure = tls.connect({ socket: client.toNetSocket(), ca: cert, servername: 'localhost' });
    client.close();
    await bounded(once(secure, 'secureConnect'));
    assert.equal(secure.authorized, true);
    secure.end('over TLS ✓');
    const chunks: Buffer[] = [];
    for await (const chunk of secure) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'over TLS ✓');
  });

  test('a Unix socketpair as a net.Socket; the berkeley socket stays usable', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    const node = a.toNetSocket();
    node.write('from node');
    assert.equal((await recvExactly(b, 9)).toString(), 'from node');
    await b.sendall('to node');
    const [data] = (await bounded(once(node, 'data'))) as [Buffer];
    assert.equal(data.toString(), 'to node');
    node.destroy();
    await a.sendall('still open'); // its own fd
    assert.equal((await recvExactly(b, 10)).toString(), 'still open');
  });

  test('refuses what a net.Socket cannot be', () => {
    using udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    assert.throws(() => udp.toNetSocket(), TypeError);
    using unconnected = socket.socket();
    assert.throws(() => unconnected.toNetSocket(), (e: unknown) => e instanceof socket.SocketError && e.code === 'ENOTCONN');
    const closed = socket.socket();
    closed.close();
    assert.throws(() => closed.toNetSocket(), (e: unknown) => e instanceof socket.SocketError && e.code === 'EBADF');
  });
});

describe('Socket.fromNetSocket', () => {
  test('takes a dup of an accepted net.Socket\'s fd (TCP)', async () => {
    const server = net.createServer({ pauseOnConnect: true });
    server.listen(0, '127.0.0.1');
    await bounded(once(server, 'listening'));
    const accepted = once(server, 'connection');
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    try {
      const [node] = (await bounded(accepted)) as [net.Socket];
      using s = socket.Socket.fromNetSocket(node);
      node.destroy(); // the Socket keeps the connection open
      assert.equal(s.family, socket.AF_INET);
      assert.equal(s.type, socket.SOCK_STREAM);
      assert.deepEqual(s.getpeername(), ['127.0.0.1', client.localPort]);
      client.write('ping');
      assert.equal((await recvExactly(s, 4)).toString(), 'ping');
      await s.sendall('pong');
      const [data] = (await bounded(once(client, 'data'))) as [Buffer];
      assert.equal(data.toString(), 'pong');
    } finally {
      client.destroy();
      server.close();
    }
  });

  test('a Unix net.Socket; TypeError without an fd', async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    const server = net.createServer((c) => c.once('data', () => c.end('unix hello')));
    server.listen(dir.path('s.sock'));
    await bounded(once(server, 'listening'));
    t.after(() => server.close());
    const node = net.connect(dir.path('s.sock'));
    await bounded(once(node, 'connect'));
    using s = socket.Socket.fromNetSocket(node);
    assert.equal(s.family, socket.AF_UNIX);
    node.destroy();
    await s.sendall('go'); // the server answers only now, so Node's socket read nothing of it
    assert.equal((await recvExactly(s, Infinity)).toString(), 'unix hello');
    assert.throws(() => socket.Socket.fromNetSocket(new net.Socket()), TypeError);
    assert.throws(() => socket.Socket.fromNetSocket(node), TypeError); // destroyed: no fd
    assert.throws(() => socket.Socket.fromNetSocket({} as unknown as net.Socket), TypeError);
  });
});
