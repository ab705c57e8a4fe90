// MemoryBIO (Python's ssl.MemoryBIO): a buffer of bytes in OpenSSL's own
// memory BIO (native/tls_memory.c), which an SSLObject reads its peer's
// records from (incoming) or writes its own into (outgoing). The bytes are
// freed with the object, or with the last SSLObject using it.
import { inspect } from 'node:util';
import { native, type NativeMemoryBIO } from '../core/native.js';
import { cloneGuard } from '../core/uncloneable.js';
import { checkInt, toBytes, type Data } from '../core/validate.js';
import { SSL_ERROR_SSL } from './constants.js';
import { checked, failure } from './engine.js';
import { SSLError } from './errors.js';

const CLONE_GUARD = cloneGuard('A berkeley MemoryBIO cannot be cloned or posted to another thread; post the bytes of its read() instead.');
let nativeOf: (bio: MemoryBIO) => NativeMemoryBIO;

/**
 * Python's `ssl.MemoryBIO`: bytes written in, read out in order. With
 * `SSLContext.wrapBio()` a pair of them carries an SSLObject's TLS records
 * to and from wherever the application moves them (sans-I/O TLS).
 */
export class MemoryBIO {
  private readonly cloneGuard = CLONE_GUARD; // structuredClone, postMessage: a DataCloneError saying what to post
  readonly #bio: NativeMemoryBIO;
  #eofWritten = false;

  /** An empty buffer. */
  constructor() {
    const bio = native.tlsMemoryNew();
    if (typeof bio === 'number') throw failure(bio, 'MemoryBIO');
    this.#bio = bio;
  }

  /** The number of bytes waiting to be read. */
  get pending(): number {
    return native.tlsMemoryPending(this.#bio);
  }

  /** Whether the end was written (writeEof()) and every byte before it read. */
  get eof(): boolean {
    return this.#eofWritten && this.pending === 0;
  }

  /** Takes up to size bytes (all of them when size is negative, the default); an empty Buffer when there are none. */
  read(size = -1): Buffer {
    const n = checkInt(size, 'size');
    const data = native.tlsMemoryRead(this.#bio, n);
    if (typeof data === 'number') throw failure(data, 'read');
    return data;
  }

  /** Appends data (bytes, or a string as UTF-8); returns the count. After writeEof() an SSLError. */
  write(data: Data): number {
    const bytes = toBytes(data);
    if (this.#eofWritten) throw new SSLError(SSL_ERROR_SSL, 'cannot write() after write_eof()', 'write');
    return checked(native.tlsMemoryWrite(this.#bio, bytes), 'write');
  }

  /** Marks the end: once the bytes before it are read, a reader of this buffer meets the end of the stream (an SSLObject: SSLEOFError, or an empty read after close_notify). */
  writeEof(): void {
    this.#eofWritten = true;
    native.tlsMemoryWriteEof(this.#bio);
  }

  /** `<berkeley.ssl.MemoryBIO pending=5, eof=false>` */
  toString(): string {
    return `<berkeley.ssl.MemoryBIO pending=${this.pending}, eof=${this.eof}>`;
  }

  /** util.inspect() shows toString(). */
  [inspect.custom](): string {
    return this.toString();
  }

  static {
    nativeOf = (bio) => bio.#bio;
  }
}

/** @internal The native memory BIO of a MemoryBIO, for SSLContext.wrapBio(). */
export function memoryOf(bio: MemoryBIO): NativeMemoryBIO {
  return nativeOf(bio);
}
