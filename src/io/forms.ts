// The two forms of every call that can wait, as the drivers a call is
// written against once: SYNC returns the result, waiting on the calling
// thread; ASYNC returns a Promise and never blocks the event loop. A
// Socket method and its …Sync twin pass ASYNC or SYNC to one preparation
// (socket/calls.ts), which checks the arguments, chooses the operation,
// direction and timeout, and hands them to `form.call` — with no object
// made for the call on the way (the hot path allocates nothing more).
import type { Syscall } from '../core/errors.js';
import { signalOf } from '../core/validate.js';
import type { Blocking } from './blocking.js';
import { callAbortable, callAsync, callSync, type Arguments, type Op, type Waitable } from './call.js';
import type { Direction } from './waiters.js';

/** What each form gives for a result R. */
export interface Results<R> {
  sync: R;
  async: Promise<R>;
}

export type FormName = keyof Results<unknown>;

export interface Form<F extends FormName> {
  /** One system call that may wait, through the call helper. */
  call<A extends Arguments, R>(target: Waitable, timeout: number | null, direction: Direction, syscall: Syscall, op: Op<A, R>, ...args: A): Results<R>[F];
  /** A result known at once. */
  done<R>(value: R): Results<R>[F];
  /** Work of several steps (a look-up, then the call). */
  run<R>(work: Blocking<R>): Results<R>[F];
}

export const SYNC: Form<'sync'> = {
  call: callSync,
  done: (value) => value,
  run: (work) => work.sync(),
};

export const ASYNC: Form<'async'> = {
  call: callAsync,
  done: (value) => Promise.resolve(value),
  run: (work) => work.async(),
};

/** The Promise form whose waits `signal` may end with an AbortError (ASYNC without one). */
export function abortable(signal: AbortSignal | undefined): Form<'async'> {
  if (signal === undefined) return ASYNC;
  return {
    call: (target, timeout, direction, syscall, op, ...args) => callAbortable(signal, target, timeout, direction, syscall, op, ...args),
    done: (value) => Promise.resolve(value),
    run: (work) => work.async(signal),
  };
}

/** The Promise form for a call's options: ASYNC itself when there are none (the usual, fast case). */
export function asyncForm(options: unknown): Form<'async'> {
  return options === undefined ? ASYNC : abortable(signalOf(options));
}

/** The Promise form of a preparation whose argument checks may throw: bad arguments reject, never throw. */
export function promised<R>(prepare: () => Promise<R>): Promise<R> {
  try {
    return prepare();
  } catch (error) {
    return Promise.reject(error);
  }
}
