// `npm run bench`: TCP bulk throughput, 1-byte TCP ping-pong round trips,
// 64-byte UDP ping-pong round trips and connect+accept+close for berkeley
// (async and Sync), node:net/node:dgram, python3's blocking socket (the
// reference) and C, side by side. Each run is a
// server child process and a client child process of the same
// implementation on 127.0.0.1; implementations are interleaved across
// rounds and the median per implementation is printed, as a ratio to
// node:net and to C. Figures, not assertions: nothing here fails on speed.
//
// Placement: where the two processes run changes loopback figures far more
// than any implementation does (on a VM, a wake-up across CPUs can cost
// tens of µs), so each case pins them with taskset: "2 cpus" puts the server
// on CPU 0 and the client on CPU 1 (a peer elsewhere: latency-bound),
// "1 cpu" puts both on CPU 0 (every µs of CPU each side spends shows).
// Other load on the machine still adds noise: the min–max column shows it.
//
// BENCH_ROUNDS=n changes the number of rounds (default 7); BENCH_CASES=
// a comma-separated list of workloads (bulk,pingpong,udp,connect) runs only
// those; BENCH_BASELINE=dir adds the berkeley rows of another build (a
// folder holding its package.json, dist, out/bench, build/Release and
// node_modules/node-gyp-build) for an old-against-new comparison in one run.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Workload } from './common.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const MiB = 1024 * 1024;

interface Case {
  title: string;
  workload: Workload;
  /** The CPUs of the server and the client. */
  cpus: [string, string];
  /** Bytes (bulk) or round trips (pingpong), for the warm-up and the timed run. */
  warmup: number;
  amount: number;
  unit: string;
}

const cpuCount = os.availableParallelism();
const PLACEMENTS = [
  { name: '2 cpus', cpus: ['0', '1'] as [string, string] },
  { name: '1 cpu', cpus: ['0', '0'] as [string, string] },
].filter((p) => cpuCount > 1 || p.cpus[1] === '0');
const ONLY = process.env.BENCH_CASES?.split(',');
const CASES: Case[] = PLACEMENTS.flatMap(({ name, cpus }) => {
  const trips = cpus[0] === cpus[1] ? 20_000 : 5_000;
  return [
    { title: `bulk: 512 MiB in 256 KiB sendall()s, ${name}`, workload: 'bulk' as const, cpus, warmup: 64 * MiB, amount: 512 * MiB, unit: 'MiB/s' },
    { title: `ping-pong: ${trips.toLocaleString('en')} 1-byte round trips, ${name}`, workload: 'pingpong' as const, cpus, warmup: 1_000, amount: trips, unit: 'round trips/s' },
    { title: `UDP ping-pong: ${trips.toLocaleString('en')} 64-byte round trips, ${name}`, workload: 'udp' as const, cpus, warmup: 1_000, amount: trips, unit: 'round trips/s' },
    { title: `connect+accept+close: 2,000 connections, ${name}`, workload: 'connect' as const, cpus, warmup: 200, amount: 2_000, unit: 'connections/s' },
  ];
}).filter((c) => ONLY === undefined || ONLY.includes(c.workload));

let pinned = true;
try {
  execFileSync('taskset', ['-c', '0', 'true']);
} catch {
  pinned = false;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const tmp = mkdtempSync(join(os.tmpdir(), 'berkeley-bench-'));
const peer = join(tmp, 'peer');
execFileSync('cc', ['-O2', '-Wall', '-o', peer, fileURLToPath(new URL('../../bench/peer.c', import.meta.url))], { stdio: 'inherit' });

const node = (script: string, dir = here): string[] => [process.execPath, join(dir, script)];
const baseline = process.env.BENCH_BASELINE;
const IMPLEMENTATIONS: { name: string; command: string[] }[] = [
  { name: 'berkeley async', command: node('berkeley-async.js') },
  { name: 'berkeley Sync', command: node('berkeley-sync.js') },
  ...(baseline === undefined
    ? []
    : [
        { name: 'baseline async', command: node('berkeley-async.js', join(baseline, 'out/bench')) },
        { name: 'baseline Sync', command: node('berkeley-sync.js', join(baseline, 'out/bench')) },
      ]),
  { name: 'node:net', command: node('net.js') },
  { name: 'python3', command: ['python3', fileURLToPath(new URL('../../bench/peer.py', import.meta.url))] },
  { name: 'C', command: [peer] },
];
const NET = IMPLEMENTATIONS.findIndex((impl) => impl.name === 'node:net');
const C = IMPLEMENTATIONS.length - 1;

/** Starts a child on a CPU; its stdout is piped, its stderr is ours. */
function start(cpu: string, command: string[], args: string[]): ReturnType<typeof spawn> {
  const argv = pinned ? ['taskset', '-c', cpu, ...command, ...args] : [...command, ...args];
  return spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** The first line a child prints (the server's port, the client's seconds). */
async function firstLine(child: ReturnType<typeof spawn>, what: string): Promise<string> {
  for await (const line of createInterface({ input: child.stdout! })) return line;
  throw new Error(`${what} ended without output`);
}

function exited(child: ReturnType<typeof spawn>): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', resolve));
}

/** One timed run: a server and a client; returns the client's rate. */
async function measure(command: string[], c: Case): Promise<number> {
  const server = start(c.cpus[0], command, ['server', c.workload]);
  try {
    const port = await firstLine(server, 'server');
    const client = start(c.cpus[1], command, ['client', c.workload, port, String(c.warmup), String(c.amount)]);
    const seconds = Number(await firstLine(client, 'client'));
    const code = await exited(client);
    if (code !== 0 || !(seconds > 0)) throw new Error(`client failed (exit ${code}, output ${seconds})`);
    return (c.workload === 'bulk' ? c.amount / MiB : c.amount) / seconds;
  } finally {
    server.kill();
    await exited(server);
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const cpus = os.cpus();
console.log(`machine: ${cpuCount} cpus (${cpus[0]?.model.trim() ?? 'unknown'}), node ${process.version}, ${os.type()} ${os.release()}, load average ${os.loadavg()[0]!.toFixed(2)}`);
console.log(`${ROUNDS} rounds, implementations interleaved; ${pinned ? 'processes pinned with taskset' : 'taskset not found: processes not pinned'}`);

// rates[case][implementation] = one rate per round.
const rates = CASES.map(() => IMPLEMENTATIONS.map((): number[] => []));
try {
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round, so no implementation always goes first.
    for (let k = 0; k < IMPLEMENTATIONS.length; k++) {
      const i = (k + round) % IMPLEMENTATIONS.length;
      for (const [j, c] of CASES.entries()) rates[j]![i]!.push(await measure(IMPLEMENTATIONS[i]!.command, c));
    }
    const latest = rates.map((byImpl) => byImpl.map((r) => r[round]!.toFixed(0)).join(' ')).join(' | ');
    process.stderr.write(`round ${round + 1}/${ROUNDS}: ${latest}\n`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  for (const row of [header, ...rows]) console.log(line(row));
}

for (const [j, c] of CASES.entries()) {
  const medians = rates[j]!.map(median);
  console.log(`\n${c.title}`);
  table(
    ['', c.unit, 'µs each', 'min–max', 'vs node:net', 'vs C'],
    IMPLEMENTATIONS.map((impl, i) => [
      impl.name,
      medians[i]!.toFixed(0),
      c.workload === 'bulk' ? '' : (1e6 / medians[i]!).toFixed(1),
      `${Math.min(...rates[j]![i]!).toFixed(0)}–${Math.max(...rates[j]![i]!).toFixed(0)}`,
      `${(medians[i]! / medians[NET]!).toFixed(2)}×`,
      `${(medians[i]! / medians[C]!).toFixed(2)}×`,
    ]),
  );
}
console.log('\nMedians over the rounds; "vs" columns are ratios of rates (higher is better).');
