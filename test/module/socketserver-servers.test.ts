// berkeley/socketserver, the servers: their defaults and class attributes,
// and every hook of the request loop in Python's order (handleRequest,
// verifyRequest, handleError, handleTimeout, serveForever/shutdown/
// serverClose). The handlers are in socketserver-handlers, the mixins and
// robustness in socketserver-mixins. Every wait bounded; no timing thresholds.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import * as selectors from 'berkeley/selectors';
import * as socketserver from 'berkeley/socketserver';
import { backlog, bounded, connectTo, exchange, fixture, hasLoopbackIPv6, heldHandler, LineEcho, LOCAL, loopTurns, openFds, Program, recvAll, runNode, serving } from '../support/index.js';

type Address = socket.Address;

describe('defaults and class attributes', () => {
  test('Python\'s defaults are static class attributes', () => {
    const tcp = socketserver.TCPServer;
    assert.deepEqual([tcp.addressFamily, tcp.socketType, tcp.requestQueueSize, tcp.allowReuseAddress, tcp.allowReusePort], [socket.AF_INET, socket.SOCK_STREAM, 5, false, false]);
    const udp = socketserver.UDPServer;
    assert.deepEqual([udp.addressFamily, udp.socketType, udp.maxPacketSize], [socket.AF_INET, socket.SOCK_DGRAM, 8192]);
    assert.deepEqual([socketserver.UnixStreamServer.addressFamily, socketserver.UnixStreamServer.socketType], [socket.AF_UNIX, socket.SOCK_STREAM]);
    assert.deepEqual([socketserver.UnixDatagramServer.addressFamily, socketserver.UnixDatagramServer.socketType], [socket.AF_UNIX, socket.SOCK_DGRAM]);
    const handler = new socketserver.StreamRequestHandler(null as never, ['127.0.0.1', 1], null as never);
    assert.deepEqual([handler.rbufsize, handler.wbufsize, handler.timeout, handler.disableNagleAlgorithm], [-1, 0, null, false]);
  });

  test('a TCPServer binds, listens with requestQueueSize 5, and reports the real address', async () => {
    await using server = new socketserver.TCPServer(LOCAL, socketserver.BaseRequestHandler);
    assert.equal(server.timeout, null);
    const [host, port] = server.serverAddress as [string, number];
    assert.equal(host, '127.0.0.1');
    assert.ok(port > 0, 'port 0 resolved');
    assert.deepEqual(server.socket.getsockname(), server.serverAddress);
    assert.equal(server.fileno(), server.socket.fileno());
    assert.equal(backlog(server.socket), 5);
    assert.equal(server.socket.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR), 0, 'allowReuseAddress is false');
    assert.equal(server.socket.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT!), 0, 'allowReusePort is false');
  });

  test('subclasses set the class attributes as statics: requestQueueSize, allowReuseAddress, allowReusePort', async () => {
    class Custom extends socketserver.TCPServer {}
    Object.assign(Custom, { requestQueueSize: 17, allowReuseAddress: true, allowReusePort: true });
    await using one = new Custom(LOCAL, socketserver.BaseRequestHandler);
    assert.equal(backlog(one.socket), 17);
    assert.notEqual(one.socket.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR), 0);
    assert.notEqual(one.socket.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT!), 0);
    // allowReusePort: a second server on the same port.
    await using two = new Custom(one.serverAddress as Address, socketserver.BaseRequestHandler);
    assert.deepEqual(two.serverAddress, one.serverAddress);
    // Without it the port is taken (and the failed server leaks no fd).
    const before = openFds();
    assert.throws(() => new socketserver.TCPServer(one.serverAddress as Address, socketserver.BaseRequestHandler), (error: socket.SocketError) => error.code === 'EADDRINUSE');
    assert.equal(openFds(), before);
  });

  test('allowReuseAddress lets a server rebind a port with a connection in TIME_WAIT', async () => {
    class Reusing extends socketserver.TCPServer {
      static override allowReuseAddress = true; // Python's class attribute
    }
    await using plain = new socketserver.TCPServer(LOCAL, socketserver.BaseRequestHandler, false);
    assert.equal(plain.allowReuseAddress, false);
    const first = new Reusing(LOCAL, LineEcho);
    const address = first.serverAddress as Address;
    await serving(first, async () => assert.equal(await exchange(address, 'x\n'), 'x\n'));
    // The server closed its side first: its end of that connection is in TIME_WAIT.
    await using second = new Reusing(address, LineEcho);
    assert.deepEqual(second.serverAddress, address);
  });

  test('bindAndActivate = false: instance attributes, then serverBind() and serverActivate()', async () => {
    await using server = new socketserver.TCPServer(LOCAL, LineEcho, false);
    assert.throws(() => server.socket.getpeername());
    server.requestQueueSize = 3;
    server.serverBind();
    server.serverActivate();
    assert.equal(backlog(server.socket), 3);
    await serving(server, async () => assert.equal(await exchange(server.serverAddress as Address, 'late bind\n'), 'late bind\n'));
  });

  test('an AF_INET6 server through addressFamily', { skip: !hasLoopbackIPv6() && 'no ::1' }, async () => {
    class Six extends socketserver.TCPServer {}
    Six.addressFamily = socket.AF_INET6;
    const server = new Six(['::1', 0], LineEcho);
    assert.equal(server.socket.family, socket.AF_INET6);
    await serving(server, async () => {
      const s = socket.socket(server.addressFamily);
      try {
        await bounded(s.connect(server.serverAddress));
        await s.sendall('six\n');
        assert.equal((await recvAll(s)).toString(), 'six\n');
      } finally {
        s.close();
      }
    });
  });

  test('serverClose() closes the socket; Symbol.asyncDispose is serverClose()', async () => {
    const server = new socketserver.TCPServer(LOCAL, socketserver.BaseRequestHandler);
    await server.serverClose();
    assert.equal(server.fileno(), -1);
    await server.serverClose(); // idempotent
    let kept: socketserver.TCPServer | undefined;
    {
      await using disposed = new socketserver.TCPServer(LOCAL, socketserver.BaseRequestHandler);
      kept = disposed;
      assert.ok(kept.fileno() >= 0);
    }
    assert.equal(kept.fileno(), -1);
  });
});

// The hooks, in Python's order, recorded by a server and its handler.
const bindLog: string[] = [];
class Recording extends socketserver.TCPServer {
  log: string[] = [];
  verify = true;
  override serverBind(): void {
    bindLog.push('serverBind');
    super.serverBind();
  }
  override serverActivate(): void {
    bindLog.push('serverActivate');
    super.serverActivate();
  }
  override async getRequest(): Promise<[unknown, socket.SocketAddress | null]> {
    this.log.push('getRequest');
    return super.getRequest();
  }
  override verifyRequest(request: unknown, clientAddress: socket.SocketAddress): Promise<boolean> {
    this.log.push('verifyRequest');
    assert.ok(request instanceof socket.Socket);
    assert.deepEqual(clientAddress, request.getpeername());
    return Promise.resolve(this.verify);
  }
  override processRequest(request: unknown, clientAddress: socket.SocketAddress): Promise<void> {
    this.log.push('processRequest');
    return super.processRequest(request, clientAddress);
  }
  override finishRequest(request: unknown, clientAddress: socket.SocketAddress): Promise<void> {
    this.log.push('finishRequest');
    return super.finishRequest(request, clientAddress);
  }
  override shutdownRequest(request: unknown): void | Promise<void> {
    this.log.push('shutdownRequest');
    return super.shutdownRequest(request);
  }
  override closeRequest(request: unknown): void | Promise<void> {
    this.log.push('closeRequest');
    return super.closeRequest(request);
  }
  override handleError(): void {
    this.log.push('handleError');
  }
  override handleTimeout(): void {
    this.log.push('handleTimeout');
  }
  override serviceActions(): void {
    this.log.push('serviceActions');
  }
}

class RecordingHandler extends socketserver.StreamRequestHandler<Recording> {
  override setup(): void {
    this.server.log.push('setup');
    super.setup();
  }
  override async handle(): Promise<void> {
    this.server.log.push('handle');
    const line = (await this.rfile.readline()).toString();
    if (line === 'throw\n') throw new Error('handler failed');
    await this.wfile.write(line.toUpperCase());
  }
  override async finish(): Promise<void> {
    this.server.log.push('finish');
    await super.finish();
  }
}

describe('the request loop and its hooks', () => {
  test('handleRequest() serves one request through every hook, in Python\'s order', async () => {
    bindLog.length = 0;
    await using server = new Recording(LOCAL, RecordingHandler);
    assert.deepEqual(bindLog, ['serverBind', 'serverActivate']);
    const reply = exchange(server.serverAddress as Address, 'hello\n');
    await bounded(server.handleRequest());
    assert.equal(await reply, 'HELLO\n');
    assert.deepEqual(server.log, ['getRequest', 'verifyRequest', 'processRequest', 'finishRequest', 'setup', 'handle', 'finish', 'shutdownRequest', 'closeRequest']);
  });

  test('verifyRequest() false: no handler, the request is shut down and closed (the client sees EOF)', async () => {
    await using server = new Recording(LOCAL, RecordingHandler);
    server.verify = false;
    // The client sends nothing: data left unread would make the close a reset.
    const client = await connectTo(server.serverAddress as Address);
    using _client = client;
    await bounded(server.handleRequest());
    assert.equal((await recvAll(client)).length, 0);
    assert.deepEqual(server.log, ['getRequest', 'verifyRequest', 'shutdownRequest', 'closeRequest']);
  });

  test('a handler that throws: handleError(), then shutdownRequest(); the next request is served', async () => {
    await using server = new Recording(LOCAL, RecordingHandler);
    const reply = exchange(server.serverAddress as Address, 'throw\n');
    await bounded(server.handleRequest());
    assert.equal(await reply, '', 'the failed request is closed');
    assert.deepEqual(server.log, ['getRequest', 'verifyRequest', 'processRequest', 'finishRequest', 'setup', 'handle', 'finish', 'handleError', 'shutdownRequest', 'closeRequest']);
    const next = exchange(server.serverAddress as Address, 'next\n');
    await bounded(server.handleRequest());
    assert.equal(await next, 'NEXT\n');
  });

  test('timeout: handleRequest() calls handleTimeout() when no request comes (server.timeout, the socket\'s timeout, the smaller of both)', async () => {
    await using server = new Recording(LOCAL, RecordingHandler);
    server.timeout = 0.02;
    await bounded(server.handleRequest());
    assert.deepEqual(server.log, ['handleTimeout']);
    server.timeout = null;
    server.socket.settimeout(0.02);
    await bounded(server.handleRequest());
    server.timeout = 3600;
    await bounded(server.handleRequest(), 5000, 'the socket timeout, smaller than server.timeout');
    server.timeout = 0.02;
    server.socket.settimeout(3600);
    await bounded(server.handleRequest(), 5000, 'server.timeout, smaller than the socket timeout');
    assert.deepEqual(server.log, ['handleTimeout', 'handleTimeout', 'handleTimeout', 'handleTimeout']);
    // A request within the timeout is served instead.
    server.log.length = 0;
    server.timeout = 5;
    const reply = exchange(server.serverAddress as Address, 'in time\n');
    await bounded(server.handleRequest());
    assert.equal(await reply, 'IN TIME\n');
    assert.ok(!server.log.includes('handleTimeout'));
  });

  test('serveForever() calls serviceActions() each loop, and resolves after shutdown()', async () => {
    const server = new Recording(LOCAL, RecordingHandler);
    await serving(
      server,
      async () => {
        assert.equal(await exchange(server.serverAddress as Address, 'one\n'), 'ONE\n');
        assert.equal(await exchange(server.serverAddress as Address, 'two\n'), 'TWO\n');
      },
      0.01,
    );
    assert.ok(server.log.includes('serviceActions'));
    assert.equal(server.log.filter((entry) => entry === 'handle').length, 2);
  });

  test('shutdown() wakes the loop at once (no waiting out pollInterval) and waits for it', async () => {
    await using server = new socketserver.TCPServer(LOCAL, LineEcho);
    const order: string[] = [];
    const loop = server.serveForever(3600).then(() => order.push('serveForever resolved'));
    await loopTurns(5);
    await bounded(server.shutdown(), 5000, 'shutdown() with pollInterval 3600');
    order.push('shutdown resolved');
    await bounded(loop);
    assert.deepEqual(order, ['serveForever resolved', 'shutdown resolved']);
    // It can serve again after a shutdown.
    await serving(server, async () => assert.equal(await exchange(server.serverAddress as Address, 'again\n'), 'again\n'));
  });

  test('serverClose() while serveForever() waits (even in the same tick) does not crash; shutdown() still ends the loop', async () => {
    // In a child process: closing the fd under the loop's watcher could abort the process.
    const { code, signal: killed, stdout, stderr } = await runNode(`
      import * as socketserver from 'berkeley/socketserver';
      for (const later of [false, true]) {
        const server = new socketserver.TCPServer(['127.0.0.1', 0], socketserver.BaseRequestHandler);
        const loop = server.serveForever(0.05);
        if (later) await new Promise((resolve) => setTimeout(resolve, 20));
        await server.serverClose();
        await new Promise((resolve) => setTimeout(resolve, 100));
        await server.shutdown();
        await loop;
        console.log('stopped', later);
      }
    `);
    assert.equal(killed, null, `the process was killed by ${killed}; stderr: ${stderr}`);
    assert.equal(code, 0, stderr);
    assert.deepEqual(stdout.trim().split('\n'), ['stopped false', 'stopped true']);
  });

  test('serveForever() twice at once is an error; shutdown() when not serving returns', async () => {
    await using server = new socketserver.TCPServer(LOCAL, LineEcho);
    await bounded(server.shutdown());
    const loop = server.serveForever();
    await assert.rejects(server.serveForever());
    await bounded(server.shutdown());
    await bounded(loop);
  });

  test('shutdown() waits for the request being served', async () => {
    const { started, release, order, Held } = heldHandler('request done');
    await using server = new socketserver.TCPServer(LOCAL, Held);
    const loop = server.serveForever(0.05);
    const client = await connectTo(server.serverAddress as Address);
    try {
      await bounded(started.promise);
      const stopping = server.shutdown().then(() => order.push('shutdown resolved'));
      await loopTurns(5);
      release.resolve();
      await bounded(stopping);
      await bounded(loop);
      assert.deepEqual(order, ['request done', 'shutdown resolved']);
    } finally {
      client.close();
    }
  });

  test('a plain server serves one request at a time', async () => {
    const started: string[] = [];
    class Named extends socketserver.StreamRequestHandler {
      override async handle(): Promise<void> {
        const line = (await this.rfile.readline()).toString();
        started.push(line.trim());
        await this.wfile.write(line);
      }
    }
    const server = new socketserver.TCPServer(LOCAL, Named);
    await serving(server, async () => {
      const address = server.serverAddress as Address;
      const a = await connectTo(address);
      try {
        await a.sendall('a'); // half a line: A's handler waits for the rest
        const b = await connectTo(address);
        try {
          await b.sendall('b\n');
          // B waits in the accept queue while A is served (the listening socket stays readable).
          await loopTurns(20);
          const [readable] = await bounded(selectors.select([server.socket], [], [], 5));
          assert.deepEqual(readable, [server.socket], 'B is still in the accept queue');
          assert.deepEqual(started, []);
          await a.sendall('\n');
          assert.equal((await recvAll(a)).toString(), 'a\n');
          assert.equal((await recvAll(b)).toString(), 'b\n');
          assert.deepEqual(started, ['a', 'b']);
        } finally {
          b.close();
        }
      } finally {
        a.close();
      }
    });
  });

  test('the default handleError prints the traceback to stderr and the server keeps serving', async () => {
    const program = new Program(fixture('handle-error.js'));
    try {
      const address: Address = ['127.0.0.1', await program.port()];
      assert.equal(await exchange(address, 'boom\n'), '', 'the failed request is closed');
      assert.equal(await exchange(address, 'after\n'), 'echo after\n');
      program.write('stop\n');
      await program.match(/^stopped$/);
      assert.equal(await program.exit(), 0);
      const stderr = program.stderr;
      assert.match(stderr, /^-{40}$/m);
      assert.match(stderr, /Exception occurred during processing of request from .*127\.0\.0\.1/);
      assert.match(stderr, /Error: boom from the handler/);
      assert.match(stderr, /handle-error\.js:\d+/, 'the stack names where it was thrown');
    } finally {
      program.kill();
    }
  });
});
