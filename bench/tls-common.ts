// What the TLS benchmarks (tls.ts, tls-handshake.ts, tls-pingpong.ts)
// share: the certificates, made with the openssl CLI at bench time; an
// OpenSSL configuration that turns session tickets off for every child
// (node:tls has no option for it); children pinned with taskset as in
// run.ts; their first line; medians.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';

/** The kinds of server key: ECDSA P-256 and RSA 2048, each signed by a CA of its own kind. */
export type KeyKind = 'ecdsa' | 'rsa';

/** The certificates' folder, set by the orchestrator for its children. */
export const certificate = (kind: KeyKind, name: 'ca.pem' | 'server.pem' | 'server.key'): string => join(process.env.BENCH_TLS_DIR!, `${kind}-${name}`);

/** Makes `<kind>-ca.pem` and `<kind>-server.pem`/`.key` (CN and SAN localhost) in dir. */
export function makeCertificates(dir: string, kind: KeyKind): void {
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const key = kind === 'ecdsa' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] : ['-newkey', 'rsa:2048'];
  const common = [...key, '-nodes', '-days', '2'];
  openssl('req', '-x509', ...common, '-keyout', `${kind}-ca.key`, '-out', `${kind}-ca.pem`, '-subj', '/CN=bench CA');
  openssl('req', '-x509', ...common, '-keyout', `${kind}-server.key`, '-out', `${kind}-server.pem`, '-subj', '/CN=localhost', '-CA', `${kind}-ca.pem`, '-CAkey', `${kind}-ca.key`, '-addext', 'subjectAltName=DNS:localhost');
}

/**
 * An OpenSSL configuration file in dir that sends no TLS 1.3 session
 * tickets (NumTickets 0, in every SSL_CTX the process makes), read by
 * node (its nodejs_conf section) and python3 (openssl_conf) through
 * OPENSSL_CONF: every handshake is a full one, and no side spends time on
 * tickets the benchmark never uses. Returns its path.
 */
export function noTicketsConfig(dir: string): string {
  const path = join(dir, 'openssl.cnf');
  writeFileSync(path, ['nodejs_conf = bench', 'openssl_conf = bench', '[bench]', 'ssl_conf = bench_ssl', '[bench_ssl]', 'system_default = bench_tls', '[bench_tls]', 'NumTickets = 0', ''].join('\n'));
  return path;
}

/** A row of a benchmark: what its children run (kind) and the script they run it with. */
export interface Row<K extends string> {
  name: string;
  kind: K;
  script: string;
}

/**
 * berkeley's rows ('async', 'Sync'), run by script; with BENCH_BASELINE=dir
 * each again as "baseline …", run by dir's copy of the script (the same file
 * under its out/bench, which runs that build's berkeley), as run.ts does.
 */
export function berkeleyRows<K extends string>(script: string, rows: { name: string; kind: K }[]): Row<K>[] {
  const here = rows.map(({ name, kind }) => ({ name: `berkeley/ssl ${name}`, kind, script }));
  const dir = process.env.BENCH_BASELINE;
  if (dir === undefined) return here;
  const baseline = join(dir, 'out/bench', basename(script));
  return [...here, ...rows.map(({ name, kind }) => ({ name: `baseline ${name}`, kind, script: baseline }))];
}

let pinnable: boolean | undefined;

/** Whether taskset works here. */
export function pinned(): boolean {
  if (pinnable === undefined) {
    try {
      execFileSync('taskset', ['-c', '0', 'true']);
      pinnable = true;
    } catch {
      pinnable = false;
    }
  }
  return pinnable;
}

/** Starts a command on a CPU (when taskset works) with extra environment; its stdout is piped, its stderr is ours. */
export function start(cpu: string, command: string[], env: Record<string, string>): ChildProcess {
  const argv = pinned() ? ['taskset', '-c', cpu, ...command] : command;
  return spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
}

/** The first line a child prints (the server's port, the client's figure). */
export async function firstLine(child: ChildProcess, what: string): Promise<string> {
  for await (const line of createInterface({ input: child.stdout! })) return line;
  throw new Error(`${what} ended without output`);
}

/** Ends a child (a server) and waits until it has exited. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill();
  await exited;
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Where the server and the client run: "2 cpus" (server on CPU 0, client on CPU 1), "1 cpu" (both on CPU 0), as in run.ts. */
export function placements(cpuCount: number): { name: string; cpus: [string, string] }[] {
  const all: { name: string; cpus: [string, string] }[] = [
    { name: '2 cpus', cpus: ['0', '1'] },
    { name: '1 cpu', cpus: ['0', '0'] },
  ];
  return cpuCount > 1 ? all : all.slice(1);
}
