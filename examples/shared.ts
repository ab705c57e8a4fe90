// Small helpers the example programs share: logging with a role prefix,
// showing bytes, and reading command-line arguments.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as socket from 'berkeley';

/** The loopback address every example uses by default. */
export const HOST = '127.0.0.1';

/** Where an example prints its lines, e.g. `[tcp server] received 'hello'`. */
export type Log = (line: string) => void;

/** A Log that prints to stdout with `[role]` in front of each line. */
export function logger(role: string): Log {
  return (line) => console.log(`[${role}] ${line}`);
}

/** Bytes as a quoted string for the log, like Python's repr of a str. */
export function show(data: Uint8Array | string): string {
  const text = typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString();
  return `'${JSON.stringify(text).slice(1, -1).replaceAll("'", "\\'")}'`;
}

/** A TCP socket over IPv4, as `socket.socket(AF_INET, SOCK_STREAM)` makes it: its addresses are `[host, port]`. */
export type TcpSocket = socket.Socket<typeof socket.AF_INET, typeof socket.SOCK_STREAM>;

/** A UDP socket over IPv4, as `socket.socket(AF_INET, SOCK_DGRAM)` makes it: its addresses are `[host, port]`. */
export type UdpSocket = socket.Socket<typeof socket.AF_INET, typeof socket.SOCK_DGRAM>;

/** A `[host, port]` address as `host:port`. */
export function hostPort([host, port]: [string, number]): string {
  return `${host}:${port}`;
}

/** Whether the module at `url` is the program node was started with (Python's `__name__ == '__main__'`). */
export function isMain(url: string): boolean {
  const script = process.argv.at(1);
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(url));
  } catch {
    return false;
  }
}

/** Prints a usage line and exits with status 2, as argparse does. */
export function usage(text: string): never {
  console.error(`usage: ${text}`);
  process.exit(2);
}

/** A port number from the command line (0 asks the OS for a free one). */
export function parsePort(text: string | undefined, usageText: string): number {
  const port = Number(text);
  if (text === undefined || !Number.isInteger(port) || port < 0 || port > 65535) usage(usageText);
  return port;
}

/** An optional count from the command line (how many requests to serve); undefined means forever. */
export function parseCount(text: string | undefined, usageText: string): number | undefined {
  if (text === undefined) return undefined;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1) usage(usageText);
  return count;
}
