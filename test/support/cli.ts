// The berkeley command as a person runs it: the built CLI (dist/cli/main.js,
// the package's bin) as a child process with pipes, its stdout kept as
// bytes and its stderr as text, every wait bounded.
import type { TestContext } from 'node:test';
import { spawn, type ChildProcessWithoutNullStreams, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { packageRoot } from './system.js';
import { bounded } from './wait.js';

/** The command's entry, as package.json's bin names it. */
export const cliPath = join(packageRoot, 'dist/cli/main.js');

/** How long a command may take to answer or end (a hang guard, not a timing assertion). */
export const CLI_MS = 20_000;

/** How a finished command ended and what it printed. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Where and as whom the command runs. */
export interface CliOptions {
  /** Run under these argv words (`unshare -n …`, `setpriv …`). */
  prefix?: string[];
  /** Another copy of the command's entry (default: cliPath). */
  entry?: string;
  cwd?: string;
  env?: Record<string, string>;
  uid?: number;
  gid?: number;
}

/** A running `berkeley …`: write to its stdin, wait for what it prints, signal it, wait for its end. */
export class Cli {
  readonly child: ChildProcessWithoutNullStreams;
  readonly #stdout: Buffer[] = [];
  #stderr = '';
  readonly #waiting = new Set<() => void>();
  #closed = false;

  constructor(
    readonly args: string[],
    options: CliOptions = {},
  ) {
    const argv = [...(options.prefix ?? []), process.execPath, options.entry ?? cliPath, ...args];
    const spawnOptions: SpawnOptions = { cwd: options.cwd ?? packageRoot, env: { ...process.env, NO_COLOR: '1', ...options.env }, stdio: 'pipe' };
    if (options.uid !== undefined) spawnOptions.uid = options.uid;
    if (options.gid !== undefined) spawnOptions.gid = options.gid;
    this.child = spawn(argv[0]!, argv.slice(1), spawnOptions) as ChildProcessWithoutNullStreams;
    this.child.stdin.on('error', () => undefined); // a command that ends without reading all its input
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.#stdout.push(chunk);
      this.#wake();
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.#stderr += chunk;
      this.#wake();
    });
    this.child.once('close', () => {
      this.#closed = true;
      this.#wake();
    });
  }

  #wake(): void {
    for (const resolve of this.#waiting) resolve();
    this.#waiting.clear();
  }

  /** Starts `berkeley args`, killed when the test ends if still running. */
  static start(t: TestContext, args: string[], options: CliOptions = {}): Cli {
    const cli = new Cli(args, options);
    t.after(() => cli.kill());
    return cli;
  }

  /** Runs `berkeley args` with input as its stdin (closed after it) to its end. */
  static async run(args: string[], input: string | Buffer = '', options: CliOptions = {}): Promise<CliResult> {
    const cli = new Cli(args, options);
    cli.child.stdin.end(input);
    try {
      return await cli.exit();
    } finally {
      cli.kill();
    }
  }

  get stdout(): Buffer {
    return Buffer.concat(this.#stdout);
  }

  get stderr(): string {
    return this.#stderr;
  }

  #describe(): string {
    return `berkeley ${this.args.join(' ')} (stdout: ${JSON.stringify(this.stdout.toString().slice(-500))}; stderr: ${JSON.stringify(this.#stderr)})`;
  }

  /** Waits until ready() gives a value, re-checking on every output and on exit. */
  async until<T>(ready: () => T | undefined, what: string, ms = CLI_MS): Promise<T> {
    for (;;) {
      const value = ready();
      if (value !== undefined) return value;
      if (this.#closed) throw new Error(`${what}: the command ended (${this.child.exitCode ?? this.child.signalCode}) first: ${this.#describe()}`);
      await bounded(new Promise<void>((resolve) => this.#waiting.add(resolve)), ms, () => `${what} from ${this.#describe()}`);
    }
  }

  /** The first match of pattern in stderr. */
  stderrMatch(pattern: RegExp): Promise<RegExpMatchArray> {
    return this.until(() => pattern.exec(this.#stderr) ?? undefined, `stderr matching ${pattern}`);
  }

  /** Waits until stdout holds text (or bytes). */
  async stdoutHas(text: string | Buffer): Promise<void> {
    await this.until(() => (this.stdout.includes(text) ? true : undefined), `stdout with ${JSON.stringify(text.toString())}`);
  }

  /** The port of `listening on HOST:PORT` / `serving NAME on HOST:PORT` (printed with -v). */
  async port(): Promise<number> {
    return Number((await this.stderrMatch(/(?:listening|serving \w+) on .*:(\d+) \(/))[1]);
  }

  write(data: string | Buffer): void {
    this.child.stdin.write(data);
  }

  end(data?: string | Buffer): void {
    this.child.stdin.end(data);
  }

  /** Sends a signal (SIGINT: Ctrl-C). */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Waits for the end: the exit status (or signal) and all it printed. */
  async exit(ms = CLI_MS): Promise<CliResult> {
    if (!this.#closed) await bounded(once(this.child, 'close'), ms, () => `${this.#describe()} to end`);
    return { code: this.child.exitCode, signal: this.child.signalCode, stdout: this.stdout, stderr: this.#stderr };
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
