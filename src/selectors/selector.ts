// Python's selector classes: SelectSelector, PollSelector, EpollSelector,
// and DefaultSelector, which is EpollSelector (as in Python on Linux). Each
// is a BaseSelector (base.ts) with its way of watching and waiting.
import { SocketError } from '../core/errors.js';
import { steps, wait, type Blocking } from '../io/blocking.js';
import { BaseSelector, closedSelector } from './base.js';
import { EPOLLIN, EPOLLOUT, POLLIN, POLLOUT } from './constants.js';
import { EpollFd } from './epoll-fd.js';
import { FdSet, refuseClosed } from './fdset.js';
import { EVENT_READ, EVENT_WRITE, type SelectorKey } from './keys.js';
import { PollSet } from './pollset.js';
import type { Ready } from './selection.js';

/** The poller's mask for a selector's events: Python's _PollLikeSelector. */
function pollerEvents(events: number, readable: number, writable: number): number {
  return (events & EVENT_READ ? readable : 0) | (events & EVENT_WRITE ? writable : 0);
}

/**
 * Python's selectors.SelectSelector: select.select's semantics (over
 * poll(2), without select(2)'s limit on fd numbers); a registered fd that
 * has been closed makes select() throw an OSError EBADF, as in Python.
 */
export class SelectSelector<T = unknown> extends BaseSelector<T> {
  /** @internal */
  protected override selection(keys: ReadonlyMap<number, SelectorKey<T>>, timeout: number | null): Blocking<Ready> {
    const fds = Int32Array.from(keys.keys());
    const wanted = Array.from(keys.values(), (key) => key.events);
    refuseClosed(fds, wanted);
    const selecting = new FdSet(fds, wanted).select(timeout);
    return steps(function* () {
      const ready = yield* wait(selecting);
      return Array.from(fds, (fd, k): [number, number] => [fd, ready[k]!]);
    });
  }
}

/**
 * Python's selectors.PollSelector, over poll(2): a registered fd that has
 * been closed is reported ready (POLLNVAL), as in Python.
 */
export class PollSelector<T = unknown> extends BaseSelector<T> {
  /** @internal */
  protected override readonly readable = POLLIN;
  /** @internal */
  protected override readonly writable = POLLOUT;

  /** @internal */
  protected override selection(keys: ReadonlyMap<number, SelectorKey<T>>, timeout: number | null): Blocking<Ready> {
    const masks = Int32Array.from(keys.values(), (key) => pollerEvents(key.events, POLLIN, POLLOUT));
    return new PollSet(Int32Array.from(keys.keys()), masks).select(timeout);
  }
}

/**
 * Python's selectors.EpollSelector, over an epoll fd (epoll(7)) that the
 * selector owns: `fileno()` is that fd, and close() closes it. A registered
 * fd that has been closed is no longer reported (epoll forgets it), and
 * unregister() still accepts it; registering an fd that is not open is an
 * OSError EBADF, and a regular file a PermissionError, as in Python.
 */
export class EpollSelector<T = unknown> extends BaseSelector<T> {
  /** @internal */
  protected override readonly readable = EPOLLIN;
  /** @internal */
  protected override readonly writable = EPOLLOUT;
  readonly #epoll = new EpollFd(this);

  /** The epoll fd (a RangeError once closed, as Python's ValueError). */
  fileno(): number {
    if (this.#epoll.fd < 0) throw closedSelector();
    return this.#epoll.fd;
  }

  /** @internal */
  protected override watch(key: SelectorKey<T>): void {
    this.#epoll.add(key.fd, pollerEvents(key.events, EPOLLIN, EPOLLOUT));
  }

  /** @internal */
  protected override rewatch(key: SelectorKey<T>): void {
    this.#epoll.modify(key.fd, pollerEvents(key.events, EPOLLIN, EPOLLOUT));
  }

  /** @internal */
  protected override unwatch(key: SelectorKey<T>): void {
    try {
      this.#epoll.remove(key.fd);
    } catch (error) {
      // Its fd closed: epoll has forgotten it already (Python ignores this too).
      if (!(error instanceof SocketError)) throw error;
    }
  }

  /** @internal */
  protected override unwatchAll(): void {
    this.#epoll.close();
  }

  /** @internal */
  protected override selection(keys: ReadonlyMap<number, SelectorKey<T>>, timeout: number | null): Blocking<Ready> {
    return this.#epoll.select(timeout, Math.max(keys.size, 1));
  }
}

/** Python's selectors.DefaultSelector: the platform's most efficient selector, EpollSelector on Linux. */
export const DefaultSelector = EpollSelector;
/** Python's selectors.DefaultSelector: the platform's most efficient selector, EpollSelector on Linux. */
export type DefaultSelector<T = unknown> = EpollSelector<T>;
