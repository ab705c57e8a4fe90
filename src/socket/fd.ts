// The socket module's functions that make or manage fds.
import { AF_INET, AF_UNIX, SOCK_STREAM } from '../core/constants.js';
import { errorFromErrno } from '../core/errors.js';
import { native, SCM_MAX_FD } from '../core/native.js';
import { Readiness } from '../io/readiness.js';
import { CMSG_SPACE, fdsOf, rightsOf } from './message.js';
import { adoptSocket, Socket, socketOnFd } from './socket.js';
import { abortableEither, start, steps, wait, type Blocking } from '../io/blocking.js';
import type { Data, WaitOptions } from '../core/validate.js';
import type { Message } from './calls.js';
import type { Address, SenderAddress } from './address.js';
import { checkInt } from '../core/validate.js';

/**
 * socket(2): the same as `new Socket(...)` (AF_INET, SOCK_STREAM by
 * default), and typed by its family and type: `socket(AF_INET, SOCK_DGRAM)`'s
 * addresses are `[host, port]`. With a fileno, the family and type not
 * given are the fd's.
 */
export function socket<F extends number = typeof AF_INET, T extends number = typeof SOCK_STREAM>(family?: F, type?: T, proto?: number): Socket<F, T>;
export function socket<F extends number = number, T extends number = number>(family: F | undefined, type: T | undefined, proto: number | undefined, fileno: number | null): Socket<F, T>;
export function socket(family?: number, type?: number, proto?: number, fileno?: number | null): Socket {
  return new Socket(family, type, proto, fileno);
}

/** socketpair(2): two connected sockets (AF_UNIX, SOCK_STREAM by default). */
export function socketpair<F extends number = typeof AF_UNIX, T extends number = typeof SOCK_STREAM>(family?: F, type?: T, proto?: number): [Socket<F, T>, Socket<F, T>];
export function socketpair(family: number = AF_UNIX, type: number = SOCK_STREAM, proto = 0): [Socket, Socket] {
  checkInt(family, 'family');
  checkInt(type, 'type');
  checkInt(proto, 'proto');
  const fds = native.socketpair(family, type, proto);
  if (typeof fds === 'number') throw errorFromErrno(fds, 'socketpair');
  return [adoptSocket(family, type, proto, fds[0]), adoptSocket(family, type, proto, fds[1])];
}

/** A Socket on a dup of fd (the original stays open and the caller's). */
export function fromfd<F extends number, T extends number>(fd: number, family: F, type: T, proto = 0): Socket<F, T> {
  return socketOnFd(dup(fd), family, type, proto);
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

/** `[data, fds, msgFlags, address]` from recvFds on a socket of family F and type T. */
export type ReceivedFds<F extends number = number, T extends number = number> = [data: Buffer, fds: number[], msgFlags: number, address: SenderAddress<F, T>];

function checkMaxfds(maxfds: unknown): number {
  return checkInt(maxfds, 'maxfds', 1, SCM_MAX_FD);
}

function fdsSent<F extends number>(sock: Socket<F>, buffers: Iterable<Data>, fds: Iterable<number>, flags?: number, address?: Address<F>): Blocking<number> {
  const ancdata = rightsOf(fds);
  return abortableEither((signal) => sock.sendmsg(buffers, ancdata, flags, address, { signal }), () => sock.sendmsgSync(buffers, ancdata, flags, address));
}

/** Sends fds over an AF_UNIX socket with SCM_RIGHTS (Python's send_fds); the bytes sent. */
export function sendFds<F extends number>(sock: Socket<F>, buffers: Iterable<Data>, fds: Iterable<number>, flags?: number, address?: Address<F>, options?: WaitOptions): Promise<number> {
  return start(() => fdsSent(sock, buffers, fds, flags, address), options);
}

/** sendFds on the calling thread. */
export function sendFdsSync<F extends number>(sock: Socket<F>, buffers: Iterable<Data>, fds: Iterable<number>, flags?: number, address?: Address<F>): number {
  return fdsSent(sock, buffers, fds, flags, address).sync();
}

function fdsReceived<F extends number, T extends number>(sock: Socket<F, T>, bufsize: number, maxfds: number, flags?: number): Blocking<ReceivedFds<F, T>> {
  const ancbufsize = CMSG_SPACE(checkMaxfds(maxfds) * 4);
  return steps(function* () {
    const [data, ancdata, msgFlags, address] = yield* wait<Message<F, T>>(abortableEither((signal) => sock.recvmsg(bufsize, ancbufsize, flags, { signal }), () => sock.recvmsgSync(bufsize, ancbufsize, flags)));
    return [data, fdsOf(ancdata, msgFlags), msgFlags, address];
  });
}

/**
 * Receives data and up to maxfds fds (Python's recv_fds). The fds are
 * close-on-exec; if the control data was truncated (MSG_CTRUNC in msgFlags)
 * the fds that did arrive are closed and none is returned.
 */
export function recvFds<F extends number, T extends number>(sock: Socket<F, T>, bufsize: number, maxfds: number, flags?: number, options?: WaitOptions): Promise<ReceivedFds<F, T>> {
  return start(() => fdsReceived(sock, bufsize, maxfds, flags), options);
}

/** recvFds on the calling thread. */
export function recvFdsSync<F extends number, T extends number>(sock: Socket<F, T>, bufsize: number, maxfds: number, flags?: number): ReceivedFds<F, T> {
  return fdsReceived(sock, bufsize, maxfds, flags).sync();
}
