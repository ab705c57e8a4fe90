// `node out/bench/tls.js`: bulk TLS throughput on 127.0.0.1, 256 KiB
// sendall()s over TLS 1.3 with AES-256-GCM, for berkeley/ssl (async and
// Sync) and node:tls, side by side. Each run is a server child process and
// a client child process of the same implementation, pinned to CPUs as in
// run.ts ("2 cpus": server on CPU 0, client on CPU 1; "1 cpu": both on
// CPU 0); implementations are interleaved across rounds, and each one's
// median is printed with its ratio to node:tls. For scale, the last line is
// `openssl speed`'s AES-256-GCM rate on one core (encryption alone, no
// copies, no sockets). Figures, not assertions: nothing here fails on speed.
//
// The client sends AMOUNT bytes on a fresh connection, then close_notify
// (with its socket's write side shut), and waits for the server's one-byte
// answer, sent once the server has read to the end; timed from connect to
// that byte. The certificates are made with the openssl CLI.
//
// BENCH_ROUNDS=n (default 3), BENCH_TLS_MIB=n (default 512).
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import * as socket from 'berkeley';
import * as ssl from 'berkeley/ssl';
import { certificate as certificateOf, firstLine, makeCertificates, median, pinned, placements, start, stop } from './tls-common.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MiB = 1024 * 1024;
const AMOUNT = Number(process.env.BENCH_TLS_MIB ?? 512) * MiB;
const CHUNK = 256 * 1024;
const CIPHER = 'TLS_AES_256_GCM_SHA384';

type Implementation = 'berkeley-async' | 'berkeley-sync' | 'node-tls';
const IMPLEMENTATIONS: { name: string; kind: Implementation }[] = [
  { name: 'berkeley/ssl async', kind: 'berkeley-async' },
  { name: 'berkeley/ssl Sync', kind: 'berkeley-sync' },
  { name: 'node:tls', kind: 'node-tls' },
];

// ---- the children: servers and clients --------------------------------------------

/** The ECDSA certificates, made by the orchestrator. */
const certificate = (name: 'ca.pem' | 'server.pem' | 'server.key'): string => certificateOf('ecdsa', name);

function berkeleyListener(): socket.Socket {
  const listener = socket.createServer(['127.0.0.1', 0]);
  process.stdout.write(`${(listener.getsockname() as [string, number])[1]}\n`);
  return listener;
}

function berkeleyServerContext(): ssl.SSLContext {
  const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  context.loadCertChain(certificate('server.pem'), certificate('server.key'));
  return context;
}

function berkeleyClientContext(): ssl.SSLContext {
  return ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: certificate('ca.pem') });
}

function checkCipher(name: string | undefined): void {
  if (name !== CIPHER) throw new Error(`negotiated ${name}, not ${CIPHER}`);
}

async function berkeleyAsyncServer(): Promise<never> {
  const listener = berkeleyListener();
  const context = berkeleyServerContext();
  const buffer = Buffer.alloc(CHUNK);
  for (;;) {
    const [conn] = await listener.accept();
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    const tlsConn = await context.wrapSocket(conn, { serverSide: true });
    while ((await tlsConn.recvInto(buffer)) > 0);
    await tlsConn.sendall('k');
    tlsConn.close();
  }
}

function berkeleySyncServer(): never {
  const listener = berkeleyListener();
  const context = berkeleyServerContext();
  const buffer = Buffer.alloc(CHUNK);
  for (;;) {
    const [conn] = listener.acceptSync();
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    const tlsConn = context.wrapSocketSync(conn, { serverSide: true });
    while (tlsConn.recvIntoSync(buffer) > 0);
    tlsConn.sendallSync('k');
    tlsConn.close();
  }
}

function nodeServer(): void {
  const options = { key: readFileSync(certificate('server.key')), cert: readFileSync(certificate('server.pem')), allowHalfOpen: true };
  const server = tls.createServer(options, (conn) => {
    conn.setNoDelay(true);
    conn.on('data', () => {});
    conn.on('end', () => conn.end('k'));
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
}

async function berkeleyAsyncClient(port: number): Promise<number> {
  const started = performance.now();
  const conn = await socket.createConnection(['127.0.0.1', port]);
  conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
  using tlsConn = await berkeleyClientContext().wrapSocket(conn, { serverHostname: 'localhost' });
  checkCipher(tlsConn.cipher()?.[0]);
  const chunk = Buffer.alloc(CHUNK, 'x');
  for (let sent = 0; sent < AMOUNT; sent += CHUNK) await tlsConn.sendall(chunk);
  await tlsConn.shutdown(socket.SHUT_WR);
  if ((await tlsConn.recv(1)).length !== 1) throw new Error('early EOF');
  return performance.now() - started;
}

function berkeleySyncClient(port: number): number {
  const started = performance.now();
  const conn = socket.createConnectionSync(['127.0.0.1', port]);
  conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
  using tlsConn = berkeleyClientContext().wrapSocketSync(conn, { serverHostname: 'localhost' });
  checkCipher(tlsConn.cipher()?.[0]);
  const chunk = Buffer.alloc(CHUNK, 'x');
  for (let sent = 0; sent < AMOUNT; sent += CHUNK) tlsConn.sendallSync(chunk);
  tlsConn.shutdownSync(socket.SHUT_WR);
  if (tlsConn.recvSync(1).length !== 1) throw new Error('early EOF');
  return performance.now() - started;
}

async function nodeClient(port: number): Promise<number> {
  const started = performance.now();
  const conn = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(certificate('ca.pem')) });
  conn.setNoDelay(true);
  await once(conn, 'secureConnect');
  checkCipher(conn.getCipher().standardName);
  const reply = once(conn, 'data');
  const chunk = Buffer.alloc(CHUNK, 'x');
  for (let sent = 0; sent < AMOUNT; sent += CHUNK) {
    if (!conn.write(chunk)) await once(conn, 'drain');
  }
  conn.end();
  await reply;
  const elapsed = performance.now() - started;
  conn.destroy();
  return elapsed;
}

async function child(role: string, kind: Implementation, port: number): Promise<void> {
  if (role === 'server') {
    if (kind === 'berkeley-async') await berkeleyAsyncServer();
    else if (kind === 'berkeley-sync') berkeleySyncServer();
    else nodeServer();
    return;
  }
  const ms = kind === 'berkeley-async' ? await berkeleyAsyncClient(port) : kind === 'berkeley-sync' ? berkeleySyncClient(port) : await nodeClient(port);
  process.stdout.write(`${ms}\n`);
}

// ---- the orchestrator ------------------------------------------------------------

const self = fileURLToPath(import.meta.url);

/** One timed run: MiB/s. */
async function measure(kind: Implementation, cpus: [string, string], dir: string): Promise<number> {
  const env = { BENCH_TLS_DIR: dir };
  const server = start(cpus[0], [process.execPath, self, 'server', kind], env);
  try {
    const port = await firstLine(server, 'server');
    const client = start(cpus[1], [process.execPath, self, 'client', kind, port], env);
    const ms = Number(await firstLine(client, 'client'));
    if (!(ms > 0)) throw new Error(`the ${kind} client failed`);
    return AMOUNT / MiB / (ms / 1000);
  } finally {
    await stop(server);
  }
}

/** openssl speed's AES-256-GCM encryption rate on one core, 16 KiB blocks (a TLS record), in MiB/s; null without the CLI. */
function opensslSpeed(): number | null {
  try {
    const out = execFileSync('openssl', ['speed', '-seconds', '1', '-bytes', '16384', '-evp', 'aes-256-gcm'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const kbPerSecond = Number(/^AES-256-GCM\s+([\d.]+)k/im.exec(out)?.[1]);
    return Number.isFinite(kbPerSecond) ? (kbPerSecond * 1000) / MiB : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'berkeley-bench-tls-'));
  try {
    makeCertificates(dir, 'ecdsa');
    console.log(`TLS bulk: ${AMOUNT / MiB} MiB in ${CHUNK / 1024} KiB sendall()s, TLS 1.3 ${CIPHER}; ${ROUNDS} interleaved rounds, medians; node ${process.version}, OpenSSL ${process.versions.openssl}${pinned() ? '' : ' (taskset not found: not pinned)'}`);
    for (const placement of placements(os.availableParallelism())) {
      const rates = new Map(IMPLEMENTATIONS.map((i) => [i.kind, [] as number[]]));
      for (let round = 0; round < ROUNDS; round++) {
        for (let k = 0; k < IMPLEMENTATIONS.length; k++) {
          const { kind } = IMPLEMENTATIONS[(k + round) % IMPLEMENTATIONS.length]!;
          rates.get(kind)!.push(await measure(kind, placement.cpus, dir));
        }
      }
      const base = median(rates.get('node-tls')!);
      console.log(`\n${placement.name}          MiB/s  min–max      vs node:tls`);
      for (const { name, kind } of IMPLEMENTATIONS) {
        const values = rates.get(kind)!;
        const range = `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
        console.log(`  ${name.padEnd(20)} ${median(values).toFixed(0).padStart(6)}  ${range.padEnd(11)}  ${(median(values) / base).toFixed(2)}×`);
      }
    }
    const speed = opensslSpeed();
    if (speed !== null) console.log(`\nopenssl speed -evp aes-256-gcm (16 KiB blocks, one core, no I/O): ${speed.toFixed(0)} MiB/s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [role, kind, port] = process.argv.slice(2);
if (process.argv.length > 2) await child(role!, kind as Implementation, Number(port));
else await main();
