// `npm run bench`, batched datagrams, 64-byte and 1,200-byte datagrams, in two
// settings: first the calls themselves, in a network namespace this bench makes
// (bench/udp-batch-ns.ts: draining a queue filled beforehand, and sending to
// a device that drops what it is given); then loopback, end to end, here:
// UDP on 127.0.0.1, where each send also runs the receive path.
//  - receive rate under a flood (bench/udp.c's blaster, 64 datagrams a
//    sendmmsg): berkeley's recvmmsg (batch 32 and 64, async and Sync),
//    recvfrom, node:dgram, and C's one recvfrom(2) per datagram (and its
//    recvmmsg, for reference);
//  - send rate into a socket nobody reads: sendmmsg (64 a call) against C's
//    one sendto(2) per datagram;
//  - GSO bulk: 64,800-byte sends cut into 1,200-byte datagrams by the kernel
//    (UDP_SEGMENT), in bytes/s, against C's sendto loop of 1,200-byte datagrams.
// The receiver (or sender) is pinned to CPU 0, the flood to CPU 1 (on
// loopback the receive path up to the socket's queue runs on the sender's
// CPU). Implementations interleaved across rounds; medians printed, with
// min–max and the ratios to the baselines. Figures, not assertions.
//
// BENCH_ROUNDS=n changes the number of rounds (default 5).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as socket from 'berkeley';
import { describe, lines, next, nodePeer, printTables, runTables, sendRate as send, start, stop, type Row, type Table } from './udp-batch-common.js';

const WARMUP = 50_000;
const COUNT = 500_000;
const GSO_SEND = 54 * 1200;
const GSO_COUNT = 10_000;

const tmp = mkdtempSync(join(os.tmpdir(), 'berkeley-udp-bench-'));
const c = join(tmp, 'udp');
execFileSync('cc', ['-O2', '-Wall', '-o', c, fileURLToPath(new URL('../../bench/udp.c', import.meta.url))], { stdio: 'inherit' });

/** A receiver's rate (datagrams/s) under the C blaster's flood. */
async function receiveRate(argv: string[], size: number): Promise<number> {
  const receiver = start('0', argv);
  const out = lines(receiver);
  const port = await next(out, argv.join(' '));
  const blaster = start('1', [c, 'blast', port, String(size)]);
  try {
    return COUNT / Number(await next(out, argv.join(' ')));
  } finally {
    await stop(blaster);
    await stop(receiver);
  }
}

/** A sender's rate (sends/s) into a socket nobody reads. */
async function sendRate(argv: (port: string) => string[], count: number): Promise<number> {
  using sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  sink.bind(['127.0.0.1', 0]);
  return await send(argv(String(sink.getsockname()[1])), count);
}

const receiver = (name: string, argv: string[], size: number): Row => ({ name, run: () => receiveRate(argv, size) });
const counts = [String(WARMUP), String(COUNT)];
const TABLES: Table[] = [64, 1200].flatMap((size): Table[] => [
  {
    title: `receive: ${size}-byte datagrams under a flood`,
    unit: 'datagrams/s',
    scale: 1,
    baselines: ['node:dgram', 'C recvfrom loop'],
    rows: [
      receiver('berkeley recvmmsg 32 (async)', [...nodePeer, 'recvmmsg', String(size), ...counts, '32'], size),
      receiver('berkeley recvmmsg 64 (async)', [...nodePeer, 'recvmmsg', String(size), ...counts, '64'], size),
      receiver('berkeley recvmmsgSync 64', [...nodePeer, 'recvmmsgSync', String(size), ...counts, '64'], size),
      receiver('berkeley recvmmsgIntoSync 64', [...nodePeer, 'recvmmsgIntoSync', String(size), ...counts, '64'], size),
      receiver('berkeley recvfrom (async)', [...nodePeer, 'recvfrom', String(size), ...counts], size),
      receiver('node:dgram', [...nodePeer, 'dgram', String(size), ...counts], size),
      receiver('C recvfrom loop', [c, 'recvfrom', String(size), ...counts], size),
      receiver('C recvmmsg 64', [c, 'recvmmsg', String(size), ...counts], size),
    ],
  },
  {
    title: `send: ${size}-byte datagrams`,
    unit: 'datagrams/s',
    scale: 1,
    baselines: ['C sendto loop'],
    rows: [
      { name: 'berkeley sendmmsgSync 64', run: () => sendRate((port) => [...nodePeer, 'sendmmsgSync', port, String(size), ...counts], COUNT) },
      { name: 'berkeley sendmmsg 64 (async)', run: () => sendRate((port) => [...nodePeer, 'sendmmsg', port, String(size), ...counts], COUNT) },
      { name: 'berkeley sendtoSync', run: () => sendRate((port) => [...nodePeer, 'sendtoSync', port, String(size), ...counts], COUNT) },
      { name: 'C sendto loop', run: () => sendRate((port) => [c, 'sendto', port, String(size), ...counts], COUNT) },
      { name: 'C sendmmsg 64', run: () => sendRate((port) => [c, 'sendmmsg', port, String(size), ...counts], COUNT) },
    ],
  },
]);
const gsoCounts = [String(GSO_COUNT / 10), String(GSO_COUNT)];
TABLES.push({
  title: `GSO bulk: ${GSO_SEND.toLocaleString('en')}-byte sends cut into 1,200-byte datagrams (UDP_SEGMENT)`,
  unit: 'MB/s',
  scale: 1e-6,
  baselines: ['C sendto loop (1,200 B)'],
  rows: [
    { name: 'berkeley GSO sendSync', run: async () => GSO_SEND * (await sendRate((port) => [...nodePeer, 'gsoSync', port, String(GSO_SEND), ...gsoCounts], GSO_COUNT)) },
    { name: 'berkeley GSO send (async)', run: async () => GSO_SEND * (await sendRate((port) => [...nodePeer, 'gso', port, String(GSO_SEND), ...gsoCounts], GSO_COUNT)) },
    { name: 'C GSO send', run: async () => GSO_SEND * (await sendRate((port) => [c, 'gso', port, String(GSO_SEND), ...gsoCounts], GSO_COUNT)) },
    { name: 'C sendto loop (1,200 B)', run: async () => 1200 * (await sendRate((port) => [c, 'sendto', port, '1200', ...counts], COUNT)) },
    { name: 'berkeley sendmmsgSync 64 (1,200 B)', run: async () => 1200 * (await sendRate((port) => [...nodePeer, 'sendmmsgSync', port, '1200', ...counts], COUNT)) },
  ],
});

try {
  // The namespace's rows first, with their own header; they need unshare(1) and ip(8).
  const ns = spawnSync('unshare', [process.getuid?.() === 0 ? '-n' : '-rn', process.execPath, fileURLToPath(new URL('udp-batch-ns.js', import.meta.url)), c], { stdio: 'inherit' });
  if (ns.error !== undefined || ns.status !== 0) console.log(`\nbatched datagrams in a network namespace: skipped (unshare: ${ns.error?.message ?? `exit ${ns.status ?? ns.signal}`})`);
  console.log(`\n${describe('batched datagrams, loopback, end to end')}`);
  printTables(TABLES, await runTables(TABLES, 'udp-batch loopback'));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log('\nMedians over the rounds; "vs" columns are ratios of rates (higher is better).');
