// What every selection shares (select(), the selectors, the poll and epoll
// objects): its end when nothing is ready in time, its Promise form's turn
// of the event loop, and the poll objects' timeouts.
import { EAGAIN } from '../core/errno.js';
import { BlockingIOError, TimeoutError } from '../core/errors.js';
import { rangeError, typeError } from '../core/validate.js';
import type { Blocking } from '../io/blocking.js';
import { MAX_WAIT_MS } from '../io/deadline.js';

/** What poll(2) and epoll_wait(2) report: [fd, events] pairs. */
export type Ready = [fd: number, events: number][];

/** A poll's result as an op's: -EAGAIN while nothing is ready, so that the call waits. */
export function readyOrAgain(ready: Ready | number): Ready | number {
  return typeof ready !== 'number' && ready.length === 0 ? -EAGAIN : ready;
}

/** What a selection waits on: it notes whether a call had to wait. */
export interface Noting {
  waited: boolean;
}

/**
 * A selection: nothing ready in time is an empty answer, not a failure (an
 * abort is one); and the Promise form of one that found fds ready at once
 * still lets the event loop turn, so that a loop of selections on fds that
 * stay ready (a listener whose accept fails with EMFILE) cannot starve
 * timers and I/O in microtasks.
 */
class Selection<R> implements Blocking<R> {
  constructor(
    readonly target: Noting,
    readonly waiting: Blocking<R>,
    readonly nothing: R,
  ) {}

  sync(): R {
    try {
      return this.waiting.sync();
    } catch (error) {
      return this.#empty(error);
    }
  }

  async async(signal?: AbortSignal): Promise<R> {
    let ready: R;
    try {
      ready = await this.waiting.async(signal);
    } catch (error) {
      ready = this.#empty(error);
    }
    // Read and reset for the next call (a selector's target serves many).
    const waited = this.target.waited;
    this.target.waited = false;
    if (!waited) await new Promise((resolve) => setImmediate(resolve));
    return ready;
  }

  #empty(error: unknown): R {
    if (error instanceof TimeoutError || error instanceof BlockingIOError) return this.nothing;
    throw error;
  }
}

/** The selection that waits with `waiting` on target, `nothing` once its time runs out. */
export function selection<R>(target: Noting, waiting: Blocking<R>, nothing: R): Blocking<R> {
  return new Selection(target, waiting, nothing);
}

/**
 * The timeout of the poll objects' poll(), in units of `unitMs` (1 for
 * poll's milliseconds, 1000 for epoll's seconds): null, undefined or
 * negative waits forever, as in Python. Returns seconds, the call helper's unit.
 */
export function pollTimeout(value: unknown, unitMs: number): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number') throw typeError('timeout', 'a number or null', value);
  if (!Number.isFinite(value) || value * unitMs > MAX_WAIT_MS) {
    throw rangeError(`The "timeout" argument must be a finite number of ${unitMs === 1 ? 'milliseconds' : 'seconds'} up to ${MAX_WAIT_MS / unitMs}, or null. Received ${value}`);
  }
  return value < 0 ? null : (value * unitMs) / 1000;
}
