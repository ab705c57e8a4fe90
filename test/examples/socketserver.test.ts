// The classic servers written with socketserver (examples/socketserver-*.ts),
// each run as its own program (`node out/examples/X.js PORT`) and exercised
// over loopback: TCP echo, the documentation's upper-casing server and its
// client, UDP echo, and a threading server that keeps accepting.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import { bounded, connectTo, example, Program, recvExactly } from '../support/index.js';

/** Starts an example server on port 0 and returns it with the port it printed. */
async function start(file: string, args: string[] = []): Promise<[Program, number]> {
  const program = new Program(example(file), ['0', ...args]);
  try {
    return [program, await program.port(/listening on 127\.0\.0\.1:(\d+)$/)];
  } catch (error) {
    program.kill();
    throw error;
  }
}

describe('socketserver-tcp-echo', () => {
  test('serves REQUESTS connections with handleRequest(), one at a time, then exits 0', async () => {
    const [program, port] = await start('socketserver-tcp-echo.js', ['2']);
    try {
      for (const words of ['first client', 'second client, two messages']) {
        using s = await connectTo(['127.0.0.1', port]);
        for (const part of [words, ' and more']) {
          await s.sendall(part);
          assert.equal((await recvExactly(s, Buffer.byteLength(part))).toString(), part);
        }
      }
      assert.equal(await program.exit(), 0);
      assert.ok(program.lines.includes("[tcp echo] echoing 'first client'"));
      assert.equal(program.lines.filter((line) => line === '[tcp echo] client closed the connection').length, 2);
      assert.equal(program.lines.at(-1), '[tcp echo] done');
    } finally {
      program.kill();
    }
  });

  test('without REQUESTS it serves forever (serveForever) until SIGTERM', async () => {
    const [program, port] = await start('socketserver-tcp-echo.js');
    try {
      for (let k = 0; k < 5; k++) {
        using s = await connectTo(['127.0.0.1', port]);
        await s.sendall(`message ${k}`);
        assert.equal((await recvExactly(s, `message ${k}`.length)).toString(), `message ${k}`);
      }
      program.kill('SIGTERM');
      assert.equal(await program.exit(), 0);
      assert.equal(program.lines.at(-1), '[tcp echo] done');
    } finally {
      program.kill();
    }
  });
});

describe('socketserver-uppercase (Python\'s socketserver documentation)', () => {
  for (const args of [[], ['--stream']]) {
    test(`the server${args.length ? ' with StreamRequestHandler' : ''}, and the documentation's client as a program`, async () => {
      const [program, port] = await start('socketserver-uppercase.js', args);
      try {
        const client = new Program(example('socketserver-uppercase.js'), ['client', String(port), 'hello', 'world']);
        try {
          assert.equal(await client.exit(), 0, client.stderr);
          assert.deepEqual(client.lines, ['Sent:     hello world', 'Received: HELLO WORLD']);
        } finally {
          client.kill();
        }
        // Python's bytes.upper() and strip(): ASCII letters only, whitespace trimmed.
        using s = await connectTo(['127.0.0.1', port]);
        await s.sendall('  mixed Case é 123\n');
        s.shutdown(socket.SHUT_WR);
        assert.equal((await recvExactly(s, 100)).toString(), 'MIXED CASE é 123');
        await program.match(args.length ? /^\[uppercase\] 127\.0\.0\.1 wrote: 'mixed Case é 123'$/ : /^\[uppercase\] received from 127\.0\.0\.1: 'mixed Case é 123'$/);
        program.kill('SIGTERM');
        assert.equal(await program.exit(), 0);
      } finally {
        program.kill();
      }
    });
  }
});

describe('socketserver-udp-echo', () => {
  test('answers DATAGRAMS datagrams with handleRequest() (DatagramRequestHandler), then exits 0', async () => {
    const [program, port] = await start('socketserver-udp-echo.js', ['3']);
    try {
      using s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      s.settimeout(10);
      for (const text of ['one', 'two\nlines', 'x'.repeat(8000)]) {
        await s.sendto(text, ['127.0.0.1', port]);
        const [data, from] = await s.recvfrom(65535);
        assert.equal(data.toString(), text);
        assert.deepEqual(from, ['127.0.0.1', port]);
      }
      assert.equal(await program.exit(), 0);
      assert.ok(program.lines.some((line) => line.startsWith("[udp echo] echoing 'one' to 127.0.0.1:")));
    } finally {
      program.kill();
    }
  });

  test('serves forever until SIGTERM', async () => {
    const [program, port] = await start('socketserver-udp-echo.js');
    try {
      using s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      s.settimeout(10);
      for (let k = 0; k < 10; k++) {
        await s.sendto(`datagram ${k}`, ['127.0.0.1', port]);
        assert.equal((await s.recv(100)).toString(), `datagram ${k}`);
      }
      program.kill('SIGTERM');
      assert.equal(await program.exit(), 0);
    } finally {
      program.kill();
    }
  });
});

describe('socketserver-threading (a server that keeps accepting)', () => {
  test('serves connections concurrently, and on SIGTERM stops accepting but finishes the open ones', async () => {
    const [program, port] = await start('socketserver-threading.js');
    const clients: socket.Socket[] = [];
    try {
      for (let k = 0; k < 3; k++) clients.push(await connectTo(['127.0.0.1', port]));
      // Interleaved: every connection has its own handler, all running at once.
      const ask = async (s: socket.Socket, line: string): Promise<string> => {
        await s.sendall(`${line}\n`);
        const reply = (await recvExactly(s, `request N: ${line}\n`.length)).toString();
        assert.match(reply, new RegExp(`^request \\d: ${line}\\n$`));
        return reply.split(':')[0]!;
      };
      const names = [];
      for (const [k, s] of clients.entries()) names.push(await ask(s, `hello from ${k}`));
      for (const [k, s] of [...clients.entries()].reverse()) assert.equal(await ask(s, `again from ${k}`), names[k]);
      assert.equal(new Set(names).size, 3, 'three handlers');
      program.kill('SIGTERM');
      await program.match(/shutting down/);
      // The open connections are still served after the shutdown.
      assert.equal(await ask(clients[0]!, 'after shutdown'), names[0]);
      for (const s of clients) s.close();
      assert.equal(await program.exit(), 0);
      assert.equal(program.all(/^\[threading\] request \d closed$/).length, 3);
    } finally {
      for (const s of clients) s.close();
      program.kill();
    }
  });

  test('many clients at once', async () => {
    const [program, port] = await start('socketserver-threading.js');
    try {
      const replies = await bounded(
        Promise.all(
          Array.from({ length: 50 }, async (_, k) => {
            using s = await connectTo(['127.0.0.1', port]);
            await s.sendall(`client ${k}\n`);
            s.shutdown(socket.SHUT_WR);
            return (await recvExactly(s, 200)).toString();
          }),
        ),
        20000,
      );
      replies.forEach((reply, k) => assert.match(reply, new RegExp(`^request \\d+: client ${k}\\n$`)));
      program.kill('SIGTERM');
      assert.equal(await program.exit(), 0);
    } finally {
      program.kill();
    }
  });
});

test('the examples print their usage and exit 2 on a bad port', async () => {
  for (const file of ['socketserver-tcp-echo.js', 'socketserver-uppercase.js', 'socketserver-udp-echo.js', 'socketserver-threading.js', 'selectors-echo.js']) {
    const program = new Program(example(file), ['not-a-port']);
    try {
      assert.equal(await program.exit(), 2, file);
      assert.match(program.stderr, /^usage: /);
    } finally {
      program.kill();
    }
  }
});
