/**
 * The entry point `berkeley/ssl`: Python's ssl module over berkeley sockets, on
 * the OpenSSL inside Node itself: no cryptography of our own.
 * @module berkeley/ssl
 */
export {
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  TLSVersion,
  Purpose,
  SSL_ERROR_SSL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_ZERO_RETURN,
  SSL_ERROR_EOF,
  HAS_ALPN,
  OPENSSL_VERSION,
} from './ssl/constants.js';
export { SSLContext, createDefaultContext, type Password, type VerifyLocations, type WrapOptions } from './ssl/context.js';
export { SSLSocket, type CipherInfo } from './ssl/socket.js';
export { MemoryBIO } from './ssl/memory.js';
export { SSLObject } from './ssl/object.js';
export type { PeerCertificate, RDN } from './ssl/certificate.js';
export { SSLError, SSLCertVerificationError, SSLZeroReturnError, SSLSyscallError, SSLEOFError, SSLWantReadError, SSLWantWriteError } from './ssl/errors.js';
