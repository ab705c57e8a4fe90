// berkeley/socketserver, the handlers: BaseRequestHandler,
// StreamRequestHandler (rfile/wfile, timeout, disableNagleAlgorithm,
// wbufsize), DatagramRequestHandler over UDPServer, getRequest() losing a
// race, the Unix stream and datagram servers and the ready-made Threading*
// servers. Every wait bounded; no timing thresholds.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import * as socketserver from 'berkeley/socketserver';
import { bounded, connectTo, exchange, LineEcho, LOCAL, loopTurns, quiet, recvAll, runNode, serving, signal, tempDir } from '../support/index.js';

type Address = socket.Address;

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
      using client = socket.socket(server.addressFamily, socket.SOCK_DGRAM);
      client.settimeout(5);
      for (const text of ['one\ntwo', 'three\n']) {
        await client.sendto(text, server.serverAddress);
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
      using client = socket.socket(server.addressFamily, socket.SOCK_DGRAM);
      client.settimeout(5);
      await client.sendto('0123456789', server.serverAddress);
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
      for (const [server, clientAddress] of [
        [new socketserver.ThreadingUDPServer(LOCAL, Back), LOCAL],
        [new socketserver.ThreadingUnixDatagramServer(dir.path('td.sock'), Back), dir.path('tdc.sock')],
      ] as const) {
        await serving(server, async () => {
          using client = socket.socket(server.addressFamily, socket.SOCK_DGRAM);
          client.bind(clientAddress);
          client.settimeout(5);
          await client.sendto('datagram', server.serverAddress);
          assert.equal((await client.recv(100)).toString(), 'datagram');
        });
      }
    } finally {
      dir.cleanup();
    }
  });
});
