// getMap()'s view of a selector's registrations.
import type { FileObject, SelectorKey } from './keys.js';

/**
 * getMap()'s view, as Python's _SelectorMapping: live (it shows the
 * registrations as they are when read) and read-only; keyed by file object,
 * and `get`/`has` find a key by fd too.
 */
export class SelectorMapping<T> implements ReadonlyMap<FileObject, SelectorKey<T>> {
  readonly #byFd: ReadonlyMap<number, SelectorKey<T>>;
  readonly #find: (fileobj: FileObject) => SelectorKey<T> | undefined;

  /** A view of the selector's own keys by fd; `find` looks a file object up as the selector does. */
  constructor(byFd: ReadonlyMap<number, SelectorKey<T>>, find: (fileobj: FileObject) => SelectorKey<T> | undefined) {
    this.#byFd = byFd;
    this.#find = find;
  }

  /** The number of registrations. */
  get size(): number {
    return this.#byFd.size;
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
    for (const key of this.#byFd.values()) yield [key.fileobj, key];
  }

  /** Yields each registered file object. */
  *keys(): MapIterator<FileObject> {
    for (const key of this.#byFd.values()) yield key.fileobj;
  }

  /** Yields each key. */
  *values(): MapIterator<SelectorKey<T>> {
    yield* this.#byFd.values();
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
