// Python's selectors.BaseSelector with its registrations (Python's
// _BaseSelectorImpl): SelectSelector, PollSelector and EpollSelector
// (selector.ts) differ only in how they watch the fds and wait.
import { checkTimeout, signalOf } from '../core/validate.js';
import type { Blocking } from '../io/blocking.js';
import { checkEvents, describe, EVENT_READ, EVENT_WRITE, fdOf, KeyError, selectorEvents, type FileObject, type SelectorKey } from './keys.js';
import { SelectorMapping } from './mapping.js';
import type { SelectOptions } from './select.js';
import type { Ready } from './selection.js';

/** What every call of a closed selector throws (Python's ValueError). */
export function closedSelector(): RangeError {
  return new RangeError('I/O operation on a closed selector');
}

/** A selector's timeout in seconds: null (or none) waits forever; as Python's selectors, one of 0 or less polls without waiting. */
function selectorTimeout(timeout: unknown): number | null {
  return checkTimeout(typeof timeout === 'number' && timeout < 0 ? 0 : (timeout ?? null));
}

/**
 * Python's selectors.BaseSelector: file objects registered for EVENT_READ
 * and EVENT_WRITE, each with the caller's data, and select() to wait until
 * some are ready. SelectSelector, PollSelector and EpollSelector (and
 * DefaultSelector, which is EpollSelector) are its kinds.
 */
export abstract class BaseSelector<T = unknown> {
  /** @internal The bits of the selection's events that mean readable and writable (Python's _EVENT_READ and _EVENT_WRITE). */
  protected readonly readable: number = EVENT_READ;
  /** @internal */
  protected readonly writable: number = EVENT_WRITE;
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

  #key(fileobj: FileObject): SelectorKey<T> {
    const key = this.#keys.get(this.#lookup(fileobj));
    if (key === undefined) throw new KeyError(`${describe(fileobj)} is not registered`);
    return key;
  }

  #check(): void {
    if (this.#closed) throw closedSelector();
  }

  /** Watches fileobj for events (EVENT_READ | EVENT_WRITE) with data; returns its key (KeyError if already registered). */
  register(fileobj: FileObject, events: number, data?: T): SelectorKey<T> {
    this.#check();
    checkEvents(events);
    const fd = fdOf(fileobj);
    if (this.#keys.has(fd)) throw new KeyError(`${describe(fileobj)} (FD ${fd}) is already registered`);
    const key: SelectorKey<T> = Object.freeze({ fileobj, fd, events, data: data as T });
    this.watch(key);
    this.#keys.set(fd, key);
    return key;
  }

  /** Stops watching fileobj (found by its fd, even once closed); returns its key (KeyError if not registered). */
  unregister(fileobj: FileObject): SelectorKey<T> {
    this.#check();
    const key = this.#key(fileobj);
    this.#keys.delete(key.fd);
    this.unwatch(key);
    return key;
  }

  /** Changes the events or data of a registration; returns the new key (the same key if nothing changed). */
  modify(fileobj: FileObject, events: number, data?: T): SelectorKey<T> {
    this.#check();
    const key = this.#key(fileobj);
    checkEvents(events);
    if (events === key.events && data === key.data) return key;
    const changed: SelectorKey<T> = Object.freeze({ ...key, events, data: data as T });
    if (events !== key.events) {
      try {
        this.rewatch(changed);
      } catch (error) {
        // As Python's: a registration the OS no longer takes (its fd closed) is dropped.
        this.#keys.delete(key.fd);
        throw error;
      }
    }
    this.#keys.set(key.fd, changed);
    return changed;
  }

  /** Returns the key of a registered fileobj (KeyError if not registered). */
  getKey(fileobj: FileObject): SelectorKey<T> {
    this.#check();
    return this.#key(fileobj);
  }

  /** The registrations by file object, a live read-only view; `get` and `has` also take the object's fd, as Python's mapping. */
  getMap(): ReadonlyMap<FileObject, SelectorKey<T>> {
    this.#check();
    return new SelectorMapping(this.#keys, (fileobj) => {
      try {
        return this.#keys.get(this.#lookup(fileobj));
      } catch {
        return undefined;
      }
    });
  }

  /** Waits (on the event loop) until a registered object is ready or timeout seconds pass; resolves with the [key, ready events] pairs. */
  async select(timeout?: number | null, options?: SelectOptions): Promise<[SelectorKey<T>, number][]> {
    this.#check();
    const selecting = this.selection(this.#keys, selectorTimeout(timeout));
    return this.#results(await selecting.async(signalOf(options)));
  }

  /** select() on the calling thread (poll(2)); returns the [key, ready events] pairs. */
  selectSync(timeout?: number | null): [SelectorKey<T>, number][] {
    this.#check();
    return this.#results(this.selection(this.#keys, selectorTimeout(timeout)).sync());
  }

  // Each ready fd still registered, with its events read as EVENT bits.
  #results(ready: Ready): [SelectorKey<T>, number][] {
    const results: [SelectorKey<T>, number][] = [];
    for (const [fd, revents] of ready) {
      const key = this.#keys.get(fd);
      const events = key === undefined ? 0 : selectorEvents(revents, this.readable, this.writable) & key.events;
      if (events !== 0) results.push([key!, events]);
    }
    return results;
  }

  /** Forgets every registration; later calls throw (idempotent). The sockets stay open. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#keys.clear();
    this.unwatchAll();
  }

  /** `using`: close(). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal A registration begins: a failure (the OS refusing the fd) registers nothing. */
  protected watch(_key: SelectorKey<T>): void {
    // Nothing to do for a selector that reads its registrations at each selection.
  }

  /** @internal A registration's events changed. */
  protected rewatch(_key: SelectorKey<T>): void {
    // As watch().
  }

  /** @internal A registration ended; its fd may be closed already. */
  protected unwatch(_key: SelectorKey<T>): void {
    // As watch().
  }

  /** @internal The selector closes. */
  protected unwatchAll(): void {
    // As watch().
  }

  /** @internal The wait of one selection over the registrations by fd: the ready [fd, events] pairs (in `readable`/`writable` bits), [] once timeout seconds pass. */
  protected abstract selection(keys: ReadonlyMap<number, SelectorKey<T>>, timeout: number | null): Blocking<Ready>;
}
