// SSLSocket's calls that can wait, each prepared once for either form (as
// socket/calls.ts prepares Socket's): the arguments checked, then a TLS
// engine operation through the call helper on the socket's Handle, under
// the socket's timeout. The SSLSocket's Promise method passes ASYNC (or
// the form of its signal), its …Sync twin SYNC.
import { SHUT_RDWR, SHUT_WR } from '../core/constants.js';
import { closedError } from '../core/errors.js';
import { checkInt, checkIntoLength, checkSize, checkWritable, toBytes, toUint8Array } from '../core/validate.js';
import { abortableEither, steps, wait, type Blocking } from '../io/blocking.js';
import { call } from '../io/call.js';
import { abortable, SYNC, type Form, type FormName, type Results } from '../io/forms.js';
import { READ, WRITE } from '../io/waiters.js';
import { fileRange, readAndSend } from '../socket/sendfile.js';
import { checkNoFlags } from './args.js';
import { TLSEngine, TLSWrite } from './engine.js';

/** A result known without a call, once the socket is known to be open. */
function done<F extends FormName, R>(form: Form<F>, e: TLSEngine, syscall: string, value: R): Results<R>[F] {
  if (e.handle.fd < 0) throw closedError(syscall);
  return form.done(value);
}

/** The TLS handshake (doHandshake(), and wrapSocket()'s unless told otherwise). */
export function handshake(e: TLSEngine): Blocking<undefined> {
  return call(e.handle, e.handle.timeout, READ, 'do_handshake', TLSEngine.handshakeOp, e);
}

/** recv(): up to bufsize decrypted bytes; empty at the end. */
export function recv<F extends FormName>(form: Form<F>, e: TLSEngine, bufsize: unknown, flags: unknown): Results<Buffer>[F] {
  const n = checkSize(bufsize, 'bufsize');
  checkNoFlags(flags, 'recv');
  if (n === 0) return done(form, e, 'recv', Buffer.alloc(0));
  return form.call(e.handle, e.handle.timeout, READ, 'recv', TLSEngine.readOp, e, n);
}

/** recvInto(): decrypted bytes into the caller's memory (nbytes 0 or none: all of it); the count. */
export function recvInto<F extends FormName>(form: Form<F>, e: TLSEngine, buffer: unknown, nbytes: unknown, flags: unknown): Results<number>[F] {
  const into = checkWritable(buffer);
  const limit = checkIntoLength(into, nbytes);
  checkNoFlags(flags, 'recv_into');
  if (limit === 0) return done(form, e, 'recv_into', 0);
  return form.call(e.handle, e.handle.timeout, READ, 'recv_into', TLSEngine.readIntoOp, e, into, limit);
}

/** send(): what the socket takes at once, a record or more; the count. */
export function send<F extends FormName>(form: Form<F>, e: TLSEngine, data: unknown, flags: unknown): Results<number>[F] {
  const bytes = toUint8Array(toBytes(data));
  checkNoFlags(flags, 'send');
  if (bytes.length === 0) return done(form, e, 'send', 0);
  return form.call(e.handle, e.handle.timeout, WRITE, 'send', TLSWrite.sendOp, new TLSWrite(e, bytes, 'send'));
}

/** sendall(): every byte, or an error. */
export function sendall<F extends FormName>(form: Form<F>, e: TLSEngine, data: unknown, flags: unknown, syscall = 'sendall'): Results<undefined>[F] {
  const bytes = toUint8Array(toBytes(data));
  checkNoFlags(flags, syscall);
  return form.call(e.handle, e.handle.timeout, WRITE, syscall, TLSWrite.sendallOp, new TLSWrite(e, bytes, syscall));
}

/** sendfile(): the file read in chunks, each sent whole through TLS; the bytes sent. */
export function sendfile<F extends FormName>(form: Form<F>, e: TLSEngine, file: unknown, offset: unknown, count: unknown): Results<number>[F] {
  const range = fileRange(file, offset, count);
  return form.run(
    readAndSend(range, (chunk) =>
      abortableEither(
        (signal) => sendall(abortable(signal), e, chunk, undefined, 'sendfile'),
        () => sendall(SYNC, e, chunk, undefined, 'sendfile'),
      ),
    ),
  );
}

/**
 * shutdown(): SHUT_WR and SHUT_RDWR send close_notify first, then shut the
 * socket; SHUT_RD (and a bad value, for the socket's own error) goes to the
 * socket at once.
 */
export function shutdown<F extends FormName>(form: Form<F>, e: TLSEngine, socket: { shutdown(how: number): void }, how: unknown): Results<undefined>[F] {
  const side = checkInt(how, 'how');
  if (side !== SHUT_WR && side !== SHUT_RDWR) {
    socket.shutdown(side);
    return form.done(undefined);
  }
  return form.run(
    steps(function* () {
      yield* wait(call(e.handle, e.handle.timeout, WRITE, 'shutdown', TLSEngine.closeNotifyOp, e, 'shutdown'));
      socket.shutdown(side);
      return undefined;
    }),
  );
}

/** unwrap(): close_notify both ways, then `release` gives the plain socket back. */
export function unwrap<F extends FormName, S>(form: Form<F>, e: TLSEngine, release: () => S): Results<S>[F] {
  return form.run(
    steps(function* () {
      yield* wait(call(e.handle, e.handle.timeout, READ, 'unwrap', TLSEngine.unwrapOp, e));
      return release();
    }),
  );
}
