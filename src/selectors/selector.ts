// Python's selectors (DefaultSelector) and select.select, both forms of
// each a call of the call helper on an FdSet (fdset.ts): a non-blocking
// poll(2) of the set, and a wait on the fds' watchers (async) or in
// poll(2) (Sync), so both forms report alike.
import { native } from '../core/native.js';
import { EBADF } from '../core/errno.js';
import { errorFromErrno } from '../core/errors.js';
import { checkTimeout, rangeError, signalOf, typeError, valueError, type WaitOptions } from '../core/validate.js';
import { PRIORITY, READ, WRITE } from '../io/waiters.js';
import { FdSet } from './fdset.js';

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

function fdOf(fileobj: unknown): number {
  let fd: unknown = fileobj;
  if (fileobj !== null && typeof fileobj === 'object' && typeof (fileobj as { fileno?: unknown }).fileno === 'function') {
    fd = (fileobj as { fileno(): unknown }).fileno();
  } else if (typeof fileobj !== 'number') {
    throw typeError('fileobj', 'an fd or an object with a fileno() method', fileobj);
  }
  if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0) throw rangeError(`Invalid file descriptor: ${String(fd)}`);
  return fd;
}

function checkEvents(events: unknown): void {
  if (typeof events !== 'number') throw typeError('events', 'a number', events);
  if (!Number.isInteger(events) || events <= 0 || events & ~(EVENT_READ | EVENT_WRITE)) throw valueError(`Invalid events: ${events}`);
}

/** The file object in an error message: its own toString() (a Socket's repr), or the fd. */
function describe(fileobj: FileObject): string {
  const value: unknown = fileobj;
  return String(value);
}

/** A timeout in seconds; null (or undefined) waits forever. */
function selectTimeout(timeout: unknown): number | null {
  return checkTimeout(timeout ?? null);
}

/** A selector's timeout: as Python's selectors, one of 0 or less polls without waiting. */
function selectorTimeout(timeout: unknown): number | null {
  return selectTimeout(typeof timeout === 'number' && timeout < 0 ? 0 : timeout);
}

/** Options of the async select calls: `signal` ends the wait with an AbortError. */
export type SelectOptions = WaitOptions;

/**
 * The ready events of fds, as the async form: a select that finds fds ready
 * at once still lets the event loop turn, so a loop of select() calls on fds
 * that stay ready (a listener whose accept fails with EMFILE) cannot starve
 * timers and I/O in microtasks.
 */
async function readyAsync(fds: Int32Array, wanted: readonly number[], timeout: number | null, signal: AbortSignal | undefined): Promise<Int32Array> {
  const set = new FdSet(fds, wanted);
  const ready = await set.select(timeout).async(signal);
  if (!set.waited) await new Promise((resolve) => setImmediate(resolve));
  return ready;
}

/** select() refuses a closed fd with EBADF, as Python's. */
function refuseClosed(fds: Int32Array, wanted: readonly number[]): void {
  if (FdSet.hasClosed(fds, wanted)) throw errorFromErrno(-EBADF, 'select');
}

/**
 * getMap()'s view, as Python's _SelectorMapping: live (it shows the
 * registrations as they are when read) and read-only; keyed by file object,
 * and `get`/`has` find a key by fd too.
 */
class SelectorMapping<T> implements ReadonlyMap<FileObject, SelectorKey<T>> {
  readonly #keys: () => Iterable<SelectorKey<T>>;
  readonly #find: (fileobj: FileObject) => SelectorKey<T> | undefined;

  constructor(keys: () => Iterable<SelectorKey<T>>, find: (fileobj: FileObject) => SelectorKey<T> | undefined) {
    this.#keys = keys;
    this.#find = find;
  }

  /** The number of registrations. */
  get size(): number {
    return [...this.#keys()].length;
  }

  /** Returns the key of fileobj (or of its fd), or undefined. */
  get(fileobj: FileObject): SelectorKey<T> | undefined {
    return this.#find(fileobj);
  }

  /** Whether fileobj (or its fd) is registered. */
  has(fileobj: FileObject): boolean {
    return this.#find(fileobj) !== undefined;
  }

  /** Yields [file object, key] for each registration. */
  *entries(): MapIterator<[FileObject, SelectorKey<T>]> {
    for (const key of this.#keys()) yield [key.fileobj, key];
  }

  /** Yields each registered file object. */
  *keys(): MapIterator<FileObject> {
    for (const key of this.#keys()) yield key.fileobj;
  }

  /** Yields each key. */
  *values(): MapIterator<SelectorKey<T>> {
    yield* this.#keys();
  }

  /** entries(). */
  [Symbol.iterator](): MapIterator<[FileObject, SelectorKey<T>]> {
    return this.entries();
  }

  /** Calls callback(key, fileobj, map) for each registration. */
  forEach(callback: (value: SelectorKey<T>, key: FileObject, map: ReadonlyMap<FileObject, SelectorKey<T>>) => void, thisArg?: unknown): void {
    for (const [fileobj, key] of this.entries()) callback.call(thisArg, key, fileobj, this);
  }
}

/** Python's selectors.DefaultSelector over poll(2) and the event loop. */
export class DefaultSelector<T = unknown> {
  readonly #keys = new Map<number, SelectorKey<T>>();
  #closed = false;

  /** The fd of a registered object, even one closed since (its fileno() is then -1). */
  #lookup(fileobj: FileObject): number {
    try {
      return fdOf(fileobj);
    } catch (error) {
      for (const key of this.#keys.values()) if (key.fileobj === fileobj) return key.fd;
      throw error;
    }
  }

  #check(): void {
    if (this.#closed) throw new RangeError('I/O operation on a closed selector');
  }

  /** Watches fileobj for events (EVENT_READ | EVENT_WRITE) with data; returns its key (KeyError if already registered). */
  register(fileobj: FileObject, events: number, data?: T): SelectorKey<T> {
    this.#check();
    checkEvents(events);
    const fd = fdOf(fileobj);
    if (this.#keys.has(fd)) throw new KeyError(`${describe(fileobj)} (FD ${fd}) is already registered`);
    // As epoll_ctl, registering an fd that is not open is EBADF.
    const open = native.getInheritable(fd);
    if (open < 0) throw errorFromErrno(open, 'register');
    const key: SelectorKey<T> = Object.freeze({ fileobj, fd, events, data: data as T });
    this.#keys.set(fd, key);
    return key;
  }

  /** Stops watching fileobj (found by its fd, even once closed); returns its key (KeyError if not registered). */
  unregister(fileobj: FileObject): SelectorKey<T> {
    this.#check();
    const key = this.#keys.get(this.#lookup(fileobj));
    if (key === undefined) throw new KeyError(`${describe(fileobj)} is not registered`);
    this.#keys.delete(key.fd);
    return key;
  }

  /** Changes the events or data of a registration; returns the new key (the same key if nothing changed). */
  modify(fileobj: FileObject, events: number, data?: T): SelectorKey<T> {
    this.#check();
    const key = this.#keys.get(this.#lookup(fileobj));
    if (key === undefined) throw new KeyError(`${describe(fileobj)} is not registered`);
    checkEvents(events);
    if (events === key.events && data === key.data) return key;
    this.unregister(fileobj);
    return this.register(fileobj, events, data);
  }

  /** Returns the key of a registered fileobj (KeyError if not registered). */
  getKey(fileobj: FileObject): SelectorKey<T> {
    this.#check();
    const key = this.#keys.get(this.#lookup(fileobj));
    if (key === undefined) throw new KeyError(`${describe(fileobj)} is not registered`);
    return key;
  }

  /** The registrations by file object; `get` and `has` also take the object's fd, as Python's mapping. */
  getMap(): ReadonlyMap<FileObject, SelectorKey<T>> {
    this.#check();
    return new SelectorMapping(() => this.#keys.values(), (fileobj) => {
      try {
        return this.#keys.get(this.#lookup(fileobj));
      } catch {
        return undefined;
      }
    });
  }

  #query(): [SelectorKey<T>[], Int32Array, number[]] {
    const keys = [...this.#keys.values()];
    return [keys, Int32Array.from(keys, (k) => k.fd), keys.map((k) => k.events)];
  }

  #results(keys: SelectorKey<T>[], ready: Int32Array): [SelectorKey<T>, number][] {
    const results: [SelectorKey<T>, number][] = [];
    ready.forEach((events, k) => events !== 0 && results.push([keys[k]!, events]));
    return results;
  }

  /** Waits (on the event loop) until a registered object is ready or timeout seconds pass; resolves with the [key, ready events] pairs. */
  async select(timeout?: number | null, options?: SelectOptions): Promise<[SelectorKey<T>, number][]> {
    this.#check();
    const seconds = selectorTimeout(timeout);
    const [keys, fds, wanted] = this.#query();
    return this.#results(keys, await readyAsync(fds, wanted, seconds, signalOf(options)));
  }

  /** select() on the calling thread (poll(2)); returns the [key, ready events] pairs. */
  selectSync(timeout?: number | null): [SelectorKey<T>, number][] {
    this.#check();
    const [keys, fds, wanted] = this.#query();
    return this.#results(keys, new FdSet(fds, wanted).select(selectorTimeout(timeout)).sync());
  }

  /** Forgets every registration; later calls throw (idempotent). */
  close(): void {
    this.#keys.clear();
    this.#closed = true;
  }

  /** `using`: close(). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** select()'s result: `[readable, writable, exceptional]`, each a subset of its list. @inline */
type Lists<R, W, X> = [R[], W[], X[]];

function selectArguments<R extends FileObject, W extends FileObject, X extends FileObject>(rlist: R[], wlist: W[], xlist: X[]) {
  const lists = [rlist, wlist, xlist].map((list, i) => {
    if (!Array.isArray(list)) throw typeError(['rlist', 'wlist', 'xlist'][i]!, 'an array', list);
    return list.map((fileobj) => [fileobj, fdOf(fileobj)] as const);
  });
  const wanted = new Map<number, number>();
  lists.forEach((list, i) => list.forEach(([, fd]) => wanted.set(fd, (wanted.get(fd) ?? 0) | [READ, WRITE, PRIORITY][i]!)));
  const fds = Int32Array.from(wanted.keys());
  const pick = (ready: Int32Array): Lists<R, W, X> => {
    const byFd = new Map([...fds].map((fd, k) => [fd, ready[k]!]));
    return lists.map((list, i) => list.filter(([, fd]) => byFd.get(fd)! & [READ, WRITE, PRIORITY][i]!).map(([f]) => f)) as Lists<R, W, X>;
  };
  return { fds, wanted: [...wanted.values()], pick };
}

/** Python's select.select on the event loop: `[readable, writable, exceptional]`. */
export async function select<R extends FileObject, W extends FileObject, X extends FileObject>(rlist: R[], wlist: W[], xlist: X[], timeout?: number | null, options?: SelectOptions): Promise<Lists<R, W, X>> {
  const { fds, wanted, pick } = selectArguments(rlist, wlist, xlist);
  const seconds = selectTimeout(timeout);
  refuseClosed(fds, wanted);
  return pick(await readyAsync(fds, wanted, seconds, signalOf(options)));
}

/** select() on the calling thread (poll(2)); returns `[readable, writable, exceptional]`. */
export function selectSync<R extends FileObject, W extends FileObject, X extends FileObject>(rlist: R[], wlist: W[], xlist: X[], timeout?: number | null): Lists<R, W, X> {
  const { fds, wanted, pick } = selectArguments(rlist, wlist, xlist);
  const seconds = selectTimeout(timeout);
  refuseClosed(fds, wanted);
  return pick(new FdSet(fds, wanted).select(seconds).sync());
}
