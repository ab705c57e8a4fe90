// berkeley/ssl: Python's ssl module over berkeley sockets, on Node's own tls
// (OpenSSL): no cryptography of our own.
export * from './ssl/constants.js';
export { SSLContext, createDefaultContext, type Password, type VerifyLocations, type WrapOptions } from './ssl/context.js';
export { SSLSocket, type CipherInfo } from './ssl/socket.js';
export type { PeerCertificate, RDN } from './ssl/certificate.js';
export { SSLError, SSLCertVerificationError, SSLEOFError, SSLWantReadError, SSLWantWriteError } from './ssl/errors.js';
