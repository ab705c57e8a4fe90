// The socket module's functions that make or manage fds.
import { AF_UNIX, SOCK_STREAM } from '../core/constants.js';
import { errorFromErrno } from '../core/errors.js';
import { native } from '../core/native.js';
import { Readiness } from '../io/readiness.js';
import { CMSG_SPACE, fdsOf, rightsOf } from './message.js';
import { adoptSocket, Socket, type Data } from './socket.js';
import type { Address, SocketAddress } from './address.js';
import { checkInt } from '../core/validate.js';

/** socket(2): the same as `new Socket(...)`. */
export function socket(family?: number, type?: number, proto?: number, fileno?: number | null): Socket {
  return new Socket(family, type, proto, fileno);
}

/** socketpair(2): two connected sockets (AF_UNIX, SOCK_STREAM by default). */
export function socketpair(family: number = AF_UNIX, type: number = SOCK_STREAM, proto = 0): [Socket, Socket] {
  checkInt(family, 'family');
  checkInt(type, 'type');
  checkInt(proto, 'proto');
  const fds = native.socketpair(family, type, proto);
  if (typeof fds === 'number') throw errorFromErrno(fds, 'socketpair');
  return [adoptSocket(family, type, proto, fds[0]), adoptSocket(family, type, proto, fds[1])];
}

/** A Socket on a dup of fd (the original stays open and the caller's). */
export function fromfd(fd: number, family: number, type: number, proto = 0): Socket {
  const copy = dup(fd);
  try {
    return new Socket(family, type, proto, copy);
  } catch (error) {
    native.close(copy);
    throw error;
  }
}

/** close(2) of a raw fd (as from `detach()`). */
export function close(fd: number): void {
  Readiness.forget(checkInt(fd, 'fd', 0));
  const rc = native.close(fd);
  if (rc < 0) throw errorFromErrno(rc, 'close');
}

/** dup(2) of a raw fd; the copy is close-on-exec. */
export function dup(fd: number): number {
  const copy = native.dup(checkInt(fd, 'fd', 0));
  if (copy < 0) throw errorFromErrno(copy, 'dup');
  return copy;
}

/** `[data, fds, msgFlags, address]` from recvFds. */
export type ReceivedFds = [data: Buffer, fds: number[], msgFlags: number, address: SocketAddress];

function checkMaxfds(maxfds: unknown): number {
  return checkInt(maxfds, 'maxfds', 1, 253); // SCM_MAX_FD on Linux
}

/** Sends fds over an AF_UNIX socket with SCM_RIGHTS (Python's send_fds). */
export function sendFds(sock: Socket, buffers: Iterable<Data>, fds: Iterable<number>, flags?: number, address?: Address): Promise<number> {
  try {
    return sock.sendmsg(buffers, rightsOf(fds), flags, address);
  } catch (error) {
    return Promise.reject(error);
  }
}

export function sendFdsSync(sock: Socket, buffers: Iterable<Data>, fds: Iterable<number>, flags?: number, address?: Address): number {
  return sock.sendmsgSync(buffers, rightsOf(fds), flags, address);
}

/**
 * Receives data and up to maxfds fds (Python's recv_fds). The fds are
 * close-on-exec; if the control data was truncated (MSG_CTRUNC in msgFlags)
 * the fds that did arrive are closed and none is returned.
 */
export async function recvFds(sock: Socket, bufsize: number, maxfds: number, flags?: number): Promise<ReceivedFds> {
  const [data, ancdata, msgFlags, address] = await sock.recvmsg(bufsize, CMSG_SPACE(checkMaxfds(maxfds) * 4), flags);
  return [data, fdsOf(ancdata, msgFlags), msgFlags, address];
}

export function recvFdsSync(sock: Socket, bufsize: number, maxfds: number, flags?: number): ReceivedFds {
  const [data, ancdata, msgFlags, address] = sock.recvmsgSync(bufsize, CMSG_SPACE(checkMaxfds(maxfds) * 4), flags);
  return [data, fdsOf(ancdata, msgFlags), msgFlags, address];
}
