// The one place that reaches into Node.js's private internals, for what
// Node offers no public way to do. Each use says why; each is checked by
// the suites on every Node version berkeley claims (.ci/platforms).
import type * as net from 'node:net';
import type { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';

/** A net.Socket's fd (its libuv handle's), or undefined when it has none. */
export function netSocketFd(socket: net.Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * Whether a stream has seen the end of its input. Node says so publicly
 * only once 'end' is emitted, after the buffered data is read; a TLS
 * transport must know at once, to read no further.
 */
export function inputEnded(stream: Readable): boolean {
  return (stream as unknown as { _readableState: { ended: boolean } })._readableState.ended;
}

/**
 * Whether warnings are traced: `--trace-warnings`, on the command line or in
 * NODE_OPTIONS (workers inherit it). Node keeps the flag, which its own
 * warning printer reads, on the process object only.
 */
export function tracingWarnings(): boolean {
  return (process as { traceProcessWarnings?: unknown }).traceProcessWarnings === true;
}

/** The event a server-side TLSSocket outside a tls.Server reports its errors with. */
export const TLS_ERROR_EVENT = '_tlsError';

/**
 * The verification error of the peer's certificate on a server-side
 * TLSSocket: Node rejects a bad client certificate only inside tls.Server,
 * so a socket made outside one must ask its TLSWrap.
 */
export function tlsVerifyError(socket: TLSSocket): Error | null {
  return (socket as unknown as { _handle: { verifyError(): Error | null } })._handle.verifyError();
}
