// Python's create_connection, create_server and the dual-stack checks.
import type { Address, IPv4Address, IPv6Address } from './address.js';
import type { AddrInfo } from './netdb.js';
import * as C from '../core/constants.js';
import { SocketError } from '../core/errors.js';
import { abortableEither, start, steps, wait, type Steps } from '../io/blocking.js';
import { lookup } from './lookup.js';
import { Socket } from './socket.js';
import { checkBoolean, checkInt, checkTimeout, typeError, valueError } from '../core/validate.js';

/** Options of createConnection. */
export interface CreateConnectionOptions {
  /** Throw an AggregateError of every attempt's error instead of the last one. */
  allErrors?: boolean;
  /** Ends the attempts (the look-up or a connect) with an AbortError; the socket being tried is closed. */
  signal?: AbortSignal | undefined;
}

function connectionTarget(address: unknown): [string, number] {
  if (!Array.isArray(address) || address.length !== 2) throw typeError('address', 'a [host, port] tuple', address);
  const [host, port] = address as unknown[];
  if (typeof host !== 'string') throw typeError('address[0]', 'a string (host)', host);
  return [host, checkInt(port, 'address[1]', 0, 65535)];
}

/** A socket createConnection makes: TCP over IPv4 or IPv6, whichever address connected. @inline */
type TcpSocket = Socket<typeof C.AF_INET | typeof C.AF_INET6, typeof C.SOCK_STREAM>;

/** Each getaddrinfo candidate in turn: a socket with the timeout, bound to sourceAddress, then connected. */
function attempt(candidate: AddrInfo, timeout: number | null | undefined, sourceAddress: IPv4Address | IPv6Address | null | undefined): TcpSocket {
  const [family, , proto] = candidate;
  const sock = new Socket(family, C.SOCK_STREAM, proto);
  try {
    if (timeout !== undefined) sock.settimeout(timeout);
    if (sourceAddress !== undefined && sourceAddress !== null) sock.bind(sourceAddress);
    return sock;
  } catch (error) {
    sock.close();
    throw error;
  }
}

function failed(errors: unknown[], options: CreateConnectionOptions | undefined): never {
  if (errors.length === 0) throw new SocketError(0, 'getaddrinfo returns an empty list', 'getaddrinfo');
  if (options?.allErrors) throw new AggregateError(errors, 'createConnection failed');
  throw errors[errors.length - 1];
}

function checkArguments(address: unknown, timeout: unknown, options: CreateConnectionOptions | undefined): [string, number] {
  if (timeout !== undefined) checkTimeout(timeout);
  if (options?.allErrors !== undefined) checkBoolean(options.allErrors, 'options.allErrors');
  return connectionTarget(address);
}

function* connection(address: unknown, timeout: number | null | undefined, sourceAddress: IPv4Address | IPv6Address | null | undefined, options: CreateConnectionOptions | undefined): Steps<TcpSocket> {
  const [host, port] = checkArguments(address, timeout, options);
  const errors: unknown[] = [];
  for (const candidate of (yield* wait(lookup(host, String(port), 0, C.SOCK_STREAM, 0, 0))) as AddrInfo[]) {
    let sock: TcpSocket | undefined;
    try {
      const made = (sock = attempt(candidate, timeout, sourceAddress));
      const target = candidate[4];
      yield* wait(abortableEither((signal) => made.connect(target, { signal }), () => made.connectSync(target)));
      return made;
    } catch (error) {
      sock?.close();
      if (!(error instanceof SocketError)) throw error;
      errors.push(error);
    }
  }
  return failed(errors, options);
}

/**
 * Connects to a TCP service: tries every address getaddrinfo gives for
 * `[host, port]`, in order, with `timeout` per attempt (default: the
 * module's default timeout), and throws the last error.
 */
export function createConnection(address: [string, number], timeout?: number | null, sourceAddress?: IPv4Address | IPv6Address | null, options?: CreateConnectionOptions): Promise<TcpSocket> {
  return start(() => steps(() => connection(address, timeout, sourceAddress, options)), options);
}

/** createConnection on the calling thread. */
export function createConnectionSync(address: [string, number], timeout?: number | null, sourceAddress?: IPv4Address | IPv6Address | null, options?: CreateConnectionOptions): TcpSocket {
  return steps(() => connection(address, timeout, sourceAddress, options)).sync();
}

/** Options of createServer; F is the family's type. */
export interface CreateServerOptions<F extends number = number> {
  /** The address family: AF_INET (default) or AF_INET6. */
  family?: F;
  /** listen() backlog; default as Socket.listen(). */
  backlog?: number;
  /** Set SO_REUSEPORT (several servers on one port). */
  reusePort?: boolean;
  /** Accept IPv4 and IPv6 on one AF_INET6 socket (IPV6_V6ONLY off). */
  dualstackIpv6?: boolean;
}

/** Whether this build has IPv6 (Python's has_ipv6: known when built, not by probing the kernel). */
export const hasIpv6 = true; // berkeley requires AF_INET6 of the headers (core/constants.ts)

/** Whether one AF_INET6 socket can serve IPv4 and IPv6 (IPV6_V6ONLY can be turned off). */
export function hasDualstackIpv6(): boolean {
  try {
    using sock = new Socket(C.AF_INET6, C.SOCK_STREAM);
    sock.setsockopt(C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A listening TCP socket bound to address, as Python's create_server:
 * SO_REUSEADDR set; IPV6_V6ONLY on for AF_INET6 unless dual-stack.
 */
export function createServer<F extends number = typeof C.AF_INET>(address: Address<F>, options: CreateServerOptions<F> = {}): Socket<F, typeof C.SOCK_STREAM> {
  const family = checkInt(options.family ?? C.AF_INET, 'options.family');
  const reusePort = options.reusePort === undefined ? false : checkBoolean(options.reusePort, 'options.reusePort');
  const dualstack = options.dualstackIpv6 === undefined ? false : checkBoolean(options.dualstackIpv6, 'options.dualstackIpv6');
  if (dualstack) {
    if (family !== C.AF_INET6) throw valueError('The "options.dualstackIpv6" option requires the AF_INET6 family');
    if (!hasDualstackIpv6()) throw valueError('The "options.dualstackIpv6" option is not supported on this platform');
  }
  const sock = new Socket(family as F, C.SOCK_STREAM);
  try {
    sock.setsockopt(C.SOL_SOCKET, C.SO_REUSEADDR, 1);
    if (reusePort) sock.setsockopt(C.SOL_SOCKET, C.SO_REUSEPORT, 1);
    if (family === C.AF_INET6) sock.setsockopt(C.IPPROTO_IPV6, C.IPV6_V6ONLY, dualstack ? 0 : 1);
    // A failure names the address (as Python's create_server adds it to its message).
    sock.bind(address);
    if (options.backlog === undefined) sock.listen();
    else sock.listen(options.backlog);
    return sock;
  } catch (error) {
    sock.close();
    throw error;
  }
}
