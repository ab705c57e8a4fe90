// Python's SSLError family, and the translation of Node's tls errors into it.
// Node names OpenSSL failures by code (ERR_SSL_<REASON>, ERR_OSSL_<LIB>_<REASON>,
// or an X509_V_ERR name for a failed verification); Python names them by
// library and reason, so both are recovered from the code.
import { isIP } from 'node:net';
import { SocketError } from '../core/errors.js';
import { SSL_ERROR_EOF, SSL_ERROR_SSL, SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE } from './constants.js';

const errorCodes = new Map([
  [SSL_ERROR_SSL, 'SSL_ERROR_SSL'],
  [SSL_ERROR_WANT_READ, 'SSL_ERROR_WANT_READ'],
  [SSL_ERROR_WANT_WRITE, 'SSL_ERROR_WANT_WRITE'],
  [SSL_ERROR_EOF, 'SSL_ERROR_EOF'],
]);

/** A TLS failure (Python's `ssl.SSLError`): `errno` is an `SSL_ERROR_*` value. */
export class SSLError extends SocketError {
  /** OpenSSL's library, such as `'SSL'` or `'PEM'`, when known. */
  readonly library: string | null;
  /** OpenSSL's reason, such as `'WRONG_VERSION_NUMBER'`, when known. */
  readonly reason: string | null;

  constructor(errnum: number, text: string, syscall = '', library: string | null = null, reason: string | null = null, cause?: unknown) {
    const strerror = library !== null && reason !== null ? `[${library}: ${reason}] ${text}` : text;
    super(errnum, strerror, syscall, errorCodes.get(errnum) ?? `SSL_ERROR_${errnum}`);
    // Python's str(SSLError) is the OpenSSL text alone, without "[Errno n]".
    this.message = strerror;
    this.library = library;
    this.reason = reason;
    if (cause !== undefined) this.cause = cause;
  }
}

/** The peer's certificate did not verify (Python's `ssl.SSLCertVerificationError`). */
export class SSLCertVerificationError extends SSLError {
  /** OpenSSL's X509_V_ERR_* number, such as 62 for a host name mismatch. */
  readonly verifyCode: number;
  /** OpenSSL's text for verifyCode, such as `'self-signed certificate'`. */
  readonly verifyMessage: string;

  constructor(verifyCode: number, verifyMessage: string, syscall = 'do_handshake', cause?: unknown) {
    super(SSL_ERROR_SSL, `certificate verify failed: ${verifyMessage}`, syscall, 'SSL', 'CERTIFICATE_VERIFY_FAILED', cause);
    this.verifyCode = verifyCode;
    this.verifyMessage = verifyMessage;
  }
}

/** The connection ended in the middle of the protocol (Python's `ssl.SSLEOFError`). */
export class SSLEOFError extends SSLError {}

/** A non-blocking call would have to wait for data (Python's `ssl.SSLWantReadError`). */
export class SSLWantReadError extends SSLError {}

/** A non-blocking call would have to wait to write (Python's `ssl.SSLWantWriteError`). */
export class SSLWantWriteError extends SSLError {}

// OpenSSL's X509_V_ERR_* numbers and messages (X509_verify_cert_error_string,
// OpenSSL 3), under the names Node gives them. The message is OpenSSL's own,
// as Python reports it, whatever hint a Node version appends to its text.
const verifyCodes = new Map<string, [code: number, message: string]>([
  ['UNABLE_TO_GET_ISSUER_CERT', [2, 'unable to get issuer certificate']],
  ['UNABLE_TO_GET_CRL', [3, 'unable to get certificate CRL']],
  ['UNABLE_TO_DECRYPT_CERT_SIGNATURE', [4, "unable to decrypt certificate's signature"]],
  ['UNABLE_TO_DECRYPT_CRL_SIGNATURE', [5, "unable to decrypt CRL's signature"]],
  ['UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', [6, 'unable to decode issuer public key']],
  ['CERT_SIGNATURE_FAILURE', [7, 'certificate signature failure']],
  ['CRL_SIGNATURE_FAILURE', [8, 'CRL signature failure']],
  ['CERT_NOT_YET_VALID', [9, 'certificate is not yet valid']],
  ['CERT_HAS_EXPIRED', [10, 'certificate has expired']],
  ['CRL_NOT_YET_VALID', [11, 'CRL is not yet valid']],
  ['CRL_HAS_EXPIRED', [12, 'CRL has expired']],
  ['ERROR_IN_CERT_NOT_BEFORE_FIELD', [13, "format error in certificate's notBefore field"]],
  ['ERROR_IN_CERT_NOT_AFTER_FIELD', [14, "format error in certificate's notAfter field"]],
  ['ERROR_IN_CRL_LAST_UPDATE_FIELD', [15, "format error in CRL's lastUpdate field"]],
  ['ERROR_IN_CRL_NEXT_UPDATE_FIELD', [16, "format error in CRL's nextUpdate field"]],
  ['OUT_OF_MEM', [17, 'out of memory']],
  ['DEPTH_ZERO_SELF_SIGNED_CERT', [18, 'self-signed certificate']],
  ['SELF_SIGNED_CERT_IN_CHAIN', [19, 'self-signed certificate in certificate chain']],
  ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', [20, 'unable to get local issuer certificate']],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', [21, 'unable to verify the first certificate']],
  ['CERT_CHAIN_TOO_LONG', [22, 'certificate chain too long']],
  ['CERT_REVOKED', [23, 'certificate revoked']],
  ['INVALID_CA', [24, 'invalid CA certificate']],
  ['PATH_LENGTH_EXCEEDED', [25, 'path length constraint exceeded']],
  ['INVALID_PURPOSE', [26, 'unsupported certificate purpose']],
  ['CERT_UNTRUSTED', [27, 'certificate not trusted']],
  ['CERT_REJECTED', [28, 'certificate rejected']],
  ['HOSTNAME_MISMATCH', [62, 'hostname mismatch']],
  ['EMAIL_MISMATCH', [63, 'email address mismatch']],
  ['IP_ADDRESS_MISMATCH', [64, 'IP address mismatch']],
]);

interface NodeError {
  code?: unknown;
  message?: unknown;
  reason?: unknown;
}

/** A certificate verification failure from Node's verifyError(), or null if err is not one. */
export function verificationError(err: unknown, syscall = 'do_handshake'): SSLCertVerificationError | null {
  const { code } = (err ?? {}) as NodeError;
  // Node's verify callback lets OpenSSL go on past the first failure, and
  // the result is the last one: for a lone leaf whose issuer is unknown,
  // OpenSSL first finds no issuer (20), then cannot check the leaf's
  // signature (21). Python stops at the first, so berkeley reports that.
  const first = code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ? 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' : code;
  const known = typeof first === 'string' ? verifyCodes.get(first) : undefined;
  if (known === undefined) return null;
  return new SSLCertVerificationError(known[0], known[1], syscall, err);
}

/** Python's error for a certificate that does not name the host asked for. */
export function hostnameMismatch(hostname: string, cause: unknown): SSLCertVerificationError {
  return isIP(hostname)
    ? new SSLCertVerificationError(64, `IP address mismatch, certificate is not valid for '${hostname}'.`, 'do_handshake', cause)
    : new SSLCertVerificationError(62, `Hostname mismatch, certificate is not valid for '${hostname}'.`, 'do_handshake', cause);
}

/**
 * The SSLError for an error from Node's tls or crypto: an OpenSSL error keeps
 * its library and reason; a SocketError (from the socket under the TLS) is
 * returned as it is.
 */
export function toSSLError(err: unknown, syscall: string): SocketError {
  if (err instanceof SocketError) return err;
  const verify = verificationError(err, syscall);
  if (verify !== null) return verify;
  const { code, message, reason } = (err ?? {}) as NodeError;
  const text = typeof reason === 'string' ? reason : String(message ?? err);
  if (typeof code === 'string') {
    const ssl = /^ERR_SSL_(.+)$/.exec(code);
    if (ssl !== null) return new SSLError(SSL_ERROR_SSL, text, syscall, 'SSL', ssl[1]!, err);
    const ossl = /^ERR_OSSL_([A-Z0-9]+)_(.+)$/.exec(code);
    if (ossl !== null) return new SSLError(SSL_ERROR_SSL, text, syscall, ossl[1]!, ossl[2]!, err);
  }
  return new SSLError(SSL_ERROR_SSL, text, syscall, null, null, err);
}

/** The end of the connection in the middle of a TLS exchange (Python's SSLEOFError text). */
export function eofError(syscall: string, cause?: unknown): SSLEOFError {
  return new SSLEOFError(SSL_ERROR_EOF, 'EOF occurred in violation of protocol', syscall, 'SSL', 'UNEXPECTED_EOF_WHILE_READING', cause);
}

/** The SSLWantReadError of a non-blocking call that would wait to read. */
export function wantReadError(syscall: string): SSLWantReadError {
  return new SSLWantReadError(SSL_ERROR_WANT_READ, 'The operation did not complete (read)', syscall);
}

/** The SSLWantWriteError of a non-blocking call that would wait to write. */
export function wantWriteError(syscall: string): SSLWantWriteError {
  return new SSLWantWriteError(SSL_ERROR_WANT_WRITE, 'The operation did not complete (write)', syscall);
}
