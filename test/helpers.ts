// Shared test helpers: bounded waits, python3 peers, fd counting, temp paths.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import * as socket from 'berkeley';

/** Rejects if the promise does not settle within ms: every wait in a test is bounded. */
export function bounded<T>(promise: Promise<T>, ms = 5000, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** The number of fds this process has open. */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; path(name: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'berkeley-test-'));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Whether ::1 can be bound here (IPv6 tests skip cleanly without it). */
export function hasLoopbackIPv6(): boolean {
  try {
    using s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM);
    s.bind(['::1', 0]);
    return true;
  } catch {
    return false;
  }
}

/** A python3 peer running `code`; its stdout lines arrive through `line()`. */
export class PythonPeer {
  readonly child: ChildProcessWithoutNullStreams;
  #buffer = '';
  #lines: string[] = [];
  #waiting: ((line: string) => void)[] = [];
  #stderr = '';

  constructor(code: string, args: string[] = []) {
    this.child = spawn('python3', ['-u', '-c', code, ...args], { stdio: 'pipe' });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let index;
      while ((index = this.#buffer.indexOf('\n')) >= 0) {
        const line = this.#buffer.slice(0, index);
        this.#buffer = this.#buffer.slice(index + 1);
        const waiter = this.#waiting.shift();
        if (waiter) waiter(line);
        else this.#lines.push(line);
      }
    });
    this.child.stderr.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString()));
  }

  /** The next line the peer prints (bounded). */
  line(ms = 5000): Promise<string> {
    const ready = this.#lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return bounded(new Promise<string>((resolve) => this.#waiting.push(resolve)), ms, `python peer line (stderr: ${this.#stderr})`);
  }

  write(text: string): void {
    this.child.stdin.write(text);
  }

  /** Waits for the peer to exit and returns its exit code (bounded). */
  async exit(ms = 5000): Promise<number> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const [code] = (await bounded(once(this.child, 'exit'), ms, `python peer exit (stderr: ${this.#stderr})`)) as [number];
    return code;
  }

  get stderr(): string {
    return this.#stderr;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
