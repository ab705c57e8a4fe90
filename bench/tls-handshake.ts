// `node out/bench/tls-handshake.js`: full TLS 1.3 handshakes per second on
// 127.0.0.1 with an ECDSA P-256 and an RSA 2048 server certificate, for
// berkeley/ssl (async and Sync), node:tls and python3's ssl, side by side.
// Each run is a server child process and a client child process of the
// same implementation, pinned as in run.ts ("2 cpus": server on CPU 0,
// client on CPU 1; "1 cpu": both on CPU 0, where the figure is the CPU
// both ends spend); implementations are interleaved across rounds, and each
// one's median is printed with its ratio to node:tls. Figures, not
// assertions: nothing here fails on speed.
//
// One handshake: the client connects (TCP_NODELAY), handshakes verifying
// the server's chain and host name (localhost) against the CA, and reads
// the one byte the server sends once its side is done; then both close
// (no close_notify). Every context is made once per process, and no
// session is offered or ticket sent (OPENSSL_CONF, tls-common.ts): each
// handshake is a full one. The client times COUNT handshakes after WARMUP
// untimed ones.
//
// BENCH_ROUNDS=n (default 5), BENCH_HANDSHAKES=n (default 400);
// BENCH_BASELINE=dir adds the berkeley rows of another build, as in run.ts
// (its out/bench/tls-handshake.js, which may be a copy of this one).
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import * as socket from 'berkeley';
import * as ssl from 'berkeley/ssl';
import { berkeleyRows, certificate, firstLine, makeCertificates, median, noTicketsConfig, pinned, placements, start, stop, type KeyKind, type Row } from './tls-common.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const COUNT = Number(process.env.BENCH_HANDSHAKES ?? 400);
const WARMUP = 50;

type Implementation = 'berkeley-async' | 'berkeley-sync' | 'node-tls' | 'python3';
const self = fileURLToPath(import.meta.url);
const IMPLEMENTATIONS: Row<Implementation>[] = [
  ...berkeleyRows<Implementation>(self, [
    { name: 'async', kind: 'berkeley-async' },
    { name: 'Sync', kind: 'berkeley-sync' },
  ]),
  { name: 'node:tls', kind: 'node-tls', script: self },
  { name: 'python3 ssl', kind: 'python3', script: fileURLToPath(new URL('../../bench/tls-peer.py', import.meta.url)) },
];

// ---- the children: servers and clients --------------------------------------------

function berkeleyListener(): socket.Socket {
  const listener = socket.createServer(['127.0.0.1', 0], { backlog: 128 });
  process.stdout.write(`${(listener.getsockname() as [string, number])[1]}\n`);
  return listener;
}

function berkeleyServerContext(key: KeyKind): ssl.SSLContext {
  const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  context.loadCertChain(certificate(key, 'server.pem'), certificate(key, 'server.key'));
  return context;
}

const berkeleyClientContext = (key: KeyKind): ssl.SSLContext => ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: certificate(key, 'ca.pem') });

async function berkeleyAsyncServer(key: KeyKind): Promise<never> {
  const listener = berkeleyListener();
  const context = berkeleyServerContext(key);
  for (;;) {
    const [conn] = await listener.accept();
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    try {
      using tlsConn = await context.wrapSocket(conn, { serverSide: true });
      await tlsConn.sendall('k');
    } catch {
      // A client that went away: the next one.
    }
  }
}

function berkeleySyncServer(key: KeyKind): never {
  const listener = berkeleyListener();
  const context = berkeleyServerContext(key);
  for (;;) {
    const [conn] = listener.acceptSync();
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    try {
      using tlsConn = context.wrapSocketSync(conn, { serverSide: true });
      tlsConn.sendallSync('k');
    } catch {
      // A client that went away: the next one.
    }
  }
}

function nodeServer(key: KeyKind): void {
  const options = { key: readFileSync(certificate(key, 'server.key')), cert: readFileSync(certificate(key, 'server.pem')), noDelay: true };
  const server = tls.createServer(options, (conn) => {
    conn.on('error', () => {});
    conn.write('k', () => conn.destroy());
  });
  server.on('tlsClientError', () => {});
  server.listen({ port: 0, host: '127.0.0.1', backlog: 128 }, () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
}

async function berkeleyAsyncClient(key: KeyKind, port: number, count: number): Promise<number> {
  const context = berkeleyClientContext(key);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const conn = await socket.createConnection(['127.0.0.1', port]);
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    using tlsConn = await context.wrapSocket(conn, { serverHostname: 'localhost' });
    if ((await tlsConn.recv(1)).length !== 1) throw new Error('early EOF');
  }
  return performance.now() - started;
}

function berkeleySyncClient(key: KeyKind, port: number, count: number): number {
  const context = berkeleyClientContext(key);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const conn = socket.createConnectionSync(['127.0.0.1', port]);
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    using tlsConn = context.wrapSocketSync(conn, { serverHostname: 'localhost' });
    if (tlsConn.recvSync(1).length !== 1) throw new Error('early EOF');
  }
  return performance.now() - started;
}

async function nodeClient(key: KeyKind, port: number, count: number): Promise<number> {
  const secureContext = tls.createSecureContext({ ca: readFileSync(certificate(key, 'ca.pem')) });
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const conn = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', secureContext });
    conn.setNoDelay(true);
    const [data] = (await once(conn, 'data')) as [Buffer];
    if (data.length !== 1) throw new Error('not one byte');
    conn.destroy();
  }
  return performance.now() - started;
}

async function child(argv: string[]): Promise<void> {
  const [role, kind, key, port, warmup, count] = argv as [string, Implementation, KeyKind, string, string, string];
  if (role === 'server') {
    if (kind === 'berkeley-async') await berkeleyAsyncServer(key);
    else if (kind === 'berkeley-sync') berkeleySyncServer(key);
    else nodeServer(key);
    return;
  }
  const client = async (n: number): Promise<number> =>
    kind === 'berkeley-async' ? await berkeleyAsyncClient(key, Number(port), n) : kind === 'berkeley-sync' ? berkeleySyncClient(key, Number(port), n) : await nodeClient(key, Number(port), n);
  await client(Number(warmup));
  process.stdout.write(`${await client(Number(count))}\n`);
}

// ---- the orchestrator ------------------------------------------------------------

/** A child's command line: a server, or a client of the server on port. */
function command({ kind, script }: Row<Implementation>, key: KeyKind, port?: string): string[] {
  const role = port === undefined ? ['server'] : ['client'];
  const counts = port === undefined ? [] : [port, String(WARMUP), String(COUNT)];
  return kind === 'python3' ? ['python3', script, ...role, 'handshake', key, ...counts] : [process.execPath, script, ...role, kind, key, ...counts];
}

/** One timed run: handshakes per second. */
async function measure(implementation: Row<Implementation>, key: KeyKind, cpus: [string, string], env: Record<string, string>): Promise<number> {
  const server = start(cpus[0], command(implementation, key), env);
  try {
    const port = await firstLine(server, 'server');
    const client = start(cpus[1], command(implementation, key, port), env);
    const ms = Number(await firstLine(client, 'client'));
    if (!(ms > 0)) throw new Error(`the ${implementation.name} client failed`);
    return COUNT / (ms / 1000);
  } finally {
    await stop(server);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'berkeley-bench-handshake-'));
  try {
    const keys: KeyKind[] = ['ecdsa', 'rsa'];
    for (const key of keys) makeCertificates(dir, key);
    const env = { BENCH_TLS_DIR: dir, OPENSSL_CONF: noTicketsConfig(dir) };
    console.log(`TLS 1.3 full handshakes (no resumption, no tickets), ${COUNT} one after another on one connection each; ${ROUNDS} interleaved rounds, medians; node ${process.version}, OpenSSL ${process.versions.openssl}${pinned() ? '' : ' (taskset not found: not pinned)'}`);
    for (const key of keys) {
      for (const placement of placements(os.availableParallelism())) {
        const rates = new Map(IMPLEMENTATIONS.map((i) => [i.name, [] as number[]]));
        for (let round = 0; round < ROUNDS; round++) {
          for (let k = 0; k < IMPLEMENTATIONS.length; k++) {
            const implementation = IMPLEMENTATIONS[(k + round) % IMPLEMENTATIONS.length]!;
            rates.get(implementation.name)!.push(await measure(implementation, key, placement.cpus, env));
          }
        }
        const base = median(rates.get('node:tls')!);
        console.log(`\n${key === 'ecdsa' ? 'ECDSA P-256' : 'RSA 2048'}, ${placement.name}   handshakes/s  µs each  min–max      vs node:tls`);
        for (const { name } of IMPLEMENTATIONS) {
          const values = rates.get(name)!;
          const range = `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
          const rate = median(values);
          console.log(`  ${name.padEnd(20)} ${rate.toFixed(0).padStart(12)}  ${(1e6 / rate).toFixed(0).padStart(7)}  ${range.padEnd(11)}  ${(rate / base).toFixed(2)}×`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.length > 2) await child(process.argv.slice(2));
else await main();
