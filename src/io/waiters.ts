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

// A direction's queue: nobody, one waiter (the usual case: no array made
// for it), or several in call order.
type Queue = Waiter | Waiter[] | undefined;

const has = (queue: Queue): boolean => queue !== undefined && (!Array.isArray(queue) || queue.length > 0);

// The queues, one field per direction (an idle socket holds none). Readiness
// extends this class rather than holding one: one object fewer per socket.
export class WaitQueues {
  #reads: Queue;
  #writes: Queue;
  #priority: Queue;

  #get(direction: Direction): Queue {
    return direction === READ ? this.#reads : direction === WRITE ? this.#writes : this.#priority;
  }

  #set(direction: Direction, queue: Queue): void {
    if (direction === READ) this.#reads = queue;
    else if (direction === WRITE) this.#writes = queue;
    else this.#priority = queue;
  }

  add(waiter: Waiter): void {
    const queue = this.#get(waiter.direction);
    if (queue === undefined) this.#set(waiter.direction, waiter);
    else if (Array.isArray(queue)) queue.push(waiter);
    else this.#set(waiter.direction, [queue, waiter]);
  }

  /** Takes a waiter out of its queue (it timed out or was aborted). */
  remove(waiter: Waiter): void {
    this.#take(waiter.direction, waiter);
  }

  #take(direction: Direction, waiter: Waiter): void {
    const queue = this.#get(direction);
    if (queue === waiter) this.#set(direction, undefined);
    else if (Array.isArray(queue)) {
      const index = queue.indexOf(waiter);
      if (index >= 0) queue.splice(index, 1);
    }
  }

  /** Whether calls wait in this direction (a new call must queue behind them). */
  busy(direction: Direction): boolean {
    return has(this.#get(direction));
  }

  /** The directions calls wait in, as event bits. */
  wanted(): number {
    return (has(this.#reads) ? READ : 0) | (has(this.#writes) ? WRITE : 0) | (has(this.#priority) ? PRIORITY : 0);
  }

  /** Retries the waiting calls of each direction in events, in order, until one must wait again. */
  serve(events: number, fd: number): void {
    if (events & READ) this.#serve(READ, fd);
    if (events & WRITE) this.#serve(WRITE, fd);
    if (events & PRIORITY) this.#serve(PRIORITY, fd);
  }

  #serve(direction: Direction, fd: number): void {
    let queue = this.#get(direction);
    // One waiter: out of its queue once served (a call may have queued behind it meanwhile).
    while (queue !== undefined && !Array.isArray(queue)) {
      if (!queue.attempt(fd)) return;
      this.#take(direction, queue);
      queue = this.#get(direction);
    }
    while (queue !== undefined && queue.length > 0 && queue[0]!.attempt(fd)) queue.shift();
  }

  /** Fails every waiting call, with the error made for its syscall. */
  failAll(error: (syscall: Syscall) => SocketError): void {
    const waiting = [this.#reads, this.#writes, this.#priority].flatMap((queue) => (queue === undefined ? [] : Array.isArray(queue) ? queue.splice(0) : [queue]));
    this.#reads = this.#writes = this.#priority = undefined;
    for (const waiter of waiting) waiter.fail(error(waiter.syscall));
  }
}
