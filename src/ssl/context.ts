// SSLContext (Python's ssl.SSLContext): its settings (settings.ts),
// its session cache and tickets, post-handshake authentication,
// wrapSocket(), which makes SSLSockets, and wrapBio(), which makes
// SSLObjects; and create_default_context().
import { AbortError } from '../core/errors.js';
import { native } from '../core/native.js';
import { checkBoolean, checkInt, signalOf, valueError } from '../core/validate.js';
import { abortable, promised, SYNC } from '../io/forms.js';
import type { Socket } from '../socket/socket.js';
import { CERT_NONE, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, Purpose } from './constants.js';
import { SSLContextAdvanced } from './advanced.js';
import { checked } from './engine.js';
import type { MemoryBIO } from './memory.js';
import { wrapBio, type SSLObject } from './object.js';
import { contextHandle, type VerifyLocations, type Wrapping, type WrapOptions } from './settings.js';
import type { SSLSession } from './session.js';
import type { SSLSocket } from './socket.js';
import { wrap } from './wrap.js';

export type { Password, VerifyLocations, WrapOptions } from './settings.js';
export type { CertStoreStats, CipherDescription, SNICallback } from './advanced.js';

/** Python's `SSLContext.session_stats()`: the context's session cache counters (OpenSSL's SSL_CTX_sess_*), camelCased. */
export interface SessionStats {
  /** Sessions in the cache. */
  number: number;
  /** Handshakes begun as a client. */
  connect: number;
  /** Handshakes completed as a client. */
  connectGood: number;
  /** Renegotiations begun as a client. */
  connectRenegotiate: number;
  /** Handshakes begun as a server. */
  accept: number;
  /** Handshakes completed as a server. */
  acceptGood: number;
  /** Renegotiations begun as a server. */
  acceptRenegotiate: number;
  /** Sessions resumed from the cache (or a ticket). */
  hits: number;
  /** Sessions a client asked for that were not resumed. */
  misses: number;
  /** Sessions a client asked for that had expired. */
  timeouts: number;
  /** Sessions dropped because the cache was full. */
  cacheFull: number;
}

const STATS = ['number', 'connect', 'connectGood', 'connectRenegotiate', 'accept', 'acceptGood', 'acceptRenegotiate', 'hits', 'misses', 'timeouts', 'cacheFull'] as const;

/**
 * Python's `ssl.SSLContext`. A client context (PROTOCOL_TLS_CLIENT) verifies
 * the server's certificate and host name by default; a server context
 * (PROTOCOL_TLS_SERVER) asks for no client certificate.
 */
export class SSLContext extends SSLContextAdvanced {
  #postHandshakeAuth = false;

  /**
   * TLS 1.3 post-handshake authentication (Python's `post_handshake_auth`),
   * for connections made from then on: a client offers it (and sends its
   * certificate when asked); a server with verifyMode CERT_OPTIONAL or
   * CERT_REQUIRED may ask with `sslSocket.verifyClientPostHandshake()`.
   */
  get postHandshakeAuth(): boolean {
    return this.#postHandshakeAuth;
  }

  /** Takes a boolean. */
  set postHandshakeAuth(value: boolean) {
    this.#postHandshakeAuth = checkBoolean(value, 'postHandshakeAuth');
  }

  /** The TLS 1.3 session tickets a server sends after each handshake (OpenSSL's default 2); only a server context may set it. */
  get numTickets(): number {
    return native.tlsContextNumTickets(contextHandle(this), -1);
  }

  /** Takes a count of 0 or more, on a server context (RangeError otherwise, as Python's ValueError). */
  set numTickets(value: number) {
    checkInt(value, 'numTickets');
    if (value < 0) throw valueError('value must be non-negative');
    if (this.protocol !== PROTOCOL_TLS_SERVER) throw valueError('SSLContext is not a server context.');
    checked(native.tlsContextNumTickets(contextHandle(this), value), 'num_tickets');
  }

  /** The session cache's counters (Python's `session_stats()`): handshakes begun and completed on each side, resumptions, misses. */
  sessionStats(): SessionStats {
    const counts = native.tlsContextSessionStats(contextHandle(this));
    return Object.fromEntries(STATS.map((name, k) => [name, counts[k]])) as unknown as SessionStats;
  }

  /** @internal wrapSocket()'s settings, with post-handshake authentication set up on each connection as the context says. */
  protected override wrapping(options: WrapOptions): Wrapping {
    const wrapping = super.wrapping(options);
    if (!this.#postHandshakeAuth) return wrapping;
    const open = wrapping.open;
    return {
      ...wrapping,
      open: () => {
        const tls = open();
        checked(native.tlsPostHandshakeAuth(tls), 'wrap_socket');
        return tls;
      },
    };
  }

  /**
   * Wraps a stream socket (taking its fd over). A connected one runs the
   * TLS handshake under the socket's timeout, unless doHandshakeOnConnect
   * is false; one not connected yet does at `connect()`, and a listening
   * one's `accept()` gives server-side SSLSockets. `options.signal` may end the handshake's wait, which closes the
   * connection, as a failed handshake does; one already aborted leaves the
   * socket as it was.
   */
  wrapSocket<F extends number, T extends number>(sock: Socket<F, T>, options: WrapOptions = {}): Promise<SSLSocket<F, T>> {
    return promised(() => {
      const wrapping = this.wrapping(options);
      const signal = signalOf(options);
      if (signal?.aborted === true) throw new AbortError(signal.reason);
      return wrap(abortable(signal), this, sock, wrapping);
    });
  }

  /** wrapSocket() on the calling thread. */
  wrapSocketSync<F extends number, T extends number>(sock: Socket<F, T>, options: WrapOptions = {}): SSLSocket<F, T> {
    return wrap(SYNC, this, sock, this.wrapping(options));
  }

  /**
   * Python's wrap_bio(): an SSLObject, TLS that reads the peer's records
   * from incoming and writes its own into outgoing, for the application
   * to carry (sans-I/O). serverSide, serverHostname and session as for
   * wrapSocket().
   */
  wrapBio(incoming: MemoryBIO, outgoing: MemoryBIO, serverSide = false, serverHostname: string | null = null, session: SSLSession | null = null): SSLObject {
    return wrapBio(this, incoming, outgoing, () => this.wrapping({ serverSide, serverHostname, session }));
  }
}

/** purpose must be a Purpose (JavaScript callers may pass anything). */
function checkPurpose(purpose: unknown): void {
  if (purpose !== Purpose.SERVER_AUTH && purpose !== Purpose.CLIENT_AUTH) throw valueError(`The "purpose" argument must be Purpose.SERVER_AUTH or Purpose.CLIENT_AUTH. Received ${String(purpose)}`);
}

/**
 * Python's `ssl.create_default_context()`: for Purpose.SERVER_AUTH (the
 * default) a client context that verifies certificates and host names,
 * trusting the given CA locations or else the default CAs; for
 * Purpose.CLIENT_AUTH a server context.
 */
export function createDefaultContext(purpose: Purpose = Purpose.SERVER_AUTH, locations: VerifyLocations = {}): SSLContext {
  checkPurpose(purpose);
  const context = new SSLContext(purpose === Purpose.SERVER_AUTH ? PROTOCOL_TLS_CLIENT : PROTOCOL_TLS_SERVER);
  const { cafile, capath, cadata } = locations;
  if (cafile !== undefined || capath !== undefined || cadata !== undefined) context.loadVerifyLocations({ cafile, capath, cadata });
  else if (context.verifyMode !== CERT_NONE) context.loadDefaultCerts();
  return context;
}
