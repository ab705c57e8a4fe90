// A real terminal for the interactive tests: tmux on a server of its own
// (-L, so nothing else of the machine's is touched), panes running a shell
// that the test types into (send-keys) and reads back (capture-pane, or the
// raw bytes a pane printed, through pipe-pane). Reading the screen waits
// by bounded polling: a screen announces nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { bounded } from './wait.js';

/** How often a screen is read while waiting for text on it. */
const POLL_MS = 50;

/**
 * true when tmux is here, installing Debian's tmux package first when it is
 * missing and this process may (root, with apt-get); else why not (the
 * interactive tests skip with it).
 */
export function tmuxReady(): true | string {
  if (spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0) return true;
  if (process.getuid!() !== 0 || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) return 'no tmux, and no apt-get as root to install it (apt-get install tmux)';
  const install = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux'], { stdio: 'ignore', timeout: 300_000 });
  return install.status === 0 ? true : 'no tmux: apt-get install tmux failed';
}

/** A tmux server of the test's own, with one session in dir. */
export class Terminal {
  readonly #socket = `berkeley-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
  constructor(readonly dir: string) {
    this.#tmux('new-session', '-d', '-x', '160', '-y', '40', '-c', dir, ...Terminal.#shell);
  }

  /** A plain shell with a short prompt and no start-up files. */
  static readonly #shell = ['env', 'PS1=$ ', 'NO_COLOR=', 'sh'];

  #tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.#socket, ...args], { encoding: 'utf8', timeout: 10_000 });
  }

  /** A new window's pane, running a shell; its id. */
  open(): string {
    return this.#tmux('new-window', '-d', '-P', '-F', '#{pane_id}', '-c', this.dir, ...Terminal.#shell).trim();
  }

  /** Types text into pane, then Enter. */
  type(pane: string, text: string): void {
    this.#tmux('send-keys', '-t', pane, '-l', text);
    this.#tmux('send-keys', '-t', pane, 'Enter');
  }

  /** Presses keys (tmux names: `C-c`, `C-d`) in pane. */
  press(pane: string, ...keys: string[]): void {
    this.#tmux('send-keys', '-t', pane, ...keys);
  }

  /** What pane shows (wrapped lines joined). */
  screen(pane: string): string {
    return this.#tmux('capture-pane', '-p', '-J', '-t', pane);
  }

  /** Copies every byte pane prints from now on to file (escape sequences and carriage returns kept). */
  record(pane: string, file: string): void {
    writeFileSync(file, '');
    this.#tmux('pipe-pane', '-t', pane, '-o', `cat >> '${file}'`);
  }

  /** Waits (bounded) until pane's screen matches pattern; the match. */
  async waitFor(pane: string, pattern: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
    let last = '';
    const poll = async (): Promise<RegExpMatchArray> => {
      for (;;) {
        last = this.screen(pane);
        const found = pattern.exec(last);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    };
    return bounded(poll(), ms, () => `${pattern} on the screen of ${pane}:\n${last}`);
  }

  /** Waits (bounded) until file holds pattern. */
  async waitForFile(file: string, pattern: RegExp, ms = 20_000): Promise<string> {
    let text = '';
    const poll = async (): Promise<string> => {
      while (!pattern.test((text = readFileSync(file, 'latin1')))) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      return text;
    };
    return bounded(poll(), ms, () => `${pattern} in ${file}: ${JSON.stringify(text.slice(-300))}`);
  }

  /** Ends the server, its panes and what runs in them. */
  close(): void {
    spawnSync('tmux', ['-L', this.#socket, 'kill-server'], { stdio: 'ignore', timeout: 10_000 });
  }
}
