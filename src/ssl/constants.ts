// Python's ssl constants, with Python's values, and what they are for
// OpenSSL (native/tls_context.c); the version and features of the OpenSSL
// Node runs on (native/tls_module.c).
import { native } from '../core/native.js';
import { table } from './flags.js';

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

/** Python's `ssl.VerifyMode`: the CERT_* values of SSLContext.verifyMode (`VerifyMode[CERT_REQUIRED] === 'CERT_REQUIRED'`). */
export const VerifyMode = table({ CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED });

/** The channel binding types getChannelBinding() knows: RFC 5929's tls-unique alone, as Python's. */
export const CHANNEL_BINDING_TYPES: readonly string[] = Object.freeze(['tls-unique']);

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
/** OpenSSL's X509 look-up callback wants to be called again (not used here; Python's value). */
export const SSL_ERROR_WANT_X509_LOOKUP = 4;
/** A connect BIO is not connected yet (not used here; Python's value). */
export const SSL_ERROR_WANT_CONNECT = 7;
/** An SSL_get_error() result Python does not know (Python's value). */
export const SSL_ERROR_INVALID_ERROR_CODE = 10;

/** Python's `ssl.SSLErrorNumber`: the SSL_ERROR_* values of SSLError.errno. */
export const SSLErrorNumber = table({
  SSL_ERROR_SSL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_WANT_X509_LOOKUP,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_ZERO_RETURN,
  SSL_ERROR_WANT_CONNECT,
  SSL_ERROR_EOF,
  SSL_ERROR_INVALID_ERROR_CODE,
});

const has = (name: string): boolean => native.tlsConstants[name] === 1;

/** Whether ALPN is available (always, with Node's OpenSSL). */
export const HAS_ALPN = true;
/** Whether a client can send a server name (SNI) and a server can see it (sniCallback): always. */
export const HAS_SNI = true;
/** Whether ECDH key exchange is available (setEcdhCurve). */
export const HAS_ECDH = has('HAS_ECDH');
/** Whether NPN, ALPN's predecessor, is available: never (as Python's with OpenSSL 3). */
export const HAS_NPN = false;
/** Whether host name checks can leave the subject's common name out (hostnameChecksCommonName): always. */
export const HAS_NEVER_CHECK_COMMON_NAME = true;
/** Whether SSL 2.0 is available: never. */
export const HAS_SSLv2 = false;
/** Whether SSL 3.0 is available (Node's OpenSSL is built without it). */
export const HAS_SSLv3 = has('HAS_SSLv3');
/** Whether TLS 1.0 is available (it may still be refused by the security level). */
export const HAS_TLSv1 = has('HAS_TLSv1');
/** Whether TLS 1.1 is available (it may still be refused by the security level). */
export const HAS_TLSv1_1 = has('HAS_TLSv1_1');
/** Whether TLS 1.2 is available. */
export const HAS_TLSv1_2 = has('HAS_TLSv1_2');
/** Whether TLS 1.3 is available. */
export const HAS_TLSv1_3 = has('HAS_TLSv1_3');
/** Whether OpenSSL was built with pre-shared keys (PSK). */
export const HAS_PSK = has('HAS_PSK');
/** Whether TLS 1.3 post-handshake authentication is available. */
export const HAS_PHA = HAS_TLSv1_3;

const loaded = native.tlsOpensslVersion();

/** The version text of the OpenSSL Node runs on, such as `'OpenSSL 3.0.19 27 Jan 2026'` (the library's own, read at run time). */
export const OPENSSL_VERSION: string = loaded?.[0] ?? `OpenSSL ${process.versions.openssl}`;

/** OpenSSL_version_num() of the OpenSSL Node runs on, such as 0x30000130 for 3.0.19 (0 where Node exports no OpenSSL). */
export const OPENSSL_VERSION_NUMBER: number = loaded?.[1] ?? 0;

/** OPENSSL_VERSION_NUMBER as Python's tuple: [major, minor, fix, patch, status] (3.0.19 is [3, 0, 0, 19, 0]). */
export const OPENSSL_VERSION_INFO: readonly [major: number, minor: number, fix: number, patch: number, status: number] = Object.freeze([
  Math.floor(OPENSSL_VERSION_NUMBER / 2 ** 28) & 0xff,
  (OPENSSL_VERSION_NUMBER >>> 20) & 0xff,
  (OPENSSL_VERSION_NUMBER >>> 12) & 0xff,
  (OPENSSL_VERSION_NUMBER >>> 4) & 0xff,
  OPENSSL_VERSION_NUMBER & 0xf,
] as const);

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
