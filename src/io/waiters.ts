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
const slot = (direction: Direction): number => direction >> 1;

function serveQueue(queue: Waiter[], fd: number): void {
  while (queue.length > 0 && queue[0]!.attempt(fd)) queue.shift();
}

export class WaitQueues {
  readonly #queues: [Waiter[], Waiter[], Waiter[]] = [[], [], []];

  add(waiter: Waiter): void {
    this.#queues[slot(waiter.direction)]!.push(waiter);
  }

  /** Takes a waiter out of its queue (it timed out or was aborted). */
  remove(waiter: Waiter): void {
    const queue = this.#queues[slot(waiter.direction)]!;
    const index = queue.indexOf(waiter);
    if (index >= 0) queue.splice(index, 1);
  }

  /** Whether calls wait in this direction (a new call must queue behind them). */
  busy(direction: Direction): boolean {
    return this.#queues[slot(direction)]!.length > 0;
  }

  /** The directions calls wait in, as event bits. */
  wanted(): number {
    const [reads, writes, priority] = this.#queues;
    return (reads.length > 0 ? READ : 0) | (writes.length > 0 ? WRITE : 0) | (priority.length > 0 ? PRIORITY : 0);
  }

  /** Retries the waiting calls of each direction in events, in order, until one must wait again. */
  serve(events: number, fd: number): void {
    const [reads, writes, priority] = this.#queues;
    if (events & READ) serveQueue(reads, fd);
    if (events & WRITE) serveQueue(writes, fd);
    if (events & PRIORITY) serveQueue(priority, fd);
  }

  /** Fails every waiting call, with the error made for its syscall. */
  failAll(error: (syscall: Syscall) => SocketError): void {
    for (const queue of this.#queues) {
      for (const waiter of queue.splice(0)) waiter.fail(error(waiter.syscall));
    }
  }
}
