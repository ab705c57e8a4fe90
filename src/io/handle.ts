// What a Socket owns: its fd, its mode and its readiness watcher. Kept apart
// from the Socket object so that the GC of an unclosed Socket can still
// close it (see socket.ts), and so that close() has one teardown order:
// watcher stopped, waiting calls failed, then the fd closed.
//
// The fd's O_NONBLOCK follows the socket's use lazily, as in CPython: a Sync
// call that may wait without limit (blocking mode) on the main thread
// clears it and makes the blocking system call itself, one syscall per call;
// any other call sets it back first. The flag belongs to the file
// description, which every dup of the fd shares, so it is cleared only on
// a description nobody else can hold: never once the fd has been given out
// (fileno(), dup(), detach(), a Socket made on a given fd). In a worker
// thread the Sync waits stay poll(2) in slices (syncwait.ts), so that
// worker.terminate() and process.exit() still end a blocked call.
import { isMainThread } from 'node:worker_threads';
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
  // Whether the fd's O_NONBLOCK is clear (a blocking Sync call cleared it).
  #blocking = false;
  // Whether others may share the file description: its O_NONBLOCK is then never cleared.
  #shared: boolean;

  /** shared: the fd came from elsewhere (its description may have other holders). */
  constructor(fd: number, timeout: number | null, shared = false) {
    this.fd = fd;
    this.timeout = timeout;
    this.#shared = shared || !isMainThread;
    // Owned by this thread's env: closed if a worker thread ends with it open
    // (the main thread's fds end with the process).
    if (!isMainThread) native.own(fd);
  }

  /** Whether the fd's description may have other holders (it came from elsewhere, or was given out): its O_NONBLOCK then stays set. */
  get shared(): boolean {
    return this.#shared;
  }

  /** The fd given out (fileno(), dup(), net interop): from now on its O_NONBLOCK stays set. */
  expose(): number {
    if (!this.#shared) {
      this.#shared = true;
      this.unblock();
    }
    return this.fd;
  }

  /**
   * For a Sync call that may wait without limit: true when the fd is (now)
   * in blocking mode, so the call waits in its own system call; false when
   * it must poll first (the description may be shared, or async calls wait).
   */
  blockSync(): boolean {
    if (this.#blocking) return true;
    if (this.#shared || this.fd < 0 || this.#readiness?.waiting() === true) return false;
    this.#blocking = native.setBlocking(this.fd, true) === 0;
    return this.#blocking;
  }

  /** Before a call that must not block (async, a timeout, non-blocking mode): sets O_NONBLOCK back. */
  unblock(): void {
    if (!this.#blocking) return;
    this.#blocking = false;
    if (this.fd >= 0) native.setBlocking(this.fd, false);
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

  /**
   * Whether a new call in this direction waits for readiness before trying:
   * calls already wait there (it queues behind them). A call always tries
   * first otherwise: a TLS operation may have plaintext OpenSSL buffered,
   * which the fd's readiness does not show.
   */
  busy(direction: Direction): boolean {
    return this.#readiness?.busy(direction) === true;
  }

  wait(waiter: Waiter): void {
    this.unblock();
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
    this.unblock();
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
