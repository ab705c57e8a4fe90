// Where connect, listen, serve, send and recv meet the network: a socket
// connected to HOST PORT (every address the name has, in order, as
// createConnection does, over TCP or UDP, from a source address) or to a
// Unix socket, and a socket bound to listen on, which is unlinked again
// when it was a Unix path.
import { unlinkSync } from 'node:fs';
import * as socket from '../index.js';
import { hostPort, showAddress, unixName } from './address.js';
import { at } from './failure.js';

/** A socket connected to its peer, named for messages. */
export interface Dialled {
  sock: socket.Socket;
  peer: string;
}

/** How to reach a host: the socket type, the family (AF_UNSPEC: any), a source address, a timeout. */
export interface DialOptions {
  type: number;
  family: number;
  source?: string | undefined;
  /** Seconds for the connect, then for each call on the socket (-w); none if undefined. */
  timeout?: number | undefined;
  signal: AbortSignal;
}

/** The addresses of host (port, family and type as given): getaddrinfo, or a failure that names the host. */
export async function lookup(host: string, port: number | string | null, family: number, type: number, signal: AbortSignal, flags = 0): Promise<socket.AddrInfo[]> {
  return at(`getaddrinfo ${port === null ? host : hostPort(host, port)}`, socket.getaddrinfo(host, port, family, type, 0, flags, { signal }));
}

/** Connects to host:port: each of its addresses in turn; the last failure if none answers. */
export async function dial(host: string, port: number, options: DialOptions): Promise<Dialled> {
  let failure: unknown;
  for (const [family, type, proto, , address] of await lookup(host, port, options.family, options.type, options.signal)) {
    const sock = socket.socket(family, type, proto);
    try {
      if (options.timeout !== undefined) sock.settimeout(options.timeout);
      if (options.source !== undefined) sock.bind([options.source, 0]);
      await sock.connect(address, { signal: options.signal });
      return { sock, peer: showAddress(address) };
    } catch (error) {
      sock.close();
      if (!(error instanceof socket.SocketError) || error instanceof socket.GaiError) throw error;
      failure = error;
    }
  }
  throw failure;
}

/** Connects to a Unix socket; a datagram socket gets an autobound name, so that the peer can answer. */
export async function dialUnix(name: string | Buffer, type: number, timeout: number | undefined, signal: AbortSignal): Promise<Dialled> {
  const sock = socket.socket(socket.AF_UNIX, type);
  try {
    if (timeout !== undefined) sock.settimeout(timeout);
    if (type === socket.SOCK_DGRAM) sock.bind('');
    await sock.connect(name, { signal });
    return { sock, peer: unixName(name) };
  } catch (error) {
    sock.close();
    throw error;
  }
}

/** A bound socket (listening, for a stream) and its name; disposing of it closes it, and unlinks a Unix path. */
export interface Bound extends Disposable {
  sock: socket.Socket;
  name: string;
}

function bound(sock: socket.Socket, path?: string): Bound {
  return {
    sock,
    name: showAddress(sock.getsockname()),
    [Symbol.dispose]() {
      sock.close();
      if (path !== undefined) unlinkSync(path);
    },
  };
}

/**
 * Binds host:port (every address, IPv4 and IPv6, when host is undefined),
 * and listens when type is SOCK_STREAM.
 */
export async function bindTo(host: string | undefined, port: number, type: number, family: number, signal: AbortSignal): Promise<Bound> {
  let address: socket.Address;
  if (host === undefined) {
    // Both families on one socket where the system can; else the one asked for, or IPv4.
    const dualstack = family === socket.AF_UNSPEC && socket.hasDualstackIpv6();
    family = dualstack || family === socket.AF_INET6 ? socket.AF_INET6 : socket.AF_INET;
    address = [family === socket.AF_INET6 ? '::' : '0.0.0.0', port];
    return bound(open(family, type, address, dualstack));
  }
  const [first] = await lookup(host, port, family, type, signal, socket.AI_PASSIVE);
  [family, , , , address] = first!;
  return bound(open(family, type, address, false));
}

function open(family: number, type: number, address: socket.Address, dualstack: boolean): socket.Socket {
  if (type === socket.SOCK_STREAM) return socket.createServer(address, { family, dualstackIpv6: dualstack });
  const sock = socket.socket(family, type);
  try {
    if (family === socket.AF_INET6) sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, !dualstack);
    sock.bind(address);
    return sock;
  } catch (error) {
    sock.close();
    throw error;
  }
}

/** Binds a Unix socket (and listens, for a stream); a path is unlinked on disposal. */
export function bindUnix(name: string | Buffer, type: number): Bound {
  const sock = socket.socket(socket.AF_UNIX, type);
  try {
    sock.bind(name);
    if (type === socket.SOCK_STREAM) sock.listen();
  } catch (error) {
    sock.close();
    throw error;
  }
  return bound(sock, typeof name === 'string' ? name : undefined);
}
