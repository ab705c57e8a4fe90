// Each read of a SocketFile, written once as a Step over its buffered data
// (file-reader.ts): called again after each fill, it returns its result or
// asks for one more (More). A step takes data out of the buffer only when it
// returns its result, so a read that fails or is aborted before then leaves
// everything it saw buffered for the next read.
import { checkInt, checkSize, valueError } from '../core/validate.js';
import { DEFAULT_BUFFER_SIZE, MORE, More, READ_ALL, type ByteReader, type Reader, type Step } from './file-reader.js';

/** An early EOF in readExactly/readUntil (asyncio's IncompleteReadError): `partial` holds what was read. */
export class IncompleteReadError<T extends string | Buffer = string | Buffer> extends Error {
  constructor(
    /** What was read before EOF. */
    readonly partial: T,
    /** The size asked for; null for readUntil. */
    readonly expected: number | null,
  ) {
    super(`EOF after ${partial.length} ${typeof partial === 'string' ? 'characters' : 'bytes'}, ${expected === null ? 'before the separator' : `of ${expected} expected`}`);
  }

  /** Always 'IncompleteReadError'. */
  override get name(): string {
    return 'IncompleteReadError';
  }
}

type Unit = string | Buffer;

/** read(size): size units, fewer only at EOF; all to EOF when size < 0; unbuffered: what one receive brings. */
export function readStep(r: Reader, size: unknown, unbuffered: boolean): Step<Unit> {
  const n = checkInt(size, 'size');
  if (n < 0) return () => (r.eof ? r.take(r.length) : READ_ALL);
  const enough = unbuffered ? (): boolean => r.length > 0 || n === 0 : (): boolean => r.length >= n;
  return () => (enough() || r.eof ? r.take(Math.min(n, r.length)) : new More(n - r.length));
}

/** readline(limit): one line with its ending, at most limit units when limit >= 0; empty at EOF. */
export function readlineStep(r: Reader, limit: unknown): Step<Unit> {
  const max = checkInt(limit, 'limit');
  let from = 0;
  return () => {
    const end = max < 0 ? r.length : Math.min(r.length, max);
    const found = r.lineEnd(from, end);
    if (found >= 0) return r.take(max < 0 ? found : Math.min(found, max));
    if (end === max || r.eof) return r.take(end);
    from = Math.max(0, r.length - 1); // a '\r\n' may straddle
    return MORE;
  };
}

/**
 * readlines(hint): the lines up to EOF, or until the lines so far exceed
 * hint units (hint > 0). The lines are found first and taken together.
 */
export function readlinesStep(r: Reader, hint: unknown): Step<Unit[]> {
  const most = checkInt(hint, 'hint');
  const ends: number[] = [];
  let from = 0;
  const takeLines = (): Unit[] => {
    let start = 0;
    return ends.map((end) => {
      const line = r.take(end - start);
      start = end;
      return line;
    });
  };
  return () => {
    for (;;) {
      const start = ends.at(-1) ?? 0;
      const found = r.lineEnd(from, r.length);
      if (found >= 0) {
        ends.push((from = found));
        // Python's rule: stop once the lines so far exceed hint.
        if (most > 0 && found > most) return takeLines();
      } else if (r.eof) {
        if (r.length > start) ends.push(r.length);
        return takeLines();
      } else {
        from = Math.max(start, r.length - 1);
        return MORE;
      }
    }
  };
}

/** readExactly(n): exactly n units; an early EOF throws IncompleteReadError holding what came. */
export function readExactlyStep(r: Reader, size: unknown): Step<Unit> {
  const n = checkSize(size, 'n');
  return () => {
    if (r.length >= n) return r.take(n);
    if (r.eof) throw new IncompleteReadError(r.take(r.length), n);
    return new More(n - r.length);
  };
}

/** readUntil(separator): everything through separator; an EOF first throws IncompleteReadError. */
export function readUntilStep(r: Reader, separator: string | Uint8Array): Step<Unit> {
  if (separator.length === 0) throw valueError('The "separator" argument must not be empty');
  let from = 0;
  return () => {
    const at = r.indexOf(separator, from, r.length);
    if (at >= 0) return r.take(at + separator.length);
    if (r.eof) throw new IncompleteReadError(r.take(r.length), null);
    from = Math.max(0, r.length - separator.length + 1);
    return MORE;
  };
}

/**
 * readinto(buffer): fills buffer, less only at EOF; once (readinto1, or an
 * unbuffered file): with what is buffered, or else what one receive brings.
 */
export function readintoStep(r: ByteReader, into: Uint8Array, once: boolean): Step<number> {
  const n = into.length;
  const enough = once ? (): boolean => r.length > 0 : (): boolean => r.length >= n;
  return () => (n === 0 || enough() || r.eof ? r.takeInto(into) : new More(n - r.length));
}

/** read1(size): what is buffered, or else what one receive brings; at most size bytes when size >= 0. */
export function read1Step(r: ByteReader, size: unknown): Step<Buffer> {
  const n = checkInt(size, 'size');
  const want = new More(n < 0 ? Math.max(r.size, DEFAULT_BUFFER_SIZE) : n);
  return () => (n === 0 || r.length > 0 || r.eof ? r.take(n < 0 ? r.length : Math.min(n, r.length)) : want);
}

/** peek(size): the bytes buffered, left to be read (one receive first when none are); empty at EOF. */
export function peekStep(r: ByteReader, size: unknown): Step<Buffer> {
  const want = new More(Math.max(checkInt(size, 'size'), 1));
  return () => (r.length > 0 || r.eof ? r.peek() : want);
}
