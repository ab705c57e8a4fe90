// The `berkeley` command: netcat's jobs, the classic services, ping,
// look-ups and file transfer, on berkeley's own sockets.
//
//   berkeley COMMAND [options] [arguments]     berkeley COMMAND --help
//
// Exit status: 0 done, 1 a network failure (the message names the address
// and the error code), 2 a usage error, 128 + the signal's number when
// ended by Ctrl-C (SIGINT: 130) or SIGTERM (143), after closing its
// sockets. stdout carries the data only; messages go to stderr.
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { help, parse, type Command } from './args.js';
import { connect } from './connect.js';
import { describeFailure, Exit, UsageError } from './failure.js';
import { interfaces } from './interfaces.js';
import { listen } from './listen.js';
import { stderrLog, paint } from './log.js';
import { ping } from './ping.js';
import { resolve } from './resolve.js';
import { serve } from './serve.js';
import { recv } from './recv.js';
import { send } from './send.js';

/** Every command, in the order `berkeley --help` lists them. */
const COMMANDS: Command[] = [connect, listen, serve, send, recv, ping, resolve, interfaces] as Command[];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'usage: berkeley COMMAND [options] [arguments]',
    '',
    "Sockets from the command line, on berkeley (Python's socket module for Node.js).",
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "'berkeley COMMAND --help' tells more, with examples. Exit status: 0 done, 1 a",
    'network failure, 2 a usage error, 128 + the signal when interrupted (Ctrl-C: 130).',
    '',
  ].join('\n');
}

function version(): string {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `berkeley ${version}\n`;
}

/** Runs the command line argv; resolves with the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv as [string | undefined, ...string[]];
  if (name === '--help' || name === '-h' || name === 'help') return print(overview());
  if (name === '--version') return print(version());
  const cmd = COMMANDS.find((c) => c.name === name);
  if (cmd === undefined) {
    process.stderr.write(`${name === undefined ? '' : `berkeley: unknown command '${name}'\n`}${overview()}`);
    return Exit.USAGE;
  }
  // Ctrl-C (or SIGTERM) aborts every wait; the command closes what it opened. A second one ends at once.
  const controller = new AbortController();
  let interrupted: number = Exit.INTERRUPTED;
  const interrupt = (signal: NodeJS.Signals): void => {
    const status = 128 + constants.signals[signal];
    if (controller.signal.aborted) process.exit(status);
    controller.abort(new DOMException(`interrupted by ${signal}`, 'AbortError'));
    interrupted = status;
  };
  process.on('SIGINT', interrupt).on('SIGTERM', interrupt);
  try {
    const parsed = parse(cmd, rest);
    if (parsed === null) return print(help(cmd));
    const log = stderrLog(parsed.values.verbose === true);
    return (await cmd.run({ ...parsed, signal: controller.signal, log })) ?? Exit.OK;
  } catch (error) {
    const { status, line } = describeFailure(error);
    if (line !== '') process.stderr.write(`${paint('red', `berkeley ${cmd.name}:`)} ${line}\n`);
    if (error instanceof UsageError) process.stderr.write(`Try 'berkeley ${cmd.name} --help'.\n`);
    return status === Exit.INTERRUPTED ? interrupted : status;
  } finally {
    process.off('SIGINT', interrupt).off('SIGTERM', interrupt);
  }
}

function print(text: string): number {
  process.stdout.write(text);
  return Exit.OK;
}
