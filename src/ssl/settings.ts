// The settings of an SSLContext (Python's ssl.SSLContext): everything but
// wrapSocket(), turned into a Node tls.SecureContext when a socket is wrapped
// (and kept until a setting changes). They are a base class of their own so
// that SSLSocket can name its context's type without importing context.ts,
// which imports SSLSocket.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { errorFromErrno } from '../core/errors.js';
import { checkBoolean, checkInt, checkObject, typeError, valueError, withCode } from '../core/validate.js';
import { CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED, nodeVersion, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, TLSVersion } from './constants.js';
import { toSSLError } from './errors.js';

/** A private key's password: the text or bytes, or a function that returns them (called when the key is loaded). */
export type Password = string | Buffer | (() => string | Buffer);

/** Where loadVerifyLocations() reads CA certificates from: at least one of the three. */
export interface VerifyLocations {
  /** A PEM file of one or more CA certificates. */
  cafile?: string;
  /** A directory of PEM CA certificates (every file in it is read). */
  capath?: string;
  /** CA certificates: PEM text, or DER bytes (one or more certificates). */
  cadata?: string | ArrayBufferView;
}

/** wrapSocket()'s options. */
export interface WrapOptions {
  /** Act as the server of the handshake (needs a PROTOCOL_TLS_SERVER context). */
  serverSide?: boolean;
  /** The name the server's certificate must match; also sent as SNI when it is not an IP address. */
  serverHostname?: string | null;
  /**
   * Ends the handshake: wrapSocket rejects with an AbortError and the
   * connection is closed, as after a failed handshake (it cannot be resumed).
   * Already aborted: the socket is left as it was.
   */
  signal?: AbortSignal | undefined;
}

/** The settings of a handshake, from a context, for SSLSocket. */
export interface HandshakeSpec {
  serverSide: boolean;
  serverHostname: string | null;
  secureContext: tls.SecureContext;
  verifyMode: number;
  checkHostname: boolean;
  alpnProtocols: string[] | null;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** Reads a file as Python does: a missing file is FileNotFoundError, and so on. */
function readFile(path: string, name: string): Buffer {
  if (typeof path !== 'string') throw typeError(name, 'a string', path);
  try {
    return readFileSync(path);
  } catch (error) {
    throw fsError(error, 'open');
  }
}

/** The SocketError for a failed fs call (by its errno), or the error as it is. */
function fsError(error: unknown, syscall: string): unknown {
  const errnum = (error as { errno?: unknown }).errno;
  return typeof errnum === 'number' ? errorFromErrno(errnum, syscall) : error;
}

/** Each certificate of DER bytes (concatenated certificates allowed) as PEM. */
function derToPem(der: Buffer): string[] {
  const pems: string[] = [];
  let offset = 0;
  while (offset < der.length) {
    // SEQUENCE, then a short or long form length.
    if (der[offset] !== 0x30 || offset + 2 > der.length) throw valueError('The "cadata" argument is not DER certificate data');
    const first = der[offset + 1]!;
    let length = first;
    let header = 2;
    if (first & 0x80) {
      const count = first & 0x7f;
      if (count === 0 || count > 4 || offset + 2 + count > der.length) throw valueError('The "cadata" argument is not DER certificate data');
      length = der.readUIntBE(offset + 2, count);
      header += count;
    }
    const end = offset + header + length;
    if (end > der.length) throw valueError('The "cadata" argument is truncated DER certificate data');
    pems.push(new X509Certificate(der.subarray(offset, end)).toString());
    offset = end;
  }
  return pems;
}

function pemCertificates(text: string, what: string): string[] {
  const found = text.match(PEM_CERT) ?? [];
  if (found.length === 0) throw toSSLError({ code: 'ERR_OSSL_X509_NO_CERTIFICATE_OR_CRL_FOUND', reason: `no certificate or crl found in ${what}` }, 'load_verify_locations');
  return found;
}

/**
 * The settings of Python's `ssl.SSLContext`; SSLContext (context.ts) adds
 * wrapSocket(). A client context (PROTOCOL_TLS_CLIENT) verifies the server's
 * certificate and host name by default; a server context
 * (PROTOCOL_TLS_SERVER) asks for no client certificate.
 */
export class SSLContextSettings {
  /** PROTOCOL_TLS_CLIENT or PROTOCOL_TLS_SERVER. */
  readonly protocol: number;
  #checkHostname: boolean;
  #verifyMode: number;
  #minimumVersion: number = TLSVersion.TLSv1_2;
  #maximumVersion: number = TLSVersion.MAXIMUM_SUPPORTED;
  #chain: { cert: Buffer; key: Buffer; passphrase: string | undefined } | null = null;
  #ca: string[] = [];
  #ciphers: string | undefined;
  #alpn: string[] | null = null;
  #built: tls.SecureContext | null = null;

  /** A context for protocol PROTOCOL_TLS_CLIENT or PROTOCOL_TLS_SERVER, with that side's defaults. */
  constructor(protocol: number) {
    checkInt(protocol, 'protocol');
    if (protocol !== PROTOCOL_TLS_CLIENT && protocol !== PROTOCOL_TLS_SERVER) {
      throw valueError(`The "protocol" argument must be PROTOCOL_TLS_CLIENT or PROTOCOL_TLS_SERVER. Received ${protocol}`);
    }
    this.protocol = protocol;
    const client = protocol === PROTOCOL_TLS_CLIENT;
    this.#checkHostname = client;
    this.#verifyMode = client ? CERT_REQUIRED : CERT_NONE;
  }

  /** Whether a client checks the server's certificate against serverHostname. */
  get checkHostname(): boolean {
    return this.#checkHostname;
  }

  /** Turning it on also sets verifyMode CERT_REQUIRED if it was CERT_NONE, as Python does. */
  set checkHostname(value: boolean) {
    this.#checkHostname = checkBoolean(value, 'checkHostname');
    if (value && this.#verifyMode === CERT_NONE) this.#verifyMode = CERT_REQUIRED;
  }

  /** CERT_NONE, CERT_OPTIONAL or CERT_REQUIRED. */
  get verifyMode(): number {
    return this.#verifyMode;
  }

  /** Refuses any other value, and CERT_NONE while checkHostname is on. */
  set verifyMode(value: number) {
    checkInt(value, 'verifyMode');
    if (value !== CERT_NONE && value !== CERT_OPTIONAL && value !== CERT_REQUIRED) {
      throw valueError(`The "verifyMode" argument must be CERT_NONE, CERT_OPTIONAL or CERT_REQUIRED. Received ${value}`);
    }
    if (value === CERT_NONE && this.#checkHostname) throw valueError('Cannot set verifyMode to CERT_NONE when checkHostname is enabled');
    this.#verifyMode = value;
  }

  /** The lowest protocol version allowed (default TLSVersion.TLSv1_2). */
  get minimumVersion(): TLSVersion {
    return this.#minimumVersion as TLSVersion;
  }

  /** Takes a TLSVersion value; sockets wrapped from then on use it. */
  set minimumVersion(value: TLSVersion) {
    this.#minimumVersion = checkVersion(value, 'minimumVersion');
    this.#built = null;
  }

  /** The highest protocol version allowed (default TLSVersion.MAXIMUM_SUPPORTED). */
  get maximumVersion(): TLSVersion {
    return this.#maximumVersion as TLSVersion;
  }

  /** Takes a TLSVersion value; sockets wrapped from then on use it. */
  set maximumVersion(value: TLSVersion) {
    this.#maximumVersion = checkVersion(value, 'maximumVersion');
    this.#built = null;
  }

  /**
   * Loads this side's certificate chain and private key (PEM). keyfile
   * defaults to certfile (one file with both); password decrypts the key.
   */
  loadCertChain(certfile: string, keyfile?: string | null, password?: Password | null): void {
    const cert = readFile(certfile, 'certfile');
    const key = keyfile === undefined || keyfile === null ? cert : readFile(keyfile, 'keyfile');
    let passphrase: string | undefined;
    if (password !== undefined && password !== null) {
      const given = typeof password === 'function' ? password() : password;
      if (typeof given !== 'string' && !Buffer.isBuffer(given)) throw typeError('password', 'a string, Buffer or a function returning one', given);
      passphrase = given.toString();
    }
    // Checked now, as Python does: a bad key or password fails here, not at the handshake.
    try {
      tls.createSecureContext({ cert, key, passphrase });
    } catch (error) {
      throw toSSLError(error, 'load_cert_chain');
    }
    this.#chain = { cert, key, passphrase };
    this.#built = null;
  }

  /** Adds CA certificates to trust, from a file, a directory and/or data. */
  loadVerifyLocations(locations: VerifyLocations): void {
    checkObject(locations, 'locations');
    const { cafile, capath, cadata } = locations;
    if (cafile === undefined && capath === undefined && cadata === undefined) throw withCode(new TypeError('cafile, capath and cadata cannot be all omitted'), 'ERR_MISSING_ARGS');
    const added: string[] = [];
    if (cafile !== undefined) added.push(...pemCertificates(readFile(cafile, 'cafile').toString('latin1'), cafile));
    if (capath !== undefined) added.push(...this.#directory(capath));
    if (cadata !== undefined) {
      if (typeof cadata === 'string') added.push(...pemCertificates(cadata, 'cadata'));
      else if (ArrayBuffer.isView(cadata)) added.push(...derToPem(Buffer.from(cadata.buffer, cadata.byteOffset, cadata.byteLength)));
      else throw typeError('cadata', 'a string or bytes', cadata);
    }
    for (const pem of added) new X509Certificate(pem); // a malformed one fails here, not at the handshake
    this.#ca.push(...added);
    this.#built = null;
  }

  #directory(capath: string): string[] {
    if (typeof capath !== 'string') throw typeError('capath', 'a string', capath);
    let names: string[];
    try {
      names = readdirSync(capath);
    } catch (error) {
      throw fsError(error, 'opendir');
    }
    const found: string[] = [];
    for (const name of names) {
      const path = join(capath, name);
      if (statSync(path, { throwIfNoEntry: false })?.isFile() !== true) continue;
      found.push(...(readFileSync(path, 'latin1').match(PEM_CERT) ?? []));
    }
    return found;
  }

  /**
   * Trusts the default CA certificates: Node's bundled Mozilla store, plus
   * the files named by SSL_CERT_FILE and SSL_CERT_DIR when set (as OpenSSL's
   * default paths are for Python).
   */
  loadDefaultCerts(): void {
    this.#ca.push(...tls.rootCertificates);
    const file = process.env.SSL_CERT_FILE;
    if (file) this.#ca.push(...(readFile(file, 'SSL_CERT_FILE').toString('latin1').match(PEM_CERT) ?? []));
    const dir = process.env.SSL_CERT_DIR;
    if (dir) this.#ca.push(...this.#directory(dir));
    this.#built = null;
  }

  /** The protocols offered (client) or accepted (server) by ALPN, in order of preference. */
  setAlpnProtocols(protocols: readonly string[]): void {
    // Checked as unknown: Array.isArray() would narrow the readonly array to any[].
    if (!Array.isArray(protocols as unknown)) throw typeError('protocols', 'an array of strings', protocols);
    for (const p of protocols) {
      if (typeof p !== 'string') throw typeError('protocols', 'an array of strings', p);
      const length = Buffer.byteLength(p);
      if (length === 0 || length > 255) throw valueError(`ALPN protocols must be 1 to 255 bytes long. Received '${p}'`);
    }
    this.#alpn = [...protocols];
  }

  /**
   * The OpenSSL cipher list for TLS 1.2 and older, as Python's set_ciphers.
   * TLS 1.3 suites (TLS_…) in the list set those too; otherwise they keep
   * their defaults.
   */
  setCiphers(ciphers: string): void {
    if (typeof ciphers !== 'string') throw typeError('ciphers', 'a string', ciphers);
    try {
      tls.createSecureContext({ ciphers });
    } catch (error) {
      throw toSSLError(error, 'set_ciphers');
    }
    this.#ciphers = ciphers;
    this.#built = null;
  }

  /** @internal For wrapSocket(): checks the options against the context and returns the handshake's settings. */
  protected handshakeSpec(options: WrapOptions): HandshakeSpec {
    checkObject(options, 'options');
    const serverSide = options.serverSide === undefined ? false : checkBoolean(options.serverSide, 'serverSide');
    const serverHostname = options.serverHostname ?? null;
    if (serverHostname !== null && typeof serverHostname !== 'string') throw typeError('serverHostname', 'a string', serverHostname);
    if (serverSide && this.protocol === PROTOCOL_TLS_CLIENT) throw valueError('Cannot create a server socket with a PROTOCOL_TLS_CLIENT context');
    if (!serverSide && this.protocol === PROTOCOL_TLS_SERVER) throw valueError('Cannot create a client socket with a PROTOCOL_TLS_SERVER context');
    if (serverSide && serverHostname !== null) throw valueError('serverHostname can only be specified in client mode');
    if (!serverSide && this.#checkHostname && !serverHostname) throw valueError('checkHostname requires serverHostname');
    return {
      serverSide,
      serverHostname,
      secureContext: this.#secureContext(),
      verifyMode: this.#verifyMode,
      checkHostname: this.#checkHostname,
      alpnProtocols: this.#alpn,
    };
  }

  #secureContext(): tls.SecureContext {
    if (this.#built !== null) return this.#built;
    const minVersion = nodeVersion(this.#minimumVersion);
    const maxVersion = nodeVersion(this.#maximumVersion);
    try {
      this.#built = tls.createSecureContext({
        // An empty list, not undefined: undefined would mean Node's roots,
        // and a context trusts only what it was given, as in Python.
        ca: this.#ca,
        cert: this.#chain?.cert,
        key: this.#chain?.key,
        passphrase: this.#chain?.passphrase,
        ciphers: this.#ciphers,
        minVersion,
        maxVersion,
      });
    } catch (error) {
      throw toSSLError(error, 'do_handshake');
    }
    return this.#built;
  }
}

/** An options argument must be an object (JavaScript callers may pass anything). */
function checkVersion(value: unknown, name: string): number {
  checkInt(value, name);
  if (nodeVersion(value as number) === undefined) throw valueError(`The "${name}" argument must be a TLSVersion. Received ${value as number}`);
  return value as number;
}

