// The ssl module's functions of OpenSSL's random generator (Python's
// RAND_bytes, RAND_status, RAND_add): the generator of the OpenSSL Node
// runs on, the one node:crypto's randomBytes draws from too
// (native/tls_module.c). Python's names, as OpenSSL's own.
import { native } from '../core/native.js';
import { checkSize, rangeError, toBytes, typeError, type Data } from '../core/validate.js';
import { checked, failure } from './engine.js';

/**
 * `n` cryptographically strong random bytes from OpenSSL's generator
 * (Python's `ssl.RAND_bytes`). `n` goes from 0 to 2^31 - 1, OpenSSL's (and
 * Python's) limit of one call: a TypeError for a value that is not a
 * number, a RangeError naming `n` for one that is negative, fractional or
 * larger (Python's ValueError "num must be positive"), an SSLError with
 * OpenSSL's library and reason when the generator fails.
 */
export function RAND_bytes(n: number): Buffer {
  const bytes = native.tlsRandBytes(checkSize(n, 'n'));
  if (typeof bytes === 'number') throw failure(bytes, 'RAND_bytes');
  return bytes;
}

/** Whether OpenSSL's generator is seeded with enough entropy (Python's `ssl.RAND_status`): true once OpenSSL has seeded itself from the OS. */
export function RAND_status(): boolean {
  const seeded = native.tlsRandStatus();
  if (typeof seeded === 'number') throw failure(seeded, 'RAND_status');
  return seeded;
}

/**
 * Mixes `data` (a string is its UTF-8 bytes) into OpenSSL's generator
 * (Python's `ssl.RAND_add`). `entropy` is the caller's estimate of the
 * bytes' entropy, in bytes (RFC 4086), any finite number; OpenSSL 3's
 * default generator ignores it. A TypeError for data that is no string or
 * bytes or an entropy that is no number, a RangeError for an entropy that
 * is NaN or infinite.
 */
export function RAND_add(data: Data, entropy: number): void {
  const bytes = toBytes(data, 'data');
  if (typeof entropy !== 'number') throw typeError('entropy', 'a number', entropy);
  if (!Number.isFinite(entropy)) throw rangeError(`The "entropy" argument must be a finite number. Received ${entropy}`);
  checked(native.tlsRandAdd(bytes, entropy), 'RAND_add');
}
