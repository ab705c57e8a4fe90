// Messages on stderr: stdout carries the data and nothing else. A note is
// printed with -v only (what `nc -v` tells); a warning always. Colour only
// where stderr is a terminal and NO_COLOR is unset (https://no-color.org).
import type { WriteStream } from 'node:tty';

/** The colours the command uses (SGR codes). */
const COLOURS = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

/** A colour's name. */
export type Colour = keyof typeof COLOURS;

/** Whether stream is a terminal that gets colours. */
function colourful(stream: NodeJS.WritableStream): boolean {
  return (stream as Partial<WriteStream>).isTTY === true && !process.env.NO_COLOR;
}

/** text in colour, when stderr gets colours. */
export function paint(colour: Colour, text: string, stream: NodeJS.WritableStream = process.stderr): string {
  return colourful(stream) ? `\x1b[${COLOURS[colour]}m${text}\x1b[0m` : text;
}

/** Where a command's messages go. */
export interface Log {
  /** Whether -v was given. */
  readonly verbose: boolean;
  /** A line printed with -v only. */
  note(line: string): void;
  /** A line always printed. */
  warn(line: string): void;
}

/** The log of a command run with (or without) -v. */
export function stderrLog(verbose: boolean): Log {
  return {
    verbose,
    note(line) {
      if (verbose) process.stderr.write(`${paint('dim', line)}\n`);
    },
    warn(line) {
      process.stderr.write(`${line}\n`);
    },
  };
}
