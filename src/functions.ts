// The socket module's functions that make or manage fds.
import { AF_INET, AF_UNIX, SOCK_STREAM } from './constants.generated.js';
import { errorFromErrno } from './errors.js';
import { native } from './native.js';
import { adoptSocket, Socket } from './socket.js';
import { checkInt } from './validate.js';

/** socket(2): the same as `new Socket(...)`. */
export function socket(family: number = AF_INET, type: number = SOCK_STREAM, proto = 0, fileno?: number | null): Socket {
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
  const rc = native.close(checkInt(fd, 'fd', 0));
  if (rc < 0) throw errorFromErrno(rc, 'close');
}

/** dup(2) of a raw fd; the copy is close-on-exec. */
export function dup(fd: number): number {
  const copy = native.dup(checkInt(fd, 'fd', 0));
  if (copy < 0) throw errorFromErrno(copy, 'dup');
  return copy;
}
