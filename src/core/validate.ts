// Argument checks shared by every public call: a wrong type is a TypeError,
// a bad value a RangeError, each naming the argument and carrying the code
// Node's own checks give (its errors.md): ERR_INVALID_ARG_TYPE for a wrong
// type, ERR_OUT_OF_RANGE for a number outside its range,
// ERR_INVALID_ARG_VALUE for any other value the argument cannot take.
import type { Bytes } from './native.js';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an instance of ${(value as { constructor?: { name?: string } }).constructor?.name ?? 'Object'}`;
  return `type ${typeof value}${typeof value === 'number' || typeof value === 'boolean' ? ` (${value})` : ''}`;
}

/** error with Node's symbolic `code`, as Node's own errors have one. */
export function withCode<E extends Error>(error: E, code: string): E & { code: string } {
  return Object.assign(error, { code });
}

/** The TypeError of an argument of the wrong type (ERR_INVALID_ARG_TYPE). */
export function typeError(name: string, expected: string, value: unknown): TypeError {
  return withCode(new TypeError(`The "${name}" argument must be ${expected}. Received ${describe(value)}`), 'ERR_INVALID_ARG_TYPE');
}

/** The RangeError of a number outside its range (ERR_OUT_OF_RANGE); message names the argument. */
export function rangeError(message: string): RangeError {
  return withCode(new RangeError(message), 'ERR_OUT_OF_RANGE');
}

/** The RangeError of any other value an argument cannot take (ERR_INVALID_ARG_VALUE); message names the argument. */
export function valueError(message: string): RangeError {
  return withCode(new RangeError(message), 'ERR_INVALID_ARG_VALUE');
}

/** An integer in [min, max]. */
export function checkInt(value: unknown, name: string, min = -0x80000000, max = 0x7fffffff): number {
  if (typeof value !== 'number') throw typeError(name, 'a number', value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw rangeError(`The "${name}" argument must be an integer from ${min} to ${max}. Received ${value}`);
  }
  return value;
}

/** Message flags (`MSG_*`), default 0. */
export function checkFlags(flags: unknown, name = 'flags'): number {
  return flags === undefined ? 0 : checkInt(flags, name);
}

/** A byte count that may be allocated: 0 .. 2^31-1. */
export function checkSize(value: unknown, name: string): number {
  return checkInt(value, name, 0, 0x7fffffff);
}

/** The options of an async call that can wait: `signal` ends the wait with an AbortError. */
export interface WaitOptions {
  /** Ends the call's wait: it rejects with an AbortError, and the socket stays usable. */
  signal?: AbortSignal | undefined;
}

/** Whether value is a WaitOptions object rather than an address (a tuple, a path, bytes). */
export function isWaitOptions(value: unknown): value is WaitOptions {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer);
}

/** The signal of a waiting call's options; a TypeError for anything but an AbortSignal. */
export function signalOf(options: unknown): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object', options);
  const { signal } = options as { signal?: unknown };
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) throw typeError('options.signal', 'an AbortSignal', signal);
  return signal;
}

/** What can be sent: a string (UTF-8), any ArrayBufferView, or an ArrayBuffer. */
export type Data = string | ArrayBufferView | ArrayBuffer;

/** Data in: a string (UTF-8), any ArrayBufferView, or an ArrayBuffer. */
export function toBytes(data: unknown, name = 'data'): Bytes {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return data;
  throw typeError(name, 'a string, Buffer, TypedArray, DataView or ArrayBuffer', data);
}

/** The bytes of data as a Uint8Array over the same memory (no copy). */
export function toUint8Array(data: Bytes): Uint8Array {
  if (data instanceof Uint8Array) return data;
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/** The `nbytes` of the `…Into` calls: how much of buffer to fill (0 or none: all of it). */
export function checkIntoLength(buffer: ArrayBufferView, nbytes: unknown): number {
  const n = nbytes === undefined ? 0 : checkSize(nbytes, 'nbytes');
  if (n > buffer.byteLength) throw rangeError(`The "nbytes" argument (${n}) is larger than the buffer (${buffer.byteLength} bytes)`);
  return n === 0 ? buffer.byteLength : n;
}

/** Writable memory for the `…Into` calls. */
export function checkWritable(buffer: unknown, name = 'buffer'): ArrayBufferView {
  if (ArrayBuffer.isView(buffer)) return buffer;
  throw typeError(name, 'a Buffer, TypedArray or DataView', buffer);
}

/** A timeout in seconds: null (wait forever), 0 (non-blocking) or > 0. */
export function checkTimeout(value: unknown, name = 'timeout'): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number') throw typeError(name, 'a number or null', value);
  if (!Number.isFinite(value) || value < 0) {
    throw rangeError(`The "${name}" argument must be a finite, non-negative number of seconds or null. Received ${value}`);
  }
  return value;
}

/** A string without NUL characters (C would cut it there). */
export function checkString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw typeError(name, 'a string', value);
  if (value.includes('\0')) throw valueError(`The "${name}" argument must not contain null characters`);
  return value;
}

/** An options object (JavaScript callers may pass anything). */
export function checkObject(value: unknown, name: string): void {
  if (typeof value !== 'object' || value === null) throw typeError(name, 'an object', value);
}

export function checkBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw typeError(name, 'a boolean', value);
  return value;
}
