// recvmmsg(2)/sendmmsg(2): many datagrams in one system call, each call
// prepared once for either form as those of calls.ts are. recvmmsg waits
// (per the socket's mode) for the first datagram only, then takes what is
// already queued: the addon adds MSG_WAITFORONE.
import { closedError } from '../core/errors.js';
import { IOV_MAX, MMSG_BYTES_MAX, native, type Bytes, type NativeAddress } from '../core/native.js';
import { checkFlags, checkInt, checkSize, rangeError, toBytes, typeError, valueError, type Data } from '../core/validate.js';
import type { FormName, Form, Results } from '../io/forms.js';
import type { Handle } from '../io/handle.js';
import { checkHeld } from '../io/ops.js';
import { READ, WRITE } from '../io/waiters.js';
import { addressedEach, type Address, type SenderAddress } from './address.js';
import { timeoutFor, type FamilyAndType } from './calls.js';
import { checkViews, items } from './message.js';

/** One datagram recvmmsg returns on a socket of family F and type T: `[data, address]`. */
export type Datagram<F extends number = number, T extends number = number> = [data: Buffer, address: SenderAddress<F, T>];

/** One datagram recvmmsgInto received: `[nbytes, address, msgFlags]` (MSG_TRUNC in msgFlags when it did not fit its buffer). */
export type DatagramInto<F extends number = number, T extends number = number> = [nbytes: number, address: SenderAddress<F, T>, msgFlags: number];

/** One datagram for sendmmsg: `[data]` on a connected socket, `[data, address]` otherwise. */
export type OutgoingDatagram<F extends number = number> = [data: Data] | [data: Data, address: Address<F> | null];

/**
 * A sender that is the very value of the one before (the addon decodes a
 * run of datagrams from one peer once) gets a copy of its own: each
 * datagram's address is its own, as each recvfrom's is.
 */
function ownAddress(address: NativeAddress, previous: NativeAddress | undefined): NativeAddress {
  if (address !== previous || address === null || typeof address === 'string') return address;
  return Buffer.isBuffer(address) ? Buffer.from(address) : ([...address] as NativeAddress);
}

/** recvmmsg(2) as `[data, address]` pairs, each datagram a Buffer over the one block the addon filled. */
function recvmmsgOp(fd: number, vlen: number, bufsize: number, flags: number): [Buffer, NativeAddress][] | number {
  const result = native.recvmmsg(fd, vlen, bufsize, flags);
  if (typeof result === 'number') return result;
  const [data, lengths, senders] = result;
  const datagrams = new Array<[Buffer, NativeAddress]>(lengths.length);
  let offset = 0;
  for (let k = 0; k < lengths.length; k++) {
    const end = offset + lengths[k]!;
    datagrams[k] = [data.subarray(offset, end), ownAddress(senders[k]!, senders[k - 1])];
    offset = end;
  }
  return datagrams;
}

/** recvmmsg(2): up to vlen datagrams of up to bufsize bytes each, as `[data, address]`. */
export function recvmmsg<F extends FormName>(form: Form<F>, h: Handle, vlen: unknown, bufsize: unknown, flags: unknown): Results<[Buffer, NativeAddress][]>[F] {
  const n = checkInt(vlen, 'vlen', 1, IOV_MAX);
  const size = checkSize(bufsize, 'bufsize');
  if (size > MMSG_BYTES_MAX / n) throw rangeError(`The "bufsize" argument (${size}) times vlen (${n}) must be at most ${MMSG_BYTES_MAX} bytes`);
  const f = checkFlags(flags);
  return form.call(h, timeoutFor(h, f), READ, 'recvmmsg', recvmmsgOp, n, size, f);
}

/** recvmmsg(2) into views, each still as long (lengths) as when the call began. */
function recvmmsgIntoOp(fd: number, views: ArrayBufferView[], lengths: number[], flags: number): [number, NativeAddress, number][] | number {
  for (let k = 0; k < views.length; k++) checkHeld(views[k]!, lengths[k]!);
  const result = native.recvmmsgInto(fd, views, flags);
  if (typeof result === 'number') return result;
  const [counts, senders] = result;
  const datagrams = new Array<[number, NativeAddress, number]>(senders.length);
  for (let k = 0; k < senders.length; k++) datagrams[k] = [counts[2 * k]!, ownAddress(senders[k]!, senders[k - 1]), counts[2 * k + 1]!];
  return datagrams;
}

/** recvmmsg(2) into the caller's buffers, one datagram each: `[nbytes, address, msgFlags]`. */
export function recvmmsgInto<F extends FormName>(form: Form<F>, h: Handle, buffers: unknown, flags: unknown): Results<[number, NativeAddress, number][]>[F] {
  const views = checkViews(buffers);
  if (views.length === 0) throw valueError('The "buffers" argument must hold at least one buffer');
  const f = checkFlags(flags);
  return form.call(h, timeoutFor(h, f), READ, 'recvmmsg', recvmmsgIntoOp, views, views.map((view) => view.byteLength), f);
}

/** sendmmsg(2) of datas, each still as long (lengths) as when the call began. */
function sendmmsgOp(fd: number, datas: Bytes[], lengths: number[], targets: NativeAddress[] | null, flags: number, family: number): number {
  for (let k = 0; k < datas.length; k++) checkHeld(datas[k] as ArrayBufferView, lengths[k]!);
  return native.sendmmsg(fd, datas, targets, flags, family);
}

/** sendmmsg(2): the count sent; a failure throws only when none was. */
export function sendmmsg<F extends FormName>(form: Form<F>, h: Handle, s: FamilyAndType, messages: unknown, flags: unknown): Results<number>[F] {
  const list = items(messages, 'messages', 'an iterable of [data] or [data, address]');
  const datas = new Array<Bytes>(list.length);
  const lengths = new Array<number>(list.length);
  // Only a batch with an address gets a list of them: a connected socket's
  // batch goes straight to the call.
  let addresses: unknown[] | undefined;
  for (let k = 0; k < list.length; k++) {
    const message = list[k];
    if (!Array.isArray(message) || message.length < 1 || message.length > 2) throw typeError(`messages[${k}]`, 'a [data] or [data, address] array', message);
    const data = toBytes(message[0], `messages[${k}][0]`);
    datas[k] = data;
    lengths[k] = data.byteLength;
    if (message[1] !== undefined && message[1] !== null) (addresses ??= new Array<unknown>(list.length))[k] = message[1];
  }
  const f = checkFlags(flags);
  if (h.fd < 0) throw closedError('sendmmsg');
  if (list.length === 0) return form.done(0);
  if (addresses === undefined) return form.call(h, timeoutFor(h, f), WRITE, 'sendmmsg', sendmmsgOp, datas, lengths, null, f, s.family);
  return addressedEach(form, s.family, addresses, (g, targets) => g.call(h, timeoutFor(h, f), WRITE, 'sendmmsg', sendmmsgOp, datas, lengths, targets, f, s.family), (k) => `messages[${k}][1]`);
}
