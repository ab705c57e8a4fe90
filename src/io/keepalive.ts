// What keeps the process alive while async calls wait: a count of waiting
// calls (of referenced targets) shared with the addon, which keeps the
// event loop alive while it is not 0. Counting crosses into C only to
// switch: when the count leaves 0 and the loop is not kept alive yet, or
// drops to 0 outside a batch of readiness events. A count that drops to 0
// while a batch is delivered is left to the addon, which looks once the
// batch's promise reactions have run: a call served there usually waits
// again at once, so nothing is switched per wait.
import { native } from '../core/native.js';

// The shared state's slots (native/poll.c's KEEPALIVE_*).
const WAITING = 0;
const REFERENCED = 1;
const DELIVERING = 2;

const state = new Int32Array(3);
native.keepAliveInit(state);

/** One more call waits on a referenced target (true), or one fewer (false). */
export function keepAlive(waiting: boolean): void {
  if (waiting) {
    state[WAITING]!++;
    if (state[REFERENCED] === 0) native.keepAliveSync();
  } else if (--state[WAITING]! === 0 && state[DELIVERING] === 0 && state[REFERENCED] !== 0) native.keepAliveSync();
}
