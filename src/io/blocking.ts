// Everything that can wait is written once, as a Blocking, and has two
// drivers: `async()`, the Promise form, which never blocks the event loop,
// and `sync()`, the …Sync form, which waits on the calling thread. One
// system call that may wait is a Call (call.ts). A behaviour of several
// waits (resolve a name, then connect; read a chunk of a file, then send
// it) is a generator that yields each Blocking it waits for: `steps` runs
// it in either form, so its logic exists once.
import { AbortError } from '../core/errors.js';
import { signalOf } from '../core/validate.js';
import { withCallerStack } from './stacks.js';

/** Work that may wait, runnable as a Promise (which `signal` may abort) or on the calling thread. */
export interface Blocking<R> {
  async(signal?: AbortSignal): Promise<R>;
  sync(): R;
}

/** A behaviour's waits, in order: `const r = yield* wait(b)` waits for b and gives its result. */
export type Steps<R> = Generator<Blocking<unknown>, R, unknown>;

/** Waits for one Blocking inside Steps, with its result typed. */
export function* wait<R>(blocking: Blocking<R>): Generator<Blocking<unknown>, R, unknown> {
  return (yield blocking) as R;
}

class StepsBlocking<R> implements Blocking<R> {
  constructor(readonly make: () => Steps<R>) {}

  async async(signal?: AbortSignal): Promise<R> {
    const steps = this.make();
    let next = steps.next();
    while (next.done !== true) {
      let result: unknown;
      try {
        if (signal?.aborted === true) throw new AbortError(signal.reason);
        result = await next.value.async(signal);
      } catch (error) {
        next = steps.throw(error);
        continue;
      }
      next = steps.next(result);
    }
    return next.value;
  }

  sync(): R {
    const steps = this.make();
    let next = steps.next();
    while (next.done !== true) {
      let result: unknown;
      try {
        result = next.value.sync();
      } catch (error) {
        next = steps.throw(error);
        continue;
      }
      next = steps.next(result);
    }
    return next.value;
  }
}

/** A behaviour written once as a generator of its waits (made anew for each run). */
export function steps<R>(make: () => Steps<R>): Blocking<R> {
  return new StepsBlocking(make);
}

// A look-up or a file read cannot be stopped once started: an abort
// rejects at once and what the work brings later is dropped.
class Either<R> implements Blocking<R> {
  constructor(readonly begin: () => Promise<R>, readonly sync: () => R) {}

  async(signal?: AbortSignal): Promise<R> {
    if (signal === undefined) return this.begin();
    if (signal.aborted) return Promise.reject(new AbortError(signal.reason));
    return withCallerStack(
      new Promise<R>((resolve, reject) => {
        const onAbort = (): void => reject(new AbortError(signal.reason));
        signal.addEventListener('abort', onAbort, { once: true });
        this.begin()
          .then(resolve, reject)
          .finally(() => signal.removeEventListener('abort', onAbort));
      }),
    );
  }
}

// Work whose Promise form takes the signal itself (a sendall that reports
// what it sent when aborted).
class Abortable<R> implements Blocking<R> {
  constructor(readonly async: (signal?: AbortSignal) => Promise<R>, readonly sync: () => R) {}
}

/** Work with a function per form, the Promise one given the signal that may abort it. */
export function abortableEither<R>(asyncForm: (signal?: AbortSignal) => Promise<R>, syncForm: () => R): Blocking<R> {
  return new Abortable(asyncForm, syncForm);
}

/** Work with a function per form: a name look-up on the thread pool, or on the calling thread. */
export function either<R>(asyncForm: () => Promise<R>, syncForm: () => R): Blocking<R> {
  return new Either(asyncForm, syncForm);
}

/**
 * The Promise form of work whose preparing may throw: bad arguments reject,
 * never throw. `options.signal` may abort the wait. A failure's stack shows
 * the caller, however deep the work's own frames (see stacks.ts).
 */
export function start<R>(prepare: () => Blocking<R>, options?: unknown): Promise<R> {
  try {
    return withCallerStack(prepare().async(signalOf(options)));
  } catch (error) {
    return Promise.reject(error);
  }
}
