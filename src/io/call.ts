// The one helper that runs every system call that can wait (CPython's
// sock_call), as a Call that both drivers run:
//  1. try the non-blocking system call at once;
//  2. on EAGAIN/EINPROGRESS: non-blocking mode -> BlockingIOError; otherwise
//     wait for readiness (async: the socket's watcher; Sync: poll(2)) and
//     retry, keeping one Deadline for the whole call;
//  3. map a negative errno to its SocketError.
// An operation is `op(fd, ...args)` returning its result or -errno; one
// that makes progress in steps (sendall, connect) keeps its state in an
// argument and returns -EAGAIN until done (ops.ts).
import { EAGAIN, EINPROGRESS, EINTR, OUT_OF_RESOURCES } from '../core/errno.js';
import { closedError, errorFromErrno, timeoutError, type SocketError } from '../core/errors.js';
import type { Blocking } from './blocking.js';
import { Deadline, MAX_WAIT_MS } from './deadline.js';
import type { Handle } from './handle.js';
import type { Direction, Waiter } from './readiness.js';
import { pollOne } from './syncwait.js';

/** A system call on an fd: its result, or -errno. */
export type Op<A extends unknown[], R> = (fd: number, ...args: A) => R | number;

const wouldBlock = (rc: number): boolean => rc === -EAGAIN || rc === -EINPROGRESS;

// Out of fds or memory (accept's EMFILE): the failure is reported once the
// event loop has turned, so a loop that retries at once cannot starve the
// timers and I/O of the handlers that would free what is missing.
const outOfResources = (rc: number): boolean => OUT_OF_RESOURCES.has(-rc);
function rejectLater<R>(error: SocketError): Promise<R> {
  return new Promise<R>((_, reject) => setImmediate(reject, error));
}

/** One call of `op` on a socket, prepared once: `sync()` and `async()` run it. */
export class Call<A extends unknown[], R> implements Blocking<R> {
  constructor(
    readonly handle: Handle,
    /** Seconds: null waits forever, 0 never waits. */
    readonly timeout: number | null,
    readonly direction: Direction,
    readonly syscall: string,
    readonly op: Op<A, R>,
    readonly args: A,
  ) {}

  /** The blocking form: waits on the calling thread with poll(2). */
  sync(): R {
    const { handle, timeout, direction, syscall, op, args } = this;
    let deadline: Deadline | undefined;
    for (;;) {
      const fd = handle.fd;
      if (fd < 0) throw closedError(syscall);
      const result = op(fd, ...args);
      if (typeof result !== 'number' || result >= 0) return result as R;
      if (result === -EINTR) continue;
      if (!wouldBlock(result) || timeout === 0) throw errorFromErrno(result, syscall);
      deadline ??= new Deadline(timeout);
      if (deadline.expired) throw timeoutError(syscall);
      const ready = pollOne(fd, direction, deadline.pollMs());
      if (ready < 0) throw errorFromErrno(ready, 'poll');
      if (ready === 0) throw timeoutError(syscall);
    }
  }

  /** The Promise form: never blocks the event loop; calls are served in order. */
  async(): Promise<R> {
    const { handle, timeout, direction, syscall, op, args } = this;
    const fd = handle.fd;
    if (fd < 0) return Promise.reject(closedError(syscall));
    // The fast path, unless earlier calls wait in this direction: a call never
    // overtakes them.
    if (timeout === 0 || handle.watching?.busy(direction) !== true) {
      let result = op(fd, ...args);
      while (result === -EINTR) result = op(fd, ...args);
      if (typeof result !== 'number' || result >= 0) return Promise.resolve(result as R);
      if (outOfResources(result)) return rejectLater(errorFromErrno(result, syscall));
      if (!wouldBlock(result) || timeout === 0) return Promise.reject(errorFromErrno(result, syscall));
    }
    return new Promise<R>((resolve, reject) => {
      handle.readiness.wait(new Waiting(this, resolve, reject));
    });
  }
}

/** A call waiting on the socket's watcher, with its deadline timer. */
class Waiting<A extends unknown[], R> implements Waiter {
  readonly #call: Call<A, R>;
  readonly #resolve: (value: R) => void;
  readonly #reject: (error: unknown) => void;
  readonly #timer: NodeJS.Timeout | undefined;
  // Holds the Socket while the call waits, so it cannot be collected (and
  // closed) under a pending call: written, never read, on purpose.
  // eslint-disable-next-line no-unused-private-class-members -- a strong reference is its whole use
  readonly #owner: object | undefined;

  constructor(call: Call<A, R>, resolve: (value: R) => void, reject: (error: unknown) => void) {
    this.#call = call;
    this.#resolve = resolve;
    this.#reject = reject;
    const { handle, timeout, syscall } = call;
    this.#owner = handle.owner?.deref();
    if (timeout !== null && timeout * 1000 <= MAX_WAIT_MS) {
      const readiness = handle.readiness;
      this.#timer = setTimeout(() => {
        readiness.cancel(this);
        this.fail(timeoutError(syscall));
      }, timeout * 1000);
      if (!handle.referenced) this.#timer.unref();
    }
  }

  get direction(): Direction {
    return this.#call.direction;
  }

  get syscall(): string {
    return this.#call.syscall;
  }

  /** The watcher saw readiness: runs the call once more; true once it is settled. */
  attempt(fd: number): boolean {
    const { op, args, syscall } = this.#call;
    let result: R | number;
    try {
      do result = op(fd, ...args);
      while (result === -EINTR);
    } catch (error) {
      // Not an OS failure (say, memory for a large Buffer): it still belongs to this call alone.
      clearTimeout(this.#timer);
      this.#reject(error);
      return true;
    }
    if (typeof result === 'number' && result < 0) {
      if (wouldBlock(result)) return false;
      this.fail(errorFromErrno(result, syscall));
      return true;
    }
    clearTimeout(this.#timer);
    this.#resolve(result as R);
    return true;
  }

  fail(error: SocketError): void {
    clearTimeout(this.#timer);
    this.#reject(error);
  }
}

/** Prepares a call of `op(fd, ...args)` on the handle's fd. */
export function call<A extends unknown[], R>(handle: Handle, timeout: number | null, direction: Direction, syscall: string, op: Op<A, R>, ...args: A): Call<A, R> {
  return new Call(handle, timeout, direction, syscall, op, args);
}
