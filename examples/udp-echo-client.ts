// UDP echo client.
//
//   node out/examples/udp-echo-client.js PORT [MESSAGE...] [--sync]
//
// Sends each MESSAGE (default: 'hello' and 'world') as one datagram to
// 127.0.0.1:PORT and waits for the echo. UDP does not retransmit: a lost
// datagram is simply never answered, so every wait here has a timeout.
// With --sync it uses the blocking calls.
//
// The Python original:
//
//   with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
//       s.settimeout(5)
//       s.sendto(b"hello", (HOST, PORT))
//       data, addr = s.recvfrom(65535)
import * as socket from 'berkeley';
import { HOST, hostPort, isMain, logger, parsePort, show, type Log } from './shared.js';

export interface ClientOptions {
  /** Seconds to wait for each echo before failing with TimeoutError (default 5). */
  timeout?: number;
  /** Where to print what happens (default: stdout, as `[udp client] ...`). */
  log?: Log;
}

/** Whether a datagram came from the server we asked (anyone may send us one). */
function fromServer(from: socket.IPv4Address, server: [string, number]): boolean {
  return from[0] === server[0] && from[1] === server[1];
}

/** Sends each message as a datagram and waits for its echo, with the Promise calls. Returns the echoes. */
export async function udpEchoClient(server: [string, number], messages: string[], { timeout = 5, log = logger('udp client') }: ClientOptions = {}): Promise<string[]> {
  using sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  sock.settimeout(timeout);
  const echoes: string[] = [];
  for (const message of messages) {
    // The first sendto binds the socket to a free port: the server answers there.
    await sock.sendto(message, server);
    log(`sent ${show(message)} to ${hostPort(server)}`);
    let data: Buffer, from: socket.IPv4Address;
    do [data, from] = await sock.recvfrom(65535);
    while (!fromServer(from, server));
    log(`received ${show(data)} from ${hostPort(server)}`);
    echoes.push(data.toString());
  }
  return echoes;
}

/** The same client with the blocking calls (for scripts and worker threads). */
export function udpEchoClientSync(server: [string, number], messages: string[], { timeout = 5, log = logger('udp client') }: ClientOptions = {}): string[] {
  using sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  sock.settimeout(timeout);
  const echoes: string[] = [];
  for (const message of messages) {
    sock.sendtoSync(message, server);
    log(`sent ${show(message)} to ${hostPort(server)}`);
    let data: Buffer, from: socket.IPv4Address;
    do [data, from] = sock.recvfromSync(65535);
    while (!fromServer(from, server));
    log(`received ${show(data)} from ${hostPort(server)}`);
    echoes.push(data.toString());
  }
  return echoes;
}

// Run as a program: `node out/examples/udp-echo-client.js PORT [MESSAGE...] [--sync]`.
if (isMain(import.meta.url)) {
  const sync = process.argv.includes('--sync');
  const [port, ...rest] = process.argv.slice(2).filter((arg) => arg !== '--sync');
  const server: [string, number] = [HOST, parsePort(port, 'udp-echo-client.js PORT [MESSAGE...] [--sync]')];
  const messages = rest.length > 0 ? rest : ['hello', 'world'];
  if (sync) udpEchoClientSync(server, messages);
  else await udpEchoClient(server, messages);
}
