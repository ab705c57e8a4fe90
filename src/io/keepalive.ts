// What keeps the process alive while async calls wait: a count of the
// watchers where calls wait (unless unref()ed), shared with the addon, which
// keeps the event loop alive while it is not 0. Counting crosses into C only to
// switch: when the count leaves 0 and the loop is not kept alive yet, or
// drops to 0 outside a batch of readiness events. A count that drops to 0
// while a batch is delivered is left to the addon, which looks once the
// batch's promise reactions have run: a call served there usually waits
// again at once, so nothing is switched per wait.
import { errorFromErrno } from '../core/errors.js';
import { native } from '../core/native.js';

// The shared state's slots (native/poll.c's KEEPALIVE_*).
const WAITING = 0;
const REFERENCED = 1;
const DELIVERING = 2;

const shared = native.keepAliveState();
if (typeof shared === 'number') throw errorFromErrno(shared, 'keepAliveState');
const state = shared;

/** One more watcher has waiting calls that keep the process alive (true), or one fewer (false). */
export function keepAlive(waiting: boolean): void {
  if (waiting) {
    state[WAITING]!++;
    if (state[REFERENCED] === 0) native.keepAliveSync();
  } else if (--state[WAITING]! === 0 && state[DELIVERING] === 0 && state[REFERENCED] !== 0) native.keepAliveSync();
}
