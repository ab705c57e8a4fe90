// berkeley/socketserver, concurrency and robustness: ThreadingMixIn (requests
// served side by side, a slow client, blockOnClose), handlers that throw,
// hang or lose their client, 1,000 clients x 64 KiB, shutdown with clients
// connected, and ForkingMixIn (as child programs: their workers re-run the
// entry). Every wait bounded; no timing thresholds.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as socket from 'berkeley';
import * as socketserver from 'berkeley/socketserver';
import { alive, bounded, connectTo, Echo, exchange, fixture, heldHandler, isErrorNaming, LineEcho, LOCAL, loopTurns, openFds, Program, quiet, recvAll, runNode, serving, sha256, signal, waitUntil } from '../support/index.js';

type Address = socket.Address;

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

  test('an overridden finishRequest is what serves each request', async () => {
    const served: string[] = [];
    class Logged extends socketserver.ThreadingTCPServer {
      override async finishRequest(request: unknown, clientAddress: socket.SocketAddress | null): Promise<void> {
        served.push('finishRequest');
        await super.finishRequest(request, clientAddress);
        served.push('served');
      }
    }
    const server = new Logged(LOCAL, LineEcho);
    await serving(server, async () => {
      assert.equal(await exchange(server.serverAddress as Address, 'x\n'), 'x\n');
      await waitUntil(() => served.length === 2, 5000, 'the request to end');
    });
    assert.deepEqual(served, ['finishRequest', 'served']);
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

  test('activeChildren is null before a worker starts; collectChildren() has nothing to wait for; bad options are TypeErrors', async () => {
    const server = new socketserver.ForkingTCPServer(LOCAL, Echo);
    try {
      assert.equal(server.activeChildren, null);
      await bounded(server.collectChildren());
      await bounded(server.collectChildren({ blocking: true }));
      await assert.rejects(server.collectChildren({ blocking: 1 } as never), isErrorNaming(TypeError, 'options.blocking'));
      await assert.rejects(server.collectChildren(null as never), isErrorNaming(TypeError, 'options'));
    } finally {
      await server.serverClose();
    }
  });

  test('activeChildren: the running workers, replacements included; collectChildren({ blocking: true }) waits for their exits; empty after stop', async () => {
    const program = new Program(fixture('forking-server.js'), ['tcp', '2']);
    const pidsOf = (pattern: RegExp): number[] => program.all(pattern).map(([, pid]) => Number(pid));
    const listed = async (count: number): Promise<number[]> => {
      const lines = await program.until(() => (program.all(/^children (.*)$/).length >= count ? program.all(/^children (.*)$/) : undefined), 'a children line');
      return lines[count - 1]![1]!.split(' ').filter(Boolean).map(Number);
    };
    try {
      await program.port();
      await program.until(() => (pidsOf(/^worker (\d+)$/).length >= 2 ? true : undefined), 'two workers');
      const first = pidsOf(/^worker (\d+)$/);
      program.write('children\n');
      assert.deepEqual((await listed(1)).sort(), [...first].sort());
      // The blocking collect waits for the workers running when it began: it ends when both die.
      program.write('collect\n');
      await program.match(/^collecting$/);
      for (const pid of first) process.kill(pid, 'SIGKILL');
      const [, left] = await program.match(/^collected(.*)$/);
      for (const pid of first) assert.ok(!left!.split(' ').includes(String(pid)), `worker ${pid} left activeChildren`);
      await program.until(() => (pidsOf(/^worker (\d+)$/).length >= 4 ? true : undefined), 'two replacements');
      program.write('children\n');
      assert.deepEqual((await listed(2)).sort(), pidsOf(/^worker (\d+)$/).slice(2).sort());
      program.write('stop\n');
      await program.match(/^stopped$/);
      assert.deepEqual(await listed(3), [], 'no worker left once stopped');
      assert.equal(await program.exit(), 0);
    } finally {
      program.kill();
      for (const pid of pidsOf(/^worker (\d+)$/)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  test('an abort of serveForever\'s signal shuts down as shutdown() does: it rejects with AbortError and the workers stop', async () => {
    const program = new Program(fixture('forking-server.js'), ['tcp', '2']);
    const workers: number[] = [];
    try {
      const port = await program.port();
      await program.until(() => (program.all(/^worker (\d+)$/).length >= 2 ? true : undefined), 'two workers');
      workers.push(...program.all(/^worker (\d+)$/).map(([, pid]) => Number(pid)));
      assert.equal((await ask(port, 'hello'))[1], 'hello');
      program.write('abort\n');
      await program.match(/^aborted AbortError the abort command$/);
      await program.match(/^stopped$/);
      assert.equal(await program.exit(), 0);
      for (const pid of workers) assert.ok(!alive(pid), `worker ${pid} is gone`);
    } finally {
      program.kill();
      for (const pid of workers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

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
