// The one place that reaches into Node.js's private internals, for what
// Node offers no public way to do. Each use says why; each is checked by
// the suites on every Node version berkeley claims (.ci/platforms).
import type * as net from 'node:net';

/** A net.Socket's fd (its libuv handle's), or undefined when it has none. */
export function netSocketFd(socket: net.Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * Whether warnings are traced: `--trace-warnings`, on the command line or in
 * NODE_OPTIONS (workers inherit it). Node keeps the flag, which its own
 * warning printer reads, on the process object only.
 */
export function tracingWarnings(): boolean {
  return (process as { traceProcessWarnings?: unknown }).traceProcessWarnings === true;
}
