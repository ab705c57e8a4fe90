// Python's select.poll: fds, each with the POLL* events it is polled for;
// poll() gives the [fd, revents] pairs of those with events, in
// registration order and poll(2)'s own bits. Waits through the call helper
// on a PollSet (pollset.ts), a snapshot of the registrations.
import { ENOENT } from '../core/errno.js';
import { errorFromErrno } from '../core/errors.js';
import { checkInt, type WaitOptions } from '../core/validate.js';
import { start } from '../io/blocking.js';
import { POLLIN, POLLOUT, POLLPRI } from './constants.js';
import { fdOf, KeyError, type FileObject } from './keys.js';
import { PollSet } from './pollset.js';
import { pollTimeout } from './selection.js';

/** poll(2)'s events field: an unsigned short, as Python checks it. */
function checkMask(eventmask: unknown): number {
  return checkInt(eventmask, 'eventmask', 0, 0xffff);
}

/**
 * Python's select.poll object (made by {@link poll}). Python's poll() is
 * Sync by nature: here `pollSync()` is, and `poll()` resolves without
 * blocking the event loop.
 */
export class Poll {
  readonly #masks = new Map<number, number>();

  /**
   * Polls fd (an fd, or an object with `fileno()`) for the POLL* events of
   * eventmask (by default POLLIN | POLLPRI | POLLOUT); POLLERR, POLLHUP and
   * POLLNVAL are always reported. Registering an fd again changes its mask.
   */
  register(fd: FileObject, eventmask: number = POLLIN | POLLPRI | POLLOUT): void {
    const key = fdOf(fd, 'fd');
    this.#masks.set(key, checkMask(eventmask));
  }

  /** Changes the mask of a registered fd; a FileNotFoundError (ENOENT) if it is not registered, as in Python. */
  modify(fd: FileObject, eventmask: number): void {
    const key = fdOf(fd, 'fd');
    const mask = checkMask(eventmask);
    if (!this.#masks.has(key)) throw errorFromErrno(-ENOENT, 'modify');
    this.#masks.set(key, mask);
  }

  /** Stops polling fd; a KeyError if it is not registered, as in Python. */
  unregister(fd: FileObject): void {
    const key = fdOf(fd, 'fd');
    if (!this.#masks.delete(key)) throw new KeyError(`fd ${key} is not registered`);
  }

  /**
   * Waits (on the event loop) until a registered fd has events, or
   * timeoutMs **milliseconds** pass (null, none or negative: no limit);
   * resolves with the `[fd, revents]` pairs, or [] once the time is up.
   * `signal` ends the wait with an AbortError.
   */
  poll(timeoutMs?: number | null, options?: WaitOptions): Promise<[number, number][]> {
    return start(() => this.#set().select(pollTimeout(timeoutMs, 1)), options);
  }

  /** poll() on the calling thread, in poll(2); a handled signal is waited through (PEP 475). */
  pollSync(timeoutMs?: number | null): [number, number][] {
    return this.#set().select(pollTimeout(timeoutMs, 1)).sync();
  }

  // The registrations as they are now: changes made while a call waits do not change what it waits for.
  #set(): PollSet {
    return new PollSet(Int32Array.from(this.#masks.keys()), Int32Array.from(this.#masks.values()));
  }
}

/** Python's select.poll(): a new, empty poll object. */
export function poll(): Poll {
  return new Poll();
}
