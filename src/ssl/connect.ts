// SSLSocket's behaviours of several waits, as Python's ssl.SSLSocket has
// them: connecting a socket wrapped before it was connected, then the
// handshake; and a wrapped listening socket's accept, which wraps each new
// connection on the server side. Each is written once as steps, for
// either form.
import { EINPROGRESS } from '../core/errno.js';
import { SocketError } from '../core/errors.js';
import { abortableEither, steps, wait, type Blocking } from '../io/blocking.js';
import { abortable, SYNC, type Form, type FormName, type Results } from '../io/forms.js';
import type { SocketAddress } from '../socket/address.js';
import { connect, connectEx } from '../socket/calls.js';
import { socketHandle, type Socket } from '../socket/socket.js';
import * as calls from './calls.js';
import type { TLSEngine } from './engine.js';
import type { SSLContext, WrapOptions } from './context.js';
import type { SSLSocket } from './socket.js';

// The socket's connect in the form of the steps around it.
function connecting(sock: Socket, address: unknown, ex: boolean): Blocking<number | undefined> {
  const h = socketHandle(sock);
  const call = ex ? connectEx : connect;
  return abortableEither(
    (signal) => call(abortable(signal), h, sock, address),
    () => call(SYNC, h, sock, address),
  );
}

/**
 * connect() (ex: connectEx()) of a wrapped client socket: the socket's
 * connect, then the handshake unless told otherwise. `failed` undoes the
 * connection's mark when connect fails (not when it is under way in
 * non-blocking mode: doHandshake() then goes on from there).
 */
export function connectThenHandshake<F extends FormName, R extends number | undefined>(
  form: Form<F>,
  e: TLSEngine,
  sock: Socket,
  address: unknown,
  ex: boolean,
  handshake: boolean,
  failed: () => void,
): Results<R>[F] {
  return form.run(
    steps(function* () {
      let rc: number | undefined;
      try {
        rc = yield* wait(connecting(sock, address, ex));
      } catch (error) {
        if (!(error instanceof SocketError && error.errno === EINPROGRESS)) failed();
        throw error;
      }
      if (rc !== undefined && rc !== 0) {
        if (rc !== EINPROGRESS) failed();
      } else if (handshake) {
        yield* wait(calls.handshake(e));
      }
      return rc as R;
    }),
  );
}

/**
 * accept() on a wrapped listening socket: the connection, wrapped by the
 * context on the server side as Python's accept() does (its handshake, by
 * doHandshakeOnConnect, in the same form), and its address. A connection
 * whose wrapping fails is closed.
 */
export function acceptThenWrap<F extends FormName, G extends number, U extends number>(
  form: Form<F>,
  listener: Socket<G, U>,
  context: SSLContext,
  options: WrapOptions,
): Results<[SSLSocket<G, U>, SocketAddress<G>]>[F] {
  return form.run(
    steps(function* () {
      const [sock, address] = yield* wait(abortableEither((signal) => listener.accept({ signal }), () => listener.acceptSync()));
      try {
        const tls = yield* wait(abortableEither((signal) => context.wrapSocket(sock, { ...options, signal }), () => context.wrapSocketSync(sock, options)));
        return [tls, address] as [SSLSocket<G, U>, SocketAddress<G>];
      } catch (error) {
        sock.close();
        throw error;
      }
    }),
  );
}
