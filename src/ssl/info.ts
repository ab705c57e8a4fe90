// What an SSLSocket reports about its connection, in Python's forms: the
// cipher (SSLSocket.cipher()) and the peer's certificate (getpeercert()).
import type { X509Certificate } from 'node:crypto';
import { checkBoolean } from '../core/validate.js';
import { decodeCertificate, type PeerCertificate } from './certificate.js';
import { CERT_NONE } from './constants.js';

/** [name, protocol, secret bits], as Python's SSLSocket.cipher(). */
export type CipherInfo = [string, string, number];

/** The secret key bits of a cipher suite, from its name (0 when unknown). */
function secretBits(cipher: string): number {
  if (/CHACHA20/.test(cipher)) return 256;
  const match = /(?:AES|CAMELLIA|ARIA)_?(128|256)/.exec(cipher);
  if (match !== null) return Number(match[1]);
  if (/3DES|DES-CBC3/.test(cipher)) return 112;
  return 0;
}

/** Returns Python's cipher() triple for Node's getCipher() result, or null without one. */
export function cipherInfo(cipher: { name: string; version: string } | undefined): CipherInfo | null {
  return cipher === undefined ? null : [cipher.name, cipher.version, secretBits(cipher.name)];
}

/**
 * Returns Python's getpeercert(binaryForm) for the certificate taken at the
 * handshake: null without one; its DER bytes with binaryForm; else the
 * decoded dict, empty when it was not verified (CERT_NONE).
 */
export function peerCertificate(cert: X509Certificate | undefined, binaryForm: unknown, verifyMode: number): PeerCertificate | Record<string, never> | Buffer | null {
  if (cert === undefined) return null;
  if (checkBoolean(binaryForm, 'binaryForm')) return cert.raw;
  return verifyMode === CERT_NONE ? {} : decodeCertificate(cert);
}
