// The OP_*, VERIFY_* and ALERT_DESCRIPTION_* constants of Python's ssl
// module, with the values of the OpenSSL headers the addon was compiled
// against (native/tls_module.c: flags and alert numbers OpenSSL keeps
// stable across 3.x), and Python's enums of them (Options, VerifyFlags,
// AlertDescription), which map both ways as src/core/enums.ts's do.
import { native } from '../core/native.js';

const T = native.tlsConstants;

/** The value of a constant the addon always has. */
function value(name: string): number {
  const v = T[name];
  if (v === undefined) throw new Error(`berkeley/ssl: the addon lacks ${name}`);
  return v;
}

/** OpenSSL's workarounds for peer bugs (SSL_OP_ALL), without the empty-fragment one, as Python defines it. */
export const OP_ALL = value('OP_ALL');
/** No SSL 2.0 (0: OpenSSL 3 has none). */
export const OP_NO_SSLv2 = value('OP_NO_SSLv2');
/** No SSL 3.0. */
export const OP_NO_SSLv3 = value('OP_NO_SSLv3');
/** No TLS 1.0 (deprecated in Python: prefer minimumVersion). */
export const OP_NO_TLSv1 = value('OP_NO_TLSv1');
/** No TLS 1.1 (deprecated in Python: prefer minimumVersion). */
export const OP_NO_TLSv1_1 = value('OP_NO_TLSv1_1');
/** No TLS 1.2 (deprecated in Python: prefer maximumVersion). */
export const OP_NO_TLSv1_2 = value('OP_NO_TLSv1_2');
/** No TLS 1.3 (deprecated in Python: prefer maximumVersion). */
export const OP_NO_TLSv1_3 = value('OP_NO_TLSv1_3');
/** A server chooses the cipher by its own order of preference. */
export const OP_CIPHER_SERVER_PREFERENCE = value('OP_CIPHER_SERVER_PREFERENCE');
/** A new DH key for each session (always so in OpenSSL 3: 0). */
export const OP_SINGLE_DH_USE = value('OP_SINGLE_DH_USE');
/** A new ECDH key for each session (always so in OpenSSL 3: 0). */
export const OP_SINGLE_ECDH_USE = value('OP_SINGLE_ECDH_USE');
/** No TLS compression. */
export const OP_NO_COMPRESSION = value('OP_NO_COMPRESSION');
/** TLS 1.3 dressed as 1.2 resumption for middleboxes (OpenSSL's default). */
export const OP_ENABLE_MIDDLEBOX_COMPAT = value('OP_ENABLE_MIDDLEBOX_COMPAT');
/** No session tickets. */
export const OP_NO_TICKET = value('OP_NO_TICKET');
/** Refuse renegotiation (TLS 1.2 and older). */
export const OP_NO_RENEGOTIATION = value('OP_NO_RENEGOTIATION');
/** An EOF without close_notify reads as a clean end. */
export const OP_IGNORE_UNEXPECTED_EOF = value('OP_IGNORE_UNEXPECTED_EOF');
/** Kernel TLS where the kernel and cipher allow it. */
export const OP_ENABLE_KTLS = value('OP_ENABLE_KTLS');
/** Connect to servers without RFC 5746 secure renegotiation. */
export const OP_LEGACY_SERVER_CONNECT = value('OP_LEGACY_SERVER_CONNECT');

/** No extra certificate checks (CRLs are not checked). */
export const VERIFY_DEFAULT = value('VERIFY_DEFAULT');
/** Check the peer's certificate against a CRL (one must be loaded). */
export const VERIFY_CRL_CHECK_LEAF = value('VERIFY_CRL_CHECK_LEAF');
/** Check every certificate of the chain against CRLs. */
export const VERIFY_CRL_CHECK_CHAIN = value('VERIFY_CRL_CHECK_CHAIN');
/** Refuse certificates that break the X.509 rules. */
export const VERIFY_X509_STRICT = value('VERIFY_X509_STRICT');
/** Accept proxy certificates (RFC 3820). */
export const VERIFY_ALLOW_PROXY_CERTS = value('VERIFY_ALLOW_PROXY_CERTS');
/** Prefer trusted certificates when building the chain (Python's default). */
export const VERIFY_X509_TRUSTED_FIRST = value('VERIFY_X509_TRUSTED_FIRST');
/** Accept a chain that ends at any trusted certificate, not only a root. */
export const VERIFY_X509_PARTIAL_CHAIN = value('VERIFY_X509_PARTIAL_CHAIN');

/** The TLS alert close notify (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_CLOSE_NOTIFY = value('ALERT_DESCRIPTION_CLOSE_NOTIFY');
/** The TLS alert unexpected message (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_UNEXPECTED_MESSAGE = value('ALERT_DESCRIPTION_UNEXPECTED_MESSAGE');
/** The TLS alert bad record mac (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_BAD_RECORD_MAC = value('ALERT_DESCRIPTION_BAD_RECORD_MAC');
/** The TLS alert record overflow (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_RECORD_OVERFLOW = value('ALERT_DESCRIPTION_RECORD_OVERFLOW');
/** The TLS alert decompression failure (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_DECOMPRESSION_FAILURE = value('ALERT_DESCRIPTION_DECOMPRESSION_FAILURE');
/** The TLS alert handshake failure (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_HANDSHAKE_FAILURE = value('ALERT_DESCRIPTION_HANDSHAKE_FAILURE');
/** The TLS alert bad certificate (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_BAD_CERTIFICATE = value('ALERT_DESCRIPTION_BAD_CERTIFICATE');
/** The TLS alert unsupported certificate (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE = value('ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE');
/** The TLS alert certificate revoked (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_CERTIFICATE_REVOKED = value('ALERT_DESCRIPTION_CERTIFICATE_REVOKED');
/** The TLS alert certificate expired (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_CERTIFICATE_EXPIRED = value('ALERT_DESCRIPTION_CERTIFICATE_EXPIRED');
/** The TLS alert certificate unknown (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN = value('ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN');
/** The TLS alert illegal parameter (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_ILLEGAL_PARAMETER = value('ALERT_DESCRIPTION_ILLEGAL_PARAMETER');
/** The TLS alert unknown ca (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_UNKNOWN_CA = value('ALERT_DESCRIPTION_UNKNOWN_CA');
/** The TLS alert access denied (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_ACCESS_DENIED = value('ALERT_DESCRIPTION_ACCESS_DENIED');
/** The TLS alert decode error (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_DECODE_ERROR = value('ALERT_DESCRIPTION_DECODE_ERROR');
/** The TLS alert decrypt error (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_DECRYPT_ERROR = value('ALERT_DESCRIPTION_DECRYPT_ERROR');
/** The TLS alert protocol version (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_PROTOCOL_VERSION = value('ALERT_DESCRIPTION_PROTOCOL_VERSION');
/** The TLS alert insufficient security (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_INSUFFICIENT_SECURITY = value('ALERT_DESCRIPTION_INSUFFICIENT_SECURITY');
/** The TLS alert internal error (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_INTERNAL_ERROR = value('ALERT_DESCRIPTION_INTERNAL_ERROR');
/** The TLS alert user cancelled (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_USER_CANCELLED = value('ALERT_DESCRIPTION_USER_CANCELLED');
/** The TLS alert no renegotiation (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_NO_RENEGOTIATION = value('ALERT_DESCRIPTION_NO_RENEGOTIATION');
/** The TLS alert unsupported extension (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION = value('ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION');
/** The TLS alert certificate unobtainable (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE = value('ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE');
/** The TLS alert unrecognized name (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_UNRECOGNIZED_NAME = value('ALERT_DESCRIPTION_UNRECOGNIZED_NAME');
/** The TLS alert bad certificate status response (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE = value('ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE');
/** The TLS alert bad certificate hash value (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE = value('ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE');
/** The TLS alert unknown psk identity (RFC 8446 section 6). */
export const ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY = value('ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY');

/** One of Python's IntEnum/IntFlag classes: each name to its value, and each value to its first name. */
export type SSLEnum<N extends string> = { readonly [K in N]: number } & { readonly [value: number]: N | undefined };

/** The frozen two-way table of members (the first name of a value is its name, as Python's canonical member). */
export function table<N extends string>(members: Record<N, number>): SSLEnum<N> {
  const both: Record<string | number, string | number> = { ...members };
  for (const [name, v] of Object.entries<number>(members)) if (!(v in both)) both[v] = name;
  return Object.freeze(both) as unknown as SSLEnum<N>;
}

/** Python's `ssl.Options`: the OP_* flags of SSLContext.options. */
export const Options = table({
  OP_ALL,
  OP_NO_SSLv2,
  OP_NO_SSLv3,
  OP_NO_TLSv1,
  OP_NO_TLSv1_1,
  OP_NO_TLSv1_2,
  OP_NO_TLSv1_3,
  OP_CIPHER_SERVER_PREFERENCE,
  OP_SINGLE_DH_USE,
  OP_SINGLE_ECDH_USE,
  OP_NO_COMPRESSION,
  OP_ENABLE_MIDDLEBOX_COMPAT,
  OP_NO_TICKET,
  OP_NO_RENEGOTIATION,
  OP_IGNORE_UNEXPECTED_EOF,
  OP_ENABLE_KTLS,
  OP_LEGACY_SERVER_CONNECT,
});

/** Python's `ssl.VerifyFlags`: the VERIFY_* flags of SSLContext.verifyFlags. */
export const VerifyFlags = table({
  VERIFY_DEFAULT,
  VERIFY_CRL_CHECK_LEAF,
  VERIFY_CRL_CHECK_CHAIN,
  VERIFY_X509_STRICT,
  VERIFY_ALLOW_PROXY_CERTS,
  VERIFY_X509_TRUSTED_FIRST,
  VERIFY_X509_PARTIAL_CHAIN,
});

/** Python's `ssl.AlertDescription`: the ALERT_DESCRIPTION_* numbers an sniCallback may return. */
export const AlertDescription = table({
  ALERT_DESCRIPTION_CLOSE_NOTIFY,
  ALERT_DESCRIPTION_UNEXPECTED_MESSAGE,
  ALERT_DESCRIPTION_BAD_RECORD_MAC,
  ALERT_DESCRIPTION_RECORD_OVERFLOW,
  ALERT_DESCRIPTION_DECOMPRESSION_FAILURE,
  ALERT_DESCRIPTION_HANDSHAKE_FAILURE,
  ALERT_DESCRIPTION_BAD_CERTIFICATE,
  ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE,
  ALERT_DESCRIPTION_CERTIFICATE_REVOKED,
  ALERT_DESCRIPTION_CERTIFICATE_EXPIRED,
  ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN,
  ALERT_DESCRIPTION_ILLEGAL_PARAMETER,
  ALERT_DESCRIPTION_UNKNOWN_CA,
  ALERT_DESCRIPTION_ACCESS_DENIED,
  ALERT_DESCRIPTION_DECODE_ERROR,
  ALERT_DESCRIPTION_DECRYPT_ERROR,
  ALERT_DESCRIPTION_PROTOCOL_VERSION,
  ALERT_DESCRIPTION_INSUFFICIENT_SECURITY,
  ALERT_DESCRIPTION_INTERNAL_ERROR,
  ALERT_DESCRIPTION_USER_CANCELLED,
  ALERT_DESCRIPTION_NO_RENEGOTIATION,
  ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION,
  ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE,
  ALERT_DESCRIPTION_UNRECOGNIZED_NAME,
  ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE,
  ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE,
  ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY,
});
