// A node program run as a child process, its stdout read as lines, every
// wait bounded: for the servers that must run as their own program (the
// forking servers re-run their entry in each worker) and the examples.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bounded } from './helpers.js';

/** The compiled file of a test fixture or an example (under out/). */
export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
export const example = (name: string): string => fileURLToPath(new URL(`../examples/${name}`, import.meta.url));

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
