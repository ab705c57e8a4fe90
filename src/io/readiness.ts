// The readiness watcher: one uv_poll_t per fd, made on first need, armed
// only for the directions calls wait in. Waiting calls queue per direction
// and are served in call order. A Socket and any selectors watching its fd
// share one watcher (libuv allows one per fd), found through `Readiness.of`.
//
// A direction stays armed after its queue empties (the next call usually
// waits again at once, so this saves an epoll_ctl per call) until the
// watcher must change anyway: a change arms only what calls wait for, and
// a readiness event that finds nobody waiting disarms it. The handle itself
// keeps no process alive (waiting calls do, through keepalive.ts).
import { EEXIST } from '../core/errno.js';
import { closedError, errorFromErrno, FileExistsError, syscallName, type SocketError, type Syscall } from '../core/errors.js';
import { native, PRIORITY, READ, WRITE, type NativeWatcher } from '../core/native.js';
import { keepAlive } from './keepalive.js';
import { WaitQueues, type Waiter } from './waiters.js';

const byFd = new Map<number, Readiness>();

/** Why an fd's watcher could not be made; EEXIST, the usual reason, explained. */
function watcherError(rc: number, syscall: Syscall): SocketError {
  if (rc !== -EEXIST) return errorFromErrno(rc, syscall);
  return new FileExistsError(EEXIST, 'Node.js itself already watches this fd (a net.Server or net.Socket, process.stdin…) and libuv allows one watcher per fd: wait on it with the Sync calls, or on a dup() of the fd', syscallName(syscall));
}

// It is its own WaitQueues (one object fewer per socket).
export class Readiness extends WaitQueues {
  #watcher: NativeWatcher | undefined;
  #armed = 0;
  // Whether its waiting calls count in keepAlive's (at most once per watcher).
  #counted = false;
  #userRef = true;
  #users = 0;

  private constructor(readonly fd: number) {
    super();
  }

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

  /** Whether calls wait in any direction. */
  waiting(): boolean {
    return this.wanted() !== 0;
  }

  wait(waiter: Waiter): void {
    this.add(waiter);
    this.#update(0);
  }

  /** Takes a waiter out of its queue (it timed out or was aborted). */
  cancel(waiter: Waiter): void {
    this.remove(waiter);
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
    this.failAll(closedError);
    this.#count();
  }

  // Called by the addon on this object: one method for every watcher, no closure for each.
  #onEvent(status: number, events: number): void {
    // On an error libuv has stopped the handle; retrying every call lets
    // each one meet the socket's real error (or wait again).
    if (status < 0) {
      this.#armed = 0;
      events = READ | WRITE | PRIORITY;
    }
    // Disarm only directions that fired with nobody waiting; one whose call
    // was just served stays armed for the next call (no epoll_ctl each time).
    const waiting = this.wanted();
    this.serve(events, this.fd);
    this.#update(events & ~waiting);
  }

  /** Arms what is wanted, disarms directions that fired with nobody waiting, and counts its waiting calls. */
  #update(fired: number): void {
    this.#arm(fired);
    this.#count();
  }

  /**
   * Arms the directions calls wait in. A direction whose calls were served
   * stays armed (the next call usually waits the same way: no change); a
   * change costs libuv the same whatever it is (uv_poll_start takes the fd
   * out of epoll and puts it back), so it arms exactly what calls wait for,
   * and an idle direction (WRITE after a connect) does not fire at once and
   * cost another.
   */
  #arm(fired: number): void {
    const wanted = this.wanted();
    const missing = wanted & ~this.#armed;
    const firedIdle = fired & this.#armed & ~wanted;
    if (missing === 0 && firedIdle === 0) return;
    if (this.#watcher === undefined) {
      if (wanted === 0) return;
      const watcher = native.watcherNew(this.fd, this.#onEvent, this);
      if (typeof watcher === 'number') return this.failAll((syscall) => watcherError(watcher, syscall));
      this.#watcher = watcher;
    }
    const rc = native.watcherUpdate(this.#watcher, wanted);
    if (rc < 0) return this.failAll((syscall) => errorFromErrno(rc, syscall));
    this.#armed = wanted;
  }

  /** Keeps the process alive while calls wait here, unless unreferenced. */
  #count(): void {
    const counted = this.#userRef && this.wanted() !== 0;
    if (counted === this.#counted) return;
    this.#counted = counted;
    keepAlive(counted);
  }
}
