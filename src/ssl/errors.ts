// Python's SSLError family, and the error of a failed OpenSSL call: what
// the addon kept of it (tlsLastError: SSL_get_error()'s kind, OpenSSL's
// library and reason, the certificate check's result) in the class and
// words Python's ssl module reports.
import { isIP } from 'node:net';
import { SocketError } from '../core/errors.js';
import { native } from '../core/native.js';
import { SSL_ERROR_EOF, SSL_ERROR_SSL, SSL_ERROR_SYSCALL, SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE, SSL_ERROR_ZERO_RETURN } from './constants.js';

const errorCodes = new Map([
  [SSL_ERROR_SSL, 'SSL_ERROR_SSL'],
  [SSL_ERROR_WANT_READ, 'SSL_ERROR_WANT_READ'],
  [SSL_ERROR_WANT_WRITE, 'SSL_ERROR_WANT_WRITE'],
  [SSL_ERROR_SYSCALL, 'SSL_ERROR_SYSCALL'],
  [SSL_ERROR_ZERO_RETURN, 'SSL_ERROR_ZERO_RETURN'],
  [SSL_ERROR_EOF, 'SSL_ERROR_EOF'],
]);

/** A TLS failure (Python's `ssl.SSLError`): `errno` is an `SSL_ERROR_*` value. */
export class SSLError extends SocketError {
  /** OpenSSL's library, such as `'SSL'` or `'PEM'`, when known. */
  readonly library: string | null;
  /** OpenSSL's reason, such as `'WRONG_VERSION_NUMBER'`, when known. */
  readonly reason: string | null;

  constructor(errnum: number, text: string, syscall = '', library: string | null = null, reason: string | null = null) {
    const strerror = library !== null && reason !== null ? `[${library}: ${reason}] ${text}` : text;
    super(errnum, strerror, syscall, errorCodes.get(errnum) ?? `SSL_ERROR_${errnum}`);
    // Python's str(SSLError) is the OpenSSL text alone, without "[Errno n]".
    this.message = strerror;
    this.library = library;
    this.reason = reason;
  }
}

/** The peer's certificate did not verify (Python's `ssl.SSLCertVerificationError`). */
export class SSLCertVerificationError extends SSLError {
  /** OpenSSL's X509_V_ERR_* number, such as 62 for a host name mismatch. */
  readonly verifyCode: number;
  /** OpenSSL's text for verifyCode, such as `'self-signed certificate'`. */
  readonly verifyMessage: string;

  constructor(verifyCode: number, verifyMessage: string, syscall = 'do_handshake') {
    super(SSL_ERROR_SSL, `certificate verify failed: ${verifyMessage}`, syscall, 'SSL', 'CERTIFICATE_VERIFY_FAILED');
    this.verifyCode = verifyCode;
    this.verifyMessage = verifyMessage;
  }
}

/** Python's `ssl.CertificateError`, its old name of SSLCertVerificationError: the same class (`CertificateError === SSLCertVerificationError`). */
export const CertificateError = SSLCertVerificationError;
/** An instance of CertificateError, which is SSLCertVerificationError. */
export type CertificateError = SSLCertVerificationError;

/** The peer closed TLS (close_notify) where a call needed more of it (Python's `ssl.SSLZeroReturnError`). */
export class SSLZeroReturnError extends SSLError {}

/** An I/O failure under TLS that OpenSSL could not name (Python's `ssl.SSLSyscallError`). */
export class SSLSyscallError extends SSLError {}

/** The connection ended in the middle of the protocol (Python's `ssl.SSLEOFError`). */
export class SSLEOFError extends SSLError {}

/** A non-blocking call would have to wait for data (Python's `ssl.SSLWantReadError`). */
export class SSLWantReadError extends SSLError {}

/** A non-blocking call would have to wait to write (Python's `ssl.SSLWantWriteError`). */
export class SSLWantWriteError extends SSLError {}

// X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH, which
// Python words with the name that was asked for.
const HOSTNAME_MISMATCH = 62;
const IP_ADDRESS_MISMATCH = 64;

/** Python's REASON name of OpenSSL's reason text: "wrong version number" is WRONG_VERSION_NUMBER. */
function reasonName(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/** The certificate check's failure, in Python's words (the host name named for a mismatch). */
function verificationError(code: number, message: string | null, hostname: string | null, syscall: string): SSLCertVerificationError {
  if (hostname !== null && (code === HOSTNAME_MISMATCH || code === IP_ADDRESS_MISMATCH)) {
    const what = isIP(hostname) === 0 ? 'Hostname' : 'IP address';
    return new SSLCertVerificationError(code, `${what} mismatch, certificate is not valid for '${hostname}'.`, syscall);
  }
  return new SSLCertVerificationError(code, message ?? `error ${code}`, syscall);
}

/** The end of the connection in the middle of a TLS exchange (Python's SSLEOFError text). */
export function eofError(syscall: string): SSLEOFError {
  return new SSLEOFError(SSL_ERROR_EOF, 'EOF occurred in violation of protocol', syscall, 'SSL', 'UNEXPECTED_EOF_WHILE_READING');
}

/**
 * The error of the OpenSSL call that just returned TLS_FAILED, as Python
 * raises it. hostname: the name the peer's certificate was checked against.
 */
export function tlsFailure(syscall: string, hostname: string | null = null): SSLError {
  const [kind, library, text, verifyCode, verifyMessage] = native.tlsLastError();
  const reason = text === null ? null : reasonName(text);
  if (kind === SSL_ERROR_ZERO_RETURN) return new SSLZeroReturnError(SSL_ERROR_ZERO_RETURN, 'TLS/SSL connection has been closed (EOF)', syscall);
  // The socket's end without close_notify: OpenSSL 3 names it; older paths say SYSCALL with nothing more.
  if ((library === 'SSL' && reason === 'UNEXPECTED_EOF_WHILE_READING') || (kind === SSL_ERROR_SYSCALL && text === null)) return eofError(syscall);
  if (library === 'SSL' && reason === 'CERTIFICATE_VERIFY_FAILED') return verificationError(verifyCode, verifyMessage, hostname, syscall);
  if (kind === SSL_ERROR_SYSCALL) return new SSLSyscallError(SSL_ERROR_SYSCALL, text ?? 'Some I/O error occurred', syscall, library, reason);
  return new SSLError(SSL_ERROR_SSL, text ?? 'unknown error', syscall, library, reason);
}

/** The SSLWantReadError of a non-blocking call that would wait to read. */
export function wantReadError(syscall: string): SSLWantReadError {
  return new SSLWantReadError(SSL_ERROR_WANT_READ, 'The operation did not complete (read)', syscall);
}

/** The SSLWantWriteError of a non-blocking call that would wait to write. */
export function wantWriteError(syscall: string): SSLWantWriteError {
  return new SSLWantWriteError(SSL_ERROR_WANT_WRITE, 'The operation did not complete (write)', syscall);
}
