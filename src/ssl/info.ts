// What an SSLSocket reports about its connection, in Python's forms: the
// peer's certificate (getpeercert()) and the cipher triple's type.
import { X509Certificate } from 'node:crypto';
import { checkBoolean } from '../core/validate.js';
import { decodeCertificate, type PeerCertificate } from './certificate.js';
import { CERT_NONE } from './constants.js';

/** [name, protocol, secret bits], as Python's SSLSocket.cipher(). */
export type CipherInfo = [string, string, number];

/**
 * Returns Python's getpeercert(binaryForm) for the peer's certificate (DER,
 * from the connection): null without one; its DER bytes with binaryForm;
 * else the decoded dict, empty when it was not verified (CERT_NONE).
 */
export function peerCertificate(der: Buffer | null, binaryForm: unknown, verifyMode: number): PeerCertificate | Record<string, never> | Buffer | null {
  const binary = checkBoolean(binaryForm, 'binaryForm');
  if (der === null) return null;
  if (binary) return der;
  return verifyMode === CERT_NONE ? {} : decodeCertificate(new X509Certificate(der));
}
