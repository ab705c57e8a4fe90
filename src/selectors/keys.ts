// What the selectors and the poll objects are given and give back: file
// objects and their fds, the selectors' events and keys, Python's KeyError.
import { rangeError, typeError, valueError } from '../core/validate.js';
import { READ, WRITE } from '../io/waiters.js';

/** The event of a file object ready to read (or with a connection to accept). */
export const EVENT_READ = READ;
/** The event of a file object ready to write (or whose connect() finished). */
export const EVENT_WRITE = WRITE;

/** What a selector watches: an fd, or an object with `fileno()` (a Socket, a SocketFile). */
export type FileObject = number | { fileno(): number };

/** A registration: the object, its fd, the events watched and the caller's data. */
export interface SelectorKey<T = unknown> {
  /** The object registered. */
  readonly fileobj: FileObject;
  /** Its fd. */
  readonly fd: number;
  /** The events watched: EVENT_READ, EVENT_WRITE or both or-ed. */
  readonly events: number;
  /** What the caller attached at register() or modify(). */
  readonly data: T;
}

/** Python's KeyError: a file object registered twice, or not registered. */
export class KeyError extends Error {
  /** Always 'KeyError'. */
  override get name(): string {
    return 'KeyError';
  }
}

/** The fd of a file object: a TypeError for anything else, a RangeError for a negative fd (a closed Socket's -1). */
export function fdOf(fileobj: unknown, name = 'fileobj'): number {
  let fd: unknown = fileobj;
  if (fileobj !== null && typeof fileobj === 'object' && typeof (fileobj as { fileno?: unknown }).fileno === 'function') {
    fd = (fileobj as { fileno(): unknown }).fileno();
  } else if (typeof fileobj !== 'number') {
    throw typeError(name, 'an fd or an object with a fileno() method', fileobj);
  }
  if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0) throw rangeError(`Invalid file descriptor: ${String(fd)}`);
  return fd;
}

/** A selector's events: EVENT_READ, EVENT_WRITE or both. */
export function checkEvents(events: unknown): number {
  if (typeof events !== 'number') throw typeError('events', 'a number', events);
  if (!Number.isInteger(events) || events <= 0 || events & ~(EVENT_READ | EVENT_WRITE)) throw valueError(`Invalid events: ${events}`);
  return events;
}

/** The file object in an error message: its own toString() (a Socket's repr), or the fd. */
export function describe(fileobj: FileObject): string {
  const value: unknown = fileobj;
  return String(value);
}

/**
 * Python's selectors' reading of poll's or epoll's events as EVENT bits:
 * anything but `readable` (an error, a hang-up) counts as writable, and
 * anything but `writable` as readable, so that the next call meets it.
 */
export function selectorEvents(events: number, readable: number, writable: number): number {
  return (events & ~readable ? EVENT_WRITE : 0) | (events & ~writable ? EVENT_READ : 0);
}
