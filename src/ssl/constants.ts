// Python's ssl constants, with Python's values, and what they are for
// OpenSSL (native/tls_context.c).

/** A context for the client side of connections (Python's value). */
export const PROTOCOL_TLS_CLIENT = 16;
/** A context for the server side of connections (Python's value). */
export const PROTOCOL_TLS_SERVER = 17;

/** Do not ask for (server) or check (client) the peer's certificate. */
export const CERT_NONE = 0;
/** Server: ask for a client certificate and verify it if one is sent. Client: as CERT_REQUIRED. */
export const CERT_OPTIONAL = 1;
/** The peer must present a certificate that verifies. */
export const CERT_REQUIRED = 2;

/** Python's `ssl.TLSVersion`: the protocol versions, as the TLS wire numbers. */
export const TLSVersion = Object.freeze({
  /** The lowest version supported: TLS 1.0 here. */
  MINIMUM_SUPPORTED: -2,
  /** The highest version supported: TLS 1.3 here. */
  MAXIMUM_SUPPORTED: -1,
  /** TLS 1.0. */
  TLSv1: 0x0301,
  /** TLS 1.1. */
  TLSv1_1: 0x0302,
  /** TLS 1.2. */
  TLSv1_2: 0x0303,
  /** TLS 1.3. */
  TLSv1_3: 0x0304,
} as const);
export type TLSVersion = (typeof TLSVersion)[keyof typeof TLSVersion];

/** Python's `ssl.Purpose`: what a default context is for. */
export const Purpose = Object.freeze({
  /** Verify servers: a client context. */
  SERVER_AUTH: 'serverAuth',
  /** Verify clients: a server context. */
  CLIENT_AUTH: 'clientAuth',
} as const);
export type Purpose = (typeof Purpose)[keyof typeof Purpose];

// OpenSSL's SSL_get_error() results, which Python's SSLError.errno carries.
/** A TLS protocol failure (SSLError, SSLCertVerificationError). */
export const SSL_ERROR_SSL = 1;
/** The TLS engine needs to read before it can go on (SSLWantReadError). */
export const SSL_ERROR_WANT_READ = 2;
/** The TLS engine needs to write before it can go on (SSLWantWriteError). */
export const SSL_ERROR_WANT_WRITE = 3;
/** An I/O failure under TLS (SSLSyscallError). */
export const SSL_ERROR_SYSCALL = 5;
/** The peer closed TLS with close_notify (SSLZeroReturnError where it was not expected). */
export const SSL_ERROR_ZERO_RETURN = 6;
/** The connection ended without a TLS close_notify (SSLEOFError). */
export const SSL_ERROR_EOF = 8;

/** Whether ALPN is available (always, with Node's OpenSSL). */
export const HAS_ALPN = true;
/** The version string of the OpenSSL that Node links. */
export const OPENSSL_VERSION = `OpenSSL ${process.versions.openssl}`;

/** OpenSSL's protocol version for a TLSVersion (0: its lowest or highest), or undefined for another number. */
export function opensslVersion(version: number): number | undefined {
  if (version === TLSVersion.MINIMUM_SUPPORTED || version === TLSVersion.MAXIMUM_SUPPORTED) return 0;
  return version >= TLSVersion.TLSv1 && version <= TLSVersion.TLSv1_3 ? version : undefined;
}

/** OpenSSL's verify mode for a CERT_* value: SSL_VERIFY_PEER (1), and for CERT_REQUIRED SSL_VERIFY_FAIL_IF_NO_PEER_CERT (2) too. */
export function opensslVerifyMode(certReqs: number): number {
  return certReqs === CERT_NONE ? 0 : certReqs === CERT_OPTIONAL ? 1 : 3;
}

/** Python's default cipher list for TLS 1.2 and older (_ssl.c's PY_SSL_DEFAULT_CIPHER_STRING). */
export const DEFAULT_CIPHERS = '@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM';
