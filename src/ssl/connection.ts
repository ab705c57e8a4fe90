// What SSLSocket and SSLObject share (Python writes it twice, in both
// classes): the connection's context, and Python's report of a TLS
// connection read from its OpenSSL object: the peer's certificate, the
// cipher, version, ALPN protocol, session, channel binding; and the
// post-handshake request a server may make.
import { inspect } from 'node:util';
import { closedError } from '../core/errors.js';
import { native, type NativeTLS } from '../core/native.js';
import { typeError, valueError } from '../core/validate.js';
import type { PeerCertificate } from './certificate.js';
import type { SSLContext } from './context.js';
import { checked, type TLSSteps } from './engine.js';
import { channelBinding, peerCertificate, verifyClientPostHandshake, type CipherInfo } from './info.js';
import { connectionSession, setConnectionSession, type SSLSession } from './session.js';
import { contextHandle, SSLContextSettings, type Wrapping } from './settings.js';

/** A TLS connection's context and report, as SSLSocket and SSLObject have them. */
export abstract class TLSConnection {
  #context: SSLContext;
  /** Whether this is the server side of the connection. */
  readonly serverSide: boolean;
  /** The host name the server was checked against (client side), or null. */
  readonly serverHostname: string | null;
  readonly #verifyMode: number;

  protected constructor(context: SSLContext, wrapping: Wrapping) {
    this.#context = context;
    this.serverSide = wrapping.serverSide;
    this.serverHostname = wrapping.serverHostname;
    this.#verifyMode = wrapping.verifyMode;
  }

  /** @internal The connection's TLS steps; null once it is closed (an SSLSocket's close(), detach() or unwrap()). */
  protected abstract openSteps(): TLSSteps | null;

  /** The steps of a call that needs the connection open: EBADF once it is closed. */
  #steps(syscall: string): TLSSteps {
    const steps = this.openSteps();
    if (steps === null) throw closedError(syscall);
    return steps;
  }

  /** What `read` says of the open connection's OpenSSL object; `closed` once it is closed. */
  #report<R, C>(read: (ssl: NativeTLS) => R, closed: C): R | C {
    const steps = this.openSteps();
    return steps === null ? closed : read(steps.ssl);
  }

  /** The context of the connection: the one it was made with, or another set here (a server's sniCallback does, to answer with that context's certificate). */
  get context(): SSLContext {
    return this.#context;
  }

  /** Moves the connection to another SSLContext (SSL_set_SSL_CTX): its certificate and settings from the next handshake step on. */
  set context(context: SSLContext) {
    if (!(context instanceof SSLContextSettings)) throw typeError('context', 'an SSLContext', context);
    const steps = this.openSteps();
    if (steps !== null) checked(native.tlsSetContext(steps.ssl, contextHandle(context)), 'context');
    this.#context = context;
  }

  /**
   * The peer's certificate: Python's dict (empty when it was not verified,
   * CERT_NONE), or with binaryForm its DER bytes; null if it sent none.
   */
  getpeercert(binaryForm: true): Buffer | null;
  getpeercert(binaryForm?: false): PeerCertificate | Record<string, never> | null;
  getpeercert(binaryForm = false): PeerCertificate | Record<string, never> | Buffer | null {
    const steps = this.#steps('getpeercert');
    if (this.version() === null) throw valueError('handshake not done yet');
    return peerCertificate(native.tlsPeerCertificate(steps.ssl), binaryForm, this.#verifyMode);
  }

  /** The cipher in use: [name, protocol version, secret bits]; null before the handshake. */
  cipher(): CipherInfo | null {
    return this.#report(native.tlsCipher, null);
  }

  /** The protocol version, such as 'TLSv1.3'; null before the handshake is done. */
  version(): string | null {
    return this.#report(native.tlsVersion, null);
  }

  /** The protocol ALPN chose, or null. */
  selectedAlpnProtocol(): string | null {
    return this.#report(native.tlsAlpnSelected, null);
  }

  /**
   * The number of decrypted bytes ready to be read (SSL_pending). As in
   * Python, an SSLSocket's are no longer in the socket, so select() and
   * the selectors do not show them as readiness: read until
   * SSLWantReadError (non-blocking), or while pending() > 0, before
   * selecting again.
   */
  pending(): number {
    return this.#report(native.tlsPending, 0);
  }

  /** The compression in use: always null (Node's OpenSSL has none, as Python's usually). */
  compression(): null {
    return null;
  }

  /**
   * The connection's TLS session (null before there is one): a client of
   * the same context may resume it on a later connection. Set it on a
   * client before the handshake to resume one (wrapSocket's and wrapBio's
   * `session`).
   */
  get session(): SSLSession | null {
    const steps = this.openSteps();
    return steps === null ? null : connectionSession(steps, this.context);
  }

  /** Takes an SSLSession of this connection's context, on a client before its handshake (RangeError otherwise, as Python's ValueError). */
  set session(value: SSLSession | null) {
    const steps = this.#steps('session');
    setConnectionSession(steps, this.context, this.serverSide, this.version() !== null, value);
  }

  /** Whether the handshake resumed a session. */
  get sessionReused(): boolean {
    return this.#report(native.tlsSessionReused, false);
  }

  /** The server's: the ciphers both sides have, in the server's order, as cipher()'s triples; null on a client or before the client's hello. */
  sharedCiphers(): CipherInfo[] | null {
    return native.tlsSharedCiphers(this.#steps('shared_ciphers').ssl);
  }

  /** The channel binding of RFC 5929 (only 'tls-unique' is known, as in Python); null before the handshake. */
  getChannelBinding(cbType = 'tls-unique'): Buffer | null {
    return channelBinding(this.#steps('get_channel_binding').ssl, cbType);
  }

  /**
   * A TLS 1.3 server asks the client for its certificate (post-handshake
   * authentication, context.postHandshakeAuth on both sides): the request
   * goes out with the next write (an SSLObject's, into its outgoing BIO),
   * the certificate is checked at the next read. SSLError as Python's: not
   * on TLS 1.3 (WRONG_SSL_VERSION), on a client (NOT_SERVER), the client
   * not offering it (EXTENSION_NOT_RECEIVED).
   */
  verifyClientPostHandshake(): void {
    verifyClientPostHandshake(this.#steps('verify_client_post_handshake').ssl);
  }

  /** The connection's repr: its side, host name or socket, and protocol version. */
  abstract toString(): string;

  /** util.inspect() shows toString(). */
  [inspect.custom](): string {
    return this.toString();
  }
}
