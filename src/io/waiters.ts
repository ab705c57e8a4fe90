// Calls waiting for readiness, queued per direction and served in call
// order: the part of a wait that does not depend on what reports the
// readiness (an fd's watcher, select()'s set of fds).
import type { SocketError, Syscall } from '../core/errors.js';
import { PRIORITY, READ, WRITE } from '../core/native.js';

/** PRIORITY is out-of-band data: select()'s exceptional condition. */
export { PRIORITY, READ, WRITE };
export type Direction = typeof READ | typeof WRITE | typeof PRIORITY;

/** A call waiting for readiness: `attempt` retries its system call. */
export interface Waiter {
  /** The queue it waits in (a TLS call may move to the other during `attempt`). */
  readonly direction: Direction;
  readonly syscall: Syscall;
  /** Runs the call once more; true once it leaves its queue: settled (done or failed), or queued again the other way. */
  attempt(fd: number): boolean;
  fail(error: SocketError): void;
}

// READ, WRITE, PRIORITY -> 0, 1, 2.
const slot = (direction: Direction): 0 | 1 | 2 => (direction >> 1) as 0 | 1 | 2;

function serveQueue(queue: Waiter[] | undefined, fd: number): void {
  while (queue !== undefined && queue.length > 0 && queue[0]!.attempt(fd)) queue.shift();
}

const has = (queue: Waiter[] | undefined): boolean => queue !== undefined && queue.length > 0;

// The queues are made on first use (an idle socket holds none): most
// sockets only ever wait to read.
export class WaitQueues {
  #reads: Waiter[] | undefined;
  #writes: Waiter[] | undefined;
  #priority: Waiter[] | undefined;

  #queue(direction: Direction): Waiter[] | undefined {
    const k = slot(direction);
    return k === 0 ? this.#reads : k === 1 ? this.#writes : this.#priority;
  }

  // A queue starts as [waiter], room for one (a push onto [] makes room for 17).
  add(waiter: Waiter): void {
    const k = slot(waiter.direction);
    const queue = this.#queue(waiter.direction);
    if (queue !== undefined) queue.push(waiter);
    else if (k === 0) this.#reads = [waiter];
    else if (k === 1) this.#writes = [waiter];
    else this.#priority = [waiter];
  }

  /** Takes a waiter out of its queue (it timed out or was aborted). */
  remove(waiter: Waiter): void {
    const queue = this.#queue(waiter.direction);
    const index = queue?.indexOf(waiter) ?? -1;
    if (index >= 0) queue!.splice(index, 1);
  }

  /** Whether calls wait in this direction (a new call must queue behind them). */
  busy(direction: Direction): boolean {
    return has(this.#queue(direction));
  }

  /** The directions calls wait in, as event bits. */
  wanted(): number {
    return (has(this.#reads) ? READ : 0) | (has(this.#writes) ? WRITE : 0) | (has(this.#priority) ? PRIORITY : 0);
  }

  /** Retries the waiting calls of each direction in events, in order, until one must wait again. */
  serve(events: number, fd: number): void {
    if (events & READ) serveQueue(this.#reads, fd);
    if (events & WRITE) serveQueue(this.#writes, fd);
    if (events & PRIORITY) serveQueue(this.#priority, fd);
  }

  /** Fails every waiting call, with the error made for its syscall. */
  failAll(error: (syscall: Syscall) => SocketError): void {
    for (const queue of [this.#reads, this.#writes, this.#priority]) {
      for (const waiter of queue?.splice(0) ?? []) waiter.fail(error(waiter.syscall));
    }
  }
}
