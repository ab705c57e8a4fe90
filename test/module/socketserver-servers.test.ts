// berkeley/socketserver: the servers' defaults and class attributes, every
// hook of the request loop, serveForever/shutdown/serverClose, the handlers,
// the Unix and datagram servers, ThreadingMixIn and ForkingMixIn (as child
// programs: their workers re-run the entry), and robustness: handlers that
// throw, hang or lose their client, 1,000 clients × 64 KiB, a slow client,
// shutdown with clients connected. Every wait bounded; no timing thresholds.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as socket from 'berkeley';
import * as selectors from 'berkeley/selectors';
import * as socketserver from 'berkeley/socketserver';
import { alive, bounded, connectTo, fixture, hasLoopbackIPv6, loopTurns, openFds, Program, recvAll, runNode, sha256, tempDir, waitUntil } from '../support/index.js';

type Address = socket.Address;
const LOCAL: [string, number] = ['127.0.0.1', 0];

/** A promise with its resolve, for handlers and clients to meet. */
function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A handler that signals it started, waits to be released, then records `done` in `order`. */
function heldHandler(done: string) {
  const started = signal();
  const release = signal();
  const order: string[] = [];
  class Held extends socketserver.BaseRequestHandler {
    override async handle(): Promise<void> {
      started.resolve();
      await release.promise;
      order.push(done);
    }
  }
  return { started, release, order, Held };
}

/** One request: send data, half-close, read the whole reply. */
async function exchange(address: Address, data: string | Buffer): Promise<string> {
  const s = await connectTo(address);
  try {
    await bounded(s.sendall(data));
    s.shutdown(socket.SHUT_WR);
    return (await recvAll(s)).toString();
  } finally {
    s.close();
  }
}

/** Runs fn while the server serves forever, then shuts it down and closes it (all bounded). */
async function serving<S extends socketserver.BaseServer>(server: S, fn: (server: S) => Promise<void>, pollInterval = 0.5): Promise<void> {
  const loop = server.serveForever(pollInterval);
  try {
    await fn(server);
  } finally {
    await bounded(server.shutdown(), 10000, 'shutdown()');
    await bounded(loop, 5000, 'serveForever() to resolve');
    await bounded(Promise.resolve(server.serverClose()), 10000, 'serverClose()');
  }
}

/** Echoes one line (Python's StreamRequestHandler idiom). */
class LineEcho extends socketserver.StreamRequestHandler {
  override async handle(): Promise<void> {
    const line = await this.rfile.readline();
    await this.wfile.write(line);
  }
}

/** Echoes every byte until EOF, on the request socket itself. */
class Echo extends socketserver.BaseRequestHandler<socket.Socket> {
  override async handle(): Promise<void> {
    for (;;) {
      const data = await this.request.recv(65536);
      if (data.length === 0) return;
      await this.request.sendall(data);
    }
  }
}

/** A server that records the errors handleError gets instead of printing them. */
function quiet<T extends new (...args: any[]) => socketserver.TCPServer>(Base: T) { // eslint-disable-line @typescript-eslint/no-explicit-any
  return class Quiet extends Base {
    errors: unknown[] = [];
    override handleError(_request: unknown, _clientAddress: unknown, error?: unknown): void {
      this.errors.push(error);
    }
  };
}

/** The listen(2) backlog of a listening TCP socket (Linux's tcp_info.tcpi_sacked). */
function backlog(s: socket.Socket): number {
  return s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO!, 104).readUInt32LE(28);
}

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
      const s = socket.socket(socket.AF_INET6);
      try {
        await bounded(s.connect(server.serverAddress as Address));
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
  override async getRequest(): Promise<[unknown, socket.SocketAddress]> {
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

describe('request handlers', () => {
  test('BaseRequestHandler: request, clientAddress, server; setup/handle/finish may be async', async () => {
    const seen = signal<[unknown, unknown, unknown]>();
    class Inspect extends socketserver.BaseRequestHandler {
      override async setup(): Promise<void> {
        await loopTurns(1);
      }
      override handle(): void {
        seen.resolve([this.request, this.clientAddress, this.server]);
      }
    }
    const server = new socketserver.TCPServer(LOCAL, Inspect);
    await serving(server, async () => {
      const client = await connectTo(server.serverAddress as Address);
      try {
        const [request, clientAddress, owner] = await bounded(seen.promise);
        assert.ok(request instanceof socket.Socket);
        assert.deepEqual(clientAddress, client.getsockname());
        assert.equal(owner, server);
        assert.equal((await recvAll(client)).length, 0, 'closed after the handler');
      } finally {
        client.close();
      }
    });
  });

  test('StreamRequestHandler: connection, rfile and wfile are SocketFiles, closed after finish', async () => {
    let files: [socket.SocketFile, socket.SocketFile] | undefined;
    class Files extends socketserver.StreamRequestHandler {
      override async handle(): Promise<void> {
        assert.equal(this.connection, this.request);
        assert.equal(this.rfile.mode, 'rb');
        assert.equal(this.wfile.mode, 'wb');
        files = [this.rfile, this.wfile];
        const lines: string[] = [];
        for await (const line of this.rfile) lines.push(line.toString());
        await this.wfile.write(`${lines.length} lines: ${lines.join('').toUpperCase()}`);
      }
    }
    const server = new socketserver.TCPServer(LOCAL, Files);
    await serving(server, async () => {
      assert.equal(await exchange(server.serverAddress as Address, 'a\nb\nc\n'), '3 lines: A\nB\nC\n');
    });
    assert.ok(files![0].closed && files![1].closed);
  });

  test('StreamRequestHandler.timeout: a client that sends nothing times out; the server goes on', async () => {
    class Timed extends LineEcho {
      override timeout = 0.05;
    }
    const Server = quiet(socketserver.TCPServer);
    const server = new Server(LOCAL, Timed);
    await serving(server, async () => {
      const idle = await connectTo(server.serverAddress as Address);
      try {
        assert.equal((await recvAll(idle)).length, 0, 'closed by the server after the timeout');
        assert.equal(server.errors.length, 1);
        assert.ok(server.errors[0] instanceof socket.TimeoutError, String(server.errors[0]));
        assert.equal(await exchange(server.serverAddress as Address, 'next\n'), 'next\n');
      } finally {
        idle.close();
      }
    });
  });

  test('StreamRequestHandler.disableNagleAlgorithm sets TCP_NODELAY on the connection', async () => {
    const values: number[] = [];
    class Probe extends socketserver.StreamRequestHandler {
      override handle(): void {
        values.push(this.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY));
      }
    }
    class NoDelay extends Probe {
      override disableNagleAlgorithm = true;
    }
    for (const Handler of [Probe, NoDelay]) {
      const server = new socketserver.TCPServer(LOCAL, Handler);
      await serving(server, async () => {
        await exchange(server.serverAddress as Address, '');
      });
    }
    assert.equal(values[0], 0);
    assert.notEqual(values[1], 0);
  });

  test('StreamRequestHandler: wbufsize 0 sends each write at once; a buffered wfile is flushed by finish()', async () => {
    const wrote = signal();
    const release = signal();
    class Unbuffered extends socketserver.StreamRequestHandler {
      override async handle(): Promise<void> {
        await this.wfile.write('first\n');
        wrote.resolve();
        await release.promise;
      }
    }
    const server = new socketserver.TCPServer(LOCAL, Unbuffered);
    await serving(server, async () => {
      const client = await connectTo(server.serverAddress as Address);
      try {
        await bounded(wrote.promise);
        assert.equal((await bounded(client.recv(100))).toString(), 'first\n', 'sent before the handler ended');
        release.resolve();
        assert.equal((await recvAll(client)).length, 0);
      } finally {
        client.close();
      }
    });
    class Buffered extends socketserver.StreamRequestHandler {
      override wbufsize = 65536;
      override async handle(): Promise<void> {
        await this.wfile.write('kept in the buffer until finish\n');
      }
    }
    const buffered = new socketserver.TCPServer(LOCAL, Buffered);
    await serving(buffered, async () => assert.equal(await exchange(buffered.serverAddress as Address, ''), 'kept in the buffer until finish\n'));
  });

  test('DatagramRequestHandler over UDPServer: packet, socket, rfile, and wfile sent back on finish', async () => {
    class Upper extends socketserver.DatagramRequestHandler {
      override async handle(): Promise<void> {
        assert.ok(this.socket instanceof socket.Socket);
        const first = (await this.rfile.readline()).toString();
        const rest = (await this.rfile.read()).toString();
        await this.wfile.write(`${first.toUpperCase()}|${rest}|${this.packet.length}`);
      }
    }
    const server = new socketserver.UDPServer(LOCAL, Upper);
    await serving(server, async () => {
      using client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      client.settimeout(5);
      for (const text of ['one\ntwo', 'three\n']) {
        await client.sendto(text, server.serverAddress as Address);
        const [reply, from] = await client.recvfrom(8192);
        assert.deepEqual(from, server.serverAddress);
        const [first, rest = ''] = text.split(/(?<=\n)/);
        assert.equal(reply.toString(), `${first!.toUpperCase()}|${rest}|${text.length}`);
      }
    });
  });

  test('UDPServer: maxPacketSize bounds what a handler gets', async () => {
    class Small extends socketserver.UDPServer {}
    Small.maxPacketSize = 4;
    class Length extends socketserver.DatagramRequestHandler {
      override handle(): void {
        this.wfile.writeSync(String(this.packet.length));
      }
    }
    const server = new Small(LOCAL, Length);
    await serving(server, async () => {
      using client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      client.settimeout(5);
      await client.sendto('0123456789', server.serverAddress as Address);
      assert.equal((await client.recv(100)).toString(), '4');
    });
  });

  test('getRequest() when another worker took the request first: BlockingIOError at once, never a wait', async () => {
    // Forking workers share the socket: all wake, one takes the request. In a
    // child process, since a wrong getRequest() would block its thread.
    const { code, signal: killed, stdout, stderr } = await runNode(
      `
      import * as socketserver from 'berkeley/socketserver';
      for (const Server of [socketserver.TCPServer, socketserver.UDPServer]) {
        const server = new Server(['127.0.0.1', 0], socketserver.BaseRequestHandler);
        try {
          await server.getRequest();
          console.log(Server.name, 'got a request');
        } catch (error) {
          console.log(Server.name, error.name);
        }
        await server.serverClose();
      }
    `,
      { ms: 5000 },
    ).catch((error: unknown) => ({ code: null, signal: 'timeout', stdout: '', stderr: (error as Error).message }));
    assert.equal(killed, null, `getRequest() blocked: ${stderr}`);
    assert.equal(code, 0, stderr);
    assert.deepEqual(stdout.trim().split('\n'), ['TCPServer BlockingIOError', 'UDPServer BlockingIOError']);
  });

  test('UnixStreamServer serves on a path', async () => {
    const dir = tempDir();
    try {
      const path = dir.path('stream.sock');
      const server = new socketserver.UnixStreamServer(path, LineEcho);
      assert.equal(server.serverAddress, path);
      assert.equal(server.socket.family, socket.AF_UNIX);
      await serving(server, async () => {
        assert.equal(await exchange(path, 'over unix\n'), 'over unix\n');
        assert.equal(await exchange(path, 'again\n'), 'again\n');
      });
    } finally {
      dir.cleanup();
    }
  });

  test('UnixDatagramServer answers a bound client', async () => {
    const dir = tempDir();
    try {
      const path = dir.path('dgram.sock');
      class Reverse extends socketserver.DatagramRequestHandler {
        override handle(): void {
          this.wfile.writeSync(Buffer.from(this.packet).reverse());
        }
      }
      const server = new socketserver.UnixDatagramServer(path, Reverse);
      await serving(server, async () => {
        using client = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
        client.bind(dir.path('client.sock'));
        client.settimeout(5);
        await client.sendto('abc', path);
        const [reply, from] = await client.recvfrom(100);
        assert.equal(reply.toString(), 'cba');
        assert.equal(from, path);
      });
    } finally {
      dir.cleanup();
    }
  });

  test('the ready-made Threading* servers serve TCP, UDP, Unix stream and Unix datagram', async () => {
    const dir = tempDir();
    try {
      class Back extends socketserver.DatagramRequestHandler {
        override handle(): void {
          this.wfile.writeSync(this.packet);
        }
      }
      const tcp = new socketserver.ThreadingTCPServer(LOCAL, LineEcho);
      await serving(tcp, async () => assert.equal(await exchange(tcp.serverAddress as Address, 't\n'), 't\n'));
      const unix = new socketserver.ThreadingUnixStreamServer(dir.path('ts.sock'), LineEcho);
      await serving(unix, async () => assert.equal(await exchange(dir.path('ts.sock'), 'u\n'), 'u\n'));
      for (const [server, family, address, clientAddress] of [
        [new socketserver.ThreadingUDPServer(LOCAL, Back), socket.AF_INET, undefined, LOCAL],
        [new socketserver.ThreadingUnixDatagramServer(dir.path('td.sock'), Back), socket.AF_UNIX, dir.path('td.sock'), dir.path('tdc.sock')],
      ] as const) {
        await serving(server, async () => {
          using client = socket.socket(family, socket.SOCK_DGRAM);
          client.bind(clientAddress);
          client.settimeout(5);
          await client.sendto('datagram', address ?? (server.serverAddress as Address));
          assert.equal((await client.recv(100)).toString(), 'datagram');
        });
      }
    } finally {
      dir.cleanup();
    }
  });
});

describe('ThreadingMixIn', () => {
  test('requests are served concurrently: a second client is answered while the first is mid-request', async () => {
    const server = new socketserver.ThreadingTCPServer(LOCAL, LineEcho);
    await serving(server, async () => {
      const address = server.serverAddress as Address;
      const a = await connectTo(address);
      try {
        await a.sendall('a');
        assert.equal(await exchange(address, 'b\n'), 'b\n');
        await a.sendall('\n');
        assert.equal((await recvAll(a)).toString(), 'a\n');
      } finally {
        a.close();
      }
    });
  });

  test('a slow client (a byte per 100 ms) does not delay the others', async () => {
    // 20 clients connect at once: with Python's backlog of 5 some would be reset by the
    // kernel (Python's own ThreadingTCPServer too), so this server takes a longer queue.
    class Roomy extends socketserver.ThreadingTCPServer {}
    Roomy.requestQueueSize = 64;
    const server = new Roomy(LOCAL, LineEcho);
    await serving(server, async () => {
      const address = server.serverAddress as Address;
      const message = Buffer.from('a slow line, a byte at a time\n');
      const slow = await connectTo(address);
      let sent = 0;
      const firstByte = signal();
      const done = signal();
      // A timer-driven writer: one byte per tick.
      const timer = setInterval(() => {
        slow.sendSync(message.subarray(sent, sent + 1));
        sent++;
        if (sent === 1) firstByte.resolve();
        if (sent === message.length) {
          clearInterval(timer);
          done.resolve();
        }
      }, 100);
      try {
        await bounded(firstByte.promise);
        const replies = await bounded(Promise.all(Array.from({ length: 20 }, (_, k) => exchange(address, `fast ${k}\n`))), 10000);
        const sentWhenFastDone = sent;
        assert.deepEqual(replies, Array.from({ length: 20 }, (_, k) => `fast ${k}\n`));
        assert.ok(sentWhenFastDone < message.length, `the fast clients finished while the slow one was still sending (${sentWhenFastDone}/${message.length} bytes)`);
        await bounded(done.promise, 10000);
        assert.equal((await recvAll(slow)).toString(), message.toString());
      } finally {
        clearInterval(timer);
        slow.close();
      }
    });
  });

  test('a handleError() that throws does not end the process: the server keeps serving (Python\'s threads print it)', async () => {
    // In a child process: an unhandled rejection would end it.
    const { code, signal: killed, stdout, stderr } = await runNode(`
      import * as socket from 'berkeley';
      import * as socketserver from 'berkeley/socketserver';
      class Failing extends socketserver.BaseRequestHandler {
        handle() { throw new Error('the handler failed'); }
      }
      class Server extends socketserver.ThreadingTCPServer {
        handleError() { throw new Error('handleError failed too'); }
      }
      const server = new Server(['127.0.0.1', 0], Failing);
      const loop = server.serveForever(0.05);
      for (let k = 0; k < 3; k++) {
        const c = socket.socket();
        await c.connect(server.serverAddress);
        console.log('closed', (await c.recv(10)).length === 0);
        c.close();
      }
      await server.shutdown();
      await loop;
      await server.serverClose();
      console.log('served on');
    `);
    assert.equal(killed, null, stderr);
    assert.equal(code, 0, stderr);
    assert.deepEqual(stdout.trim().split('\n'), ['closed true', 'closed true', 'closed true', 'served on']);
  });

  test('blockOnClose = true: serverClose() waits for the running handlers', async () => {
    for (const blockOnClose of [true, false]) {
      const { started, release, order, Held } = heldHandler('handler done');
      const server = new socketserver.ThreadingTCPServer(LOCAL, Held);
      assert.equal(server.blockOnClose, true, 'the default');
      server.blockOnClose = blockOnClose;
      const loop = server.serveForever(0.05);
      const client = await connectTo(server.serverAddress as Address);
      try {
        await bounded(started.promise);
        await bounded(server.shutdown());
        await bounded(loop);
        const closing = Promise.resolve(server.serverClose()).then(() => order.push('serverClose resolved'));
        await loopTurns(5);
        if (!blockOnClose) await bounded(closing, 5000, 'serverClose() without blockOnClose');
        release.resolve();
        await bounded(closing);
        await loopTurns(5);
        assert.deepEqual(order, blockOnClose ? ['handler done', 'serverClose resolved'] : ['serverClose resolved', 'handler done'], `blockOnClose ${blockOnClose}`);
        assert.equal((await recvAll(client)).length, 0);
      } finally {
        client.close();
      }
    }
  });
});

describe('robustness', () => {
  for (const kind of ['plain', 'threading'] as const) {
    test(`${kind}: handlers that throw, hang past their timeout, or lose their client: the server goes on and leaks no fd`, async () => {
      const before = openFds();
      class Fragile extends socketserver.StreamRequestHandler {
        override timeout = 0.1;
        override async handle(): Promise<void> {
          const line = (await this.rfile.readline()).toString();
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- the server must survive a handler that throws a non-Error
          if (line.startsWith('throw-string')) throw 'not an Error';
          if (line.startsWith('throw')) throw new Error('the handler failed');
          await this.wfile.write(`ok ${line}`);
        }
      }
      const Server = quiet(kind === 'plain' ? socketserver.TCPServer : socketserver.ThreadingTCPServer);
      const server = new Server(LOCAL, Fragile);
      await serving(server, async () => {
        const address = server.serverAddress as Address;
        // Throws.
        assert.equal(await exchange(address, 'throw\n'), '');
        assert.equal(await exchange(address, 'throw-string\n'), '');
        // Hangs: sends nothing, so its read times out.
        const idle = await connectTo(address);
        assert.equal((await recvAll(idle)).length, 0);
        idle.close();
        // Vanishes mid-request: half a line, then a reset.
        const gone = await connectTo(address);
        await gone.sendall('half a li');
        gone.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
        gone.close();
        // Vanishes before the reply: the reply's send fails.
        const early = await connectTo(address);
        await early.sendall('line\n');
        early.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
        early.close();
        for (let k = 0; k < 3; k++) assert.equal(await exchange(address, `alive ${k}\n`), `ok alive ${k}\n`);
        assert.ok(server.errors.length >= 2, `handleError saw the failures: ${server.errors.map(String).join('; ')}`);
        assert.ok(server.errors.some((error) => error instanceof socket.TimeoutError));
      });
      assert.equal(openFds(), before, 'every request socket closed');
    });
  }

  test('1,000 clients each sending 64 KiB get exactly their bytes back', async () => {
    class Big extends socketserver.ThreadingTCPServer {}
    Big.requestQueueSize = 128;
    const before = openFds();
    const server = new Big(LOCAL, Echo);
    const CLIENTS = 1000;
    const SIZE = 64 * 1024;
    await serving(server, async () => {
      const address = server.serverAddress as Address;
      let next = 0;
      let matched = 0;
      const client = async (): Promise<void> => {
        const data = randomBytes(SIZE);
        const s = await connectTo(address);
        try {
          const [reply] = await Promise.all([recvAll(s, 30000), s.sendall(data).then(() => s.shutdown(socket.SHUT_WR))]);
          assert.equal(reply.length, SIZE);
          assert.equal(sha256(reply), sha256(data));
          matched++;
        } finally {
          s.close();
        }
      };
      const worker = async (): Promise<void> => {
        while (next < CLIENTS) {
          next++;
          await client();
        }
      };
      await bounded(Promise.all(Array.from({ length: 32 }, worker)), 60000, () => `1,000 clients (${matched} done)`);
      assert.equal(matched, CLIENTS);
    });
    assert.equal(openFds(), before);
  });

  test('shutdown() with clients connected finishes cleanly; serverClose() waits for them (ThreadingMixIn)', async () => {
    const before = openFds();
    const server = new socketserver.ThreadingTCPServer(LOCAL, LineEcho);
    const loop = server.serveForever(0.05);
    const address = server.serverAddress as Address;
    const clients = await Promise.all(Array.from({ length: 5 }, () => connectTo(address)));
    try {
      // Every handler is running: each answers a half-line once completed.
      for (const c of clients) await c.sendall('pending');
      assert.equal(await exchange(address, 'probe\n'), 'probe\n');
      await bounded(server.shutdown(), 5000, 'shutdown() with clients connected');
      await bounded(loop);
      const closing = Promise.resolve(server.serverClose());
      await Promise.all(clients.map(async (c, k) => {
        await c.sendall(` ${k}\n`);
        assert.equal((await recvAll(c)).toString(), `pending ${k}\n`);
      }));
      await bounded(closing);
    } finally {
      for (const c of clients) c.close();
    }
    assert.equal(openFds(), before);
  });

  test('shutdown() with a client connected to a plain server waits for its request, then finishes cleanly', async () => {
    const before = openFds();
    const server = new socketserver.TCPServer(LOCAL, LineEcho);
    const loop = server.serveForever(0.05);
    const client = await connectTo(server.serverAddress as Address);
    try {
      await client.sendall('half');
      await loopTurns(10);
      const stopping = server.shutdown();
      await client.sendall(' done\n');
      assert.equal((await recvAll(client)).toString(), 'half done\n');
      await bounded(stopping);
      await bounded(loop);
      await server.serverClose();
    } finally {
      client.close();
    }
    assert.equal(openFds(), before);
  });
});

describe('ForkingMixIn (child programs: the workers re-run the entry)', () => {
  /** Sends a line on a new connection and returns the reply `[pid, text]`. */
  async function ask(port: number, text: string): Promise<[number, string]> {
    const reply = await exchange(['127.0.0.1', port], `${text}\n`);
    const match = reply.match(/^(\d+) (.*)\n$/s);
    assert.ok(match, `reply ${JSON.stringify(reply)}`);
    return [Number(match[1]), match[2]!];
  }

  test('workers serve; a worker killed with SIGKILL is replaced and the server keeps serving; shutdown + serverClose stop them all', async () => {
    const program = new Program(fixture('forking-server.js'), ['tcp', '2']);
    const workers = new Set<number>();
    try {
      const port = await program.port();
      await program.until(() => (program.all(/^worker (\d+)$/).length >= 2 ? true : undefined), 'two workers');
      for (const [, pid] of program.all(/^worker (\d+)$/)) workers.add(Number(pid));
      assert.equal(workers.size, 2);
      assert.ok(!workers.has(program.pid), 'the workers are other processes');
      for (let k = 0; k < 6; k++) {
        const [pid, text] = await ask(port, `hello ${k}`);
        assert.equal(text, `hello ${k}`);
        assert.ok(workers.has(pid), `served by a worker (${pid})`);
      }
      // Kill one worker: another takes its place.
      const [victim] = workers;
      process.kill(victim!, 'SIGKILL');
      await program.until(() => (program.all(/^worker (\d+)$/).length >= 3 ? true : undefined), 'a replacement worker');
      const replacement = Number(program.all(/^worker (\d+)$/)[2]![1]);
      workers.add(replacement);
      assert.ok(!alive(victim!));
      assert.match(program.stderr, new RegExp(`worker ${victim} exited \\(SIGKILL\\)`));
      for (let k = 0; k < 6; k++) {
        const [pid, text] = await ask(port, `after ${k}`);
        assert.equal(text, `after ${k}`);
        assert.ok(pid !== victim && workers.has(pid));
      }
      program.write('stop\n');
      await program.match(/^stopped$/);
      assert.equal(await program.exit(), 0);
      for (const pid of workers) assert.ok(!alive(pid), `worker ${pid} is gone`);
    } finally {
      program.kill();
      for (const pid of workers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  for (const command of ['close', 'dispose'] as const) {
    test(`serverClose() alone stops the workers (${command === 'close' ? 'serverClose()' : 'Symbol.asyncDispose'}), with a client connected`, async () => {
      const program = new Program(fixture('forking-server.js'), ['tcp', '2']);
      const workers: number[] = [];
      try {
        const port = await program.port();
        await program.until(() => (program.all(/^worker (\d+)$/).length >= 2 ? true : undefined), 'two workers');
        workers.push(...program.all(/^worker (\d+)$/).map(([, pid]) => Number(pid)));
        // A client mid-conversation: its worker finishes the request first (blockOnClose).
        const client = await connectTo(['127.0.0.1', port]);
        try {
          await client.sendall('first\n');
          const first = (await bounded(client.recv(100))).toString();
          assert.match(first, /^\d+ first\n$/);
          program.write(`${command}\n`);
          await client.sendall('second\n');
          client.shutdown(socket.SHUT_WR);
          assert.match((await recvAll(client)).toString(), /^\d+ second\n$/);
        } finally {
          client.close();
        }
        await program.match(command === 'close' ? /^closed$/ : /^disposed$/);
        for (const pid of workers) assert.ok(!alive(pid), `worker ${pid} is gone once serverClose() resolved`);
        assert.equal(await program.exit(), 0);
      } finally {
        program.kill();
        for (const pid of workers) if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
    });
  }

  test('the primary killed with SIGKILL: its workers exit too (no orphans)', async () => {
    const program = new Program(fixture('forking-server.js'), ['tcp', '2']);
    const workers: number[] = [];
    try {
      await program.match(/^port (\d+)$/);
      await program.until(() => (program.all(/^worker (\d+)$/).length >= 2 ? true : undefined), 'two workers');
      workers.push(...program.all(/^worker (\d+)$/).map(([, pid]) => Number(pid)));
      program.kill('SIGKILL');
      await program.exit();
      // The workers notice the closed IPC channel (and their stdout pipe) and end.
      await waitUntil(() => !workers.some(alive), 10000, () => `workers ${workers.filter(alive).join(', ')} to exit`);
    } finally {
      for (const pid of workers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  test('ForkingUDPServer: workers answer datagrams, and shutdown stops them', async () => {
    const program = new Program(fixture('forking-server.js'), ['udp', '2']);
    const workers: number[] = [];
    try {
      const port = await program.port();
      await program.until(() => (program.all(/^worker (\d+)$/).length >= 2 ? true : undefined), 'two workers');
      workers.push(...program.all(/^worker (\d+)$/).map(([, pid]) => Number(pid)));
      using client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      client.settimeout(5);
      for (let k = 0; k < 20; k++) {
        await client.sendto(`datagram ${k}`, ['127.0.0.1', port]);
        const reply = (await client.recv(100)).toString();
        const [pid, text] = reply.split(/ (.*)/s);
        assert.equal(text, `datagram ${k}`);
        assert.ok(workers.includes(Number(pid)));
      }
      program.write('stop\n');
      await program.match(/^stopped$/);
      assert.equal(await program.exit(), 0);
      for (const pid of workers) assert.ok(!alive(pid), `worker ${pid} is gone`);
    } finally {
      program.kill();
      for (const pid of workers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
