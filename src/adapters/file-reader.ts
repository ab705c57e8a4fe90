// The read side of a SocketFile: the data received and not yet read, in
// bytes (ByteReader, which a file's layers share) or decoded characters
// (TextReader, a text layer's own), and the Step a read is written as.
// Buffers grow by doubling and each search scans only what arrived since its
// last look, so a read costs O(n) however the bytes come.
import { makeDecoder, newlineKinds, newlinesSeen, type Decoder } from './file-codec.js';

export const DEFAULT_BUFFER_SIZE = 8192; // Python's io.DEFAULT_BUFFER_SIZE
const READ_ALL_CHUNK = 65536;
// The most a read reserves ahead of the data (read(2 ** 31 - 1) must not
// allocate 2 GiB up front); beyond it the buffer doubles as data comes.
const MAX_RESERVE = 1 << 20;

/** A step asking for one more fill, of at least `want` bytes where it helps. */
export class More {
  constructor(readonly want = 1) {}
}
export const MORE = new More();
export const READ_ALL = new More(READ_ALL_CHUNK);
export type Step<R> = () => R | More;

/** The read side's buffered data, in bytes or characters. */
export interface Reader {
  readonly length: number;
  /** Set once the socket returned EOF. */
  readonly eof: boolean;
  /** Memory for the next receive; exact: no more than want bytes (an unbuffered layer reads no further ahead). */
  space(want: number, exact: boolean): Uint8Array;
  /** Takes in the count received into space() (0: EOF). */
  commit(n: number): void;
  /** Takes in, without a receive, what a layer below holds; true if there was anything (or its EOF). */
  refill?(): boolean;
  /** Where separator first starts at or after from and before end, or -1. */
  indexOf(separator: string | Uint8Array, from: number, end: number): number;
  /** Where the first line ending at or after from (starting before end) ends, or -1. */
  lineEnd(from: number, end: number): number;
  /** Removes and returns the first n units. */
  take(n: number): string | Buffer;
}

const EMPTY = Buffer.alloc(0);

/** Binary reads: one buffer (allocated at the first receive), compacted or doubled as needed. */
export class ByteReader implements Reader {
  #buf = EMPTY;
  #start = 0;
  #end = 0;
  eof = false;

  /** size: how far to read ahead (0: only what a read asks for). */
  constructor(readonly size: number) {}

  /** The bytes buffered and not yet read. */
  get length(): number {
    return this.#end - this.#start;
  }

  /** Returns room after the data for the next receive: at least min(want, 1 MiB) bytes, exactly that when exact or unbuffered. */
  space(want: number, exact = false): Uint8Array {
    const need = Math.max(Math.min(want, MAX_RESERVE), 1);
    if (this.#buf.length - this.#end < need) this.#makeRoom(need);
    return this.#buf.subarray(this.#end, this.size > 0 && !exact ? this.#buf.length : this.#end + need);
  }

  // Compacting moves at most as many bytes as were taken since the last
  // move; otherwise the buffer doubles. Either way O(1) per byte.
  #makeRoom(need: number): void {
    const live = this.length;
    if (this.#start >= live && live + need <= this.#buf.length) {
      this.#buf.copyWithin(0, this.#start, this.#end);
    } else {
      const bigger = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, live + need, this.size));
      bigger.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = bigger;
    }
    this.#start = 0;
    this.#end = live;
  }

  /** Takes in n bytes received into space(); 0 marks EOF. */
  commit(n: number): void {
    if (n === 0) this.eof = true;
    this.#end += n;
  }

  /** Returns where separator first starts at or after from and before end, or -1. */
  indexOf(separator: string | Uint8Array | number, from: number, end: number): number {
    const span = typeof separator === 'number' ? 1 : Buffer.byteLength(separator);
    const stop = this.#start + Math.min(this.length, end + span - 1);
    return this.#buf.subarray(this.#start, stop).indexOf(separator, from);
  }

  /** Returns the end of the first '\n'-ended line found at or after from, or -1. */
  lineEnd(from: number, end: number): number {
    const at = this.indexOf(0x0a, from, end);
    return at < 0 ? -1 : at + 1;
  }

  /** Removes and returns the first n bytes. */
  take(n: number): Buffer {
    const out = Buffer.from(this.#buf.subarray(this.#start, this.#start + n));
    this.#skip(n);
    return out;
  }

  /** Moves the first bytes into target, as many as fit; returns the count. */
  takeInto(target: Uint8Array): number {
    const n = Math.min(target.length, this.length);
    target.set(this.#buf.subarray(this.#start, this.#start + n));
    this.#skip(n);
    return n;
  }

  /** Returns a copy of every byte buffered, leaving them to be read. */
  peek(): Buffer {
    return Buffer.from(this.#buf.subarray(this.#start, this.#end));
  }

  #skip(n: number): void {
    this.#start += n;
    if (this.#start === this.#end) {
      this.#start = this.#end = 0;
      // Give back the memory of a huge line once it is read.
      if (this.#buf.length > 8 * Math.max(this.size, DEFAULT_BUFFER_SIZE)) this.#buf = EMPTY;
    }
  }
}

/** Text reads: decoded chunks (joining them as they come would be quadratic). */
export class TextReader implements Reader {
  readonly #chunks: string[] = [];
  #first = 0; // index of the first chunk not yet taken
  #head = 0; // characters of that chunk already taken
  // Where the last search began: chunk #at starts #atBase characters in.
  #at = 0;
  #atBase = 0;
  length = 0;
  eof = false;
  readonly #decoder: Decoder;
  readonly #scratch: Buffer;
  readonly #below: ByteReader;
  #pendingCR = false;
  #seen = 0; // the kinds of line ending read so far (NewlineKinds bits)

  /** below: the bytes a binary layer of the same file read ahead, decoded before any receive. */
  constructor(encoding: BufferEncoding, errors: 'strict' | 'replace', size: number, readonly newline: string | null, below: ByteReader) {
    this.#decoder = makeDecoder(encoding, errors);
    this.#scratch = Buffer.allocUnsafe(size);
    this.#below = below;
  }

  /** Returns the scratch buffer the next receive fills (decoded in commit()). */
  space(): Uint8Array {
    return this.#scratch;
  }

  /** Decodes n received bytes (0: EOF, flushing the decoder) and applies the newline mode. */
  commit(n: number): void {
    this.#decode(n > 0 ? this.#scratch.subarray(0, n) : null);
  }

  /** Decodes what the binary layer holds, if anything (its EOF too): a read then needs no receive. */
  refill(): boolean {
    const below = this.#below;
    if (below.length > 0) this.#decode(below.take(below.length));
    else if (below.eof && !this.eof) this.#decode(null);
    else return false;
    return true;
  }

  /** Python's TextIOWrapper.newlines: the line endings read so far, with universal newlines; else null. */
  get newlines(): string | readonly string[] | null {
    return this.newline === null || this.newline === '' ? newlinesSeen(this.#seen) : null;
  }

  // bytes null: EOF, flushing the decoder.
  #decode(bytes: Uint8Array | null): void {
    let text = bytes === null ? this.#decoder.end() : this.#decoder.write(bytes);
    if (bytes === null) this.eof = true;
    if (this.#pendingCR) {
      text = `\r${text}`;
      this.#pendingCR = false;
    }
    if (this.newline === null || this.newline === '') {
      // Universal newlines hold back a final '\r' until it is known whether
      // '\n' follows (Python's IncrementalNewlineDecoder).
      if (bytes !== null && text.endsWith('\r')) {
        text = text.slice(0, -1);
        this.#pendingCR = true;
      }
      this.#seen = newlineKinds(text, this.#seen);
    }
    if (this.newline === null) text = text.replace(/\r\n?/g, '\n');
    if (text.length > 0) {
      this.#chunks.push(text);
      this.length += text.length;
    }
  }

  #size(i: number): number {
    return this.#chunks[i]!.length - (i === this.#first ? this.#head : 0);
  }

  #piece(i: number): string {
    return i === this.#first ? this.#chunks[i]!.slice(this.#head) : this.#chunks[i]!;
  }

  /** Returns where separator first starts at or after from and before end, or -1. */
  indexOf(separator: string, from: number, end: number): number {
    if (from < this.#atBase) {
      this.#at = this.#first;
      this.#atBase = 0;
    }
    let i = this.#at;
    let base = this.#atBase;
    while (i < this.#chunks.length && base + this.#size(i) <= from) base += this.#size(i++);
    this.#at = i;
    this.#atBase = base;
    const overlap = separator.length - 1;
    for (; i < this.#chunks.length && base < end; base += this.#size(i++)) {
      const piece = this.#piece(i);
      const offset = Math.max(0, from - base);
      const stop = Math.min(piece.length, end - base); // matches start before stop
      let window = piece.slice(offset, stop + overlap);
      // A separator may run on into the next chunks.
      for (let j = i + 1; j < this.#chunks.length && window.length < stop - offset + overlap; j++) {
        window += this.#chunks[j]!.slice(0, stop - offset + overlap - window.length);
      }
      const k = window.indexOf(separator);
      if (k >= 0 && offset + k < stop) return base + offset + k;
    }
    return -1;
  }

  /** Returns the end of the first line (by the newline mode) found at or after from, or -1. */
  lineEnd(from: number, end: number): number {
    if (this.newline !== '') {
      const terminator = this.newline ?? '\n';
      const at = this.indexOf(terminator, from, end);
      return at < 0 ? -1 : at + terminator.length;
    }
    const lf = this.indexOf('\n', from, end);
    const cr = this.indexOf('\r', from, lf < 0 ? end : lf);
    if (cr < 0) return lf < 0 ? -1 : lf + 1;
    return lf === cr + 1 ? lf + 1 : cr + 1;
  }

  /** Removes and returns the first n characters. */
  take(n: number): string {
    const parts: string[] = [];
    for (let need = n; need > 0; ) {
      const piece = this.#piece(this.#first);
      if (piece.length <= need) {
        parts.push(piece);
        need -= piece.length;
        this.#first++;
        this.#head = 0;
      } else {
        parts.push(piece.slice(0, need));
        this.#head += need;
        need = 0;
      }
    }
    this.length -= n;
    if (this.length === 0 || this.#first > this.#chunks.length / 2) {
      this.#chunks.splice(0, this.#first);
      this.#first = 0;
    }
    this.#at = this.#first;
    this.#atBase = 0;
    return parts.join('');
  }
}
