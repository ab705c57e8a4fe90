// Error matchers for assert.throws / assert.rejects: the class, errno,
// symbolic code (and syscall) a failure must carry; for the argument tables,
// an error naming its argument and the rule that an async form rejects.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import * as socket from 'berkeley';
import { bounded } from './wait.js';

/** A SocketError with this symbolic code (and its errno), optionally from this syscall. */
export function isErrno(code: socket.ErrnoName, syscall?: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof socket.SocketError, `expected SocketError ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.errno, socket.errno[code]);
    if (syscall !== undefined) assert.equal(error.syscall, syscall);
    return true;
  };
}

/** A TimeoutError as Python's socket.timeout: ETIMEDOUT, "timed out". */
export function isTimeout(error: unknown): boolean {
  assert.ok(error instanceof socket.TimeoutError, `expected TimeoutError, got ${String(error)}`);
  assert.ok(error instanceof socket.SocketError);
  assert.equal(error.errno, socket.errno.ETIMEDOUT);
  assert.equal(error.code, 'ETIMEDOUT');
  assert.equal(error.strerror, 'timed out');
  return true;
}

/** A BlockingIOError with this code (EAGAIN unless told). */
export function isWouldBlock(code: socket.ErrnoName = 'EAGAIN'): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof socket.BlockingIOError, `expected BlockingIOError, got ${String(error)}`);
    return isErrno(code)(error);
  };
}

/** Asserts fn throws EBADF (from syscall, when given). */
export function assertEBADF(fn: () => unknown, syscall?: string): void {
  assert.throws(fn, isErrno('EBADF', syscall));
}

/** Asserts the promise rejects with EBADF (bounded). */
export async function assertRejectsEBADF(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(bounded(promise), isErrno('EBADF'));
}

/** An error class, as the argument tables name it (any constructor's parameters). */
export type ErrorClass = new (...args: never[]) => Error;

/** Node's codes for a bad argument: a TypeError's (a wrong type) and a RangeError's (a number out of range, or another bad value). */
const ARGUMENT_CODES = new Map<ErrorClass, readonly string[]>([
  [TypeError, ['ERR_INVALID_ARG_TYPE']],
  [RangeError, ['ERR_OUT_OF_RANGE', 'ERR_INVALID_ARG_VALUE']],
]);

/**
 * An error of this class whose message names the argument (`"arg"`), when
 * one is given, with Node's code for it: `code` when given, else the codes
 * of its class (ARGUMENT_CODES).
 */
export function isErrorNaming(error: ErrorClass, arg?: string, code?: string): (e: unknown) => boolean {
  return (e: unknown): boolean => {
    assert.ok(e instanceof error, `expected ${error.name}, got ${inspect(e)}`);
    if (arg !== undefined) assert.ok((e as Error).message.includes(`"${arg}"`), `message should name "${arg}": ${(e as Error).message}`);
    const actual = (e as { code?: unknown }).code;
    const expected = code === undefined ? (ARGUMENT_CODES.get(error) ?? []) : [code];
    assert.ok(expected.includes(actual as string), `code should be ${expected.join(' or ')}: ${inspect(e)}`);
    return true;
  };
}

/** Calls fn; an async form must reject (not throw), others must throw. */
export async function expectFailure(isAsync: boolean, fn: () => unknown, check: (e: unknown) => boolean): Promise<void> {
  if (!isAsync) {
    assert.throws(fn, check);
    return;
  }
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    assert.fail(`the async form threw synchronously instead of rejecting: ${inspect(error)}`);
  }
  assert.ok(result instanceof Promise, 'the async form returns a Promise');
  await assert.rejects(result, check);
}

/** Arguments as a test name shows them: short, on one line. */
export function showArguments(args: unknown[]): string {
  const text = args.map((a) => inspect(a, { depth: 1, breakLength: Infinity, maxArrayLength: 4, maxStringLength: 12 })).join(', ');
  return text.length > 70 ? `${text.slice(0, 67)}...` : text;
}
