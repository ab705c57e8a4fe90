// The settings of an SSLContext (Python's ssl.SSLContext): everything but
// wrapSocket(), each applied at once to the context's OpenSSL SSL_CTX
// (native/tls_context.c), as Python's are; sockets wrapped from then on
// use them. They are a base class of their own so that SSLSocket can name
// its context's type without importing context.ts, which imports SSLSocket.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { errorFromErrno } from '../core/errors.js';
import { native, type NativeTLS, type NativeTLSContext } from '../core/native.js';
import { checkBoolean, checkInt, checkObject, checkString, typeError, valueError, withCode, type WaitOptions } from '../core/validate.js';
import {
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  DEFAULT_CIPHERS,
  opensslVerifyMode,
  opensslVersion,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSL_ERROR_SSL,
  TLSVersion,
} from './constants.js';
import { checked, newConnection, newContext } from './engine.js';
import { SSLError } from './errors.js';
import type { SSLSession } from './session.js';

/** A private key's password: the text or bytes, or a function that returns them (called when the key is loaded). */
export type Password = string | Buffer | (() => string | Buffer);

/** Where loadVerifyLocations() reads CA certificates from: at least one of the three. */
export interface VerifyLocations {
  /** A PEM file of one or more CA certificates. */
  cafile?: string;
  /** A directory of PEM CA certificates in OpenSSL's hashed layout (`c_rehash`), each read when a chain needs it. */
  capath?: string;
  /** CA certificates: PEM text, or DER bytes (one or more certificates). */
  cadata?: string | ArrayBufferView;
}

/**
 * wrapSocket()'s options. `signal` (wrapSocket only) ends the handshake:
 * wrapSocket rejects with an AbortError and the connection is closed, as
 * after a failed handshake (it cannot be resumed); already aborted, the
 * socket is left as it was.
 */
export interface WrapOptions extends WaitOptions {
  /** Act as the server of the handshake (needs a PROTOCOL_TLS_SERVER context). */
  serverSide?: boolean;
  /** The name the server's certificate must match; also sent as SNI when it is not an IP address. */
  serverHostname?: string | null;
  /** Run the handshake now (the default); otherwise doHandshake() or the first read or write does. */
  doHandshakeOnConnect?: boolean;
  /** A read that meets the end of the connection without TLS's close_notify returns EOF (the default) rather than SSLEOFError. */
  suppressRaggedEofs?: boolean;
  /** A client's session to resume (from an earlier connection's `session`, on this context). */
  session?: SSLSession | null;
}

/** What a new SSLSocket takes from its context and wrapSocket()'s options. */
export interface Wrapping {
  readonly serverSide: boolean;
  readonly serverHostname: string | null;
  readonly doHandshakeOnConnect: boolean;
  readonly suppressRaggedEofs: boolean;
  readonly verifyMode: number;
  readonly session: SSLSession | null;
  /** Makes the connection's OpenSSL object, with the SNI and host name check asked for. */
  readonly open: () => NativeTLS;
}

/** Reads a file as Python does: a missing file is FileNotFoundError, and so on. */
export function readFile(path: string, name: string): Buffer {
  if (typeof path !== 'string') throw typeError(name, 'a string', path);
  try {
    return readFileSync(path);
  } catch (error) {
    throw fsError(error, 'open');
  }
}

/** The SocketError for a failed fs call (by its errno), or the error as it is. */
export function fsError(error: unknown, syscall: string): unknown {
  const errnum = (error as { errno?: unknown }).errno;
  return typeof errnum === 'number' ? errorFromErrno(errnum, syscall) : error;
}

function checkVersion(value: unknown, name: string): number {
  checkInt(value, name);
  if (opensslVersion(value as number) === undefined) throw valueError(`The "${name}" argument must be a TLSVersion. Received ${value as number}`);
  return value as number;
}

function optionalBoolean(value: unknown, name: string, otherwise: boolean): boolean {
  return value === undefined ? otherwise : checkBoolean(value, name);
}

/** The host name argument: a name or address without NUL, at most 255 bytes (as SNI allows). */
function checkHostname(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw typeError('serverHostname', 'a string', value);
  if (value.includes('\0') || Buffer.byteLength(value) > 255) throw valueError(`The "serverHostname" argument must be a host name of at most 255 bytes, without NUL. Received '${value.slice(0, 64)}'`);
  return value;
}

let rootsPem: Buffer | undefined;
/** @internal The native context of an SSLContext, for its other halves (advanced.ts, context.ts's session calls, SSLSocket.context). */
export let contextHandle: (context: SSLContextSettings) => NativeTLSContext;

/**
 * The settings of Python's `ssl.SSLContext`; SSLContext (context.ts) adds
 * wrapSocket(). A client context (PROTOCOL_TLS_CLIENT) verifies the server's
 * certificate and host name by default; a server context
 * (PROTOCOL_TLS_SERVER) asks for no client certificate.
 */
export class SSLContextSettings {
  /** PROTOCOL_TLS_CLIENT or PROTOCOL_TLS_SERVER. */
  readonly protocol: number;
  readonly #context: NativeTLSContext;
  #checkHostname: boolean;
  #verifyMode: number;
  #minimumVersion: number = TLSVersion.TLSv1_2;
  #maximumVersion: number = TLSVersion.MAXIMUM_SUPPORTED;

  /** A context for protocol PROTOCOL_TLS_CLIENT or PROTOCOL_TLS_SERVER, with that side's defaults. */
  constructor(protocol: number) {
    checkInt(protocol, 'protocol');
    if (protocol !== PROTOCOL_TLS_CLIENT && protocol !== PROTOCOL_TLS_SERVER) {
      throw valueError(`The "protocol" argument must be PROTOCOL_TLS_CLIENT or PROTOCOL_TLS_SERVER. Received ${protocol}`);
    }
    this.protocol = protocol;
    const client = protocol === PROTOCOL_TLS_CLIENT;
    this.#context = newContext(!client);
    this.#checkHostname = client;
    this.#verifyMode = client ? CERT_REQUIRED : CERT_NONE;
    native.tlsContextSetVerify(this.#context, opensslVerifyMode(this.#verifyMode));
    this.#setVersions();
    this.setCiphers(DEFAULT_CIPHERS);
  }

  /** Whether a client checks the server's certificate against serverHostname. */
  get checkHostname(): boolean {
    return this.#checkHostname;
  }

  /** Turning it on also sets verifyMode CERT_REQUIRED if it was CERT_NONE, as Python does. */
  set checkHostname(value: boolean) {
    this.#checkHostname = checkBoolean(value, 'checkHostname');
    if (value && this.#verifyMode === CERT_NONE) this.verifyMode = CERT_REQUIRED;
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
    native.tlsContextSetVerify(this.#context, opensslVerifyMode(value));
    this.#verifyMode = value;
  }

  /** The lowest protocol version allowed (default TLSVersion.TLSv1_2). */
  get minimumVersion(): TLSVersion {
    return this.#minimumVersion as TLSVersion;
  }

  /** Takes a TLSVersion value. */
  set minimumVersion(value: TLSVersion) {
    this.#minimumVersion = checkVersion(value, 'minimumVersion');
    this.#setVersions();
  }

  /** The highest protocol version allowed (default TLSVersion.MAXIMUM_SUPPORTED). */
  get maximumVersion(): TLSVersion {
    return this.#maximumVersion as TLSVersion;
  }

  /** Takes a TLSVersion value. */
  set maximumVersion(value: TLSVersion) {
    this.#maximumVersion = checkVersion(value, 'maximumVersion');
    this.#setVersions();
  }

  #setVersions(): void {
    checked(native.tlsContextSetVersions(this.#context, opensslVersion(this.#minimumVersion)!, opensslVersion(this.#maximumVersion)!), 'set_proto_version');
  }

  /**
   * Loads this side's certificate chain (the certificate, then its issuers)
   * and private key (PEM). keyfile defaults to certfile (one file with
   * both); password decrypts the key. A bad key or password fails here.
   */
  loadCertChain(certfile: string, keyfile?: string | null, password?: Password | null): void {
    const chain = readFile(certfile, 'certfile');
    const key = keyfile === undefined || keyfile === null ? chain : readFile(keyfile, 'keyfile');
    let secret: Buffer | null = null;
    if (password !== undefined && password !== null) {
      const given = typeof password === 'function' ? password() : password;
      if (typeof given !== 'string' && !Buffer.isBuffer(given)) throw typeError('password', 'a string, Buffer or a function returning one', given);
      secret = Buffer.from(given);
    }
    checked(native.tlsContextUseChain(this.#context, chain, key, secret), 'load_cert_chain');
  }

  /** Adds CA certificates to trust, from a file, a directory and/or data. */
  loadVerifyLocations(locations: VerifyLocations): void {
    checkObject(locations, 'locations');
    const { cafile, capath, cadata } = locations;
    if (cafile === undefined && capath === undefined && cadata === undefined) throw withCode(new TypeError('cafile, capath and cadata cannot be all omitted'), 'ERR_MISSING_ARGS');
    if (cafile !== undefined && this.#addCa(readFile(cafile, 'cafile'), true) === 0) {
      throw new SSLError(SSL_ERROR_SSL, 'no certificate or crl found', 'load_verify_locations', 'X509', 'NO_CERTIFICATE_OR_CRL_FOUND');
    }
    if (capath !== undefined) this.#addCaPath(capath, 'capath');
    if (cadata !== undefined) {
      const pem = typeof cadata === 'string';
      if (!pem && !ArrayBuffer.isView(cadata)) throw typeError('cadata', 'a string or bytes', cadata);
      if (this.#addCa(pem ? Buffer.from(cadata, 'latin1') : cadata, pem) === 0) {
        throw new SSLError(SSL_ERROR_SSL, `${pem ? 'no start line' : 'not enough data'}: cadata does not contain a certificate`, 'load_verify_locations');
      }
    }
  }

  /** Trusts the certificates in data (PEM or DER); the count. */
  #addCa(data: ArrayBufferView, pem: boolean): number {
    return checked(native.tlsContextAddCa(this.#context, data, pem), 'load_verify_locations');
  }

  /** Trusts the certificates of a hashed directory, looked up when needed. */
  #addCaPath(dir: unknown, name: string): void {
    checked(native.tlsContextAddCaPath(this.#context, checkString(dir, name)), 'load_verify_locations');
  }

  /**
   * Trusts the default CA certificates: Node's bundled Mozilla store (read
   * once for the process and shared, as Node's tls does), and the system's,
   * as Python's load_default_certs(): OpenSSL's default CA file and hashed
   * directory, or the ones SSL_CERT_FILE and SSL_CERT_DIR name.
   */
  loadDefaultCerts(): void {
    rootsPem ??= Buffer.from(rootCertificates.join('\n'));
    checked(native.tlsContextLoadRoots(this.#context, rootsPem), 'load_default_certs');
    checked(native.tlsContextDefaultPaths(this.#context), 'load_default_certs');
  }

  /** The protocols offered (client) or accepted (server) by ALPN, in order of preference. */
  setAlpnProtocols(protocols: readonly string[]): void {
    // Checked as unknown: Array.isArray() would narrow the readonly array to any[].
    if (!Array.isArray(protocols as unknown)) throw typeError('protocols', 'an array of strings', protocols);
    const wire: Buffer[] = [];
    for (const p of protocols) {
      if (typeof p !== 'string') throw typeError('protocols', 'an array of strings', p);
      const bytes = Buffer.from(p);
      if (bytes.length === 0 || bytes.length > 255) throw valueError(`ALPN protocols must be 1 to 255 bytes long. Received '${p}'`);
      wire.push(Buffer.of(bytes.length), bytes);
    }
    checked(native.tlsContextSetAlpn(this.#context, Buffer.concat(wire)), 'set_alpn_protocols');
  }

  /** The OpenSSL cipher list for TLS 1.2 and older, as Python's set_ciphers (TLS 1.3's suites keep their defaults). */
  setCiphers(ciphers: string): void {
    if (typeof ciphers !== 'string') throw typeError('ciphers', 'a string', ciphers);
    if (native.tlsContextSetCiphers(this.#context, ciphers) !== 0) throw new SSLError(SSL_ERROR_SSL, 'No cipher can be selected.', 'set_ciphers');
  }

  /** @internal For wrapSocket(): checks the options against the context; what the new SSLSocket takes. */
  protected wrapping(options: WrapOptions): Wrapping {
    checkObject(options, 'options');
    const serverSide = optionalBoolean(options.serverSide, 'serverSide', false);
    const serverHostname = checkHostname(options.serverHostname);
    if (serverSide && this.protocol === PROTOCOL_TLS_CLIENT) throw valueError('Cannot create a server socket with a PROTOCOL_TLS_CLIENT context');
    if (!serverSide && this.protocol === PROTOCOL_TLS_SERVER) throw valueError('Cannot create a client socket with a PROTOCOL_TLS_SERVER context');
    if (serverSide && serverHostname !== null) throw valueError('serverHostname can only be specified in client mode');
    const session = options.session ?? null;
    if (serverSide && session !== null) throw valueError('session can only be specified in client mode');
    if (!serverSide && this.#checkHostname && !serverHostname) throw valueError('checkHostname requires serverHostname');
    const checkName = this.#checkHostname;
    return {
      serverSide,
      serverHostname,
      doHandshakeOnConnect: optionalBoolean(options.doHandshakeOnConnect, 'doHandshakeOnConnect', true),
      suppressRaggedEofs: optionalBoolean(options.suppressRaggedEofs, 'suppressRaggedEofs', true),
      verifyMode: this.#verifyMode,
      session,
      open: () => this.#open(serverSide, serverHostname, checkName),
    };
  }

  static {
    contextHandle = (context) => context.#context;
  }

  #open(serverSide: boolean, serverHostname: string | null, checkName: boolean): NativeTLS {
    const tls = newConnection(this.#context, serverSide);
    if (serverHostname !== null) {
      const ip = isIP(serverHostname) !== 0;
      // SNI carries names only (RFC 6066).
      if (!ip) checked(native.tlsSetServerName(tls, serverHostname), 'wrap_socket');
      if (checkName) checked(native.tlsSetVerifyHost(tls, serverHostname, ip), 'wrap_socket');
    }
    return tls;
  }
}
