// SSLContext's settings of Python's fuller ssl module (the OP_* options,
// VERIFY_* flags, the security level, sniCallback, the key log, the CA
// store's contents, ciphers, DH and ECDH), each applied at once to the
// context's SSL_CTX (native/tls_settings.c, tls_context.c, tls_sni.c).
// A class between SSLContextSettings and SSLContext, so that neither file
// grows past its size.
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { errno } from '../core/errno.js';
import { native, type CipherDescription } from '../core/native.js';
import { checkBoolean, checkString, rangeError, typeError, valueError } from '../core/validate.js';
import { decodeCertificate, type PeerCertificate } from './certificate.js';
import { PROTOCOL_TLS_CLIENT } from './constants.js';
import type { SSLContext } from './context.js';
import { checked } from './engine.js';
import { VERIFY_X509_TRUSTED_FIRST } from './flags.js';
import { contextHandle, fsError, readFile, SSLContextSettings } from './settings.js';
import type { SSLObject } from './object.js';
import type { SSLSocket } from './socket.js';

export type { CipherDescription } from '../core/native.js';

/** SSLContext.certStoreStats(): the certificates and CRLs its store holds (Python's dict, camelCased). */
export interface CertStoreStats {
  /** Certificates. */
  x509: number;
  /** Certificate revocation lists. */
  crl: number;
  /** Certificates that are CAs. */
  x509Ca: number;
}

/**
 * SSLContext.sniCallback: called on a server (an SSLSocket, or an SSLObject
 * of wrapBio) when a client's hello arrives,
 * with the host name it asked for (null: none). It may switch the
 * connection to another context (`sslSocket.context = other`); returning
 * nothing (undefined or null) lets the handshake go on; an
 * ALERT_DESCRIPTION_* number fails it with that alert; anything else, or
 * throwing, fails it with internal_error (the thrown value is the `cause` of the
 * handshake's SSLError).
 */
export type SNICallback = (sslSocket: SSLSocket | SSLObject, serverName: string | null, context: SSLContext) => unknown;

const MAX_SAFE_BITS = 2 ** 53;

/**
 * A flags value: a non-negative integer below 2^53, or the negative int32
 * that JavaScript's bitwise operators make of one with bit 31 set (`ctx.options
 * | OP_NO_TLSv1_3`), read as its low 32 bits with the current bits above them.
 */
function checkBits(value: unknown, name: string, current: number): number {
  if (typeof value !== 'number') throw typeError(name, 'a number', value);
  if (!Number.isInteger(value) || value < -0x80000000 || value >= MAX_SAFE_BITS) throw rangeError(`The "${name}" argument must be a non-negative integer of flags. Received ${value}`);
  if (value >= 0) return value;
  return Math.floor(current / 2 ** 32) * 2 ** 32 + (value >>> 0);
}

/** The bits of a and not of b, for numbers up to 2^53 (beyond the 32 bits of JavaScript's & and ~). */
function andNot(a: number, b: number): number {
  const high = (x: number): number => Math.floor(x / 2 ** 32);
  return ((high(a) & ~high(b)) >>> 0) * 2 ** 32 + ((a & ~b) >>> 0);
}

/** A native call's list, or its failure (a negative number) thrown. */
function listed<T>(result: T | number, syscall: string): T {
  if (typeof result === 'number') checked(result < 0 ? result : -errno.EINVAL, syscall);
  return result as T;
}

/**
 * The settings of Python's `ssl.SSLContext` beyond those of the first
 * round: SSLContext inherits them all.
 */
export class SSLContextAdvanced extends SSLContextSettings {
  #hostnameChecksCommonName = true;
  #keylogFilename: string | null = null;
  #sniCallback: SNICallback | null = null;

  /** A context for protocol PROTOCOL_TLS_CLIENT or PROTOCOL_TLS_SERVER, with Python's defaults. */
  constructor(protocol: number) {
    super(protocol);
    this.verifyFlags = VERIFY_X509_TRUSTED_FIRST;
  }

  /**
   * The OP_* flags (Python's `options`, an `Options` combination). Setting
   * clears the flags not given and sets those given. Numbers above 2^31 are
   * exact; JavaScript's `|`, `&` and `~` keep only 32 bits, which this
   * setter reads with the options' bits above them unchanged.
   */
  get options(): number {
    return native.tlsContextOptions(contextHandle(this), 0, 0);
  }

  /** Clears the flags not in value and sets those in it (Python's SSL_CTX_clear_options, then SSL_CTX_set_options). */
  set options(value: number) {
    const current = this.options;
    const wanted = checkBits(value, 'options', current);
    native.tlsContextOptions(contextHandle(this), andNot(wanted, current), andNot(current, wanted));
  }

  /** The VERIFY_* flags of certificate checks (default VERIFY_X509_TRUSTED_FIRST, as Python 3.11's). */
  get verifyFlags(): number {
    return checked(native.tlsContextVerifyFlags(contextHandle(this), 0, 0), 'verify_flags');
  }

  /** Clears the flags not in value and sets those in it. */
  set verifyFlags(value: number) {
    const current = this.verifyFlags;
    const wanted = checkBits(value, 'verifyFlags', current);
    checked(native.tlsContextVerifyFlags(contextHandle(this), andNot(wanted, current), andNot(current, wanted)), 'verify_flags');
  }

  /** OpenSSL's security level (0 to 5): 2 with Python's default ciphers; set it with setCiphers('…:@SECLEVEL=n'). */
  get securityLevel(): number {
    return native.tlsContextSecurityLevel(contextHandle(this));
  }

  /** Whether a host name check falls back to the subject's common name when the certificate has no subjectAltName of that kind (default true, as Python 3.11 with OpenSSL 3). */
  get hostnameChecksCommonName(): boolean {
    return this.#hostnameChecksCommonName;
  }

  /** Takes a boolean. */
  set hostnameChecksCommonName(value: boolean) {
    this.#hostnameChecksCommonName = checkBoolean(value, 'hostnameChecksCommonName');
    native.tlsContextCheckSubject(contextHandle(this), value);
  }

  /**
   * A file that the secrets of each connection are appended to, in NSS's
   * key log format (as the SSLKEYLOGFILE of browsers, for Wireshark); null
   * (the default) for none. A new file starts with a comment line.
   */
  get keylogFilename(): string | null {
    return this.#keylogFilename;
  }

  /** Opens the file for appending (an fs failure is its SocketError, such as FileNotFoundError); null closes it. */
  set keylogFilename(path: string | null) {
    if (path === null) {
      native.tlsContextSetKeylog(contextHandle(this), -1);
      this.#keylogFilename = null;
      return;
    }
    if (typeof path !== 'string') throw typeError('keylogFilename', 'a string or null', path);
    let fd: number;
    try {
      fd = openSync(path, 'a');
    } catch (error) {
      throw fsError(error, 'open');
    }
    try {
      if (fstatSync(fd).size === 0) writeSync(fd, '# TLS secrets log file, generated by OpenSSL / berkeley\n');
    } catch (error) {
      closeSync(fd);
      throw fsError(error, 'write');
    }
    native.tlsContextSetKeylog(contextHandle(this), fd); // the context owns fd now
    this.#keylogFilename = path;
  }

  /** A server's hook for the host name a client asks for (SNI): see SNICallback; null (the default) for none. Server contexts only. */
  get sniCallback(): SNICallback | null {
    return this.#sniCallback;
  }

  /** Takes a function or null; RangeError on a client context. */
  set sniCallback(callback: SNICallback | null) {
    if (this.protocol === PROTOCOL_TLS_CLIENT) throw valueError('sniCallback cannot be set on a PROTOCOL_TLS_CLIENT context');
    if (callback !== null && typeof callback !== 'function') throw typeError('sniCallback', 'a function or null', callback);
    this.#sniCallback = callback;
    native.tlsContextSetSni(contextHandle(this), callback !== null);
  }

  /** The CA certificates the context trusts now (those of a capath only once used): Python's dicts, or with binaryForm their DER bytes. */
  getCaCerts(binaryForm: true): Buffer[];
  getCaCerts(binaryForm?: false): PeerCertificate[];
  getCaCerts(binaryForm?: boolean): PeerCertificate[] | Buffer[];
  getCaCerts(binaryForm = false): PeerCertificate[] | Buffer[] {
    const binary = checkBoolean(binaryForm, 'binaryForm');
    const ders = this.#store(true) as Buffer[];
    return binary ? ders : ders.map((der) => decodeCertificate(new X509Certificate(der)));
  }

  /** The counts of certificates, CRLs and CA certificates the context trusts now. */
  certStoreStats(): CertStoreStats {
    const [x509, crl, x509Ca] = this.#store(false) as number[];
    return { x509: x509!, crl: crl!, x509Ca: x509Ca! };
  }

  #store(cas: boolean): Buffer[] | number[] {
    return listed(native.tlsContextStore(contextHandle(this), cas), 'cert_store');
  }

  /** The ciphers a connection would offer (TLS 1.3's suites first), as Python's get_ciphers(). */
  getCiphers(): CipherDescription[] {
    return listed(native.tlsContextCiphers(contextHandle(this)), 'get_ciphers');
  }

  /** Trusts OpenSSL's default CA file and directory (see getDefaultVerifyPaths()). */
  setDefaultVerifyPaths(): void {
    checked(native.tlsContextDefaultPaths(contextHandle(this)), 'set_default_verify_paths');
  }

  /** Loads DH parameters (PEM) for DHE key exchange; a missing file is FileNotFoundError, as Python's OSError. */
  loadDhParams(path: string): void {
    checked(native.tlsContextSetDh(contextHandle(this), readFile(path, 'path')), 'load_dh_params');
  }

  /** The one elliptic curve for ECDH key exchange, by OpenSSL's short name (`'prime256v1'`, `'secp384r1'`, `'X25519'`). */
  setEcdhCurve(name: string): void {
    checkString(name, 'name');
    const rc = native.tlsContextSetCurve(contextHandle(this), name);
    if (rc === -errno.EINVAL) throw valueError(`unknown elliptic curve name '${name}'`);
    checked(rc, 'set_ecdh_curve');
  }
}
