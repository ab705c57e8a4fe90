// setsockopt/getsockopt's value forms: a C int, a boolean, bytes, or a NULL
// value of a given length (Python's four forms).
import { errorFromErrno } from '../core/errors.js';
import { native, SOCKOPT_MAX } from '../core/native.js';
import { checkInt, typeError } from '../core/validate.js';
import { getsockoptInt } from '../io/ops.js';

/** What setsockopt takes: a number (a C int), a boolean, bytes, or null with optlen. @inline */
export type OptionValue = number | boolean | ArrayBufferView | ArrayBuffer | null;

/** setsockopt(2) in the form of value's type. */
export function setsockopt(fd: number, level: number, option: number, value: unknown, optlen: unknown): void {
  let rc: number;
  if (value === null) {
    if (optlen === undefined) throw typeError('optlen', 'a number when value is null', optlen);
    rc = native.setsockoptNull(fd, level, option, checkInt(optlen, 'optlen', 0, SOCKOPT_MAX));
  } else if (optlen !== undefined) {
    throw typeError('optlen', 'undefined unless value is null', optlen);
  } else if (typeof value === 'number') {
    // A C int, as Python's: an unsigned option (SO_MARK) past 2**31-1 takes its bits as a negative int or as bytes.
    rc = native.setsockoptInt(fd, level, option, checkInt(value, 'value', -0x80000000, 0x7fffffff));
  } else if (typeof value === 'boolean') {
    rc = native.setsockoptInt(fd, level, option, value ? 1 : 0);
  } else if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    rc = native.setsockoptBytes(fd, level, option, value);
  } else {
    throw typeError('value', 'a number, boolean, bytes or null', value);
  }
  if (rc < 0) throw errorFromErrno(rc, 'setsockopt');
}

/** An int option as a number (buflen absent or 0, as Python), else its raw bytes. */
export function getsockopt(fd: number, level: number, option: number, buflen: unknown): number | Buffer {
  if (buflen === undefined || buflen === 0) {
    const { rc, value } = getsockoptInt(fd, level, option);
    if (rc < 0) throw errorFromErrno(rc, 'getsockopt');
    return value;
  }
  const result = native.getsockoptBytes(fd, level, option, checkInt(buflen, 'buflen', 1, SOCKOPT_MAX));
  if (typeof result === 'number') throw errorFromErrno(result, 'getsockopt');
  return result;
}
