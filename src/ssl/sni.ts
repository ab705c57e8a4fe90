// A server connection's answer to the client's hello: the context's
// sniCallback run between two handshake steps (native/tls_sni.c), as
// Python runs it inside OpenSSL's server name callback. It gets the host
// name the client asked for, may move the connection to another context,
// and its result says whether the handshake goes on (nothing returned) or
// fails with an alert (an ALERT_DESCRIPTION_* number); a throw fails it
// with internal_error.
import { native, type NativeTLS } from '../core/native.js';
import type { SSLContext } from './context.js';
import type { TLSSteps } from './engine.js';
import { ALERT_DESCRIPTION_INTERNAL_ERROR } from './flags.js';
import type { SSLObject } from './object.js';
import type { SSLSocket } from './socket.js';

/** The alert of the callback's result: -1 to go on. */
function alertOf(result: unknown): number {
  if (result === undefined || result === null) return -1;
  return Number.isInteger(result) && (result as number) >= 0 && (result as number) <= 255 ? (result as number) : ALERT_DESCRIPTION_INTERNAL_ERROR;
}

/** Runs sock's context's sniCallback for the hello its engine stopped at, and tells OpenSSL how to go on. */
export function answerHello(sock: SSLSocket | SSLObject, engine: TLSSteps, context: SSLContext): void {
  const ssl: NativeTLS = engine.ssl;
  const callback = context.sniCallback;
  let alert = -1;
  try {
    if (callback !== null) alert = alertOf(callback(sock, native.tlsHelloServerName(ssl), context));
  } catch (error) {
    engine.callbackError = error;
    alert = ALERT_DESCRIPTION_INTERNAL_ERROR;
  }
  native.tlsHelloDecided(ssl, alert);
}
