// Socket addresses written as people write them: `127.0.0.1:80`,
// `[::1]:80`, `/run/x.sock`, `@name` (Linux's abstract namespace).
import type * as socket from '../index.js';

/** A host and port (or port range) as people write them: `127.0.0.1:80`, `[::1]:80`. */
export function hostPort(host: string, port: number | string): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** A Unix socket's name: its path, or `@name` for Linux's abstract namespace. */
export function unixName(name: string | Buffer): string {
  return typeof name === 'string' || name.length === 0 ? name.toString() : `@${name.subarray(1).toString()}`;
}

/** Any socket address, for messages (null: a sender without one, such as an unbound Unix datagram socket). */
export function showAddress(address: socket.SocketAddress | null): string {
  if (address === null) return '(unnamed)';
  if (typeof address === 'string' || Buffer.isBuffer(address)) return unixName(address) || '(unnamed)';
  const [host, port] = address as [unknown, unknown];
  return typeof host === 'string' && typeof port === 'number' ? hostPort(host, port) : JSON.stringify(address);
}
