// Python's select.epoll: an epoll fd (epoll(7)) with its registrations in
// the kernel. Its calls wait through the call helper on the epoll fd's own
// readability (epoll-fd.ts).
import { checkInt, rangeError, valueError, type WaitOptions } from '../core/validate.js';
import { start } from '../io/blocking.js';
import { EPOLL_CLOEXEC, EPOLLIN, EPOLLOUT, EPOLLPRI } from './constants.js';
import { EpollFd } from './epoll-fd.js';
import { fdOf, type FileObject } from './keys.js';
import { pollTimeout } from './selection.js';

// What maxevents -1 means: Python's FD_SETSIZE - 1.
const MAXEVENTS_DEFAULT = 1023;

/** An epoll mask is 32 bits: as or-ed in JavaScript (EPOLLET makes it negative) or as a positive number. */
function checkMask(eventmask: unknown): number {
  return checkInt(eventmask, 'eventmask', -0x80000000, 0xffffffff) >>> 0;
}

function checkMaxevents(value: unknown): number {
  const maxevents = checkInt(value, 'maxevents');
  if (maxevents === 0 || maxevents < -1) throw rangeError(`The "maxevents" argument must be -1 (the default) or greater than 0. Received ${maxevents}`);
  return maxevents === -1 ? MAXEVENTS_DEFAULT : maxevents;
}

/**
 * Python's select.epoll (Linux): an epoll fd, close-on-exec, closed by
 * close(), `using`, or when the object is collected unclosed. A call of a
 * closed epoll object throws a RangeError (Python's ValueError); a poll()
 * waiting when it is closed rejects with an OSError EBADF.
 */
export class Epoll {
  // fromfd()'s fd, for the constructor it calls.
  static #adopting: number | undefined;
  readonly #epoll: EpollFd;

  /** A new epoll object; sizehint (-1, or a positive number) is ignored, as by Linux, and flags may only be 0 or EPOLL_CLOEXEC (the fd is always close-on-exec). */
  constructor(sizehint = -1, flags = 0) {
    if (checkInt(sizehint, 'sizehint') === 0 || sizehint < -1) throw rangeError(`The "sizehint" argument must be -1 or positive. Received ${sizehint}`);
    if (checkInt(flags, 'flags') !== 0 && flags !== EPOLL_CLOEXEC) throw valueError(`The "flags" argument must be 0 or EPOLL_CLOEXEC. Received ${flags}`);
    this.#epoll = new EpollFd(this, Epoll.#adopting);
  }

  /** An epoll object over an epoll fd, which it then owns (and closes). */
  static fromfd(fd: number): Epoll {
    Epoll.#adopting = checkInt(fd, 'fd', 0);
    try {
      return new Epoll();
    } finally {
      Epoll.#adopting = undefined;
    }
  }

  #open(): EpollFd {
    if (this.#epoll.fd < 0) throw new RangeError('I/O operation on closed epoll object');
    return this.#epoll;
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.#epoll.fd < 0;
  }

  /** The epoll fd. */
  fileno(): number {
    return this.#open().fd;
  }

  /**
   * Watches fd (an fd, or an object with `fileno()`) for the EPOLL* events
   * of eventmask (by default EPOLLIN | EPOLLPRI | EPOLLOUT); an fd already
   * registered is a FileExistsError, one that is not open an OSError EBADF,
   * a regular file a PermissionError (the kernel's answers).
   */
  register(fd: FileObject, eventmask: number = EPOLLIN | EPOLLPRI | EPOLLOUT): void {
    const epoll = this.#open();
    epoll.add(fdOf(fd, 'fd'), checkMask(eventmask));
  }

  /** Changes the events of a registered fd; a FileNotFoundError (ENOENT) if it is not registered. */
  modify(fd: FileObject, eventmask: number): void {
    const epoll = this.#open();
    epoll.modify(fdOf(fd, 'fd'), checkMask(eventmask));
  }

  /** Stops watching fd; a FileNotFoundError (ENOENT) if it is not registered. */
  unregister(fd: FileObject): void {
    const epoll = this.#open();
    epoll.remove(fdOf(fd, 'fd'));
  }

  /**
   * Waits (on the event loop) until registered fds have events, or timeout
   * **seconds** pass (null, none or negative: no limit); resolves with up to
   * maxevents (-1: 1023, as Python's) `[fd, events]` pairs, or [] once the
   * time is up. `signal` ends the wait with an AbortError.
   */
  poll(timeout?: number | null, maxevents = -1, options?: WaitOptions): Promise<[number, number][]> {
    return start(() => this.#open().select(pollTimeout(timeout, 1000), checkMaxevents(maxevents)), options);
  }

  /** poll() on the calling thread (poll(2) on the epoll fd); a handled signal is waited through (PEP 475). */
  pollSync(timeout?: number | null, maxevents = -1): [number, number][] {
    return this.#open().select(pollTimeout(timeout, 1000), checkMaxevents(maxevents)).sync();
  }

  /** Closes the epoll fd (idempotent). */
  close(): void {
    this.#epoll.close();
  }

  /** `using`: close(). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Python's select.epoll(sizehint, flags): a new epoll object. */
export function epoll(sizehint = -1, flags = 0): Epoll {
  return new Epoll(sizehint, flags);
}
