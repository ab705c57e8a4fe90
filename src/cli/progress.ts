// A transfer's progress on stderr: on a terminal, one line redrawn in
// place (a bar, the percentage, the rate and the time left); elsewhere a
// plain line at each tenth of the way, so that logs stay readable.
import { paint } from './log.js';

/** Redraws on a terminal at most this often (ms). */
const REDRAW_MS = 100;

/** Bytes in binary units: `512 B`, `1.5 MiB`. */
function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(bytes)} B` : `${value.toFixed(1)} ${units[unit]!}`;
}

/** Seconds as `m:ss` (or `h:mm:ss`). */
function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  const mmss = `${m}:${String(s % 60).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss.padStart(5, '0')}` : mmss;
}

/** The progress of one transfer of total bytes. */
export class Progress {
  readonly #start = performance.now();
  readonly #tty: boolean;
  #drawn = -Infinity;
  #tenths = 0;

  constructor(
    readonly verb: string,
    readonly name: string,
    readonly total: number,
    readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.#tty = stream.isTTY;
  }

  /** Bytes per second so far. */
  #rate(done: number): number {
    const seconds = (performance.now() - this.#start) / 1000;
    return seconds > 0 ? done / seconds : 0;
  }

  /** done bytes of total are through. */
  update(done: number): void {
    if (this.#tty) {
      const now = performance.now();
      if (now - this.#drawn < REDRAW_MS && done < this.total) return;
      this.#drawn = now;
      this.stream.write(`\r${this.#bar(done)}\x1b[K`);
      return;
    }
    const tenths = this.total === 0 ? 10 : Math.floor((10 * done) / this.total);
    if (tenths <= this.#tenths) return;
    this.#tenths = tenths;
    if (tenths < 10) this.stream.write(`${this.verb} ${tenths * 10}% of ${this.name} (${formatBytes(done)} of ${formatBytes(this.total)}, ${formatBytes(this.#rate(done))}/s)\n`);
  }

  /** The terminal's line: `name [#####.....]  50%  1.2 GiB/s  ETA 0:03`. */
  #bar(done: number): string {
    const fraction = this.total === 0 ? 1 : done / this.total;
    const rate = this.#rate(done);
    const eta = rate > 0 ? formatDuration((this.total - done) / rate) : '-:--';
    const tail = ` ${String(Math.floor(fraction * 100)).padStart(3)}%  ${formatBytes(rate).padStart(10)}/s  ETA ${eta}`;
    const width = Math.max(10, Math.min(40, (this.stream.columns || 80) - this.name.length - tail.length - 4));
    const filled = Math.round(fraction * width);
    const bar = paint('green', '#'.repeat(filled), this.stream) + '.'.repeat(width - filled);
    return `${this.name} [${bar}]${tail}`;
  }

  /** The last line: how much, how long, how fast, and what the check found. */
  end(done: number, outcome: string): void {
    const seconds = (performance.now() - this.#start) / 1000;
    const line = `${this.verb} ${this.name}: ${formatBytes(done)} in ${seconds.toFixed(1)} s (${formatBytes(this.#rate(done))}/s), ${outcome}`;
    this.stream.write(this.#tty ? `\r${line}\x1b[K\n` : `${line}\n`);
  }
}
