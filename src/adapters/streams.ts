// A stream socket as Node's stream.Duplex or as a pair of Web Streams.
// Backpressure is the pull model itself: a receive is made only when the
// consumer asks for data, and a write completes only once sendall has handed
// every byte to the kernel, so memory stays bounded by the streams'
// high-water marks plus the kernel's socket buffers.
import { Duplex, type DuplexOptions } from 'node:stream';
import { ReadableStream, WritableStream, type ReadableByteStreamController, type WritableStreamDefaultController } from 'node:stream/web';
import { SHUT_WR } from '../core/constants.js';
import type { Data } from '../core/validate.js';

/**
 * What toDuplex/toWebStreams need from a socket. `Socket` has it; so can any
 * stream socket (SSLSocket does). The stream owns the socket: it closes it.
 * The socket's timeout applies to each call (a non-blocking socket fails a
 * read that would wait with BlockingIOError: use a blocking one).
 */
export interface StreamSocket {
  /** Resolves with up to bufsize bytes; an empty Buffer at EOF. */
  recv(bufsize: number): Promise<Buffer>;
  /** Receives into buffer; resolves with the count, 0 at EOF. */
  recvInto(buffer: Uint8Array): Promise<number>;
  /** Resolves once every byte of data is sent. */
  sendall(data: Data): Promise<void>;
  /** shutdown(2): SHUT_WR when the writing side ends (an SSLSocket's resolves once close_notify is sent). */
  shutdown(how: number): void | Promise<void>;
  /** Closes the socket (idempotent). */
  close(): void;
}

/** Options of toDuplex: as Node's net.Socket, allowHalfOpen defaults to false. */
export type ToDuplexOptions = Pick<DuplexOptions, 'allowHalfOpen' | 'readableHighWaterMark' | 'writableHighWaterMark' | 'signal'>;

/** The size of each receive of a Web ReadableStream's default reader. */
const CHUNK_SIZE = 65536;

class SocketDuplex extends Duplex {
  readonly #sock: StreamSocket;

  constructor(sock: StreamSocket, options: ToDuplexOptions) {
    super({ allowHalfOpen: false, ...options, decodeStrings: true, objectMode: false });
    this.#sock = sock;
  }

  override _read(size: number): void {
    this.#sock.recv(size).then(
      (data) => {
        if (!this.destroyed) this.push(data.length === 0 ? null : data);
      },
      (error: unknown) => this.destroy(error as Error),
    );
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#sock.sendall(chunk).then(() => callback(), callback);
  }

  // end(): half-close, so the peer reads EOF while this side still reads.
  // A Socket's shutdown is done at once; an SSLSocket's once close_notify is out.
  override _final(callback: (error?: Error | null) => void): void {
    let done: void | Promise<void>;
    try {
      done = this.#sock.shutdown(SHUT_WR);
    } catch (error) {
      callback(error as Error);
      return;
    }
    if (done instanceof Promise) done.then(() => callback(), callback);
    else callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    try {
      this.#sock.close();
    } catch (closeError) {
      error ??= closeError as Error;
    }
    callback(error);
  }
}

/**
 * A stream.Duplex over the socket, which it owns: `end()` is
 * shutdown(SHUT_WR), `destroy()` (or the end of both sides) closes it, and
 * an OS failure destroys the stream with its SocketError.
 */
export function toDuplex(sock: StreamSocket, options: ToDuplexOptions = {}): Duplex {
  return new SocketDuplex(sock, options);
}

/** The two halves of toWebStreams. */
export interface SocketWebStreams {
  /** A byte stream: BYOB readers receive straight into their own memory. */
  readable: ReadableStream<Uint8Array>;
  /** Each chunk is sent whole (sendall) before the next write completes. */
  writable: WritableStream<Data>;
}

/**
 * Web Streams over the socket, which they own: the writable's close() is
 * shutdown(SHUT_WR); the socket closes once the readable reached EOF and the
 * writable closed, or at once on cancel(), abort() or an error, which then
 * errors both halves with its SocketError.
 */
export function toWebStreams(sock: StreamSocket): SocketWebStreams {
  let reads: ReadableByteStreamController;
  let writes: WritableStreamDefaultController;
  let open = 2; // halves not yet finished
  const finish = (): void => {
    if (--open === 0) sock.close();
  };
  const fail = (error: unknown): void => {
    if (open <= 0) return;
    open = 0;
    reads.error(error);
    writes.error(error);
    sock.close();
  };

  const readable = new ReadableStream({
    type: 'bytes',
    // Every read then comes with a byobRequest: one code path, no copies.
    autoAllocateChunkSize: CHUNK_SIZE,
    start(controller) {
      reads = controller;
    },
    async pull(controller) {
      const request = controller.byobRequest!;
      const view = request.view!;
      let n: number;
      try {
        n = await sock.recvInto(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
      } catch (error) {
        fail(error);
        return;
      }
      if (n > 0) {
        request.respond(n);
        return;
      }
      controller.close();
      request.respond(0);
      finish();
    },
    cancel: fail,
  });

  const writable = new WritableStream<Data>({
    start(controller) {
      writes = controller;
    },
    async write(chunk) {
      try {
        await sock.sendall(chunk);
      } catch (error) {
        fail(error);
        throw error;
      }
    },
    async close() {
      try {
        await sock.shutdown(SHUT_WR);
      } catch (error) {
        fail(error);
        throw error;
      }
      finish();
    },
    abort: fail,
  });

  return { readable, writable };
}
