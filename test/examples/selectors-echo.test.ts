// examples/selectors-echo.ts, Python's selectors example (a non-blocking
// echo server written only with DefaultSelector and setblocking(false)
// sockets): 200 concurrent clients (berkeley and node:net), each checking
// every echoed byte; and the runnable program against node:net clients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as net from 'node:net';
import * as socket from 'berkeley';
import { listenNonBlocking, serveSelectorsEcho } from '../../examples/selectors-echo.js';
import { bounded, example, openFds, Program, sha256 } from '../support/index.js';

const CLIENTS = 200;

/** A message per client, of varied sizes (some larger than the socket buffers). */
const message = (k: number): Buffer => randomBytes(k % 10 === 0 ? 256 * 1024 : 1 + ((k * 7919) % 20000));

/** A berkeley client: sends in pieces while reading, then half-closes; returns the echo. */
async function berkeleyClient(port: number, data: Buffer): Promise<Buffer> {
  using s = socket.socket();
  await s.connect(['127.0.0.1', port]);
  const send = (async () => {
    for (let at = 0; at < data.length; at += 3000) await s.sendall(data.subarray(at, at + 3000));
    s.shutdown(socket.SHUT_WR);
  })();
  const chunks: Buffer[] = [];
  for (;;) {
    const chunk = await s.recv(65536);
    if (chunk.length === 0) break;
    chunks.push(chunk);
  }
  await send;
  return Buffer.concat(chunks);
}

/** A node:net client doing the same. */
async function netClient(port: number, data: Buffer): Promise<Buffer> {
  const conn = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  conn.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(conn, 'connect');
  conn.end(data);
  await once(conn, 'end');
  conn.destroy();
  return Buffer.concat(chunks);
}

/** Runs the clients all at once and checks every echo. */
async function runClients(port: number, kinds: ('berkeley' | 'net')[]): Promise<void> {
  let done = 0;
  const results = await bounded(
    Promise.all(
      kinds.map(async (kind, k) => {
        const data = message(k);
        const echo = await (kind === 'berkeley' ? berkeleyClient : netClient)(port, data);
        done++;
        return [echo.length === data.length && sha256(echo) === sha256(data), k, echo.length, data.length] as const;
      }),
    ),
    60000,
    () => `${kinds.length} clients (${done} done)`,
  );
  const wrong = results.filter(([ok]) => !ok);
  assert.deepEqual(wrong, [], 'every client got exactly its bytes back');
  assert.equal(results.length, kinds.length);
}

test('the selectors echo server serves 200 concurrent clients (berkeley and node:net) correctly', async () => {
  const before = openFds();
  const listener = listenNonBlocking(0);
  const [, port] = listener.getsockname() as [string, number];
  const stop = new AbortController();
  const lines: string[] = [];
  const server = serveSelectorsEcho(listener, { signal: stop.signal, log: (line) => lines.push(line) });
  try {
    await runClients(port, Array.from({ length: CLIENTS }, (_, k) => (k % 2 ? 'net' : 'berkeley')));
    assert.equal(lines.filter((line) => line.startsWith('accepted')).length, CLIENTS);
    // A second wave on the same loop.
    await runClients(port, Array.from({ length: 20 }, () => 'berkeley'));
  } finally {
    stop.abort();
    await bounded(server, 5000, 'the server to stop');
    listener.close();
  }
  assert.equal(openFds(), before, 'every connection closed');
});

test('stopping the server with clients connected closes them', async () => {
  const listener = listenNonBlocking(0);
  const [, port] = listener.getsockname() as [string, number];
  const stop = new AbortController();
  const server = serveSelectorsEcho(listener, { signal: stop.signal, log: () => {} });
  const clients: socket.Socket[] = [];
  try {
    for (let k = 0; k < 5; k++) {
      const s = socket.socket();
      clients.push(s);
      await bounded(s.connect(['127.0.0.1', port]));
      await s.sendall(`client ${k}`);
      assert.equal((await bounded(s.recv(100))).toString(), `client ${k}`);
    }
    stop.abort();
    await bounded(server, 5000, 'the server to stop');
    for (const s of clients) assert.equal((await bounded(s.recv(100))).length, 0, 'closed by the server');
  } finally {
    for (const s of clients) s.close();
    listener.close();
  }
});

test('the program (node out/examples/selectors-echo.js 0) echoes 200 concurrent node:net clients and stops on SIGTERM', async () => {
  const program = new Program(example('selectors-echo.js'), ['0'], 60000);
  try {
    const [, port] = await program.match(/^\[selectors echo\] listening on 127\.0\.0\.1:(\d+)$/);
    await runClients(Number(port), Array.from({ length: CLIENTS }, () => 'net'));
    // Its log reaches us through a pipe: wait for it (bounded) rather than count at once.
    await program.until(() => (program.all(/^\[selectors echo\] closing fd \d+$/).length >= CLIENTS ? true : undefined), 'a closing line per client');
    assert.equal(program.all(/^\[selectors echo\] accepted fd \d+ from 127\.0\.0\.1:\d+$/).length, CLIENTS);
    assert.ok(program.all(/^\[selectors echo\] echoing /).length >= CLIENTS);
    program.kill('SIGTERM');
    await program.match(/^\[selectors echo\] stopped$/);
    assert.equal(await program.exit(), 0);
  } finally {
    program.kill();
  }
});
