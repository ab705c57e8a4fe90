// select()'s set of fds as something the call helper waits on, so select
// has no wait, retry loop or timer of its own: its op polls the set without
// waiting; the async form waits on each fd's readiness watcher (shared with
// the Sockets that own those fds), the Sync form in poll(2).
import { EAGAIN, EBADF } from '../core/errno.js';
import { errorFromErrno, type SocketError } from '../core/errors.js';
import { CLOSED } from '../core/native.js';
import type { Blocking } from '../io/blocking.js';
import { call, type Waitable } from '../io/call.js';
import { Readiness } from '../io/readiness.js';
import { pollMany } from '../io/syncwait.js';
import { PRIORITY, READ, WRITE, type Direction, type Waiter } from '../io/waiters.js';
import { selection, type Noting } from './selection.js';

export class FdSet implements Waitable, Noting {
  // The op polls the set's own fds; the set itself is never closed.
  readonly fd = 0;
  readonly referenced = true;
  /** Whether a call waited (a select that found fds ready at once did not). */
  waited = false;
  // A closed fd becomes -1 here: poll(2) skips it, as epoll forgets one.
  readonly #fds: Int32Array;
  readonly #wanted: readonly number[];
  #probes: [Readiness, Waiter][] = [];
  #waiter: Waiter | undefined;
  #retrying = false;

  constructor(fds: Int32Array, wanted: readonly number[]) {
    this.#fds = Int32Array.from(fds);
    this.#wanted = wanted;
  }

  /** The ready events, at once or once an open fd is ready; all 0 once timeout seconds pass (null: no limit; 0: never waits). */
  select(timeout: number | null): Blocking<Int32Array> {
    return selection(this, call(this, timeout, READ, 'select', FdSet.#poll, this), new Int32Array(this.#fds.length));
  }

  // The op: the ready events once an open fd is ready, else -EAGAIN.
  static #poll(this: void, _fd: number, set: FdSet): Int32Array | number {
    const ready = pollMany(set.#fds, set.#wanted, 0);
    let found = false;
    for (let k = 0; k < ready.length; k++) {
      if (ready[k] === CLOSED) {
        set.#fds[k] = -1;
        ready[k] = 0;
      } else if (ready[k] !== 0) found = true;
    }
    return found ? ready : -EAGAIN;
  }

  holder(): object | undefined {
    return undefined;
  }

  busy(): boolean {
    return false;
  }

  /** Waits on the watcher of each open fd, in each direction wanted of it. */
  wait(waiter: Waiter): void {
    this.waited = true;
    this.#waiter = waiter;
    this.#fds.forEach((fd, k) => {
      if (fd < 0) return;
      for (const direction of [READ, WRITE, PRIORITY] as Direction[]) {
        // A watcher that could not be made has failed the call already.
        if (!(this.#wanted[k]! & direction) || this.#waiter !== waiter) continue;
        const readiness = Readiness.of(fd);
        // A probe makes no call: an event ends the wait, and so does the fd's
        // closing (the op then drops it); any other failure is the call's.
        const probe: Waiter = {
          direction,
          syscall: 'select',
          attempt: () => (this.#retry(), true),
          fail: (error: SocketError) => (error.errno === EBADF ? this.#retry() : this.#fail(error)),
        };
        this.#probes.push([readiness, probe]);
        readiness.wait(probe);
      }
    });
  }

  cancel(): void {
    this.#waiter = undefined;
    this.#unprobe();
  }

  waitSync(_direction: Direction, ms: number): number {
    return pollMany(this.#fds, this.#wanted, ms).some((events) => events !== 0) ? 1 : 0;
  }

  // After the watcher has finished serving its queue: the probes are taken
  // out of queues, which must not change under it.
  #retry(): void {
    if (this.#retrying) return;
    this.#retrying = true;
    queueMicrotask(() => {
      this.#retrying = false;
      const waiter = this.#waiter;
      if (waiter === undefined) return;
      this.#unprobe();
      if (!waiter.attempt(this.fd)) this.wait(waiter);
    });
  }

  #fail(error: SocketError): void {
    const waiter = this.#waiter;
    this.cancel();
    waiter?.fail(error);
  }

  #unprobe(): void {
    for (const [readiness, probe] of this.#probes.splice(0)) {
      readiness.cancel(probe);
      readiness.release();
    }
  }
}

/** select() refuses a closed fd with EBADF, as Python's: found by poll(2) (POLLNVAL). */
export function refuseClosed(fds: Int32Array, wanted: readonly number[]): void {
  if (pollMany(fds, wanted, 0).includes(CLOSED)) throw errorFromErrno(-EBADF, 'select');
}

/** Waits `seconds` on no fds at all, as poll(2) does: a pause that is a call of the call helper too. */
export function pause(seconds: number): Promise<Int32Array> {
  return new FdSet(new Int32Array(0), []).select(seconds).async();
}
