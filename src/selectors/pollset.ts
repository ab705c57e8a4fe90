// select.poll's set of fds and event masks as something the call helper
// waits on. Its op is poll(2) of the set without waiting; the Sync form
// waits in poll(2) with the time that remains; the async form waits on a
// private epoll fd that watches the same fds for the same events, made when
// a call first waits and closed when it ends: level-triggered, it is ready
// exactly when poll(2) would report something, and it involves no fd's own
// watcher, so an fd that Node itself watches can be polled too.
import { PermissionError, type SocketError } from '../core/errors.js';
import { native } from '../core/native.js';
import { steps, wait, type Blocking } from '../io/blocking.js';
import { call, type Waitable } from '../io/call.js';
import { pollEvents } from '../io/syncwait.js';
import { READ, type Direction, type Waiter } from '../io/waiters.js';
import * as C from './constants.js';
import { EpollFd } from './epoll-fd.js';
import { readyOrAgain, selection, type Noting, type Ready } from './selection.js';

// The same events in poll's bits and in epoll's (equal on Linux, not
// assumed); both always report errors and hang-ups.
const EPOLL_OF: readonly (readonly [number, number])[] = [
  [C.POLLIN, C.EPOLLIN],
  [C.POLLPRI, C.EPOLLPRI],
  [C.POLLOUT, C.EPOLLOUT],
  [C.POLLRDNORM, C.EPOLLRDNORM],
  [C.POLLRDBAND, C.EPOLLRDBAND],
  [C.POLLWRNORM, C.EPOLLWRNORM],
  [C.POLLWRBAND, C.EPOLLWRBAND],
  [C.POLLMSG, C.EPOLLMSG],
  [C.POLLRDHUP, C.EPOLLRDHUP],
];

function epollEvents(mask: number): number {
  let events = 0;
  for (const [poll, epoll] of EPOLL_OF) if (mask & poll) events |= epoll;
  return events;
}

export class PollSet implements Waitable, Noting {
  // The op polls the set's own fds; the set itself is never closed.
  readonly fd = 0;
  readonly referenced = true;
  waited = false;
  readonly #fds: Int32Array;
  readonly #masks: Int32Array;
  #epoll: EpollFd | undefined;

  /** fds[k] watched for the POLL* bits of masks[k]. */
  constructor(fds: Int32Array, masks: Int32Array) {
    this.#fds = fds;
    this.#masks = masks;
  }

  /** The [fd, revents] pairs of the fds with events, at once or once one has some; [] once timeout seconds pass (null: no limit; 0: never waits). */
  select(timeout: number | null): Blocking<Ready> {
    const polling = call(this, timeout, READ, 'poll', PollSet.#poll, this);
    const unwatch = (): void => {
      this.#epoll?.close();
      this.#epoll = undefined;
    };
    return selection(
      this,
      steps(function* () {
        try {
          return yield* wait(polling);
        } finally {
          unwatch();
        }
      }),
      [],
    );
  }

  static #poll(this: void, _fd: number, set: PollSet): Ready | number {
    return readyOrAgain(native.poll(set.#fds, set.#masks, 0));
  }

  holder(): object | undefined {
    return undefined;
  }

  busy(): boolean {
    return false;
  }

  wait(waiter: Waiter): void {
    this.waited = true;
    try {
      this.#epoll ??= this.#watch();
    } catch (error) {
      waiter.fail(error as SocketError);
      return;
    }
    this.#epoll.wait(waiter);
  }

  cancel(waiter: Waiter): void {
    this.#epoll?.cancel(waiter);
  }

  waitSync(_direction: Direction, ms: number): number {
    return pollEvents(this.#fds, this.#masks, ms);
  }

  #watch(): EpollFd {
    const epoll = new EpollFd(this);
    try {
      this.#fds.forEach((fd, k) => {
        try {
          epoll.add(fd, epollEvents(this.#masks[k]!));
        } catch (error) {
          // An fd epoll refuses (a regular file) has nothing to wait for:
          // poll(2) finds it ready at once, or never.
          if (!(error instanceof PermissionError)) throw error;
        }
      });
    } catch (error) {
      epoll.close();
      throw error;
    }
    return epoll;
  }
}
