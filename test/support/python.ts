// python3 as the peer: a child python3 reading and printing lines, and the
// interop suites' prelude, which gives a peer script `out(obj)` (one JSON
// line on stdout), `enc(address)` (an address as JSON, bytes as
// {"hex": ...}), `recv_all` and `sha`, so both sides compare addresses
// exactly as each sees them. Also `pythonJson`, a one-shot script's JSON.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { TestContext } from 'node:test';
import { bounded } from './wait.js';

/** A python3 peer running `code`; its stdout lines arrive through `line()`. */
export class PythonPeer {
  readonly child: ChildProcessWithoutNullStreams;
  #buffer = '';
  #lines: string[] = [];
  #waiting: ((line: string) => void)[] = [];
  #stderr = '';
  // A peer that exits before printing fails a pending line() at once, with its stderr.
  readonly #exited: Promise<never>;

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
    this.#exited = new Promise<never>((_, reject) => {
      this.child.once('close', (code) => reject(new Error(`python peer exited (${code}) before printing a line; stderr: ${this.#stderr}`)));
    });
    this.#exited.catch(() => {}); // only an error for a line() still waiting
  }

  /** The next line the peer prints (bounded). */
  line(ms = 5000): Promise<string> {
    const ready = this.#lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    const line = new Promise<string>((resolve) => this.#waiting.push(resolve));
    return bounded(Promise.race([line, this.#exited]), ms, () => `python peer line (stderr: ${this.#stderr})`);
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

/** How long a peer may take to start and answer (a hang guard, not a timing assertion). */
export const PEER_MS = 20_000;
/** The timeout the Sync forms run under in these suites, in seconds: every Sync wait is bounded. */
export const SYNC_TIMEOUT = 20;

/** Removes the common indentation of a template, so Python code can be written indented. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length);
  const cut = Math.min(...indents);
  return lines.map((l) => l.slice(cut)).join('\n') + '\n';
}

export const PRELUDE = dedent(`
  import hashlib, json, os, socket, sys
  def enc(a):
      if a is None or isinstance(a, str):
          return a
      if isinstance(a, bytes):
          return {"hex": a.hex()}
      return list(a)
  def out(obj):
      print(json.dumps(obj), flush=True)
  def recv_all(s):
      chunks = []
      while True:
          b = s.recv(1 << 16)
          if not b:
              return b"".join(chunks)
          chunks.append(b)
  def sha(b):
      return hashlib.sha256(b).hexdigest()
`);

/** A berkeley address in the JSON form `enc()` gives Python's. */
export function enc(address: unknown): unknown {
  if (Buffer.isBuffer(address)) return { hex: address.toString('hex') };
  return address;
}

/** A python3 peer running PRELUDE + code; killed when the test ends. */
export class Peer extends PythonPeer {
  constructor(t: TestContext, code: string, args: string[] = []) {
    super(PRELUDE + dedent(code), args);
    t.after(() => this.kill());
  }

  /** The next stdout line, parsed as JSON. */
  async json<T = unknown>(): Promise<T> {
    return JSON.parse(await this.line(PEER_MS)) as T;
  }

  /** Waits for a clean exit, showing the peer's stderr otherwise. */
  async done(): Promise<void> {
    const code = await this.exit(PEER_MS);
    if (code !== 0) throw new Error(`python peer exited with ${code}: ${this.stderr}`);
  }
}

/** Every byte value, then some UTF-8: the exact-bytes payload. */
export function payload(): Buffer {
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  return Buffer.concat([all, Buffer.from('héllo wörld ✓ 🐍\0end', 'utf8'), randomBytes(1000)]);
}

/** The bytes reversed (what the interop suites' reversing peers send back). */
export function reversed(data: Buffer): Buffer {
  return Buffer.from(data).reverse();
}

/** Runs a python3 script that prints one JSON value, and returns the value (bounded by ms); the caller says its shape. */
export function pythonJson(code: string, ms = 10000): unknown {
  return JSON.parse(execFileSync('python3', ['-c', code], { encoding: 'utf8', timeout: ms }));
}
