// An epoll fd (epoll(7)) as something the call helper waits on: its op is
// epoll_wait without waiting, and a call waits for the epoll fd's own
// readability, as a socket's calls wait for the socket's: on its readiness
// watcher (async) or in poll(2) (Sync). The epoll object, the epoll
// selector and the poll object's async wait are each one of these.
import { errorFromErrno } from '../core/errors.js';
import { native, requiredConstant } from '../core/native.js';
import type { Blocking } from '../io/blocking.js';
import { call } from '../io/call.js';
import { Handle } from '../io/handle.js';
import { READ, type Waiter } from '../io/waiters.js';
import { closeWhenCollected, released } from '../socket/lifetime.js';
import { readyOrAgain, selection, type Noting, type Ready } from './selection.js';

// epoll_ctl's operations (not among Python's names).
const [EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL] = ['EPOLL_CTL_ADD', 'EPOLL_CTL_MOD', 'EPOLL_CTL_DEL'].map((name) => requiredConstant(name, native.selectConstants));

function epollWait(fd: number, maxevents: number): Ready | number {
  return readyOrAgain(native.epollWait(fd, maxevents, 0));
}

export class EpollFd extends Handle implements Noting {
  waited = false;

  /** A new close-on-exec epoll fd, or `fd` adopted; closed, as Python's, if owner is collected unclosed. */
  constructor(owner: object, fd = native.epollCreate()) {
    if (fd < 0) throw errorFromErrno(fd, 'epoll_create1');
    super(fd, null);
    this.owner = new WeakRef(owner);
    closeWhenCollected(owner, this);
  }

  /** epoll_ctl(2) EPOLL_CTL_ADD: watches fd for events. */
  add(fd: number, events: number): void {
    this.#control(EPOLL_CTL_ADD, fd, events);
  }

  /** epoll_ctl(2) EPOLL_CTL_MOD: watches fd for these events instead. */
  modify(fd: number, events: number): void {
    this.#control(EPOLL_CTL_MOD, fd, events);
  }

  /** epoll_ctl(2) EPOLL_CTL_DEL: stops watching fd. */
  remove(fd: number): void {
    this.#control(EPOLL_CTL_DEL, fd, 0);
  }

  #control(op: number, fd: number, events: number): void {
    const rc = native.epollCtl(this.fd, op, fd, events);
    if (rc < 0) throw errorFromErrno(rc, 'epoll_ctl');
  }

  /** Up to maxevents ready [fd, events] pairs, at once or once there are some; [] once timeout seconds pass (null: no limit; 0: never waits). */
  select(timeout: number | null, maxevents: number): Blocking<Ready> {
    return selection(this, call(this, timeout, READ, 'epoll_wait', epollWait, maxevents), []);
  }

  override wait(waiter: Waiter): void {
    this.waited = true;
    super.wait(waiter);
  }

  /** Closes the epoll fd (idempotent): a call still waiting on it fails with EBADF. */
  override close(): number {
    released(this);
    return super.close();
  }
}
