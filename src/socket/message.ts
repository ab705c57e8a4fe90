// sendmsg/recvmsg with ancillary data, fd passing over them, and sendfile:
// the operations and argument checks behind those Socket methods.
import { fstatSync, read, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { MSG_CTRUNC, SCM_RIGHTS, SOL_SOCKET } from '../core/constants.js';
import { fromNodeError } from '../core/errors.js';
import { native } from '../core/native.js';
import { checkInt, toBytes, typeError } from '../core/validate.js';

/** One ancillary data item: `[cmsg_level, cmsg_type, data]`. */
export type Ancillary = [level: number, type: number, data: Buffer];

// The most items an iterable argument may hold: sendmsg's iovec limit
// (IOV_MAX), and as many ancillary items or fds as a control buffer takes.
const ITEMS_MAX = 1024;

/** The items of an iterable argument, refusing a non-iterable and an endless or oversized one. */
function items(value: unknown, name: string, expected: string): unknown[] {
  if (value === null || typeof value !== 'object' || !(Symbol.iterator in value)) throw typeError(name, expected, value);
  const list: unknown[] = [];
  for (const item of value as Iterable<unknown>) {
    if (list.length === ITEMS_MAX) throw new RangeError(`The "${name}" argument has more than ${ITEMS_MAX} items`);
    list.push(item);
  }
  return list;
}

export function checkBuffers(buffers: unknown): (ArrayBufferView | ArrayBuffer)[] {
  return items(buffers, 'buffers', 'an iterable of bytes').map((b, i) => toBytes(b, `buffers[${i}]`));
}

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
  if (n < 0) throw new RangeError(`The "length" argument is too large: ${length}`);
  return n;
}

/** CMSG_SPACE(length): the buffer space an item carrying length bytes takes. */
export function CMSG_SPACE(length: number): number {
  const n = native.CMSG_SPACE(checkInt(length, 'length', 0));
  if (n < 0) throw new RangeError(`The "length" argument is too large: ${length}`);
  return n;
}

// ---- sendfile ---------------------------------------------------------------

/** A file for sendfile: an fd or a FileHandle. */
export type FileLike = number | FileHandle;

export function fileDescriptor(file: unknown): number {
  if (typeof file === 'number') return checkInt(file, 'file', 0);
  if (file !== null && typeof file === 'object' && typeof (file as FileHandle).fd === 'number') return (file as FileHandle).fd;
  throw typeError('file', 'an fd or a FileHandle', file);
}

/** sendfile's arguments: the fd, the offset (null: the file's own position) and the byte limit. */
export function sendfileArguments(file: unknown, offset: unknown, count: unknown): [number, number | null, number] {
  const fd = fileDescriptor(file);
  const from = offset === undefined || offset === null ? null : checkInt(offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
  const limit = count === undefined || count === null || count === 0 ? Number.MAX_SAFE_INTEGER : checkInt(count, 'count', 0, Number.MAX_SAFE_INTEGER);
  return [fd, from, limit];
}

/** sendfile(2) in steps until count bytes (or EOF) are sent; -EAGAIN between steps. */
export class SendFile {
  sent = 0;

  /** offset null: from the file's own position, which advances. */
  constructor(readonly infd: number, readonly offset: number | null, readonly count: number) {}

  static op(fd: number, state: SendFile): number {
    while (state.sent < state.count) {
      const step = Math.min(state.count - state.sent, 0x7ffff000);
      const n = state.offset === null
        ? native.sendfile(fd, state.infd, -1, step)
        : native.sendfile(fd, state.infd, state.offset + state.sent, step);
      if (n < 0) return n;
      if (n === 0) break;
      state.sent += n;
    }
    return state.sent;
  }
}

/** Whether sendfile(2) can read this fd (a regular file); else read + send. */
export function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch (error) {
    throw fromNodeError(error);
  }
}

/** The read size of the read + send fallback. */
export const CHUNK = 65536;
const readAsync = promisify(read);

/** The read side of the read/send fallback: the next chunk at position (null: the file's own). */
export async function readChunk(fd: number, position: number | null, wanted: number, into: Buffer): Promise<Buffer> {
  try {
    const { bytesRead } = await readAsync(fd, into, 0, Math.min(wanted, CHUNK), position);
    return into.subarray(0, bytesRead);
  } catch (error) {
    throw fromNodeError(error);
  }
}

export function readChunkSync(fd: number, position: number | null, wanted: number, into: Buffer): Buffer {
  try {
    return into.subarray(0, readSync(fd, into, 0, Math.min(wanted, CHUNK), position));
  } catch (error) {
    throw fromNodeError(error);
  }
}

