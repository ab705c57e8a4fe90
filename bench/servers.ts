// `node out/bench/servers.js`: the socketserver benchmarks, side by side.
//
//  1. Echo requests/s of a ThreadingTCPServer against an equivalent node:net
//     server, 100 concurrent clients, two workloads: a connection per
//     request (connect, 64 bytes, half-close, read the echo, close: a
//     socketserver request) and 64-byte round trips on 100 persistent
//     connections. The servers run in their own process; the clients are
//     the same node:net load generator in another process for both.
//  2. The speed-up of ForkingTCPServer with 2 workers over 1 worker (and over
//     a plain TCPServer) on a CPU-heavy handler (PBKDF2 per request), 8
//     concurrent clients.
//
// Rounds are interleaved (each implementation once per round, in turn) and
// the median of the rounds is printed with the min–max, and the ratios.
// Figures, not assertions: nothing here fails on speed.
//
// BENCH_ROUNDS=n changes the number of rounds (default 5).
//
// Internal roles (the same file runs as each child process):
//   servers.js server threading|net|plain|forking1|forking2   prints its port
//   servers.js client connections|roundtrips|cpu PORT CONCURRENCY COUNT   prints seconds
import { spawn } from 'node:child_process';
import { pbkdf2Sync } from 'node:crypto';
import { once } from 'node:events';
import * as net from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as socket from 'berkeley';
import * as socketserver from 'berkeley/socketserver';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MESSAGE = Buffer.alloc(64, 'x');
/** The CPU-heavy handler's work: PBKDF2 iterations per request (a few ms). */
const CPU_ITERATIONS = 20_000;

// ---- servers ------------------------------------------------------------------

/** Echoes until EOF, on the request socket. */
class EchoHandler extends socketserver.BaseRequestHandler<socket.Socket> {
  override async handle(): Promise<void> {
    for (;;) {
      const data = await this.request.recv(65536);
      if (data.length === 0) return;
      await this.request.sendall(data);
    }
  }
}

/** Reads a line, burns CPU, answers with the hash. */
class CpuHandler extends socketserver.StreamRequestHandler {
  override async handle(): Promise<void> {
    for await (const line of this.rfile) {
      const hash = pbkdf2Sync(line, 'berkeley', CPU_ITERATIONS, 32, 'sha256');
      await this.wfile.write(`${hash.toString('hex')}\n`);
    }
  }
}

class EchoServer extends socketserver.ThreadingTCPServer {}
EchoServer.requestQueueSize = 512;
class CpuServer extends socketserver.TCPServer {}
CpuServer.requestQueueSize = 128;
class ForkingCpuServer extends socketserver.ForkingTCPServer {}
ForkingCpuServer.requestQueueSize = 128;

function announce(port: number): void {
  process.stdout.write(`${port}\n`);
}

async function server(kind: string): Promise<void> {
  if (kind === 'net') {
    const srv = net.createServer((conn) => {
      conn.setNoDelay(true);
      conn.pipe(conn);
      conn.on('error', () => conn.destroy());
    });
    srv.listen({ host: '127.0.0.1', port: 0, backlog: 512 });
    await once(srv, 'listening');
    announce((srv.address() as net.AddressInfo).port);
    return;
  }
  if (kind === 'threading') {
    const srv = new EchoServer(['127.0.0.1', 0], EchoHandler);
    announce(socket.inetAddress(srv.serverAddress)[1]);
    await srv.serveForever();
    return;
  }
  if (kind === 'plain') {
    const srv = new CpuServer(['127.0.0.1', 0], CpuHandler);
    announce(socket.inetAddress(srv.serverAddress)[1]);
    await srv.serveForever();
    return;
  }
  // forking1 / forking2: the workers run this same entry with the same arguments.
  const srv = new ForkingCpuServer(['127.0.0.1', 0], CpuHandler);
  srv.maxChildren = Number(kind.slice('forking'.length));
  if (!srv.isWorker) announce(socket.inetAddress(srv.serverAddress)[1]);
  const stop = (): void => void srv.shutdown().then(() => srv.serverClose()).then(() => process.exit(0));
  if (!srv.isWorker) process.once('SIGTERM', stop);
  await srv.serveForever();
  if (srv.isWorker) await srv.serverClose();
}

// ---- the load generator (node:net, the same for every server) -----------------

/** One connection per request: connect, send, half-close, read the echo, close. */
function connectionRequest(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const conn = net.connect({ port, host: '127.0.0.1', noDelay: true });
    let got = 0;
    conn.on('connect', () => conn.end(MESSAGE));
    conn.on('data', (chunk: Buffer) => (got += chunk.length));
    conn.on('end', () => {
      conn.destroy();
      if (got === MESSAGE.length) resolve();
      else reject(new Error(`echo of ${got} bytes`));
    });
    conn.on('error', reject);
  });
}

/** A persistent connection doing count round trips of `message`, waiting for `reply` bytes each time. */
async function roundTrips(port: number, count: number, message: Buffer, reply: number): Promise<void> {
  const conn = net.connect({ port, host: '127.0.0.1', noDelay: true });
  await once(conn, 'connect');
  let pending: (() => void) | undefined;
  let got = 0;
  conn.on('data', (chunk: Buffer) => {
    got += chunk.length;
    if (got >= reply) {
      got -= reply;
      pending?.();
    }
  });
  for (let k = 0; k < count; k++) {
    const done = new Promise<void>((resolve) => (pending = resolve));
    conn.write(message);
    await done;
  }
  conn.end();
  conn.destroy();
}

async function client(workload: string, port: number, concurrency: number, count: number): Promise<void> {
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    if (workload === 'connections') {
      while (next++ < count) await connectionRequest(port);
    } else if (workload === 'roundtrips') {
      await roundTrips(port, Math.floor(count / concurrency), MESSAGE, MESSAGE.length);
    } else {
      await roundTrips(port, Math.floor(count / concurrency), Buffer.from('work\n'), 65);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  process.stdout.write(`${((performance.now() - started) / 1000).toFixed(6)}\n`);
}

// ---- the orchestrator -----------------------------------------------------------

const self = fileURLToPath(import.meta.url);

/** The first stdout line of a child. */
async function firstLine(child: ReturnType<typeof spawn>): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  return line;
}

/** Starts a server, runs the client against it, stops the server: requests/s. */
async function measure(kind: string, workload: string, concurrency: number, count: number): Promise<number> {
  const srv = spawn(process.execPath, [self, 'server', kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await firstLine(srv);
    const cli = spawn(process.execPath, [self, 'client', workload, port, String(concurrency), String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const seconds = Number(await firstLine(cli));
    await once(cli, 'exit');
    return count / seconds;
  } finally {
    const exited = srv.exitCode === null ? once(srv, 'exit') : Promise.resolve();
    srv.kill('SIGTERM');
    await exited;
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fmt = (n: number): string => Math.round(n).toLocaleString('en').padStart(9);

interface Contender {
  name: string;
  kind: string;
}

/** Interleaved rounds of every contender; prints medians, min–max and the ratios to the first contender. */
async function compare(title: string, unit: string, contenders: Contender[], workload: string, concurrency: number, count: number): Promise<Map<string, number>> {
  console.log(`\n${title}`);
  const rates = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  // A warm-up run of each (untimed), then the rounds.
  for (const c of contenders) await measure(c.kind, workload, concurrency, Math.ceil(count / 4));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [...contenders].reverse() : contenders;
    for (const c of order) rates.get(c.name)!.push(await measure(c.kind, workload, concurrency, count));
  }
  const medians = new Map<string, number>();
  const base = median(rates.get(contenders[0]!.name)!);
  for (const c of contenders) {
    const values = rates.get(c.name)!;
    const m = median(values);
    medians.set(c.name, m);
    const ratio = c === contenders[0] ? '' : `  ${(m / base).toFixed(2)}× ${contenders[0]!.name}`;
    console.log(`  ${c.name.padEnd(28)} ${fmt(m)} ${unit}  (min ${fmt(Math.min(...values)).trim()}, max ${fmt(Math.max(...values)).trim()})${ratio}`);
  }
  return medians;
}

async function main(): Promise<void> {
  const [role, ...rest] = process.argv.slice(2);
  if (role === 'server') return server(rest[0]!);
  if (role === 'client') return client(rest[0]!, Number(rest[1]), Number(rest[2]), Number(rest[3]));
  console.log(`berkeley socketserver benchmarks (${ROUNDS} interleaved rounds, medians; node ${process.version})`);
  const echo: Contender[] = [
    { name: 'node:net server', kind: 'net' },
    { name: 'ThreadingTCPServer', kind: 'threading' },
  ];
  const connections = await compare('Echo, 100 concurrent clients, a connection per request (64 bytes):', 'requests/s', echo, 'connections', 100, 5_000);
  const trips = await compare('Echo, 100 concurrent persistent connections, 64-byte round trips:', 'round trips/s', echo, 'roundtrips', 100, 50_000);
  const cpu = await compare(
    `CPU-heavy handler (PBKDF2, ${CPU_ITERATIONS.toLocaleString('en')} iterations per request), 8 concurrent clients:`,
    'requests/s',
    [
      { name: 'ForkingTCPServer, 1 worker', kind: 'forking1' },
      { name: 'ForkingTCPServer, 2 workers', kind: 'forking2' },
      { name: 'TCPServer (plain)', kind: 'plain' },
    ],
    'cpu',
    8,
    800,
  );
  const ratio = (a: number, b: number): string => (a / b).toFixed(2);
  console.log('\nSummary:');
  console.log(`  ThreadingTCPServer / node:net, a connection per request: ${ratio(connections.get('ThreadingTCPServer')!, connections.get('node:net server')!)}`);
  console.log(`  ThreadingTCPServer / node:net, round trips:              ${ratio(trips.get('ThreadingTCPServer')!, trips.get('node:net server')!)}`);
  console.log(`  ForkingTCPServer 2 workers / 1 worker (CPU-heavy):       ${ratio(cpu.get('ForkingTCPServer, 2 workers')!, cpu.get('ForkingTCPServer, 1 worker')!)}`);
  console.log(`  ForkingTCPServer 2 workers / plain TCPServer:            ${ratio(cpu.get('ForkingTCPServer, 2 workers')!, cpu.get('TCPServer (plain)')!)}`);
}

await main();
