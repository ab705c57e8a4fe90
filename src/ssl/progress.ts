// What an SSLSocket's calls wait on: the TLS engine's progress (data
// decrypted, a write taken, the handshake done, the end of input), told by
// the TLSSocket's events rather than by an fd's readiness. A Waitable, so
// the call helper runs the TLS calls too: one deadline per call, calls in
// order, no wait loop or timer of the SSLSocket's own.
import { closedError } from '../core/errors.js';
import type { Waitable } from '../io/call.js';
import { PRIORITY, READ, WaitQueues, WRITE, type Direction, type Waiter } from '../io/waiters.js';

export class TLSProgress implements Waitable {
  readonly referenced = true;
  readonly #queues = new WaitQueues();
  readonly #fd: () => number;
  readonly #holder: object;
  #serving = false;
  #again = false;

  /** fd: the socket's fd, -1 once closed; holder: what a waiting call keeps alive. */
  constructor(fd: () => number, holder: object) {
    this.#fd = fd;
    this.#holder = holder;
  }

  get fd(): number {
    return this.#fd();
  }

  holder(): object {
    return this.#holder;
  }

  // Reads are served in call order. Writes are ordered by the TLS stream
  // itself: each is handed over at once and waits only for its own end.
  busy(direction: Direction): boolean {
    return direction === READ && this.#queues.busy(READ);
  }

  wait(waiter: Waiter): void {
    this.#queues.add(waiter);
  }

  cancel(waiter: Waiter): void {
    this.#queues.remove(waiter);
  }

  waitSync(): number {
    throw new TypeError('SSLSocket has no Sync forms on this TLS engine');
  }

  /** The engine moved: every waiting call tries again, in order (a wake during one is served after it). */
  wake(): void {
    if (this.#serving) {
      this.#again = true;
      return;
    }
    this.#serving = true;
    this.#again = false;
    try {
      do this.#queues.serve(READ | WRITE | PRIORITY, this.fd);
      while (this.#takeAgain());
    } finally {
      this.#serving = false;
    }
  }

  #takeAgain(): boolean {
    const again = this.#again;
    this.#again = false;
    return again;
  }

  /** The socket closed: every waiting call fails with EBADF. */
  close(): void {
    this.#queues.failAll(closedError);
  }
}
