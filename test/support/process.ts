// Child processes: a node program run with its stdout read as lines (the
// forking servers re-run their entry in each worker; the examples), and a
// snippet of ES module code run in a child node, every wait bounded.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { packageRoot } from './system.js';
import { bounded } from './wait.js';

/** What a finished child gave: its exit code or signal, and all it printed. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** Written to the child's stdin, which is then closed (closed at once without it). */
  input?: string;
  /** The bound on the whole run (10 s unless told). */
  ms?: number;
  /** Called with each stdout line as it arrives, and the child. */
  onLine?: (line: string, child: ChildProcessWithoutNullStreams) => void;
}

/**
 * Runs argv as a child process (cwd: the package root, so a node child can
 * `import 'berkeley'`), bounded by ms; the child is killed if still running.
 */
export async function runCommand(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  const env = options.env ? { ...process.env, ...options.env } : process.env;
  const child = spawn(argv[0]!, argv.slice(1), { cwd: packageRoot, env, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdin.on('error', () => undefined); // a child that exits without reading its input
  child.stdin.end(options.input ?? '');
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    partial += chunk;
    let index;
    while ((index = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, index);
      partial = partial.slice(index + 1);
      options.onLine?.(line, child);
    }
  });
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  try {
    const what = (): string => `${argv.slice(0, 3).join(' ')} (stdout: ${stdout}; stderr: ${stderr})`;
    const [code, signal] = (await bounded(once(child, 'close'), options.ms ?? 10000, what)) as [number | null, NodeJS.Signals | null];
    return { code, signal, stdout, stderr };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/**
 * Runs an ES module `code` in a child node process (cwd: the package root,
 * so `import 'berkeley'` works) with `args` (node's options) before it.
 */
export function runNode(code: string, options: RunOptions & { args?: string[] } = {}): Promise<RunResult> {
  return runCommand([process.execPath, ...(options.args ?? []), '--input-type=module', '-e', code], options);
}

/** The compiled file of a test fixture or an example (under out/). */
export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
export const example = (name: string): string => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));

export class Program {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: string[] = [];
  #stderr = '';
  #partial = '';
  #read = 0;
  #waiting: (() => void) | undefined;
  #closed = false;

  constructor(file: string, args: string[] = [], readonly ms = 15000) {
    this.child = spawn(process.execPath, [file, ...args], { stdio: 'pipe' });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.#partial += chunk;
      let index;
      while ((index = this.#partial.indexOf('\n')) >= 0) {
        this.lines.push(this.#partial.slice(0, index));
        this.#partial = this.#partial.slice(index + 1);
      }
      this.#waiting?.();
    });
    this.child.stderr.on('data', (chunk: string) => {
      this.#stderr += chunk;
      this.#waiting?.();
    });
    this.child.once('close', () => {
      this.#closed = true;
      this.#waiting?.();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get stderr(): string {
    return this.#stderr;
  }

  #describe(): string {
    return `${this.child.spawnargs.slice(1).join(' ')} (stdout so far: ${JSON.stringify(this.lines)}; stderr: ${this.#stderr})`;
  }

  /** Waits until `ready()` holds, re-checking on every output and on exit. */
  async until<T>(ready: () => T | undefined, what: string): Promise<T> {
    for (;;) {
      const value = ready();
      if (value !== undefined) return value;
      if (this.#closed) throw new Error(`${what}: the program exited (${this.child.exitCode ?? this.child.signalCode}) first: ${this.#describe()}`);
      await bounded(new Promise<void>((resolve) => (this.#waiting = resolve)), this.ms, () => `${what} from ${this.#describe()}`);
    }
  }

  /** The next line not read yet. */
  line(): Promise<string> {
    return this.until(() => (this.#read < this.lines.length ? this.lines[this.#read++] : undefined), 'a line');
  }

  /** The first line (read or not) that matches, with its groups. */
  match(pattern: RegExp, from = 0): Promise<RegExpMatchArray> {
    return this.until(() => {
      for (let k = from; k < this.lines.length; k++) {
        const found = this.lines[k]!.match(pattern);
        if (found) return found;
      }
      return undefined;
    }, `a line matching ${pattern}`);
  }

  /** The port number a line matching pattern (`port N` unless told) carries in its first group. */
  async port(pattern: RegExp = /^port (\d+)$/): Promise<number> {
    return Number((await this.match(pattern))[1]);
  }

  /** Every line matching pattern so far. */
  all(pattern: RegExp): RegExpMatchArray[] {
    return this.lines.map((line) => line.match(pattern)).filter((m): m is RegExpMatchArray => m !== null);
  }

  write(text: string): void {
    this.child.stdin.write(text);
  }

  /** Waits for the program to end (its output read to the end): its exit code, or the signal. */
  async exit(): Promise<number | string> {
    if (!this.#closed) await bounded(once(this.child, 'close'), this.ms, () => `${this.#describe()} to exit`);
    return this.child.exitCode ?? this.child.signalCode!;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

/** Whether a process with this pid is running (a zombie, dead but not yet reaped by its new parent, is not). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX] /s.test(stat);
  } catch {
    return false;
  }
}

/**
 * Sends a signal to a child's main thread once it waits in poll(2): a
 * python3 process watches the thread's /proc syscall number, then sends it
 * (tgkill), so it lands during the Sync wait, whatever the timing. Resolves
 * when sent.
 */
export function signalWhenPolling(pid: number, signal: string): Promise<unknown> {
  const sender = spawn('python3', ['-c', `
import ctypes, os, platform, signal, time
polls = {7, 271, 73}  # poll and ppoll on x86_64, ppoll on arm64
tgkill = {'x86_64': 234, 'aarch64': 131}[platform.machine()]
while True:
    with open('/proc/${pid}/syscall') as f:
        nr = f.read().split()[0]
    if nr.isdigit() and int(nr) in polls:
        break
    time.sleep(0.001)
if ctypes.CDLL(None, use_errno=True).syscall(tgkill, ${pid}, ${pid}, signal.${signal}) != 0:
    raise OSError(ctypes.get_errno(), 'tgkill')
`], { stdio: 'inherit' });
  return once(sender, 'close');
}

/**
 * Runs each worker program (ES module code, given `workerData`) twice in a
 * child node, terminating it once it posts a message (it posts when it is
 * about to wait): the child's result, whose stdout is 'alive' when the
 * process lived through every termination.
 */
export function terminatedWorkers(codes: string[], workerData: unknown): Promise<RunResult> {
  const script = `
    import { Worker } from 'node:worker_threads';
    import { once } from 'node:events';
    for (const code of ${JSON.stringify(codes)}) {
      for (let k = 0; k < 2; k++) {
        const worker = new Worker(code, { eval: true, workerData: ${JSON.stringify(workerData)} });
        const exited = once(worker, 'exit');
        await once(worker, 'message');
        await worker.terminate();
        await exited;
      }
    }
    console.log('alive');`;
  return runNode(script, { ms: 30_000 });
}
