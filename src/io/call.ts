// The one helper that runs every call that can wait (CPython's sock_call):
//  1. try the non-blocking system call at once;
//  2. on EAGAIN/EINPROGRESS: non-blocking mode -> BlockingIOError; otherwise
//     wait for readiness (async: the socket's watcher; Sync: poll(2)) and
//     retry, keeping one deadline for the whole call;
//  3. map a negative errno to its SocketError.
// An operation is `op(fd, a, b, c, d)` returning its result or -errno; an
// operation that makes partial progress (sendall) returns -EAGAIN until done.
import { EAGAIN, EINPROGRESS, EINTR, OUT_OF_RESOURCES } from '../core/errno.js';
import { closedError, errorFromErrno, timeoutError, type SocketError } from '../core/errors.js';
import type { Handle } from './handle.js';
import type { Direction, Readiness, Waiter } from './readiness.js';
import { pollOne } from './syncwait.js';

// Loose on purpose: each operation has its own argument types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Op<R> = (fd: number, a: any, b: any, c: any, d: any) => R | number;

// The longest wait setTimeout takes; a longer timeout waits without a timer
// (24.8 days is as good as forever).
const MAX_WAIT_MS = 0x7fffffff;

const wouldBlock = (rc: number): boolean => rc === -EAGAIN || rc === -EINPROGRESS;

// Out of fds or memory (accept's EMFILE): the failure is reported once the
// event loop has turned, so a loop that retries at once cannot starve the
// timers and I/O of the handlers that would free what is missing.
const outOfResources = (rc: number): boolean => OUT_OF_RESOURCES.has(-rc);
function rejectLater<R>(error: SocketError): Promise<R> {
  return new Promise<R>((_, reject) => setImmediate(reject, error));
}

/** The blocking form: waits on the calling thread with poll(2). */
export function callSync<R>(handle: Handle, timeout: number | null, direction: Direction, syscall: string, op: Op<R>, a?: unknown, b?: unknown, c?: unknown, d?: unknown): R {
  let deadline = -1;
  for (;;) {
    const fd = handle.fd;
    if (fd < 0) throw closedError(syscall);
    const result = op(fd, a, b, c, d);
    if (typeof result !== 'number' || result >= 0) return result as R;
    if (result === -EINTR) continue;
    if (!wouldBlock(result) || timeout === 0) throw errorFromErrno(result, syscall);
    let ms = -1;
    if (timeout !== null) {
      const now = performance.now();
      if (deadline < 0) deadline = now + timeout * 1000;
      if (now >= deadline) throw timeoutError(syscall);
      ms = deadline - now;
    }
    const ready = pollOne(fd, direction, ms);
    if (ready < 0) throw errorFromErrno(ready, 'poll');
    if (ready === 0) throw timeoutError(syscall);
  }
}

/** The Promise form: never blocks the event loop; calls are served in order. */
export function callAsync<R>(handle: Handle, timeout: number | null, direction: Direction, syscall: string, op: Op<R>, a?: unknown, b?: unknown, c?: unknown, d?: unknown): Promise<R> {
  const fd = handle.fd;
  if (fd < 0) return Promise.reject(closedError(syscall));
  // The fast path, unless earlier calls wait in this direction: a call never
  // overtakes them.
  if (timeout === 0 || handle.watching?.busy(direction) !== true) {
    let result = op(fd, a, b, c, d);
    while (result === -EINTR) result = op(fd, a, b, c, d);
    if (typeof result !== 'number' || result >= 0) return Promise.resolve(result as R);
    if (outOfResources(result)) return rejectLater(errorFromErrno(result, syscall));
    if (!wouldBlock(result) || timeout === 0) return Promise.reject(errorFromErrno(result, syscall));
  }
  return new Promise<R>((resolve, reject) => {
    handle.readiness.wait(new AsyncCall(handle, timeout, direction, syscall, op, a, b, c, d, resolve, reject));
  });
}

/** A call waiting on the socket's watcher, with its deadline timer. */
class AsyncCall<R> implements Waiter {
  readonly #timer: NodeJS.Timeout | undefined;
  // Holds the Socket while the call waits, so it cannot be collected (and
  // closed) under a pending call.
  readonly #owner: object | undefined;

  constructor(
    handle: Handle,
    timeout: number | null,
    readonly direction: Direction,
    readonly syscall: string,
    readonly op: Op<R>,
    readonly a: unknown,
    readonly b: unknown,
    readonly c: unknown,
    readonly d: unknown,
    readonly resolve: (value: R) => void,
    readonly reject: (error: unknown) => void,
  ) {
    this.#owner = handle.owner?.deref();
    if (timeout !== null && timeout * 1000 <= MAX_WAIT_MS) {
      const readiness: Readiness = handle.readiness;
      this.#timer = setTimeout(() => {
        readiness.cancel(this);
        reject(timeoutError(syscall));
      }, timeout * 1000);
      if (!handle.referenced) this.#timer.unref();
    }
  }

  attempt(fd: number): boolean {
    let result: R | number;
    try {
      do result = this.op(fd, this.a, this.b, this.c, this.d);
      while (result === -EINTR);
    } catch (error) {
      // Not an OS failure (say, memory for a large Buffer): it still belongs to this call alone.
      clearTimeout(this.#timer);
      this.reject(error);
      return true;
    }
    if (typeof result === 'number' && result < 0) {
      if (wouldBlock(result)) return false;
      this.fail(errorFromErrno(result, this.syscall));
      return true;
    }
    clearTimeout(this.#timer);
    this.resolve(result as R);
    return true;
  }

  fail(error: SocketError): void {
    clearTimeout(this.#timer);
    this.reject(error);
  }
}
