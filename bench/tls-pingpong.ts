// `node out/bench/tls-pingpong.js`: 1-byte round trips over TLS 1.3 on
// 127.0.0.1, berkeley/ssl's blocking Sync calls (wrapSocketSync, then
// sendallSync and recvSync) against the same done by python3's blocking
// ssl module (the reference), and berkeley's Promise calls beside them.
// Each run is a server child process and a client child process of the
// same implementation, pinned as in run.ts ("1 cpu": both on CPU 0, where
// every µs each side spends shows; "2 cpus": server on CPU 0, client on
// CPU 1); implementations are interleaved across rounds, and each one's
// median latency is printed with its ratio to python3's (lower is better).
// Figures, not assertions: nothing here fails on speed.
//
// The client connects (TCP_NODELAY), handshakes, makes WARMUP round trips,
// then times COUNT: send one byte, receive the server's echo of it.
//
// BENCH_ROUNDS=n (default 7); BENCH_BASELINE=dir adds the berkeley rows of
// another build, as in run.ts (its out/bench/tls-pingpong.js, which may be a
// copy of this one).
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as socket from 'berkeley';
import * as ssl from 'berkeley/ssl';
import { berkeleyRows, certificate, firstLine, makeCertificates, median, noTicketsConfig, pinned, placements, start, stop, type Row } from './tls-common.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const WARMUP = 1_000;

type Implementation = 'berkeley-sync' | 'berkeley-async' | 'python3';
const IMPLEMENTATIONS: Row<Implementation>[] = [
  ...berkeleyRows<Implementation>(fileURLToPath(import.meta.url), [
    { name: 'Sync', kind: 'berkeley-sync' },
    { name: 'async', kind: 'berkeley-async' },
  ]),
  { name: 'python3 ssl', kind: 'python3', script: fileURLToPath(new URL('../../bench/tls-peer.py', import.meta.url)) },
];

// ---- the children: servers and clients --------------------------------------------

function berkeleySyncServer(): never {
  const listener = socket.createServer(['127.0.0.1', 0]);
  process.stdout.write(`${(listener.getsockname() as [string, number])[1]}\n`);
  const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  context.loadCertChain(certificate('ecdsa', 'server.pem'), certificate('ecdsa', 'server.key'));
  for (;;) {
    const [conn] = listener.acceptSync();
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    using tlsConn = context.wrapSocketSync(conn, { serverSide: true });
    for (let byte = tlsConn.recvSync(1); byte.length > 0; byte = tlsConn.recvSync(1)) tlsConn.sendallSync(byte);
  }
}

async function berkeleyAsyncServer(): Promise<never> {
  const listener = socket.createServer(['127.0.0.1', 0]);
  process.stdout.write(`${(listener.getsockname() as [string, number])[1]}\n`);
  const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  context.loadCertChain(certificate('ecdsa', 'server.pem'), certificate('ecdsa', 'server.key'));
  for (;;) {
    const [conn] = await listener.accept();
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    using tlsConn = await context.wrapSocket(conn, { serverSide: true });
    for (let byte = await tlsConn.recv(1); byte.length > 0; byte = await tlsConn.recv(1)) await tlsConn.sendall(byte);
  }
}

const clientContext = (): ssl.SSLContext => ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: certificate('ecdsa', 'ca.pem') });

function berkeleySyncClient(port: number, warmup: number, count: number): number {
  const conn = socket.createConnectionSync(['127.0.0.1', port]);
  conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
  using tlsConn = clientContext().wrapSocketSync(conn, { serverHostname: 'localhost' });
  let byte: Buffer = Buffer.from('x');
  let started = 0;
  for (let i = 0; i < warmup + count; i++) {
    if (i === warmup) started = performance.now();
    tlsConn.sendallSync(byte);
    byte = tlsConn.recvSync(1);
    if (byte.length !== 1) throw new Error('early EOF');
  }
  return performance.now() - started;
}

async function berkeleyAsyncClient(port: number, warmup: number, count: number): Promise<number> {
  const conn = await socket.createConnection(['127.0.0.1', port]);
  conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
  using tlsConn = await clientContext().wrapSocket(conn, { serverHostname: 'localhost' });
  let byte: Buffer = Buffer.from('x');
  let started = 0;
  for (let i = 0; i < warmup + count; i++) {
    if (i === warmup) started = performance.now();
    await tlsConn.sendall(byte);
    byte = await tlsConn.recv(1);
    if (byte.length !== 1) throw new Error('early EOF');
  }
  return performance.now() - started;
}

async function child(argv: string[]): Promise<void> {
  const [role, kind, port, warmup, count] = argv as [string, Implementation, string, string, string];
  if (role === 'server') {
    if (kind === 'berkeley-sync') berkeleySyncServer();
    else await berkeleyAsyncServer();
    return;
  }
  const ms = kind === 'berkeley-sync' ? berkeleySyncClient(Number(port), Number(warmup), Number(count)) : await berkeleyAsyncClient(Number(port), Number(warmup), Number(count));
  process.stdout.write(`${ms}\n`);
}

// ---- the orchestrator ------------------------------------------------------------

/** A child's command line: a server, or a client of the server on port. */
function command({ kind, script }: Row<Implementation>, counts?: string[]): string[] {
  const role = counts === undefined ? ['server'] : ['client'];
  return kind === 'python3' ? ['python3', script, ...role, 'pingpong', 'ecdsa', ...(counts ?? [])] : [process.execPath, script, ...role, kind, ...(counts ?? [])];
}

/** One timed run: µs per round trip. */
async function measure(implementation: Row<Implementation>, cpus: [string, string], count: number, env: Record<string, string>): Promise<number> {
  const server = start(cpus[0], command(implementation), env);
  try {
    const port = await firstLine(server, 'server');
    const client = start(cpus[1], command(implementation, [port, String(WARMUP), String(count)]), env);
    const ms = Number(await firstLine(client, 'client'));
    if (!(ms > 0)) throw new Error(`the ${implementation.name} client failed`);
    return (ms * 1000) / count;
  } finally {
    await stop(server);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'berkeley-bench-tls-pingpong-'));
  try {
    makeCertificates(dir, 'ecdsa');
    const env = { BENCH_TLS_DIR: dir, OPENSSL_CONF: noTicketsConfig(dir) };
    console.log(`TLS 1.3 ping-pong: 1-byte round trips after a handshake and ${WARMUP} untimed ones; ${ROUNDS} interleaved rounds, medians; node ${process.version}, OpenSSL ${process.versions.openssl}${pinned() ? '' : ' (taskset not found: not pinned)'}`);
    for (const placement of placements(os.availableParallelism()).reverse()) {
      const count = placement.cpus[0] === placement.cpus[1] ? 20_000 : 5_000;
      const latencies = new Map(IMPLEMENTATIONS.map((i) => [i.name, [] as number[]]));
      for (let round = 0; round < ROUNDS; round++) {
        for (let k = 0; k < IMPLEMENTATIONS.length; k++) {
          const implementation = IMPLEMENTATIONS[(k + round) % IMPLEMENTATIONS.length]!;
          latencies.get(implementation.name)!.push(await measure(implementation, placement.cpus, count, env));
        }
      }
      const base = median(latencies.get('python3 ssl')!);
      console.log(`\n${count.toLocaleString('en')} round trips, ${placement.name}   µs each  round trips/s  min–max µs    vs python3`);
      for (const { name } of IMPLEMENTATIONS) {
        const values = latencies.get(name)!;
        const range = `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;
        const us = median(values);
        console.log(`  ${name.padEnd(20)} ${us.toFixed(1).padStart(8)}  ${(1e6 / us).toFixed(0).padStart(13)}  ${range.padEnd(12)}  ${(us / base).toFixed(2)}×`);
      }
    }
    console.log('\n"vs python3" is the ratio of latencies (lower is better).');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.length > 2) await child(process.argv.slice(2));
else await main();
