// Shared test helpers: bounded waits, python3 peers, fd counting, temp paths.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import * as socket from 'berkeley';

/** Rejects if the promise does not settle within ms: every wait in a test is bounded. */
export function bounded<T>(promise: Promise<T>, ms = 5000, what: string | (() => string) = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${typeof what === 'function' ? what() : what} did not finish within ${ms} ms`)), ms);
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

/**
 * Set (to the emulator's name) when the suite runs under user-mode emulation
 * (.ci/platforms runs arm64 Node under qemu-user), where a few calls are not
 * translated as a real kernel of that arch answers them.
 */
export const emulated = process.env.BERKELEY_TEST_EMULATED || false;

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

/** A connected TCP pair on 127.0.0.1 (or ::1 for AF_INET6): [client, server side]. Close both. */
export async function tcpPair(family: number = socket.AF_INET): Promise<[socket.Socket, socket.Socket]> {
  using listener = socket.socket(family, socket.SOCK_STREAM);
  listener.bind([family === socket.AF_INET6 ? '::1' : '127.0.0.1', 0]);
  listener.listen();
  const client = socket.socket(family, socket.SOCK_STREAM);
  try {
    const [[conn]] = await bounded(Promise.all([listener.accept(), client.connect(listener.getsockname() as [string, number])]), 5000, 'tcpPair');
    return [client, conn];
  } catch (error) {
    client.close();
    throw error;
  }
}

/** A free-standing UDP socket bound to an ephemeral port on loopback. */
export function udpSocket(family: number = socket.AF_INET): socket.Socket {
  const s = socket.socket(family, socket.SOCK_DGRAM);
  try {
    s.bind([family === socket.AF_INET6 ? '::1' : '127.0.0.1', 0]);
  } catch (error) {
    s.close();
    throw error;
  }
  return s;
}

/** Reads from a stream socket until exactly n bytes (or EOF) arrived. */
export async function recvExactly(s: socket.Socket, n: number, ms = 10000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  const read = async (): Promise<void> => {
    while (got < n) {
      const chunk = await s.recv(Math.min(n - got, 1 << 20));
      if (chunk.length === 0) break;
      chunks.push(chunk);
      got += chunk.length;
    }
  };
  await bounded(read(), ms, `recv of ${n} bytes`);
  return Buffer.concat(chunks);
}

/** The test's own package root (for child processes that import 'berkeley'). */
export const packageRoot: string = new URL('../..', import.meta.url).pathname;

/**
 * Runs an ES module `code` in a child node process (cwd: the package root,
 * so `import 'berkeley'` works) with `args` before it. Resolves with its exit
 * code, signal, stdout and stderr, bounded by ms.
 */
export async function runNode(code: string, options: { args?: string[]; ms?: number; onLine?: (line: string, child: ChildProcessWithoutNullStreams) => void } = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...(options.args ?? []), '--input-type=module', '-e', code], { cwd: packageRoot, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  let partial = '';
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
    const [code, signal] = (await bounded(once(child, 'close'), options.ms ?? 10000, `child node (stdout: ${stdout}; stderr: ${stderr})`)) as [number | null, NodeJS.Signals | null];
    return { code, signal, stdout, stderr };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

// ---- comparing berkeley with python3's own socket module -------------------

/** What a call gave: a value (JSON-encoded: bytes as `{hex}`, tuples as arrays) or an error. */
export type Outcome = { ok: unknown } | { error: string; errno: number | null; strerror: string | null; message: string; code?: string };

/** One call for the comparison tables: a berkeley function name (camelCase) and its arguments (`{hex}` for bytes). */
export type Call = [name: string, args: unknown[]];

/** Python's name for a berkeley function: `inetPton` → `inet_pton`, `gethostbynameEx` → `gethostbyname_ex`. */
export function pythonName(name: string): string {
  return name.replace(/Sync$/, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const PY_CALLS = String.raw`
import enum, json, socket, sys
def dec(v):
    if isinstance(v, dict) and 'hex' in v: return bytes.fromhex(v['hex'])
    if isinstance(v, list): return tuple(dec(x) for x in v)
    return v
def enc(v):
    if isinstance(v, bool): return v
    if isinstance(v, int): return int(v)
    if isinstance(v, (bytes, bytearray)): return {'hex': bytes(v).hex()}
    if isinstance(v, (list, tuple)): return [enc(x) for x in v]
    return v
out = []
for name, args in json.load(sys.stdin):
    try:
        out.append({'ok': enc(getattr(socket, name)(*dec(args)))})
    except Exception as e:
        en = getattr(e, 'errno', None)
        out.append({'error': type(e).__name__, 'errno': en, 'strerror': getattr(e, 'strerror', None), 'message': str(e)})
print(json.dumps(out))
`;

/**
 * The argv prefix that runs a command with private copies of some /etc files
 * (`unshare --mount`, bind mounts seen by that command only); cleanup removes the copies.
 */
export function withPrivateFiles(files: Record<string, string>, extraUnshare: string[] = []): { prefix: string[]; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'berkeley-etc-'));
  const mounts = Object.entries(files).map(([target, text], k) => {
    const source = join(dir, `f${k}`);
    writeFileSync(source, text);
    return `mount --bind ${source} ${target}`;
  });
  return {
    prefix: ['unshare', '--mount', ...extraUnshare, 'sh', '-c', `${mounts.join(' && ')} && exec "$@"`, 'sh'],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Whether this process may make private mount/UTS namespaces (root, with unshare(1)): else the tests that need one skip. */
export const privateNamespaces: string | true = (() => {
  try {
    execFileSync('unshare', ['--mount', '--uts', 'true'], { stdio: 'ignore', timeout: 10000 });
    return true;
  } catch (error) {
    return `no private namespaces here (unshare --mount --uts: ${(error as Error).message.split('\n')[0]})`;
  }
})();

/** Runs each call in python3's socket module (optionally under a prefix such as withPrivateFiles()). */
export function pythonCalls(calls: Call[], prefix: string[] = []): Outcome[] {
  const argv = [...prefix, 'python3', '-c', PY_CALLS];
  const text = execFileSync(argv[0]!, argv.slice(1), { input: JSON.stringify(calls.map(([name, args]) => [pythonName(name), args])), encoding: 'utf8', timeout: 30000 });
  return JSON.parse(text) as Outcome[];
}

/** Encodes a berkeley value the way PY_CALLS encodes a Python one. */
export function encodeValue(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return { hex: value.toString('hex') };
  if (Array.isArray(value)) return value.map(encodeValue);
  return value;
}

/** Decodes the `{hex}` arguments of a call into Buffers. */
export function decodeArgument(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && 'hex' in value) return Buffer.from((value as { hex: string }).hex, 'hex');
  if (Array.isArray(value)) return value.map(decodeArgument);
  return value;
}

/** The outcome of an error thrown by berkeley. */
export function errorOutcome(error: unknown): Outcome {
  const e = error as { errno?: number; strerror?: string; message: string; code?: string };
  return { error: (error as Error).constructor.name, errno: e.errno ?? null, strerror: e.strerror ?? null, message: e.message, code: e.code };
}

/** Runs a berkeley call (Sync form, or the async form when async is true) and encodes what it gave. */
export async function berkeleyCall([name, args]: Call, async = false): Promise<Outcome> {
  const fn = (socket as unknown as Record<string, (...a: unknown[]) => unknown>)[async ? name : `${name}Sync`] ?? (socket as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
  if (typeof fn !== 'function') return { error: 'missing', errno: null, strerror: null, message: `berkeley has no ${name}` };
  try {
    return { ok: encodeValue(await fn(...(args.map(decodeArgument)))) };
  } catch (error) {
    return errorOutcome(error);
  }
}

const pythonToBerkeley: Record<string, string[]> = {
  gaierror: ['GaiError'],
  herror: ['HostError'],
  OSError: ['SocketError'],
  ValueError: ['RangeError'],
  OverflowError: ['RangeError'],
  // Python's TypeError for a NUL in a string or a float where an int goes: a bad value (RangeError) or TypeError here.
  TypeError: ['TypeError', 'RangeError'],
  // Bytes a text file cannot decode: Node's TextDecoder error (ERR_ENCODING_INVALID_ENCODED_DATA).
  UnicodeDecodeError: ['TypeError'],
};

/**
 * Asserts berkeley's outcome is Python's: the same value, or the matching
 * error class (gaierror → GaiError, herror → HostError, OSError → SocketError,
 * ValueError/OverflowError → RangeError, PEP 3151 classes by name) with the
 * same errno and the system's message.
 */
export function assertSameOutcome(actual: Outcome, expected: Outcome, label: string): void {
  const show = `${label}: berkeley ${JSON.stringify(actual)} vs python ${JSON.stringify(expected)}`;
  if ('ok' in expected) {
    if (!('ok' in actual)) assert.fail(show);
    assert.deepEqual(actual.ok, expected.ok, show);
    return;
  }
  if (!('error' in actual)) assert.fail(show);
  const classes = pythonToBerkeley[expected.error] ?? [expected.error];
  if (!classes.includes(actual.error)) assert.fail(`${show} (class)`);
  if (classes[0] === 'RangeError' || classes[0] === 'TypeError') return;
  if (expected.errno !== null) {
    if (actual.errno !== expected.errno || actual.strerror !== expected.strerror) assert.fail(`${show} (errno/strerror)`);
  } else if (actual.strerror !== expected.message) {
    assert.fail(`${show} (message)`);
  }
  if (expected.error === 'gaierror') {
    const name = Object.entries(socket).find(([k, v]) => k.startsWith('EAI_') && v === expected.errno)?.[0];
    if (actual.code !== name) assert.fail(`${show} (code ${actual.code} vs ${name})`);
  }
}

