// The command line: each command declares its flags, synopsis and examples
// once (a Command); parse() reads argv with Node's util.parseArgs and turns
// every mistake into a UsageError (exit status 2), help() writes the
// `--help` text from the same declaration, and the value readers check
// ports, seconds and counts.
import { parseArgs } from 'node:util';
import * as socket from '../index.js';
import type { Log } from './log.js';
import { UsageError } from './failure.js';

/** One flag of a command: `--long` (the key), its `-x` short form, and its value's name if it takes one. */
export interface Flag {
  /** The value's name in the help (`PATH`); a flag without one is a switch. */
  value?: string;
  /** The one-letter form (`-u`). */
  short?: string;
  /** One line for the help. */
  help: string;
}

/** A command's flags by long name. */
export type Flags = Record<string, Flag>;

/** The values parse() found: a string for a flag with a value, true for a switch given. */
export type Values<F extends Flags> = { [K in keyof F]?: F[K] extends { value: string } ? string : boolean };

/** What a command runs with. */
export interface Invocation<F extends Flags> {
  values: Values<F>;
  positionals: string[];
  /** Aborted by Ctrl-C (SIGINT) or SIGTERM: every wait takes it. */
  signal: AbortSignal;
  /** Messages on stderr (the `-v` ones only with -v). */
  log: Log;
}

/** A command of `berkeley`: its declaration (for parsing and help) and what it runs. */
export interface Command<F extends Flags = Flags> {
  name: string;
  /** What follows `berkeley NAME` in each usage line. */
  usage: string[];
  /** One line for `berkeley --help`. */
  summary: string;
  /** Paragraphs after the usage lines. */
  description: string;
  flags: F;
  /** The number of positional arguments accepted. */
  positionals: [min: number, max: number];
  /** The names of the positional arguments, in order, for `missing NAME`. */
  operands: string[];
  /** Command lines, each with its comment after `#`. */
  examples: string[];
  /** Runs the command: resolves with the exit status (0 unless told). */
  run(call: Invocation<F>): Promise<number | undefined>;
}

/** Declares a command (the identity, for the flags' types). */
export function command<F extends Flags>(declaration: Command<F>): Command<F> {
  return declaration;
}

/** -v, which most commands take. */
export const VERBOSE = { verbose: { short: 'v', help: 'say what happens, on stderr (as nc -v)' } } as const satisfies Flags;

const HELP: Flag = { short: 'h', help: 'show this help' };

/** Reads argv for cmd; null when --help was asked (the help is the answer). */
export function parse<F extends Flags>(cmd: Command<F>, argv: string[]): { values: Values<F>; positionals: string[] } | null {
  const options = Object.fromEntries(
    Object.entries({ ...cmd.flags, help: HELP }).map(([name, flag]) => [name, { type: flag.value === undefined ? 'boolean' : 'string', ...(flag.short === undefined ? {} : { short: flag.short }) }]),
  ) as Record<string, { type: 'boolean' | 'string'; short?: string }>;
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's own words ("Unknown option '-x'", "Option '-w <value>' argument missing"), first sentence only.
    throw new UsageError((error as Error).message.split(/\. |\.$/, 1)[0]!);
  }
  if (parsed.values.help === true) return null;
  const [min, max] = cmd.positionals;
  const count = parsed.positionals.length;
  if (count < min) throw new UsageError(`missing ${cmd.operands[count] ?? 'an argument'}`);
  if (count > max) throw new UsageError(`too many arguments (from '${parsed.positionals[max]!}')`);
  return parsed as unknown as { values: Values<F>; positionals: string[] };
}

/** The `--help` text of cmd. */
export function help(cmd: Command): string {
  const flags = Object.entries({ ...cmd.flags, help: HELP }).map(([name, flag]) => {
    const short = flag.short === undefined ? '    ' : `-${flag.short}, `;
    return [`  ${short}--${name}${flag.value === undefined ? '' : ` ${flag.value}`}`, flag.help] as const;
  });
  const width = Math.max(...flags.map(([left]) => left.length)) + 2;
  const examples = cmd.examples.map((line) => `  ${line}`);
  return [
    ...cmd.usage.map((line, k) => `${k === 0 ? 'usage:' : '      '} berkeley ${cmd.name} ${line}`.trimEnd()),
    '',
    cmd.description,
    '',
    'options:',
    ...flags.map(([left, text]) => left.padEnd(width) + text),
    '',
    'examples:',
    ...examples,
    '',
  ].join('\n');
}

/** A port number, 0 to 65535 (0: the OS picks one, where that means something). */
export function parsePort(text: string, what = 'PORT'): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port <= 65535)) throw new UsageError(`${what} must be a port number (0 to 65535), not '${text}'`);
  return port;
}

/** `PORT` or `LOW-HIGH`: every port of the range, in order. */
export function parsePortRange(text: string): number[] {
  const [low, high = low] = text.split('-', 2) as [string, string?];
  const first = parsePort(low);
  const last = parsePort(high);
  if (first > last) throw new UsageError(`the port range '${text}' is empty (${first} > ${last})`);
  return Array.from({ length: last - first + 1 }, (_, k) => first + k);
}

/** Seconds (a decimal number, 0 or more) given to flag. */
export function parseSeconds(text: string, flag: string): number {
  const seconds = /^\d+(\.\d*)?$|^\.\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(seconds)) throw new UsageError(`${flag} takes seconds (a number, 0 or more), not '${text}'`);
  return seconds;
}

/** A count (an integer, 1 or more) given to flag. */
export function parseCount(text: string, flag: string): number {
  const count = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(count >= 1 && Number.isSafeInteger(count))) throw new UsageError(`${flag} takes a count (1 or more), not '${text}'`);
  return count;
}

/** The family -4 or -6 asks for (AF_UNSPEC when neither). */
export function familyOf(values: { ipv4?: boolean | undefined; ipv6?: boolean | undefined }): number {
  if (values.ipv4 && values.ipv6) throw new UsageError('-4 and -6 exclude each other');
  return values.ipv4 ? socket.AF_INET : values.ipv6 ? socket.AF_INET6 : socket.AF_UNSPEC;
}
