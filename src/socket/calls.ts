// The Socket's calls that can wait, each prepared once (its arguments
// checked; its operation, direction and timeout chosen) for either form:
// the Socket's Promise method passes ASYNC, its …Sync twin SYNC.
import { MSG_DONTWAIT, MSG_WAITALL, SOCK_STREAM } from '../core/constants.js';
import { closedError, GaiError, SocketError, type AddressedCall } from '../core/errors.js';
import { native, type NativeAddress } from '../core/native.js';
import { checkFlags, checkIntoLength, checkSize, checkWritable, toBytes } from '../core/validate.js';
import { abortableEither, steps, wait } from '../io/blocking.js';
import { abortable, SYNC, type Form, type FormName, type Results } from '../io/forms.js';
import type { Handle } from '../io/handle.js';
import { Connect, RecvAll, recvfromIntoOp, recvfromOp, recvIntoOp, recvmsgIntoOp, SendAll, SendFile } from '../io/ops.js';
import { READ, WRITE } from '../io/waiters.js';
import { addressed, type SenderAddress } from './address.js';
import { checkAncbufsize, checkAncdata, checkBuffers, checkViews, type Ancillary } from './message.js';
import { fileRange, isRegularFile, readAndSend } from './sendfile.js';

/** What recvmsg returns on a socket of family F and type T: `[data, ancdata, msgFlags, address]`. */
export type Message<F extends number = number, T extends number = number> = [data: Buffer, ancdata: Ancillary[], msgFlags: number, address: SenderAddress<F, T>];

/** What recvmsgInto returns on a socket of family F and type T: `[nbytes, ancdata, msgFlags, address]`. */
export type MessageInto<F extends number = number, T extends number = number> = [nbytes: number, ancdata: Ancillary[], msgFlags: number, address: SenderAddress<F, T>];

/** What a call needs to know of its socket besides the handle. */
export interface FamilyAndType {
  readonly family: number;
  readonly type: number;
}

/**
 * The timeout of one call with these flags: MSG_DONTWAIT makes a call on a
 * blocking socket non-blocking, as in Python (with a timeout it still waits).
 */
export function timeoutFor(h: Handle, flags: number): number | null {
  return h.timeout === null && flags & MSG_DONTWAIT ? 0 : h.timeout;
}

/**
 * MSG_WAITALL on a stream socket waits for every byte (or the end of the
 * stream), within the timeout if one is set, as the kernel would for a
 * blocking fd: berkeley's fds never block, so the waiting is done here.
 */
function waitsForAll(h: Handle, s: FamilyAndType, flags: number): boolean {
  return (flags & MSG_WAITALL) !== 0 && h.timeout !== 0 && s.type === SOCK_STREAM;
}

/** A call to an address, whose errors name it. */
function callTo(syscall: string, family: number, address: NativeAddress): AddressedCall {
  return { syscall, family, address };
}

/** connect(2), after looking up a host name; the outcome is asked of connect(2) again after each wait. */
export function connect<F extends FormName>(form: Form<F>, h: Handle, s: FamilyAndType, address: unknown): Results<undefined>[F] {
  if (h.fd < 0) throw closedError('connect');
  return addressed(form, s.family, address, (g, target) => g.call(h, h.timeout, WRITE, callTo('connect', s.family, target), Connect.op, new Connect(s.family, target)));
}

/** connect_ex: 0 or the errno instead of a SocketError (name look-up errors still throw). */
export function connectEx<F extends FormName>(form: Form<F>, h: Handle, s: FamilyAndType, address: unknown): Results<number>[F] {
  return form.run(
    steps(function* () {
      try {
        yield* wait(abortableEither((signal) => connect(abortable(signal), h, s, address), () => connect(SYNC, h, s, address)));
        return 0;
      } catch (error) {
        if (error instanceof SocketError && !(error instanceof GaiError)) return error.errno;
        throw error;
      }
    }),
  );
}

/** recv(2) of up to bufsize bytes (MSG_WAITALL on a stream: until all arrived). */
export function recv<F extends FormName>(form: Form<F>, h: Handle, s: FamilyAndType, bufsize: unknown, flags: unknown): Results<Buffer>[F] {
  const n = checkSize(bufsize, 'bufsize');
  const f = checkFlags(flags);
  if (n === 0) return form.done(Buffer.alloc(0));
  if (waitsForAll(h, s, f)) return form.call(h, h.timeout, READ, 'recv', RecvAll.bufferOp, new RecvAll(Buffer.allocUnsafe(n), n, f));
  return form.call(h, timeoutFor(h, f), READ, 'recv', native.recv, n, f);
}

/** recv(2) into the caller's buffer; the count. */
export function recvInto<F extends FormName>(form: Form<F>, h: Handle, s: FamilyAndType, buffer: unknown, nbytes: unknown, flags: unknown): Results<number>[F] {
  const into = checkWritable(buffer);
  const n = checkIntoLength(into, nbytes);
  const f = checkFlags(flags);
  if (h.fd < 0) throw closedError('recv');
  // A stream read of 0 bytes is 0 at once, as in Python (a datagram one still takes a datagram).
  if (n === 0 && s.type === SOCK_STREAM) return form.done(0);
  if (waitsForAll(h, s, f)) return form.call(h, h.timeout, READ, 'recv', RecvAll.op, new RecvAll(into, n, f));
  return form.call(h, timeoutFor(h, f), READ, 'recv', recvIntoOp, into, n, f);
}

/** recvfrom(2): `[data, address]`. */
export function recvfrom<F extends FormName>(form: Form<F>, h: Handle, bufsize: unknown, flags: unknown): Results<[Buffer, NativeAddress]>[F] {
  const n = checkSize(bufsize, 'bufsize');
  const f = checkFlags(flags);
  return form.call(h, timeoutFor(h, f), READ, 'recvfrom', recvfromOp, n, f);
}

/** recvfrom(2) into the caller's buffer: `[nbytes, address]`. */
export function recvfromInto<F extends FormName>(form: Form<F>, h: Handle, buffer: unknown, nbytes: unknown, flags: unknown): Results<[number, NativeAddress]>[F] {
  const into = checkWritable(buffer);
  const n = checkIntoLength(into, nbytes);
  const f = checkFlags(flags);
  return form.call(h, timeoutFor(h, f), READ, 'recvfrom', recvfromIntoOp, into, n, f);
}

/** send(2): the bytes the kernel took. */
export function send<F extends FormName>(form: Form<F>, h: Handle, data: unknown, flags: unknown): Results<number>[F] {
  const bytes = toBytes(data);
  const f = checkFlags(flags);
  return form.call(h, timeoutFor(h, f), WRITE, 'send', native.send, bytes, f);
}

/** send(2) until every byte is out. */
export function sendall<F extends FormName>(form: Form<F>, h: Handle, data: unknown, flags: unknown): Results<undefined>[F] {
  const state = new SendAll(toBytes(data));
  const f = checkFlags(flags);
  return form.call(h, timeoutFor(h, f), WRITE, 'send', SendAll.op, state, f);
}

/** `sendto(data, address)` or `sendto(data, flags, address)`. */
export function sendto<F extends FormName>(form: Form<F>, h: Handle, s: FamilyAndType, data: unknown, flagsOrAddress: unknown, address: unknown): Results<number>[F] {
  const bytes = toBytes(data);
  const [f, to] = address === undefined ? [0, flagsOrAddress] : [checkFlags(flagsOrAddress), address];
  return addressed(form, s.family, to, (g, target) => g.call(h, timeoutFor(h, f), WRITE, callTo('sendto', s.family, target), native.sendto, bytes, f, s.family, target));
}

/** sendmsg(2) with ancillary data, to an address for unconnected datagram sockets. */
export function sendmsg<F extends FormName>(form: Form<F>, h: Handle, s: FamilyAndType, buffers: unknown, ancdata: unknown, flags: unknown, address: unknown): Results<number>[F] {
  const data = checkBuffers(buffers);
  const control = checkAncdata(ancdata);
  const f = checkFlags(flags);
  const send = <G extends FormName>(g: Form<G>, target: NativeAddress): Results<number>[G] =>
    g.call(h, timeoutFor(h, f), WRITE, target === null ? 'sendmsg' : callTo('sendmsg', s.family, target), native.sendmsg, data, control, f, s.family, target);
  return address === undefined || address === null ? send(form, null) : addressed(form, s.family, address, send);
}

/** recvmsg(2): `[data, ancdata, msgFlags, address]`. */
export function recvmsg<F extends FormName>(form: Form<F>, h: Handle, bufsize: unknown, ancbufsize: unknown, flags: unknown): Results<[Buffer, Ancillary[], number, NativeAddress]>[F] {
  const n = checkSize(bufsize, 'bufsize');
  const ancn = checkAncbufsize(ancbufsize);
  const f = checkFlags(flags);
  return form.call(h, timeoutFor(h, f), READ, 'recvmsg', native.recvmsg, n, ancn, f);
}

/** recvmsg(2) scattered into the caller's buffers: `[nbytes, ancdata, msgFlags, address]`. */
export function recvmsgInto<F extends FormName>(form: Form<F>, h: Handle, buffers: unknown, ancbufsize: unknown, flags: unknown): Results<[number, Ancillary[], number, NativeAddress]>[F] {
  const views = checkViews(buffers);
  const ancn = checkAncbufsize(ancbufsize);
  const f = checkFlags(flags);
  return form.call(h, timeoutFor(h, f), READ, 'recvmsg', recvmsgIntoOp, views, views.map((view) => view.byteLength), ancn, f);
}

/** sendfile(2) from a regular file to a stream socket; read + sendall otherwise. */
export function sendfile<F extends FormName>(form: Form<F>, h: Handle, s: FamilyAndType, file: unknown, offset: unknown, count: unknown): Results<number>[F] {
  const range = fileRange(file, offset, count);
  if (s.type === SOCK_STREAM && isRegularFile(range.fd)) {
    return form.call(h, h.timeout, WRITE, 'sendfile', SendFile.op, new SendFile(range.fd, range.offset, range.count));
  }
  return form.run(readAndSend(range, (chunk) => abortableEither((signal) => sendall(abortable(signal), h, chunk, 0), () => sendall(SYNC, h, chunk, 0))));
}
