// Python's ssl.SSLSession: a TLS session (one reference of OpenSSL's
// SSL_SESSION, let go when the object is collected) that a client of the
// same context may resume; and the checks Python makes when one is set on
// a connection.
import { inspect } from 'node:util';
import { native, type NativeTLSSession } from '../core/native.js';
import { typeError, valueError, withCode } from '../core/validate.js';
import { checked } from './engine.js';
import type { TLSSteps } from './engine.js';

const internal = Symbol('SSLSession');
let handleOf: (session: SSLSession) => [NativeTLSSession, object];

/**
 * A TLS session (Python's `ssl.SSLSession`), from `SSLSocket.session` once
 * the handshake is done (with TLS 1.3, after the first read: the server's
 * tickets come after the handshake). Given to `wrapSocket({ session })` or
 * set as `sslSocket.session` before the handshake, a client of the same
 * context resumes it. Two sessions are equal when their ids are.
 */
export class SSLSession {
  readonly #session: NativeTLSSession;
  readonly #context: object;

  /** @internal SSLSocket.session makes SSLSessions. */
  constructor(token: typeof internal, session: NativeTLSSession, context: object) {
    if (token !== internal) throw withCode(new TypeError('SSLSession does not have a public constructor; use sslSocket.session'), 'ERR_ILLEGAL_CONSTRUCTOR');
    this.#session = session;
    this.#context = context;
  }

  /** The session id (empty for a TLS 1.3 session, whose tickets carry no id). */
  get id(): Buffer {
    return native.tlsSessionInfo(this.#session)[0];
  }

  /** When the session was made, in seconds since the epoch. */
  get time(): number {
    return native.tlsSessionInfo(this.#session)[1];
  }

  /** How long the session may be resumed, in seconds from `time`. */
  get timeout(): number {
    return native.tlsSessionInfo(this.#session)[2];
  }

  /** The lifetime the server gave its ticket, in seconds (0 without one). */
  get ticketLifetimeHint(): number {
    return native.tlsSessionInfo(this.#session)[3];
  }

  /** Whether the server gave a session ticket. */
  get hasTicket(): boolean {
    return native.tlsSessionInfo(this.#session)[4];
  }

  /** Python's `==`: the same session id. */
  equals(other: unknown): boolean {
    return other instanceof SSLSession && (other === this || this.id.equals(other.id));
  }

  /** Python's repr, with the id in hex. */
  toString(): string {
    return `<berkeley.SSLSession id=${this.id.toString('hex')}>`;
  }

  /** util.inspect() shows toString(). */
  [inspect.custom](): string {
    return this.toString();
  }

  static {
    handleOf = (session) => [session.#session, session.#context];
  }
}

/** A connection's session (context: the SSLContext it was made with), or null before there is one. */
export function connectionSession(e: TLSSteps, context: object): SSLSession | null {
  const session = native.tlsSessionGet(e.ssl);
  return session === null ? null : new SSLSession(internal, session, context);
}

/**
 * Sets a session to resume on a client's connection before its handshake,
 * with Python's errors: not an SSLSession, another context's, a server
 * side, a handshake already done. (An SSLSocket's or an SSLObject's.)
 */
export function setConnectionSession(e: TLSSteps, context: object, serverSide: boolean, handshakeDone: boolean, session: unknown): void {
  if (!(session instanceof SSLSession)) throw typeError('session', 'an SSLSession', session);
  const [handle, from] = handleOf(session);
  if (from !== context) throw valueError('Session refers to a different SSLContext.');
  if (serverSide) throw valueError('Cannot set session for server-side SSLSocket.');
  if (handshakeDone) throw valueError('Cannot set session after handshake.');
  checked(native.tlsSessionSet(e.ssl, handle), 'session');
}
