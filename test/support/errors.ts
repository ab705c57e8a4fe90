// Error matchers for assert.throws / assert.rejects: the class, errno,
// symbolic code (and syscall) a failure must carry.
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import { bounded } from './wait.js';

/** A SocketError with this symbolic code (and its errno), optionally from this syscall. */
export function isErrno(code: string, syscall?: string): (error: unknown) => boolean {
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
export function isWouldBlock(code = 'EAGAIN'): (error: unknown) => boolean {
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
