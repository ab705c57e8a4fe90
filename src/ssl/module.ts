// The ssl module's functions of certificates and OpenSSL's defaults:
// DER <-> PEM, the time form of a certificate's validity, and where
// OpenSSL looks for CA certificates by default.
import { statSync } from 'node:fs';
import { native } from '../core/native.js';
import { errorFromErrno } from '../core/errors.js';
import { typeError, valueError } from '../core/validate.js';

/** The line a PEM certificate starts with (Python's `ssl.PEM_HEADER`). */
export const PEM_HEADER = '-----BEGIN CERTIFICATE-----';
/** The line a PEM certificate ends with (Python's `ssl.PEM_FOOTER`). */
export const PEM_FOOTER = '-----END CERTIFICATE-----';

/** A certificate's DER bytes as PEM text: base64 in lines of 64 between the BEGIN and END lines, ending with a newline (Python's DER_cert_to_PEM_cert). */
export function DERCertToPEMCert(der: ArrayBufferView): string {
  if (!ArrayBuffer.isView(der)) throw typeError('der', 'bytes (an ArrayBufferView)', der);
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = [PEM_HEADER];
  for (let at = 0; at < base64.length; at += 64) lines.push(base64.slice(at, at + 64));
  lines.push(`${PEM_FOOTER}\n`);
  return lines.join('\n');
}

/** A PEM certificate's DER bytes; RangeError unless the text starts with the BEGIN line and ends with the END line (Python's PEM_cert_to_DER_cert). */
export function PEMCertToDERCert(pem: string): Buffer {
  if (typeof pem !== 'string') throw typeError('pem', 'a string', pem);
  if (!pem.startsWith(PEM_HEADER)) throw valueError(`Invalid PEM encoding; must start with ${PEM_HEADER}`);
  const trimmed = pem.trim();
  if (!trimmed.endsWith(PEM_FOOTER)) throw valueError(`Invalid PEM encoding; must end with ${PEM_FOOTER}`);
  return Buffer.from(trimmed.slice(PEM_HEADER.length, trimmed.length - PEM_FOOTER.length), 'base64');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// As Python's strptime(' %d %H:%M:%S %Y GMT') after the month: runs of
// white space, one or two digits for the day and hour, and so on.
const CERT_TIME = /^\s+(3[01]|[12]\d|0[1-9]|[1-9])\s+(2[0-3]|[01]\d|\d):([0-5]\d|\d):(6[01]|[0-5]\d|\d)\s+(\d{4})\s+GMT$/;

/**
 * The seconds since the epoch of a certificate time as getpeercert()'s
 * notBefore and notAfter give it (`'Jan  5 09:34:43 2018 GMT'`, always
 * UTC), as Python's cert_time_to_seconds; RangeError for another form.
 */
export function certTimeToSeconds(certTime: string): number {
  if (typeof certTime !== 'string') throw typeError('certTime', 'a string', certTime);
  const name = certTime.slice(0, 3);
  const month = MONTHS.indexOf(name.charAt(0).toUpperCase() + name.slice(1).toLowerCase());
  const fields = month < 0 ? null : CERT_TIME.exec(certTime.slice(3));
  if (fields === null) throw valueError(`time data '${certTime}' does not match format "%b %d %H:%M:%S %Y GMT"`);
  const [day, hour, minute, second, year] = fields.slice(1).map(Number) as [number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month, day); // years below 100 too, which Date.UTC would move to 19xx
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime() / 1000;
}

/** Where OpenSSL looks for CA certificates by default (Python's `ssl.DefaultVerifyPaths`, camelCased). */
export interface DefaultVerifyPaths {
  /** The CA file in use: the environment's, else OpenSSL's; null when no such file exists. */
  cafile: string | null;
  /** The CA directory in use: the environment's, else OpenSSL's; null when no such directory exists. */
  capath: string | null;
  /** The environment variable that names another CA file (`'SSL_CERT_FILE'`). */
  opensslCafileEnv: string;
  /** OpenSSL's compiled-in CA file. */
  opensslCafile: string;
  /** The environment variable that names another CA directory (`'SSL_CERT_DIR'`). */
  opensslCapathEnv: string;
  /** OpenSSL's compiled-in CA directory. */
  opensslCapath: string;
}

function isKind(path: string, directory: boolean): boolean {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat !== undefined && (directory ? stat.isDirectory() : stat.isFile());
}

/** The default CA locations of the OpenSSL Node runs on, as SSLContext.setDefaultVerifyPaths() loads them (Python's get_default_verify_paths). */
export function getDefaultVerifyPaths(): DefaultVerifyPaths {
  const paths = native.tlsDefaultVerifyPaths();
  if (typeof paths === 'number') throw errorFromErrno(paths, 'get_default_verify_paths');
  const [opensslCafileEnv, opensslCafile, opensslCapathEnv, opensslCapath] = paths;
  const cafile = process.env[opensslCafileEnv] ?? opensslCafile;
  const capath = process.env[opensslCapathEnv] ?? opensslCapath;
  return {
    cafile: isKind(cafile, false) ? cafile : null,
    capath: isKind(capath, true) ? capath : null,
    opensslCafileEnv,
    opensslCafile,
    opensslCapathEnv,
    opensslCapath,
  };
}
