// Hands connections between berkeley and Node's net module by fd. Each side
// gets its own dup, so each closes only its own copy: the connection ends
// when both are closed (or one side shuts it down).
import * as net from 'node:net';
import { AF_INET, AF_INET6, AF_UNIX, SOCK_STREAM } from '../core/constants.js';
import { errorFromErrno } from '../core/errors.js';
import { native } from '../core/native.js';
import { netSocketFd } from '../core/node-internals.js';
import { typeError, withCode } from '../core/validate.js';

/** What toNetSocket needs of a socket. */
export interface NetSocketSource {
  /** The address family: AF_INET, AF_INET6 or AF_UNIX are accepted. */
  readonly family: number;
  /** The socket type: SOCK_STREAM is accepted. */
  readonly type: number;
  /** The fd to dup. */
  fileno(): number;
  /** Throws unless the socket is open and connected. */
  getpeername(): unknown;
}

function dup(fd: number): number {
  const copy = native.dup(fd);
  if (copy < 0) throw errorFromErrno(copy, 'dup');
  return copy;
}

/** A net.Socket over a dup of a connected TCP or Unix stream socket (for http, tls, …). */
export function toNetSocket(sock: NetSocketSource): net.Socket {
  const family = sock.family;
  if (sock.type !== SOCK_STREAM || (family !== AF_INET && family !== AF_INET6 && family !== AF_UNIX)) {
    throw new TypeError('toNetSocket() needs a SOCK_STREAM socket of AF_INET, AF_INET6 or AF_UNIX');
  }
  sock.getpeername(); // EBADF once closed, ENOTCONN unless connected
  const fd = dup(sock.fileno());
  try {
    return new net.Socket({ fd, readable: true, writable: true });
  } catch (error) {
    native.close(fd);
    throw error;
  }
}

/**
 * A dup of a net.Socket's fd, for a Socket to own; the net.Socket stays
 * open and its owner's (destroy it, or make it with pauseOnConnect, so that
 * Node does not read the data meant for the Socket).
 */
export function dupNetSocket(socket: unknown): number {
  if (!(socket instanceof net.Socket)) throw typeError('socket', 'a net.Socket', socket);
  const fd = netSocketFd(socket);
  if (fd === undefined) {
    throw withCode(new TypeError('The "socket" argument, a net.Socket, has no fd: it is not connected, is closed, or does not run over a TCP or Unix socket'), 'ERR_INVALID_ARG_VALUE');
  }
  return dup(fd);
}
