// `node out/bench/echo.js`: echo servers under a C epoll load generator
// (bench/load.c), and how their cost grows with the number of connections.
//
//  1. 64-byte round trips on 10, 100, 1,000 and 10,000 persistent
//     connections, for: the C epoll server (the limit), node:net,
//     berkeley's ThreadingTCPServer, a plain async accept loop (one async
//     function per connection), and a DefaultSelector loop with
//     non-blocking Sync calls. Printed as a table (requests/s, and the ratio
//     to node:net and to C) and plotted into bench/echo-scaling.png.
//  2. Idle memory per connection: 5,000 connections that each made one
//     round trip and now wait in the server's recv; the server's RSS and
//     JS heap (+ external memory) after a full GC, before and after, per
//     connection.
//
// Server and load generator are separate processes, the file limit raised
// to its hard limit (ulimit -n) for both; rounds are interleaved and the
// median printed. Figures, not assertions.
//
// BENCH_ROUNDS=n rounds (default 3); BENCH_CONNS=10,100 the scales;
// BENCH_IDLE=n idle connections (default 5000); BENCH_PARTS=scaling or
// BENCH_PARTS=idle runs one part only.
//
// Internal role: echo.js server KIND   prints its port; SIGUSR2 prints memory.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as socket from 'berkeley';
import * as selectors from 'berkeley/selectors';
import * as socketserver from 'berkeley/socketserver';
import { renderChart } from './plot.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SCALES = (process.env.BENCH_CONNS ?? '10,100,1000,10000').split(',').map(Number);
const IDLE = Number(process.env.BENCH_IDLE ?? 5000);
const PARTS = (process.env.BENCH_PARTS ?? 'scaling,idle').split(',');

// ---- servers --------------------------------------------------------------

class EchoHandler extends socketserver.BaseRequestHandler<socket.Socket> {
  override async handle(): Promise<void> {
    this.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    for (;;) {
      const data = await this.request.recv(65536);
      if (data.length === 0) return;
      await this.request.sendall(data);
    }
  }
}
class EchoServer extends socketserver.ThreadingTCPServer {}
EchoServer.requestQueueSize = 4096;

function listener(blocking: boolean): socket.Socket {
  const sock = socket.socket();
  sock.bind(['127.0.0.1', 0]);
  sock.listen(4096);
  sock.setblocking(blocking);
  return sock;
}

async function echo(conn: socket.Socket): Promise<void> {
  try {
    for (;;) {
      const data = await conn.recv(65536);
      if (data.length === 0) break;
      await conn.sendall(data);
    }
  } finally {
    conn.close();
  }
}

async function server(kind: string): Promise<void> {
  // An orderly exit on SIGTERM (so that --cpu-prof writes its profile).
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGUSR2', () => {
    globalThis.gc?.();
    globalThis.gc?.();
    const m = process.memoryUsage();
    process.stdout.write(`${JSON.stringify({ rss: m.rss, heap: m.heapUsed + m.external })}\n`);
  });
  if (kind === 'net') {
    const srv = net.createServer({ noDelay: true }, (conn) => {
      conn.pipe(conn);
      conn.on('error', () => conn.destroy());
    });
    srv.listen({ host: '127.0.0.1', port: 0, backlog: 4096 });
    await once(srv, 'listening');
    process.stdout.write(`${(srv.address() as net.AddressInfo).port}\n`);
  } else if (kind === 'threading') {
    const srv = new EchoServer(['127.0.0.1', 0], EchoHandler);
    process.stdout.write(`${socket.inetAddress(srv.serverAddress)[1]}\n`);
    await srv.serveForever();
  } else if (kind === 'loop') {
    const sock = listener(true);
    process.stdout.write(`${socket.inetAddress(sock.getsockname())[1]}\n`);
    for (;;) {
      const [conn] = await sock.accept();
      conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
      void echo(conn);
    }
  } else if (kind === 'selectors') {
    const sock = listener(false);
    process.stdout.write(`${socket.inetAddress(sock.getsockname())[1]}\n`);
    const sel = new selectors.DefaultSelector<socket.Socket>();
    sel.register(sock, selectors.EVENT_READ, sock);
    const buffer = Buffer.alloc(65536);
    // A Sync loop: a turn of the event loop now and then, for SIGUSR2.
    for (;;) {
      for (const [key] of sel.selectSync(0.05)) {
        const s = key.data!;
        if (s === sock) {
          for (let k = 0; k < 64; k++) {
            let conn: socket.Socket;
            try {
              [conn] = sock.acceptSync();
            } catch {
              break;
            }
            conn.setblocking(false);
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
            sel.register(conn, selectors.EVENT_READ, conn);
          }
          continue;
        }
        let n = 0;
        try {
          n = s.recvIntoSync(buffer);
        } catch {
          continue;
        }
        if (n > 0) {
          s.sendSync(buffer.subarray(0, n));
        } else {
          sel.unregister(s);
          s.close();
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

// ---- the orchestrator ---------------------------------------------------------

const self = fileURLToPath(import.meta.url);
let load = '';

/** A command run with the file limit raised to the hard limit. */
function start(argv: string[]): ChildProcess {
  return spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$@"', 'sh', ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
}

const SERVERS: { name: string; argv: () => string[] }[] = [
  { name: 'C epoll', argv: () => [load, 'server'] },
  { name: 'node:net', argv: () => [process.execPath, '--expose-gc', self, 'server', 'net'] },
  { name: 'ThreadingTCPServer', argv: () => [process.execPath, '--expose-gc', self, 'server', 'threading'] },
  { name: 'async accept loop', argv: () => [process.execPath, '--expose-gc', self, 'server', 'loop'] },
  { name: 'selectors + Sync', argv: () => [process.execPath, '--expose-gc', self, 'server', 'selectors'] },
];

async function nextLine(lines: Interface, what: string): Promise<string> {
  const [line] = (await Promise.race([once(lines, 'line'), once(lines, 'close').then(() => [undefined])])) as [string | undefined];
  if (line === undefined) throw new Error(`${what} ended without output`);
  return line;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** One run: round trips/s of a server at conns connections. */
async function measure(argv: string[], conns: number): Promise<number> {
  const srv = start(argv);
  try {
    const port = await nextLine(createInterface({ input: srv.stdout! }), 'server');
    const count = Math.max(100_000, conns * 10);
    const cli = start([load, 'client', port, String(conns), String(count)]);
    const seconds = Number(await nextLine(createInterface({ input: cli.stdout! }), 'client'));
    await stop(cli);
    return count / seconds;
  } finally {
    await stop(srv);
  }
}

/** Idle memory per connection: [rss, heap] bytes, or undefined for the C server. */
async function idleMemory(argv: string[]): Promise<[number, number] | undefined> {
  if (argv[0] === load) return undefined;
  const srv = start(argv);
  const lines = createInterface({ input: srv.stdout! });
  try {
    const port = await nextLine(lines, 'server');
    const usage = async (): Promise<{ rss: number; heap: number }> => {
      srv.kill('SIGUSR2');
      return JSON.parse(await nextLine(lines, 'server')) as { rss: number; heap: number };
    };
    const before = await usage();
    const idle = start([load, 'idle', port, String(IDLE)]);
    try {
      await nextLine(createInterface({ input: idle.stdout! }), 'idle load');
      const after = await usage();
      return [(after.rss - before.rss) / IDLE, (after.heap - before.heap) / IDLE];
    } finally {
      await stop(idle);
    }
  } finally {
    await stop(srv);
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function main(): Promise<void> {
  const [role, kind] = process.argv.slice(2);
  if (role === 'server') return server(kind!);
  const tmp = mkdtempSync(join(os.tmpdir(), 'berkeley-echo-'));
  load = join(tmp, 'load');
  execFileSync('cc', ['-O2', '-Wall', '-o', load, fileURLToPath(new URL('../../bench/load.c', import.meta.url))], { stdio: 'inherit' });
  try {
    if (PARTS.includes('scaling')) await scaling();
    if (PARTS.includes('idle')) await idle();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function scaling(): Promise<void> {
  {
    console.log(`echo servers, 64-byte round trips from a C epoll load generator (${ROUNDS} interleaved rounds, medians; load average ${os.loadavg()[0]!.toFixed(2)})`);
    // rates[scale][server] = one rate per round.
    const rates = SCALES.map(() => SERVERS.map((): number[] => []));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, conns] of SCALES.entries()) {
        for (let k = 0; k < SERVERS.length; k++) {
          const s = (k + round) % SERVERS.length;
          rates[i]![s]!.push(await measure(SERVERS[s]!.argv(), conns));
        }
      }
      process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
    }
    const medians = rates.map((byServer) => byServer.map(median));
    const net = SERVERS.findIndex((s) => s.name === 'node:net');
    const header = ['connections', ...SERVERS.map((s) => s.name)];
    const rows = SCALES.map((conns, i) => [
      conns.toLocaleString('en'),
      ...SERVERS.map((_, s) => `${Math.round(medians[i]![s]!).toLocaleString('en')} (${(medians[i]![s]! / medians[i]![net]!).toFixed(2)}× net, ${(medians[i]![s]! / medians[i]![0]!).toFixed(2)}× C)`),
    ]);
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
    for (const row of [header, ...rows]) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
    console.log('round trips/s (ratio to node:net, ratio to C)');
    const png = fileURLToPath(new URL('../../bench/echo-scaling.png', import.meta.url));
    writeFileSync(
      png,
      renderChart({
        xs: SCALES,
        series: SERVERS.map((s, k) => ({ name: s.name, values: medians.map((m) => m[k]!) })),
      }),
    );
    console.log(`plotted: ${png}`);
  }
}

async function idle(): Promise<void> {
  {

    console.log(`\nidle memory per connection (${IDLE.toLocaleString('en')} connections waiting in recv, after a full GC):`);
    for (const s of SERVERS) {
      const memory = await idleMemory(s.argv());
      if (memory === undefined) continue;
      console.log(`  ${s.name.padEnd(20)} RSS ${(memory[0] / 1024).toFixed(2)} KB, JS heap + external ${(memory[1] / 1024).toFixed(2)} KB`);
    }
  }
}

await main();
