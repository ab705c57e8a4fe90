// The module-wide default timeout (Python's socket.setdefaulttimeout).
import { checkTimeout } from '../core/validate.js';

let defaultTimeout: number | null = null;

/** The timeout, in seconds, of sockets created from now on (null: blocking). */
export function getdefaulttimeout(): number | null {
  return defaultTimeout;
}

/** Sets the timeout of sockets created afterwards: null, 0, or seconds. */
export function setdefaulttimeout(timeout: number | null): void {
  defaultTimeout = checkTimeout(timeout);
}
