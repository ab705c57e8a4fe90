// How a command ends: its exit status, and the one line a failure prints.
// 0 success, 1 a network failure (the line names the address and the error
// code: `connect 127.0.0.1:1: ECONNREFUSED (Connection refused)`), 2 a
// usage error, 130 (128 + SIGINT, as shells count it) after Ctrl-C (main
// makes it 143 after SIGTERM).
import * as socket from '../index.js';
import { hostPort, unixName } from './address.js';

/** The exit statuses of the berkeley command. */
export const Exit = { OK: 0, FAILURE: 1, USAGE: 2, INTERRUPTED: 130 } as const;

/** A mistake on the command line: exit status 2, with a hint to `--help`. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure of the network (or of a file the command was given), and where: exit status 1. */
export class NetworkError extends Error {
  override name = 'NetworkError';

  /** `where` is the operation and its address (`connect 127.0.0.1:1`); error is what failed; hint, what to do (a line of its own). */
  constructor(
    readonly where: string,
    readonly error: unknown,
    hint?: string,
  ) {
    super(`${where}: ${reason(error)}${hint === undefined ? '' : `\n${hint}`}`, { cause: error });
  }
}

/** A failure that is no OS error (a peer breaking the protocol): why, at where. */
export function failed(where: string, why: string): NetworkError {
  return new NetworkError(where, new Error(why));
}

/** An error's code and message: `ECONNREFUSED (Connection refused)`. */
function reason(error: unknown): string {
  if (error instanceof socket.SocketError) return `${error.code} (${error.strerror})`;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '') : String(error);
  return typeof code === 'string' ? `${code} (${text})` : text;
}

/** Runs work; an OS error it fails with (a SocketError, or Node's for a file) becomes a NetworkError naming where. */
export async function at<T>(where: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw located(where, error);
  }
}

/** The error, with where if it is an OS error that does not say where itself. */
export function located(where: string, error: unknown): unknown {
  if (error instanceof NetworkError || !isSystemError(error)) return error;
  return new NetworkError(where, error);
}

/** Whether error comes from a system call (berkeley's SocketError, Node's fs errors). */
function isSystemError(error: unknown): boolean {
  if (error instanceof socket.SocketError) return true;
  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  return error instanceof Error && typeof code === 'string' && typeof syscall === 'string';
}

/** Whether error is the end Ctrl-C (or SIGTERM) asked for. */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** The exit status and the line to print for what a command threw. */
export function describeFailure(error: unknown): { status: number; line: string } {
  if (error instanceof UsageError) return { status: Exit.USAGE, line: error.message };
  if (isAbort(error)) return { status: Exit.INTERRUPTED, line: '' };
  if (error instanceof NetworkError) return { status: Exit.FAILURE, line: error.message };
  if (error instanceof socket.SocketError && error.address !== undefined) {
    // berkeley's errors of connect, bind and sendto carry their address.
    const where = typeof error.address !== 'string' ? unixName(error.address) : error.port === undefined ? error.address : hostPort(error.address, error.port);
    return { status: Exit.FAILURE, line: `${error.syscall} ${where}: ${reason(error)}` };
  }
  if (isSystemError(error)) {
    const { syscall, path } = error as { syscall: string; path?: string };
    return { status: Exit.FAILURE, line: `${syscall}${path === undefined ? '' : ` ${path}`}: ${reason(error)}` };
  }
  // Not expected: a bug. Said plainly, with the stack, and never a crash.
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { status: Exit.FAILURE, line: `internal error: ${text}` };
}
