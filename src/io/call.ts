// The one helper that runs every system call that can wait (CPython's
// sock_call), in its two forms, callSync and callAsync:
//  1. try the non-blocking system call at once;
//  2. on EAGAIN/EINPROGRESS: non-blocking mode -> BlockingIOError; otherwise
//     wait for readiness (async: the target's queue, woken by its watcher;
//     Sync: the target's own wait, poll(2)) and retry, keeping one Deadline
//     for the whole call;
//  3. map a negative errno to its SocketError.
// An operation is `op(fd, ...args)` returning its result or -errno; one
// that makes progress in steps (sendall, connect) keeps its state in an
// argument and returns -EAGAIN until done (ops.ts). A TLS operation may ask
// for the other direction than its call's (TLS_WANT_READ, TLS_WANT_WRITE:
// a read that must first send, a handshake's turns): the call then waits
// that way.
import { EAGAIN, EINPROGRESS, EINTR, OUT_OF_RESOURCES } from '../core/errno.js';
import { AbortError, closedError, errorFromErrno, timeoutError, type SocketError, type Syscall } from '../core/errors.js';
import { TLS_WANT_READ, TLS_WANT_WRITE } from '../core/native.js';
import type { Blocking } from './blocking.js';
import { Deadline, MAX_WAIT_MS } from './deadline.js';
import { withCallerStack } from './stacks.js';
import { READ, WRITE, type Direction, type Waiter } from './waiters.js';

/** An operation's own arguments, after the fd: at most five (see AnyOp). */
export type Arguments = [] | [unknown] | [unknown, unknown] | [unknown, unknown, unknown] | [unknown, unknown, unknown, unknown] | [unknown, unknown, unknown, unknown, unknown];

/** A system call on an fd: its result, or -errno. */
export type Op<A extends Arguments, R> = (fd: number, ...args: A) => R | number;

// The drivers' own view of an op: called with a fixed arity, since V8 makes
// a call that spreads an array several times dearer, and an op ignores
// arguments it does not take. The typed signatures below are the contract.
type AnyOp = (fd: number, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown) => unknown;

/**
 * Where a call runs and waits: a socket's Handle (its TLS engine's calls
 * too); select()'s set of fds. Each says how to wait for readiness in both
 * forms.
 */
export interface Waitable {
  /** The fd the op runs on; -1 once closed (the call fails with EBADF). */
  readonly fd: number;
  /** Whether a waiting call keeps the event loop alive. */
  readonly referenced: boolean;
  /** What a waiting call holds on to, so that it cannot be collected (and closed) under the call. */
  holder(): object | undefined;
  /** Whether calls already wait in this direction: a new one queues behind them. */
  busy(direction: Direction): boolean;
  /** Queues a waiter until the target may be ready in its direction. */
  wait(waiter: Waiter): void;
  /** Takes a waiter out (its time ran out, or it was aborted). */
  cancel(waiter: Waiter): void;
  /** The Sync form's wait: > 0 once ready, 0 once ms have passed (-1: no limit), or -errno. */
  waitSync(direction: Direction, ms: number): number;
  /**
   * Optional: for a Sync call that may wait without limit, puts the fd in
   * blocking mode if it may, and says whether it did: the call then waits
   * in its system call itself (CPython's blocking mode), one syscall.
   */
  blockSync?(): boolean;
  /** Optional, with blockSync: before any other call, puts the fd back in non-blocking mode. */
  unblock?(): void;
}

/** The direction a call waits in after its op returned rc, 0 if rc is final: its own for EAGAIN/EINPROGRESS, the one a TLS operation wants. */
function blockedOn(rc: number, direction: Direction): Direction | 0 {
  if (rc === -EAGAIN || rc === -EINPROGRESS) return direction;
  if (rc === TLS_WANT_READ) return READ;
  if (rc === TLS_WANT_WRITE) return WRITE;
  return 0;
}

const ignore = (): void => {};

// Out of fds or memory (accept's EMFILE): the failure is reported once the
// event loop has turned, so a loop that retries at once cannot starve the
// timers and I/O of the handlers that would free what is missing.
const outOfResources = (rc: number): boolean => OUT_OF_RESOURCES.has(-rc);
function rejectLater<R>(error: SocketError): Promise<R> {
  return new Promise<R>((_, reject) => setImmediate(reject, error));
}

/** The blocking form of a call: waits on the calling thread. */
export function callSync<A extends Arguments, R>(target: Waitable, timeout: number | null, direction: Direction, syscall: Syscall, op: Op<A, R>, ...args: A): R;
export function callSync(target: Waitable, timeout: number | null, direction: Direction, syscall: Syscall, op: AnyOp, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown): unknown {
  let deadline: Deadline | undefined;
  if (timeout !== null) target.unblock?.();
  else if (target.blockSync?.() === true) {
    // Blocking mode: the call waits in the kernel. EAGAIN here (MSG_DONTWAIT,
    // or someone set O_NONBLOCK on a dup) or a TLS want goes on as below, through poll(2).
    const fd = target.fd;
    if (fd < 0) throw closedError(syscall);
    let result = op(fd, a, b, c, d, e);
    while (result === -EINTR) result = op(fd, a, b, c, d, e);
    if (typeof result !== 'number' || result >= 0) return result;
    if (blockedOn(result, direction) === 0) throw errorFromErrno(result, syscall);
  }
  for (;;) {
    const fd = target.fd;
    if (fd < 0) throw closedError(syscall);
    const result = op(fd, a, b, c, d, e);
    if (typeof result !== 'number' || result >= 0) return result;
    if (result === -EINTR) continue;
    const waitIn = blockedOn(result, direction);
    if (waitIn === 0 || timeout === 0) throw errorFromErrno(result, syscall);
    deadline ??= Deadline.after(timeout);
    if (deadline.expired) throw timeoutError(syscall);
    const ready = target.waitSync(waitIn, deadline.pollMs());
    if (ready < 0) throw errorFromErrno(ready, 'poll');
    if (ready === 0) throw timeoutError(syscall);
  }
}

/** The Promise form of a call: never blocks the event loop; calls are served in order. */
export function callAsync<A extends Arguments, R>(target: Waitable, timeout: number | null, direction: Direction, syscall: Syscall, op: Op<A, R>, ...args: A): Promise<R>;
export function callAsync(target: Waitable, timeout: number | null, direction: Direction, syscall: Syscall, op: AnyOp, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown): Promise<unknown> {
  return started(target, timeout, direction, syscall, op, a, b, c, d, e, undefined);
}

/** callAsync whose wait `signal` may end (AbortError), having consumed nothing. */
export function callAbortable<A extends Arguments, R>(signal: AbortSignal, target: Waitable, timeout: number | null, direction: Direction, syscall: Syscall, op: Op<A, R>, ...args: A): Promise<R>;
export function callAbortable(signal: AbortSignal, target: Waitable, timeout: number | null, direction: Direction, syscall: Syscall, op: AnyOp, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown): Promise<unknown> {
  return started(target, timeout, direction, syscall, op, a, b, c, d, e, signal);
}

/** What an op's state says it has sent, for an aborted call's `bytesSent` (sendall, sendfile). */
function sentBy(state: unknown): number | undefined {
  const sent = (state as { sent?: unknown } | null)?.sent;
  return typeof sent === 'number' ? sent : undefined;
}

// The Promise form, with the signal that may abort its wait.
function started(target: Waitable, timeout: number | null, direction: Direction, syscall: Syscall, op: AnyOp, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, signal: AbortSignal | undefined): Promise<unknown> {
  const fd = target.fd;
  if (fd < 0) return Promise.reject(closedError(syscall));
  if (signal?.aborted === true) return Promise.reject(new AbortError(signal.reason, sentBy(a)));
  // The fast path, unless earlier calls wait in this direction: a call never
  // overtakes them.
  let waitIn: Direction | 0 = direction;
  target.unblock?.();
  if (timeout === 0 || !target.busy(direction)) {
    let result = op(fd, a, b, c, d, e);
    while (result === -EINTR) result = op(fd, a, b, c, d, e);
    if (typeof result !== 'number' || result >= 0) return Promise.resolve(result);
    if (outOfResources(result)) return rejectLater(errorFromErrno(result, syscall));
    waitIn = blockedOn(result, direction);
    if (waitIn === 0 || timeout === 0) return Promise.reject(errorFromErrno(result, syscall));
  }
  const waiting = new Waiting(target, timeout, waitIn, syscall, op, a, b, c, d, e, signal);
  const promise = promiseOf(waiting);
  target.wait(waiting);
  return withCallerStack(promise);
}

// The Waiting whose promise is being made: one executor for all, so that a
// call that waits makes no closure of its own.
let making: Waiting | undefined;
function settleWith(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  making!.settlers(resolve, reject);
}

/** A waiting call's promise, made once, right after the Waiting. */
function promiseOf(waiting: Waiting): Promise<unknown> {
  making = waiting;
  try {
    return new Promise(settleWith);
  } finally {
    making = undefined;
  }
}

/**
 * One call of `op` on a target as a Blocking, for the behaviours written as
 * steps (a look-up, then the call) and for what waits with a signal.
 */
export class Call<A extends Arguments, R> implements Blocking<R> {
  constructor(
    readonly target: Waitable,
    /** Seconds: null waits forever, 0 never waits. */
    readonly timeout: number | null,
    readonly direction: Direction,
    readonly syscall: Syscall,
    readonly op: Op<A, R>,
    readonly args: A,
  ) {}

  /** The blocking form (callSync). */
  sync(): R {
    const args = this.args;
    return callSync(this.target, this.timeout, this.direction, this.syscall, this.op as AnyOp, args[0], args[1], args[2], args[3], args[4]) as R;
  }

  /** `signal` ends the wait with an AbortError, having consumed nothing. */
  async(signal?: AbortSignal): Promise<R> {
    const args = this.args;
    return started(this.target, this.timeout, this.direction, this.syscall, this.op as AnyOp, args[0], args[1], args[2], args[3], args[4], signal) as Promise<R>;
  }
}

/** A call waiting in its target's queue, with its deadline timer and abort listener. */
class Waiting implements Waiter {
  readonly #target: Waitable;
  readonly #op: AnyOp;
  // The op's arguments, as fields: the retry on each wake-up allocates nothing.
  readonly #a: unknown;
  readonly #b: unknown;
  readonly #c: unknown;
  readonly #d: unknown;
  readonly #e: unknown;
  #resolve: (value: unknown) => void = ignore;
  #reject: (error: unknown) => void = ignore;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort: (() => void) | undefined;
  // Holds the Socket while the call waits, so it cannot be collected (and
  // closed) under a pending call: written, never read, on purpose.
  // eslint-disable-next-line no-unused-private-class-members -- a strong reference is its whole use
  readonly #holder: object | undefined;

  constructor(
    target: Waitable,
    timeout: number | null,
    /** The queue it waits in; a TLS operation may move it to the other (attempt). */
    public direction: Direction,
    readonly syscall: Syscall,
    op: AnyOp,
    a: unknown,
    b: unknown,
    c: unknown,
    d: unknown,
    e: unknown,
    signal: AbortSignal | undefined,
  ) {
    this.#target = target;
    this.#op = op;
    this.#a = a;
    this.#b = b;
    this.#c = c;
    this.#d = d;
    this.#e = e;
    this.#holder = target.holder();
    if (timeout !== null && timeout * 1000 <= MAX_WAIT_MS) {
      this.#timer = setTimeout(expire, timeout * 1000, this, target);
      if (!target.referenced) this.#timer.unref();
    }
    if (signal !== undefined) {
      this.#signal = signal;
      this.#onAbort = () => {
        target.cancel(this);
        this.#settle();
        this.#reject(new AbortError(signal.reason, sentBy(a)));
      };
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  settlers(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** The target may be ready: runs the call once more; true once it leaves this queue (settled, or waiting the other way). */
  attempt(fd: number): boolean {
    let result: unknown;
    try {
      do result = this.#op(fd, this.#a, this.#b, this.#c, this.#d, this.#e);
      while (result === -EINTR);
    } catch (error) {
      // Not an OS failure (say, memory for a large Buffer): it still belongs to this call alone.
      this.#settle();
      this.#reject(error);
      return true;
    }
    if (typeof result === 'number' && result < 0) {
      const waitIn = blockedOn(result, this.direction);
      if (waitIn === this.direction) return false;
      if (waitIn === 0) {
        this.fail(errorFromErrno(result, this.syscall));
        return true;
      }
      this.direction = waitIn;
      this.#target.wait(this);
      return true;
    }
    this.#settle();
    this.#resolve(result);
    return true;
  }

  fail(error: SocketError): void {
    this.#settle();
    this.#reject(error);
  }

  #settle(): void {
    clearTimeout(this.#timer);
    if (this.#onAbort !== undefined) this.#signal!.removeEventListener('abort', this.#onAbort);
  }
}

/** A waiting call's time ran out (a function for all: no closure per call). */
function expire(waiting: Waiting, target: Waitable): void {
  target.cancel(waiting);
  waiting.fail(timeoutError(waiting.syscall));
}

/** Prepares a call of `op(fd, ...args)` on the target's fd, as a Blocking. */
export function call<A extends Arguments, R>(target: Waitable, timeout: number | null, direction: Direction, syscall: Syscall, op: Op<A, R>, ...args: A): Call<A, R> {
  return new Call(target, timeout, direction, syscall, op, args);
}
