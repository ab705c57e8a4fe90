// What bench/udp-batch.ts (loopback, end to end) and bench/udp-batch-ns.ts
// (the namespace it makes) share: their children (bench/udp.c and
// bench/udp-peer.ts, one receiver or sender a process, pinned to a CPU),
// and the tables of interleaved rounds they print.
import { execFileSync, spawn } from 'node:child_process';
import * as os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { median } from './common.js';

export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
export const nodePeer = [process.execPath, fileURLToPath(new URL('udp-peer.js', import.meta.url))];

export const pinned = ((): boolean => {
  if (os.availableParallelism() < 2) return false;
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
})();

export type Child = ReturnType<typeof spawn>;

/** Runs argv pinned to `cpu` (where taskset is), with `env` added to the environment. */
export function start(cpu: string, argv: string[], env: Record<string, string> = {}): Child {
  const full = pinned ? ['taskset', '-c', cpu, ...argv] : argv;
  return spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
}

/** Each stdout line of a child, in turn. */
export function lines(child: Child): AsyncIterator<string> {
  return createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
}

export async function next(it: AsyncIterator<string>, what: string): Promise<string> {
  const result = await it.next();
  if (result.done === true) throw new Error(`${what} ended without output`);
  return result.value;
}

export async function stop(child: Child): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill();
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

/** A sender's rate (sends/s): `argv` sends `count` to `port` and prints the seconds. */
export async function sendRate(argv: string[], count: number, env: Record<string, string> = {}): Promise<number> {
  const sender = start('1', argv, env);
  try {
    return count / Number(await next(lines(sender), argv.join(' ')));
  } finally {
    await stop(sender);
  }
}

export interface Row {
  name: string;
  /** One rate, or several (cycles of one process). */
  run: () => Promise<number | number[]>;
}
export interface Table {
  title: string;
  unit: string;
  /** Multiplies a rate into the unit shown (bytes for GSO). */
  scale: number;
  rows: Row[];
  /** The rows the others are compared to. */
  baselines: string[];
}

/** Runs every row of every table once a round, rotating the order each round; the rates of each row. */
export async function runTables(tables: Table[], label: string): Promise<number[][][]> {
  const rates = tables.map((t) => t.rows.map((): number[] => []));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [j, t] of tables.entries()) {
      // Rotate the order each round, so no row always goes first.
      for (let k = 0; k < t.rows.length; k++) {
        const i = (k + round) % t.rows.length;
        rates[j]![i]!.push(...[await t.rows[i]!.run()].flat().map((rate) => rate * t.scale));
      }
    }
    process.stderr.write(`${label} round ${round + 1}/${ROUNDS}\n`);
  }
  return rates;
}

/** Prints each table: medians, min–max, and ratios of medians to the baselines. */
export function printTables(tables: Table[], rates: number[][][]): void {
  for (const [j, t] of tables.entries()) {
    const medians = rates[j]!.map(median);
    const base = t.baselines.map((name) => medians[t.rows.findIndex((row) => row.name === name)]!);
    const header = ['', t.unit, 'min–max', ...t.baselines.map((name) => `vs ${name}`)];
    const rows = t.rows.map((row, i) => [
      row.name,
      medians[i]!.toFixed(0),
      `${Math.min(...rates[j]![i]!).toFixed(0)}–${Math.max(...rates[j]![i]!).toFixed(0)}`,
      ...base.map((b) => `${(medians[i]! / b).toFixed(2)}×`),
    ]);
    const widths = header.map((h, col) => Math.max(h.length, ...rows.map((row) => row[col]!.length)));
    console.log(`\n${t.title}`);
    for (const cells of [header, ...rows]) console.log(cells.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  '));
  }
}

/** The header line of a run. */
export function describe(what: string): string {
  return `${what}: ${os.availableParallelism()} cpus, node ${process.version}, ${os.type()} ${os.release()}, load average ${os.loadavg()[0]!.toFixed(2)}; ${ROUNDS} interleaved rounds, medians${pinned ? '' : ' (taskset not found: not pinned)'}`;
}
