// One deadline for a whole call, however many waits it takes (Python's
// sock_call: the timeout bounds the call, not each wait).

// The longest wait setTimeout and poll(2) take; a longer one is as good as
// forever (24.8 days).
export const MAX_WAIT_MS = 0x7fffffff;

export class Deadline {
  readonly #at: number;

  /** No deadline: waits as long as it takes, and never reads the clock. */
  static readonly NEVER = new Deadline(Infinity);

  private constructor(at: number) {
    this.#at = at;
  }

  /** The deadline of a call with this timeout (seconds; null: none), from now. */
  static after(timeout: number | null): Deadline {
    return timeout === null ? Deadline.NEVER : new Deadline(performance.now() + timeout * 1000);
  }

  /** The milliseconds left (Infinity without a deadline), never negative. */
  remaining(): number {
    return this.#at === Infinity ? Infinity : Math.max(0, this.#at - performance.now());
  }

  /** The milliseconds left for poll(2): -1 without a deadline. */
  pollMs(): number {
    return this.#at === Infinity ? -1 : Math.ceil(this.remaining());
  }

  get expired(): boolean {
    return this.#at !== Infinity && performance.now() >= this.#at;
  }
}
