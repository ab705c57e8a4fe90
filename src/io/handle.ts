// What a Socket owns: its fd, its mode and its readiness watcher. Kept apart
// from the Socket object so that the GC of an unclosed Socket can still
// close it (see socket.ts), and so that close() has one teardown order:
// watcher stopped, waiting calls failed, then the fd closed.
import { native } from '../core/native.js';
import type { Waitable } from './call.js';
import { Readiness } from './readiness.js';
import { pollOne } from './syncwait.js';
import type { Direction, Waiter } from './waiters.js';

export class Handle implements Waitable {
  /** The fd; -1 once closed or detached, so a reused fd is never touched. */
  fd: number;
  /** Seconds: null waits forever, 0 is non-blocking. */
  timeout: number | null;
  #readiness: Readiness | undefined;
  #referenced = true;
  /** The Socket, held strongly only by calls that are waiting. */
  owner: WeakRef<object> | undefined;

  constructor(fd: number, timeout: number | null) {
    this.fd = fd;
    this.timeout = timeout;
    // Owned by this thread's env: closed if a worker thread ends with it open.
    native.own(fd);
  }

  get readiness(): Readiness {
    if (this.#readiness === undefined) {
      this.#readiness = Readiness.of(this.fd);
      this.#readiness.setRef(this.#referenced);
    }
    return this.#readiness;
  }

  holder(): object | undefined {
    return this.owner?.deref();
  }

  busy(direction: Direction): boolean {
    return this.#readiness?.busy(direction) === true;
  }

  wait(waiter: Waiter): void {
    this.readiness.wait(waiter);
  }

  cancel(waiter: Waiter): void {
    this.#readiness?.cancel(waiter);
  }

  /** poll(2) on the fd (in slices in a worker; through EINTR). */
  waitSync(direction: Direction, ms: number): number {
    return pollOne(this.fd, direction, ms);
  }

  get referenced(): boolean {
    return this.#referenced;
  }

  setRef(referenced: boolean): void {
    this.#referenced = referenced;
    this.#readiness?.setRef(referenced);
  }

  /** Gives up the fd without closing it: the watcher stops first. */
  detach(): number {
    const fd = this.#release();
    if (fd >= 0) native.disown(fd);
    return fd;
  }

  /** Closes the fd (idempotent); returns 0 or -errno. */
  close(): number {
    const fd = this.#release();
    return fd < 0 ? 0 : native.close(fd);
  }

  #release(): number {
    const fd = this.fd;
    // The fd's watcher may be a selector's rather than ours: stop it either way.
    if (fd >= 0) Readiness.forget(fd);
    this.#readiness = undefined;
    this.fd = -1;
    return fd;
  }
}
