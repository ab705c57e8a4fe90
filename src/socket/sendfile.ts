// sendfile: zero-copy sendfile(2) from a regular file to a stream socket;
// otherwise (a pipe, a datagram socket, TLS, which must encrypt) the file is
// read in chunks and each is sent whole. Written once, for both forms and
// for every socket that can send (Socket and SSLSocket).
import { fstatSync, read, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { AbortError, fromNodeError } from '../core/errors.js';
import { checkInt, typeError } from '../core/validate.js';
import { either, steps, wait, type Blocking } from '../io/blocking.js';

/** A file for sendfile: an fd or a FileHandle. */
export type FileLike = number | FileHandle;

/** The read size of the read + send fallback. */
const CHUNK = 65536;

function fileDescriptor(file: unknown): number {
  if (typeof file === 'number') return checkInt(file, 'file', 0);
  if (file !== null && typeof file === 'object' && typeof (file as FileHandle).fd === 'number') return (file as FileHandle).fd;
  throw typeError('file', 'an fd or a FileHandle', file);
}

/** What to send: the fd, the offset (null: the file's own position, which advances) and the byte limit. */
export interface FileRange {
  readonly fd: number;
  readonly offset: number | null;
  readonly count: number;
}

/** sendfile's arguments, checked. */
export function fileRange(file: unknown, offset: unknown, count: unknown): FileRange {
  return {
    fd: fileDescriptor(file),
    offset: offset === undefined || offset === null ? null : checkInt(offset, 'offset', 0, Number.MAX_SAFE_INTEGER),
    count: count === undefined || count === null || count === 0 ? Number.MAX_SAFE_INTEGER : checkInt(count, 'count', 0, Number.MAX_SAFE_INTEGER),
  };
}

/** Whether sendfile(2) can read this fd (a regular file); else read + send. */
export function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch (error) {
    throw fromNodeError(error);
  }
}

const readAsync = promisify(read);

/** The next chunk of the file at position (null: the file's own), in `into`. */
function readChunk(fd: number, position: number | null, wanted: number, into: Buffer): Blocking<Buffer> {
  const length = Math.min(wanted, CHUNK);
  return either(
    async () => {
      try {
        return into.subarray(0, (await readAsync(fd, into, 0, length, position)).bytesRead);
      } catch (error) {
        throw fromNodeError(error);
      }
    },
    () => {
      try {
        return into.subarray(0, readSync(fd, into, 0, length, position));
      } catch (error) {
        throw fromNodeError(error);
      }
    },
  );
}

/** The read + send fallback: each chunk read is sent whole by `sendall`; the bytes sent. */
export function readAndSend(range: FileRange, sendall: (chunk: Buffer) => Blocking<unknown>): Blocking<number> {
  return steps(function* () {
    const chunk = Buffer.allocUnsafe(CHUNK);
    let sent = 0;
    for (;;) {
      let data: Buffer;
      try {
        data = yield* wait(readChunk(range.fd, range.offset === null ? null : range.offset + sent, range.count - sent, chunk));
        if (data.length === 0) return sent;
        yield* wait(sendall(data));
      } catch (error) {
        // An abort says how much of the whole file went out, not of this chunk.
        if (error instanceof AbortError) error.bytesSent = sent + (error.bytesSent ?? 0);
        throw error;
      }
      sent += data.length;
    }
  });
}
