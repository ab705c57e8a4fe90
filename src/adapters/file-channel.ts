// What the layers of one makefile() file share. Python stacks three objects
// (SocketIO, a buffered reader/writer, a TextIOWrapper); here each layer is
// a SocketFile over one FileChannel: the socket and its FileRefs, the bytes
// received and not yet read, the bytes written and not yet sent, and the
// order of reads and sends. So what one layer leaves buffered is the next
// one's to read or send, and closing any layer closes the file.
//
// A read runs its Step (file-steps.ts) in call order, filling from the
// socket as it asks. With a signal, an abort rejects it at once, whether it
// waits for its turn or for data; data is taken from the buffer only in the
// synchronous stretch that hands the result over, and what a receive
// brought is buffered before the read looks at its signal again, so what an
// aborted read had received stays buffered for the next read.
import { AbortError } from '../core/errors.js';
import { withCallerStack } from '../io/stacks.js';
import { ByteReader, More, type Reader, type Step } from './file-reader.js';
import type { FileRefs, FileSocket } from './file-socket.js';

const NOTHING_SENT = Promise.resolve(0);

export class FileChannel {
  /** The bytes received and not yet read (only a text layer keeps characters of its own). */
  readonly bytes: ByteReader;
  closed = false;
  // Async reads queue here; Sync reads refuse to run while any is pending.
  #reads: Promise<unknown> = Promise.resolve();
  #readsPending = 0;
  #out: Buffer | undefined;
  #outLength = 0;
  // The last async send: once it settles, every earlier one has.
  #sending: Promise<unknown> | undefined;

  constructor(
    readonly sock: FileSocket,
    /** The buffer size in bytes (0: unbuffered). */
    readonly bufsize: number,
    readonly refs: FileRefs | undefined,
  ) {
    this.bytes = new ByteReader(bufsize);
    refs?.acquire();
  }

  // ---- reading -------------------------------------------------------------

  /** Runs a read in call order: step over reader, receiving as it asks (exact: no further than it asks). */
  read<R>(reader: Reader, step: Step<R>, exact: boolean, signal: AbortSignal | undefined): Promise<R> {
    if (this.#readsPending === 0) {
      // Nothing queued: a read the buffer already answers needs no turn.
      const result = step();
      if (!(result instanceof More)) return Promise.resolve(result);
    }
    const sock = this.sock;
    const options = signal === undefined ? undefined : { signal };
    // A read that waits fails in a callback: its error gets the caller's frames.
    const reading = new Promise<R>((resolve, reject) => {
      // The read's work is over (before its caller resumes, so that a next
      // read, Sync ones too, may run at once).
      let over = false;
      let receiving = false;
      const finish = (): void => {
        if (over) return;
        over = true;
        this.#readsPending--;
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: unknown): void => {
        finish();
        reject(error);
      };
      const run = async (): Promise<void> => {
        for (;;) {
          if (signal?.aborted === true) throw new AbortError(signal.reason);
          const result = step();
          if (!(result instanceof More)) {
            finish();
            resolve(result);
            return;
          }
          if (reader.refill?.() === true) continue;
          receiving = true;
          try {
            reader.commit(await sock.recvInto(reader.space(result.want, exact), undefined, undefined, options));
          } finally {
            receiving = false;
          }
        }
      };
      // Waiting for its turn, an aborted read ends at once. Receiving, it
      // ends with its receive, which the same abort ends having received
      // nothing (FileSocket's promise), or, if it had received already, once
      // that is buffered.
      const onAbort = (): void => {
        if (!receiving) fail(new AbortError(signal!.reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#readsPending++;
      this.#reads = this.#reads.then(run).catch(fail);
    });
    return withCallerStack(reading);
  }

  /** read() on the calling thread. */
  readSync<R>(reader: Reader, step: Step<R>, exact: boolean): R {
    if (this.#readsPending > 0) throw new Error('A …Sync read cannot run while async reads of the same file are pending');
    const sock = this.sock;
    for (let result = step(); ; result = step()) {
      if (!(result instanceof More)) return result;
      if (reader.refill?.() === true) continue;
      if (sock.recvIntoSync === undefined) throw new TypeError('This file\'s socket has no blocking (…Sync) calls');
      reader.commit(sock.recvIntoSync(reader.space(result.want, exact)));
    }
  }

  // ---- writing -------------------------------------------------------------

  /** Whether async sends are still under way (a Sync write must not overtake them). */
  get sending(): boolean {
    return this.#sending !== undefined;
  }

  /**
   * Buffers bytes as Python's BufferedWriter, in a buffer of bufsize bytes
   * (a layer's own: 0 for an unbuffered one); returns what must be sent now, in order.
   */
  queue(bytes: Uint8Array, bufsize: number): Uint8Array[] {
    if (this.#outLength + bytes.length <= bufsize) {
      if (bytes.length === 0) return [];
      this.#out ??= Buffer.allocUnsafe(bufsize);
      this.#out.set(bytes, this.#outLength);
      this.#outLength += bytes.length;
      return [];
    }
    const send = this.drain();
    if (bytes.length >= bufsize) send.push(bytes);
    else this.queue(bytes, bufsize);
    return send;
  }

  /** Hands over the buffered bytes (a fresh buffer takes the next writes). */
  drain(): Uint8Array[] {
    if (this.#outLength === 0) return [];
    const out = this.#out!.subarray(0, this.#outLength);
    this.#out = undefined;
    this.#outLength = 0;
    return [out];
  }

  /**
   * Sends chunks in order, after every earlier send; resolves with their
   * length (no chunks: once the earlier sends are done). An abort rejects
   * with an AbortError whose bytesSent counts what went out of the chunks;
   * the rest of them is dropped, as an aborted sendall's.
   */
  send(chunks: Uint8Array[], signal: AbortSignal | undefined): Promise<number> {
    if (chunks.length === 0) return this.#sending === undefined ? NOTHING_SENT : untilAborted(this.#sending.then(() => 0), signal);
    const options = signal === undefined ? undefined : { signal };
    const sends = chunks.map((chunk) => this.sock.sendall(chunk, undefined, options));
    const sent = Promise.all(sends);
    this.#sending = sent;
    const settled = (): void => {
      if (this.#sending === sent) this.#sending = undefined;
    };
    sent.then(settled, settled);
    const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    // The socket's sendall ends its own wait on abort (FileSocket's contract).
    return withCallerStack(sent.then(
      () => total,
      async (error: unknown) => {
        if (!(error instanceof AbortError)) throw error;
        throw new AbortError(error.cause, await sentOf(sends, chunks));
      },
    ));
  }

  /** The send on the calling thread. */
  sendSync(chunks: Uint8Array[]): void {
    if (chunks.length === 0) return;
    const sock = this.sock;
    if (sock.sendallSync === undefined) throw new TypeError('This file\'s socket has no blocking (…Sync) calls');
    for (const chunk of chunks) sock.sendallSync(chunk);
  }

  // ---- closing ---------------------------------------------------------------

  /** Flushes, then closes (once): the socket's fd closes once the socket and all its files are closed. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    const closing = this.send(this.drain(), undefined)
      .then(() => undefined)
      .finally(() => this.refs?.release());
    // Python's close() is often called without waiting for it: a failed final
    // flush then must not end the process; an awaiting caller still gets it.
    closing.catch(() => undefined);
    return closing;
  }

  /** close() on the calling thread. */
  closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.sendSync(this.drain());
    } finally {
      this.refs?.release();
    }
  }
}

/** promise, or an AbortError (nothing sent) as soon as signal aborts: the work itself goes on. */
function untilAborted<R>(promise: Promise<R>, signal: AbortSignal | undefined): Promise<R> {
  if (signal === undefined) return promise;
  return new Promise<R>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortError(signal.reason, 0));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** What aborted sends of chunks put out: every chunk sent, and what the aborted ones say they sent. */
async function sentOf(sends: Promise<void>[], chunks: Uint8Array[]): Promise<number> {
  const outcomes = await Promise.allSettled(sends);
  return outcomes.reduce((sum, outcome, i) => {
    if (outcome.status === 'fulfilled') return sum + chunks[i]!.length;
    const error: unknown = outcome.reason;
    return sum + (error instanceof AbortError ? (error.bytesSent ?? 0) : 0);
  }, 0);
}
