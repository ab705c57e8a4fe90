// What an SSLSocket or SSLObject reports about its connection, in Python's
// forms: the peer's certificate (getpeercert()), the cipher triple's type,
// the channel binding; and the post-handshake request both may make.
import { X509Certificate } from 'node:crypto';
import { native, type NativeTLS } from '../core/native.js';
import { checkBoolean, valueError } from '../core/validate.js';
import { decodeCertificate, type PeerCertificate } from './certificate.js';
import { CERT_NONE, CHANNEL_BINDING_TYPES } from './constants.js';
import { checked } from './engine.js';

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

/** Python's get_channel_binding(): a type of CHANNEL_BINDING_TYPES (tls-unique alone); null before the handshake. */
export function channelBinding(ssl: NativeTLS, cbType: unknown): Buffer | null {
  if (!CHANNEL_BINDING_TYPES.includes(cbType as string)) throw valueError('Unsupported channel binding type');
  return native.tlsChannelBinding(ssl);
}

/** Python's verify_client_post_handshake(), with OpenSSL's errors as SSLError. */
export function verifyClientPostHandshake(ssl: NativeTLS): void {
  checked(native.tlsVerifyClientPostHandshake(ssl), 'verify_client_post_handshake');
}
