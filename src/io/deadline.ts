// One deadline for a whole call, however many waits it takes (Python's
// sock_call: the timeout bounds the call, not each wait).

// The longest wait setTimeout and poll(2) take; a longer one is as good as
// forever (24.8 days).
export const MAX_WAIT_MS = 0x7fffffff;

export class Deadline {
  readonly #at: number;

  /** timeout in seconds; null: no deadline. */
  constructor(timeout: number | null) {
    this.#at = timeout === null ? Infinity : performance.now() + timeout * 1000;
  }

  /** The milliseconds left (Infinity without a deadline), never negative. */
  remaining(): number {
    return Math.max(0, this.#at - performance.now());
  }

  /** The milliseconds left for poll(2): -1 without a deadline. */
  pollMs(): number {
    const left = this.remaining();
    return left === Infinity ? -1 : Math.ceil(left);
  }

  get expired(): boolean {
    return performance.now() >= this.#at;
  }
}
