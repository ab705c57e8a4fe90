// The readiness watcher: one uv_poll_t per fd, made on first need, armed
// only for the directions calls wait in. Waiting calls queue per direction
// and are served in call order. A Socket and any selectors watching its fd
// share one watcher (libuv allows one per fd), found through `Readiness.of`.
//
// A direction stays armed after its queue empties (the next call usually
// waits again at once, so this saves an epoll_ctl per call), but the handle
// is unreferenced while nothing waits, so an idle socket keeps no process
// alive; a readiness event that finds nobody waiting disarms it.
import { EEXIST } from '../core/errno.js';
import { closedError, errorFromErrno, FileExistsError, type SocketError } from '../core/errors.js';
import { native, PRIORITY, READ, WRITE, type NativeWatcher } from '../core/native.js';

/** PRIORITY is out-of-band data: select()'s exceptional condition. */
export { PRIORITY, READ, WRITE };
export type Direction = typeof READ | typeof WRITE | typeof PRIORITY;

// READ, WRITE, PRIORITY -> 0, 1, 2.
const slot = (direction: Direction): number => direction >> 1;

/** A call waiting for readiness: `attempt` retries its system call. */
export interface Waiter {
  readonly direction: Direction;
  readonly syscall: string;
  /** Runs the call once more; true once it is settled (done or failed). */
  attempt(fd: number): boolean;
  fail(error: SocketError): void;
}

const byFd = new Map<number, Readiness>();

/** Why an fd's watcher could not be made; EEXIST, the usual reason, explained. */
function watcherError(rc: number, syscall: string): SocketError {
  if (rc !== -EEXIST) return errorFromErrno(rc, syscall);
  return new FileExistsError(EEXIST, 'Node.js itself already watches this fd (a net.Server or net.Socket, process.stdin…) and libuv allows one watcher per fd: wait on it with the Sync calls, or on a dup() of the fd', syscall);
}

export class Readiness {
  #watcher: NativeWatcher | undefined;
  #armed = 0;
  #referenced = false;
  #userRef = true;
  #users = 0;
  readonly #queues: [Waiter[], Waiter[], Waiter[]] = [[], [], []];

  private constructor(readonly fd: number) {}

  /** The fd's watcher, shared by its users; each `of` is paired with a `release` or a `close`. */
  static of(fd: number): Readiness {
    let readiness = byFd.get(fd);
    if (readiness === undefined) byFd.set(fd, (readiness = new Readiness(fd)));
    readiness.#users++;
    return readiness;
  }

  /** Before the fd closes: stops whatever watches it (a selector's too), failing its waiters with EBADF. */
  static forget(fd: number): void {
    byFd.get(fd)?.close();
  }

  /** One user is done; the last one stops the watcher (the fd stays open). */
  release(): void {
    if (--this.#users <= 0) this.close();
  }

  /** Whether calls wait in this direction (a new call must queue behind them). */
  busy(direction: Direction): boolean {
    return this.#queues[slot(direction)]!.length > 0;
  }

  wait(waiter: Waiter): void {
    this.#queues[slot(waiter.direction)]!.push(waiter);
    this.#update(0);
  }

  /** Takes a waiter out of its queue (it timed out). */
  cancel(waiter: Waiter): void {
    const queue = this.#queues[slot(waiter.direction)]!;
    const index = queue.indexOf(waiter);
    if (index >= 0) queue.splice(index, 1);
    this.#update(0);
  }

  /** Whether waiting calls keep the event loop alive (Node's ref/unref). */
  setRef(referenced: boolean): void {
    this.#userRef = referenced;
    this.#update(0);
  }

  get referenced(): boolean {
    return this.#userRef;
  }

  /** Stops the watcher for good and fails every waiting call with EBADF. */
  close(): void {
    if (byFd.get(this.fd) === this) byFd.delete(this.fd);
    this.#users = 0;
    if (this.#watcher !== undefined) native.watcherClose(this.#watcher);
    this.#watcher = undefined;
    this.#armed = 0;
    this.#failAll(closedError);
  }

  #failAll(error: (syscall: string) => SocketError): void {
    for (const queue of this.#queues) {
      for (const waiter of queue.splice(0)) waiter.fail(error(waiter.syscall));
    }
  }

  readonly #onEvent = (status: number, events: number): void => {
    // On an error libuv has stopped the handle; retrying every call lets
    // each one meet the socket's real error (or wait again).
    if (status < 0) {
      this.#armed = 0;
      events = READ | WRITE | PRIORITY;
    }
    // Disarm only directions that fired with nobody waiting; one whose call
    // was just served stays armed for the next call (no epoll_ctl each time).
    const waiting = this.#wanted();
    if (events & READ) this.#serve(this.#queues[0]);
    if (events & WRITE) this.#serve(this.#queues[1]);
    if (events & PRIORITY) this.#serve(this.#queues[2]);
    this.#update(events & ~waiting);
  };

  #serve(queue: Waiter[]): void {
    while (queue.length > 0 && queue[0]!.attempt(this.fd)) queue.shift();
  }

  #wanted(): number {
    const [reads, writes, priority] = this.#queues;
    return (reads.length > 0 ? READ : 0) | (writes.length > 0 ? WRITE : 0) | (priority.length > 0 ? PRIORITY : 0);
  }

  /** Arms what is wanted; disarms directions that fired with nobody waiting. */
  #update(fired: number): void {
    const wanted = this.#wanted();
    const armed = (this.#armed | wanted) & ~(fired & ~wanted);
    const referenced = wanted !== 0 && this.#userRef;
    if (armed === this.#armed && referenced === this.#referenced) return;
    if (this.#watcher === undefined) {
      if (wanted === 0) return;
      const watcher = native.watcherNew(this.fd, this.#onEvent);
      if (typeof watcher === 'number') return this.#failAll((syscall) => watcherError(watcher, syscall));
      this.#watcher = watcher;
    }
    const rc = native.watcherUpdate(this.#watcher, armed, referenced);
    if (rc < 0) return this.#failAll((syscall) => errorFromErrno(rc, syscall));
    this.#armed = armed;
    this.#referenced = referenced;
  }
}
