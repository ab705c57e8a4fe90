// The argument forms of SSLSocket's I/O calls: data as a Buffer, and the
// flags argument, which TLS cannot honour (as Python's SSLSocket refuses).
import { checkInt, valueError } from '../core/validate.js';

/** Returns the bytes as a Buffer, sharing their memory. */
export function toBuffer(bytes: ArrayBufferView | ArrayBuffer): Buffer {
  if (Buffer.isBuffer(bytes)) return bytes;
  return ArrayBuffer.isView(bytes) ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : Buffer.from(bytes);
}

/** Throws RangeError for flags other than undefined or 0 (TLS has no MSG_* forms). */
export function checkNoFlags(flags: unknown, syscall: string): void {
  if (flags !== undefined && checkInt(flags, 'flags') !== 0) throw valueError(`non-zero flags not allowed in calls to ${syscall}() on SSLSocket`);
}
