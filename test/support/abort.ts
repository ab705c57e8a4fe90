// Helpers of the cancellation suites (contracts/cancellation*): the
// AbortError an aborted call rejects with, the bytesSent of an aborted send,
// and what a socket has queued, read without waiting.
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import { bounded } from './wait.js';

/** Asserts an AbortError carrying reason as its cause (and bytesSent, when given). */
export function isAbort(reason: unknown, bytesSent?: number) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof socket.AbortError, `expected an AbortError, got ${String(error)}`);
    assert.equal(error.name, 'AbortError');
    assert.equal(error.code, 'ABORT_ERR');
    assert.equal(error.cause, reason);
    if (bytesSent !== undefined) assert.equal(error.bytesSent, bytesSent);
    return true;
  };
}

/** The bytesSent of the AbortError a send rejects with. */
export async function bytesSentOnAbort(sending: Promise<unknown>): Promise<number> {
  try {
    await bounded(sending);
  } catch (error) {
    assert.ok(error instanceof socket.AbortError, `expected an AbortError, got ${String(error)}`);
    assert.equal(typeof error.bytesSent, 'number');
    return error.bytesSent!;
  }
  assert.fail('the aborted send resolved');
}

/** Runs fn with sock non-blocking, then gives it its timeout back. */
export function nonBlocking<T>(sock: socket.Socket, fn: () => T): T {
  const timeout = sock.gettimeout();
  sock.setblocking(false);
  try {
    return fn();
  } finally {
    sock.settimeout(timeout);
  }
}

/** Reads what is queued on sock, without waiting: the count. */
export function drain(sock: socket.Socket): number {
  const buffer = Buffer.alloc(1 << 16);
  let total = 0;
  return nonBlocking(sock, () => {
    for (;;) {
      try {
        const n = sock.recvIntoSync(buffer);
        if (n === 0) return total;
        total += n;
      } catch (error) {
        if (error instanceof socket.BlockingIOError) return total;
        throw error;
      }
    }
  });
}
