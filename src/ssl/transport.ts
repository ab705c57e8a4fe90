// The encrypted byte stream under a TLSSocket: a Duplex over a berkeley
// Socket that reads whole TLS records, never a byte past the record the TLS
// layer is processing. That is what lets unwrap() hand the Socket back with
// the bytes after the peer's close_notify still in it, as OpenSSL reading the
// fd itself does for Python. (A general stream over the socket, such as
// toDuplex(), reads ahead, so it cannot; and its end() would shut the socket.)
import { Duplex } from 'node:stream';
import { SHUT_WR } from '../core/constants.js';
import type { Socket } from '../socket/socket.js';

const HEADER = 5; // content type, version (2), length (2)
const MAX_READ = 1 << 16;

export class RecordTransport extends Duplex {
  readonly socket: Socket;
  /** The socket's first error: the cause to report when the TLS layer fails after it. */
  socketError: Error | null = null;
  readonly #stop: () => boolean;
  readonly #header = Buffer.alloc(HEADER);
  #headerHave = 0;
  #bodyLeft = 0;
  #wanted = false;
  #busy = false;
  #watching = false;
  #kept = false;

  /** stop: whether the TLS layer has seen the end of the stream (no more records wanted). */
  constructor(socket: Socket, stop: () => boolean) {
    // highWaterMark 0: read only on demand, so at most one chunk waits here.
    super({ readableHighWaterMark: 0, allowHalfOpen: true });
    this.socket = socket;
    this.#stop = stop;
  }

  /** From now on end() and destroy() leave the socket open (unwrap). */
  keepSocket(): void {
    this.#kept = true;
  }

  override _read(): void {
    if (!this.#watching) {
      // Registered after the TLS layer's own 'data' listener (which brought
      // the first _read), and a microtask later still: the pump looks again
      // only once the TLS layer has processed the chunk.
      this.#watching = true;
      this.on('data', () => queueMicrotask(() => this.#pump()));
    }
    this.#wanted = true;
    this.#pump();
  }

  // Reads the next piece of the current record once the previous chunk has
  // reached the TLS layer and it still wants more.
  #pump(): void {
    if (!this.#wanted || this.#busy || this.readableLength > 0 || this.destroyed) return;
    if (this.#bodyLeft === 0 && this.#headerHave === 0 && this.#stop()) return;
    this.#busy = true;
    const size = this.#bodyLeft > 0 ? Math.min(this.#bodyLeft, MAX_READ) : HEADER - this.#headerHave;
    this.socket.recv(size).then(
      (chunk) => {
        this.#busy = false;
        if (this.destroyed) return;
        if (chunk.length === 0) {
          this.push(null);
          return;
        }
        this.#advance(chunk);
        this.#wanted = false;
        this.push(chunk);
      },
      (error: Error) => {
        this.#busy = false;
        if (this.destroyed) return;
        this.socketError ??= error;
        this.destroy(error);
      },
    );
  }

  #advance(chunk: Buffer): void {
    if (this.#bodyLeft > 0) {
      this.#bodyLeft -= chunk.length;
      return;
    }
    chunk.copy(this.#header, this.#headerHave);
    this.#headerHave += chunk.length;
    if (this.#headerHave === HEADER) {
      this.#headerHave = 0;
      this.#bodyLeft = this.#header.readUInt16BE(3);
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.sendall(chunk).then(
      () => callback(),
      (error: Error) => {
        this.socketError ??= error;
        callback(error);
      },
    );
  }

  // TLS hands over a batch of records at once: one send for all of them.
  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this._write(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), 'binary', callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.#kept || this.socket.closed) {
      callback();
      return;
    }
    try {
      this.socket.shutdown(SHUT_WR);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#kept) this.socket.close();
    callback(error);
  }
}
