// SSLContext (Python's ssl.SSLContext): its settings (settings.ts),
// wrapSocket(), which makes SSLSockets, and wrapBio(), which makes
// SSLObjects; and create_default_context().
import { AbortError } from '../core/errors.js';
import { signalOf, valueError } from '../core/validate.js';
import { abortable, promised, SYNC } from '../io/forms.js';
import type { Socket } from '../socket/socket.js';
import { CERT_NONE, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, Purpose } from './constants.js';
import { SSLContextSettings, type VerifyLocations, type WrapOptions } from './settings.js';
import type { MemoryBIO } from './memory.js';
import { wrapBio, type SSLObject } from './object.js';
import { wrap, type SSLSocket } from './socket.js';

export type { Password, VerifyLocations, WrapOptions } from './settings.js';

/**
 * Python's `ssl.SSLContext`. A client context (PROTOCOL_TLS_CLIENT) verifies
 * the server's certificate and host name by default; a server context
 * (PROTOCOL_TLS_SERVER) asks for no client certificate.
 */
export class SSLContext extends SSLContextSettings {
  /**
   * Wraps a connected stream socket (taking its fd over) and runs the TLS
   * handshake under the socket's timeout, unless doHandshakeOnConnect is
   * false. `options.signal` may end the handshake's wait, which closes the
   * connection, as a failed handshake does; one already aborted leaves the
   * socket as it was.
   */
  wrapSocket(sock: Socket, options: WrapOptions = {}): Promise<SSLSocket> {
    return promised(() => {
      const wrapping = this.wrapping(options);
      const signal = signalOf(options);
      if (signal?.aborted === true) throw new AbortError(signal.reason);
      return wrap(abortable(signal), this, sock, wrapping);
    });
  }

  /** wrapSocket() on the calling thread. */
  wrapSocketSync(sock: Socket, options: WrapOptions = {}): SSLSocket {
    return wrap(SYNC, this, sock, this.wrapping(options));
  }

  /**
   * Python's wrap_bio(): an SSLObject, TLS that reads the peer's records
   * from incoming and writes its own into outgoing, for the application
   * to carry (sans-I/O). serverSide and serverHostname as for wrapSocket().
   */
  wrapBio(incoming: MemoryBIO, outgoing: MemoryBIO, serverSide = false, serverHostname: string | null = null): SSLObject {
    return wrapBio(this, incoming, outgoing, () => this.wrapping({ serverSide, serverHostname }));
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
