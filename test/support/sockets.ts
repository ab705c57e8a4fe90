// Sockets the suites make over and over: connected pairs, loopback
// listeners and datagram sockets, and reads that wait for a whole reply.
import { createHash } from 'node:crypto';
import * as socket from 'berkeley';
import { bounded } from './wait.js';

/** A connected TCP pair on 127.0.0.1 (or ::1 for AF_INET6): [client, server side]. Close both. */
export async function tcpPair(family: number = socket.AF_INET): Promise<[socket.Socket, socket.Socket]> {
  using listener = tcpListener(family);
  const client = socket.socket(family, socket.SOCK_STREAM);
  try {
    const [[conn]] = await bounded(Promise.all([listener.accept(), client.connect(listener.getsockname() as [string, number])]), 5000, 'tcpPair');
    return [client, conn];
  } catch (error) {
    client.close();
    throw error;
  }
}

/** A TCP socket listening on an ephemeral port of 127.0.0.1 (or ::1 for AF_INET6), optionally with SO_REUSEADDR. */
export function tcpListener(family: number = socket.AF_INET, options: { reuseAddress?: boolean } = {}): socket.Socket {
  const s = socket.socket(family, socket.SOCK_STREAM);
  try {
    if (options.reuseAddress) s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
    s.bind([family === socket.AF_INET6 ? '::1' : '127.0.0.1', 0]);
    s.listen();
  } catch (error) {
    s.close();
    throw error;
  }
  return s;
}

/** A free-standing UDP socket bound to an ephemeral port on loopback. */
export function udpSocket(family: number = socket.AF_INET): socket.Socket {
  const s = socket.socket(family, socket.SOCK_DGRAM);
  try {
    s.bind([family === socket.AF_INET6 ? '::1' : '127.0.0.1', 0]);
  } catch (error) {
    s.close();
    throw error;
  }
  return s;
}

/** A connected AF_UNIX socketpair whose Sync calls time out after 5 s. Close both. */
export function unixPair(type: number = socket.SOCK_STREAM): [socket.Socket, socket.Socket] {
  const pair = socket.socketpair(socket.AF_UNIX, type);
  for (const s of pair) s.settimeout(5);
  return pair;
}

/** A stream socket connected to address (TCP on IPv4, or a Unix path), bounded. */
export async function connectTo(address: socket.Address, ms = 5000): Promise<socket.Socket> {
  // A plain number: the address's family is known only at run time.
  const family: number = typeof address === 'string' ? socket.AF_UNIX : socket.AF_INET;
  const s = socket.socket(family, socket.SOCK_STREAM);
  try {
    await bounded(s.connect(address), ms, `connect to ${String(address)}`);
    return s;
  } catch (error) {
    s.close();
    throw error;
  }
}

/** What the whole-reply reads read from: a Socket or an SSLSocket. */
export interface Receiver {
  recv(bufsize: number): Promise<Buffer>;
}

/** What recvAllSync reads from: a Socket or an SSLSocket. */
export interface SyncReceiver {
  recvSync(bufsize: number): Buffer;
}

/** Reads from a stream socket until exactly n bytes (or EOF) arrived (bounded). */
export async function recvExactly(s: Receiver, n: number, ms = 10000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  const read = async (): Promise<void> => {
    while (got < n) {
      const chunk = await s.recv(Math.min(n - got, 1 << 20));
      if (chunk.length === 0) break;
      chunks.push(chunk);
      got += chunk.length;
    }
  };
  await bounded(read(), ms, `recv of ${n} bytes`);
  return Buffer.concat(chunks);
}

/** Reads to EOF with the async form (bounded). */
export async function recvAll(s: Receiver, ms = 20000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const read = async (): Promise<Buffer> => {
    for (;;) {
      const chunk = await s.recv(1 << 16);
      if (chunk.length === 0) return Buffer.concat(chunks);
      chunks.push(chunk);
    }
  };
  return bounded(read(), ms, 'recv to EOF');
}

/** Reads with the Sync form until exactly n bytes (or EOF) arrived (bounded by the socket's timeout). */
export function recvExactlySync(s: SyncReceiver, n: number): Buffer {
  const chunks: Buffer[] = [];
  for (let got = 0; got < n; ) {
    const chunk = s.recvSync(Math.min(n - got, 1 << 20));
    if (chunk.length === 0) break;
    chunks.push(chunk);
    got += chunk.length;
  }
  return Buffer.concat(chunks);
}

/** Reads to EOF with the Sync form (bounded by the socket's timeout). */
export function recvAllSync(s: SyncReceiver): Buffer {
  const chunks: Buffer[] = [];
  for (;;) {
    const chunk = s.recvSync(1 << 16);
    if (chunk.length === 0) return Buffer.concat(chunks);
    chunks.push(chunk);
  }
}

/** The SHA-256 of some bytes, in hex. */
export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The socket kinds the tables of the contract suites run over. */
export type SocketKind = 'tcp' | 'tcp6' | 'udp' | 'udp6' | 'unix' | 'unixdgram';

/** Each kind's family and type. */
export const SOCKET_KINDS: Readonly<Record<SocketKind, readonly [family: number, type: number]>> = {
  tcp: [socket.AF_INET, socket.SOCK_STREAM],
  tcp6: [socket.AF_INET6, socket.SOCK_STREAM],
  udp: [socket.AF_INET, socket.SOCK_DGRAM],
  udp6: [socket.AF_INET6, socket.SOCK_DGRAM],
  unix: [socket.AF_UNIX, socket.SOCK_STREAM],
  unixdgram: [socket.AF_UNIX, socket.SOCK_DGRAM],
};

/** A new, unbound socket of that kind. */
export function socketOf(kind: SocketKind): socket.Socket {
  const [family, type] = SOCKET_KINDS[kind];
  return socket.socket(family, type);
}
