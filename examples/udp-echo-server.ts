// UDP echo server: datagrams instead of a connection.
//
//   node out/examples/udp-echo-server.js PORT [DATAGRAMS] [--sync]
//
// Binds 127.0.0.1:PORT (0 picks a free port, printed on the first line) and
// sends every datagram back to whoever sent it. It echoes DATAGRAMS
// datagrams, then exits (default: forever). With --sync it uses the
// blocking calls.
//
// The Python original:
//
//   with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
//       s.bind((HOST, PORT))
//       while True:
//           data, addr = s.recvfrom(65535)
//           s.sendto(data, addr)
import * as socket from 'berkeley';
import { HOST, hostPort, isMain, logger, parseCount, parsePort, show, type Log, type UdpSocket } from './shared.js';

/** The largest UDP payload: one recvfrom of this size never truncates a datagram. */
export const MAX_DATAGRAM = 65535;

/** Opens a UDP socket bound to host:port; port 0 lets the OS pick a free one. */
export function bindUdp(port: number, host = HOST): UdpSocket {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    sock.bind([host, port]);
    return sock;
  } catch (error) {
    sock.close();
    throw error;
  }
}

export interface ServeOptions {
  /** How many datagrams to echo before returning (default: forever). */
  datagrams?: number;
  /** Where to print what happens (default: stdout, as `[udp server] ...`). */
  log?: Log;
}

/**
 * Echoes datagrams with the Promise calls. There is no connection: each
 * recvfrom says who sent the datagram, and sendto answers that address.
 * A datagram arrives whole or not at all, so one recvfrom is one message.
 */
export async function serveUdpEcho(sock: UdpSocket, { datagrams = Infinity, log = logger('udp server') }: ServeOptions = {}): Promise<void> {
  for (let served = 0; served < datagrams; served++) {
    const [data, from] = await sock.recvfrom(MAX_DATAGRAM);
    log(`received ${show(data)} from ${hostPort(from)}`);
    await sock.sendto(data, from);
    log(`sent ${show(data)} to ${hostPort(from)}`);
  }
}

/** The same server with the blocking calls (for scripts and worker threads). */
export function serveUdpEchoSync(sock: UdpSocket, { datagrams = Infinity, log = logger('udp server') }: ServeOptions = {}): void {
  for (let served = 0; served < datagrams; served++) {
    const [data, from] = sock.recvfromSync(MAX_DATAGRAM);
    log(`received ${show(data)} from ${hostPort(from)}`);
    sock.sendtoSync(data, from);
    log(`sent ${show(data)} to ${hostPort(from)}`);
  }
}

// Run as a program: `node out/examples/udp-echo-server.js PORT [DATAGRAMS] [--sync]`.
if (isMain(import.meta.url)) {
  const USAGE = 'udp-echo-server.js PORT [DATAGRAMS] [--sync]';
  const sync = process.argv.includes('--sync');
  const [port, datagrams] = process.argv.slice(2).filter((arg) => arg !== '--sync');
  using sock = bindUdp(parsePort(port, USAGE));
  const log = logger('udp server');
  log(`listening on ${hostPort(sock.getsockname())}`);
  const options = { datagrams: parseCount(datagrams, USAGE), log };
  if (sync) serveUdpEchoSync(sock, options);
  else await serveUdpEcho(sock, options);
}
