// SSLContext.wrapSocket's work: an SSLSocket on a stream socket, connected
// (the handshake then, unless told otherwise) or not yet (connect() does
// it, or accept() on a listening one), as Python's wrap_socket.
import { MSG_DONTWAIT, SOCK_STREAM } from '../core/constants.js';
import { SocketError } from '../core/errors.js';
import { typeError, valueError } from '../core/validate.js';
import { steps, wait, type Blocking } from '../io/blocking.js';
import type { Form, FormName, Results } from '../io/forms.js';
import { adoptSocket, Socket, socketHandle } from '../socket/socket.js';
import * as calls from './calls.js';
import type { SSLContext } from './context.js';
import type { TLSEngine } from './engine.js';
import { SSLError } from './errors.js';
import type { Wrapping } from './settings.js';
import { engineOf, wrapped, type SSLSocket } from './socket.js';

const NOT_CONNECTED = new Set(['ENOTCONN', 'EINVAL']);

/**
 * Whether a socket about to be wrapped is connected. One that is not (yet)
 * must not hold bytes that came before its connection ended, which would
 * pass for data that came through TLS: Python refuses it, and so here.
 */
function isConnected(sock: Socket): boolean {
  try {
    sock.getpeername();
    return true;
  } catch (error) {
    if (!(error instanceof SocketError) || error.code !== 'ENOTCONN') throw error;
  }
  let early: Buffer;
  try {
    early = sock.recvSync(1, MSG_DONTWAIT);
  } catch (error) {
    if (error instanceof SocketError && NOT_CONNECTED.has(error.code)) return false;
    throw error;
  }
  if (early.length === 0) return false;
  sock.close(); // as Python's, which owns the fd by then
  throw new SSLError(0, 'Closed before TLS handshake with data in recv buffer.', 'wrap_socket');
}

/**
 * A Socket on sock's fd, which it takes over (sock is left detached). An
 * fd that was never given out stays the library's alone, so that blocking
 * mode's Sync calls on the main thread still wait in the system call
 * itself (SSL_read in recv(2)), as the plain socket's do.
 */
function takeOver<F extends number, T extends number>(sock: Socket<F, T>): Socket<F, T> {
  const shared = socketHandle(sock).shared;
  const fd = sock.detach();
  return shared ? new Socket(sock.family, sock.type, sock.proto, fd) : adoptSocket(sock.family, sock.type, sock.proto, fd);
}

/** The handshake of a new SSLSocket; a failure closes it (its fd with it). */
function handshakeOrClose<S extends SSLSocket>(e: TLSEngine, tls: S): Blocking<S> {
  return steps(function* () {
    try {
      yield* wait(calls.handshake(e));
    } catch (error) {
      tls.close();
      throw error;
    }
    return tls;
  });
}

/**
 * SSLContext.wrapSocket's work, in either form: the SSLSocket on a stream
 * socket; on a connected one with the handshake done unless
 * doHandshakeOnConnect is false; on one not connected yet, connect() does
 * it. As Python's wrap_socket, it takes the fd over: the Socket given is
 * detached (closed, fileno() -1); unwrap() gives a Socket on it back. A
 * failed handshake closes it.
 */
export function wrap<G extends FormName, F extends number, T extends number>(form: Form<G>, context: SSLContext, sock: Socket<F, T>, wrapping: Wrapping): Results<SSLSocket<F, T>>[G] {
  if (!(sock instanceof Socket)) throw typeError('sock', 'a berkeley Socket', sock);
  if ((sock.type as number) !== SOCK_STREAM) throw valueError('Only SOCK_STREAM sockets can be wrapped');
  const timeout = sock.gettimeout();
  const connected = isConnected(sock);
  if (connected && wrapping.doHandshakeOnConnect && timeout === 0) throw valueError('doHandshakeOnConnect should not be specified for non-blocking sockets');
  const inner = takeOver(sock);
  inner.settimeout(timeout);
  let tls: SSLSocket<F, T>;
  try {
    tls = wrapped(context, inner, wrapping, connected);
  } catch (error) {
    inner.close();
    throw error;
  }
  if (!connected || !wrapping.doHandshakeOnConnect) return form.done(tls);
  return form.run(handshakeOrClose(engineOf(tls), tls));
}
