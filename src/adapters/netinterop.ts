// Hands connections between berkeley and Node's net module by fd. Each side
// gets its own dup, so each closes only its own copy: the connection ends
// when both are closed (or one side shuts it down).
import net from 'node:net';
import { AF_INET, AF_INET6, AF_UNIX, SOCK_STREAM } from '../core/constants.js';
import { close, dup, fromfd } from '../socket/fd.js';
import type { Socket } from '../socket/socket.js';
import { typeError } from '../core/validate.js';

/** A net.Socket over a dup of a connected TCP or Unix stream socket (for http, tls, …). */
export function toNetSocket(sock: Socket): net.Socket {
  if (sock.type !== SOCK_STREAM || ![AF_INET, AF_INET6, AF_UNIX].includes(sock.family)) {
    throw new TypeError('toNetSocket() needs a SOCK_STREAM socket of AF_INET, AF_INET6 or AF_UNIX');
  }
  sock.getpeername(); // EBADF once closed, ENOTCONN unless connected
  const fd = dup(sock.fileno());
  try {
    return new net.Socket({ fd, readable: true, writable: true });
  } catch (error) {
    close(fd);
    throw error;
  }
}

/**
 * A Socket over a dup of a net.Socket's fd; the net.Socket stays open and
 * its owner's (destroy it, or make it with pauseOnConnect, so that Node does
 * not read the data meant for the Socket).
 */
export function fromNetSocket(socket: net.Socket): Socket {
  if (!(socket instanceof net.Socket)) throw typeError('socket', 'a net.Socket', socket);
  const fd = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) {
    throw new TypeError('The net.Socket has no fd: it is not connected, is closed, or does not run over a TCP or Unix socket');
  }
  return fromfd(fd, -1, -1, -1);
}
