// sendmsg/recvmsg with ancillary data and fd passing over them: the
// argument checks and results behind those Socket methods.
import { MSG_CTRUNC, SCM_RIGHTS, SOL_SOCKET } from '../core/constants.js';
import { CONTROL_MAX, IOV_MAX, native } from '../core/native.js';
import { checkInt, checkWritable, rangeError, toBytes, typeError, valueError } from '../core/validate.js';

/** One ancillary data item: `[cmsg_level, cmsg_type, data]`. */
export type Ancillary = [level: number, type: number, data: Buffer];

// The most items an iterable argument may hold: sendmsg's
// and recvmsgInto's iovec limit (IOV_MAX), as many ancillary items or
// fds as a control buffer takes, and the messages of a recvmmsgInto or
// sendmmsg (IOV_MAX is Linux's UIO_MAXIOV, the kernel's batch limit).
const ITEMS_MAX = IOV_MAX;

/** The items of an iterable argument (a list of at most IOV_MAX), refusing a non-iterable and an endless or oversized one. */
export function items(value: unknown, name: string, expected: string): unknown[] {
  if (value === null || typeof value !== 'object' || !(Symbol.iterator in value)) throw typeError(name, expected, value);
  const list: unknown[] = [];
  for (const item of value as Iterable<unknown>) {
    if (list.length === ITEMS_MAX) throw valueError(`The "${name}" argument has more than ${ITEMS_MAX} items`);
    list.push(item);
  }
  return list;
}

/** sendmsg's buffers, checked: bytes each, at most IOV_MAX. */
export function checkBuffers(buffers: unknown): (ArrayBufferView | ArrayBuffer)[] {
  return items(buffers, 'buffers', 'an iterable of bytes').map((b, i) => toBytes(b, `buffers[${i}]`));
}

/** recvmsgInto's buffers, checked: writable views each, at most IOV_MAX. */
export function checkViews(buffers: unknown): ArrayBufferView[] {
  return items(buffers, 'buffers', 'an iterable of Buffers, TypedArrays or DataViews').map((b, i) => checkWritable(b, `buffers[${i}]`));
}

/** recvmsg's ancbufsize, checked: the control buffer's bytes, 0 (none) by default. */
export function checkAncbufsize(ancbufsize: unknown): number {
  return ancbufsize === undefined ? 0 : checkInt(ancbufsize, 'ancbufsize', 0, CONTROL_MAX);
}

/** sendmsg's ancillary data, checked: `[level, type, bytes]` triples. */
export function checkAncdata(ancdata: unknown): [number, number, ArrayBufferView | ArrayBuffer][] {
  if (ancdata === undefined || ancdata === null) return [];
  return items(ancdata, 'ancdata', 'an iterable of [level, type, data]').map((item, i) => {
    if (!Array.isArray(item) || item.length !== 3) throw typeError(`ancdata[${i}]`, 'a [level, type, data] triple', item);
    return [checkInt(item[0], `ancdata[${i}][0]`), checkInt(item[1], `ancdata[${i}][1]`), toBytes(item[2], `ancdata[${i}][2]`)];
  });
}

/** The ancillary data that passes fds with SCM_RIGHTS. */
export function rightsOf(fds: unknown): [number, number, Int32Array][] {
  const list = items(fds, 'fds', 'an iterable of fds').map((fd, i) => checkInt(fd, `fds[${i}]`, 0));
  return [[SOL_SOCKET, SCM_RIGHTS, Int32Array.from(list)]];
}

/** The fds a recvmsg brought; all closed (none returned) when the control data was truncated. */
export function fdsOf(ancdata: Ancillary[], msgFlags: number): number[] {
  const fds: number[] = [];
  for (const [level, kind, data] of ancdata) {
    if (level !== SOL_SOCKET || kind !== SCM_RIGHTS) continue;
    for (let offset = 0; offset + 4 <= data.length; offset += 4) fds.push(data.readInt32LE(offset));
  }
  if (msgFlags & MSG_CTRUNC) {
    for (const fd of fds) native.close(fd);
    return [];
  }
  return fds;
}

/** CMSG_LEN(length): the cmsg_len of an item carrying length bytes. */
export function CMSG_LEN(length: number): number {
  const n = native.CMSG_LEN(checkInt(length, 'length', 0));
  if (n < 0) throw rangeError(`The "length" argument is too large: ${length}`);
  return n;
}

/** CMSG_SPACE(length): the buffer space an item carrying length bytes takes. */
export function CMSG_SPACE(length: number): number {
  const n = native.CMSG_SPACE(checkInt(length, 'length', 0));
  if (n < 0) throw rangeError(`The "length" argument is too large: ${length}`);
  return n;
}
