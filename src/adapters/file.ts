// Python's socket.makefile(): SocketIO under a buffered reader/writer and, in
// text mode, a TextIOWrapper, here as one SocketFile. It reads and writes
// through the small FileSocket interface, so the socket's own calls apply
// its timeout and call order, and an SSLSocket can have files too.
//
// Each read is written once, as a step over the buffered data that returns
// its result or asks for one more fill; the async and Sync forms differ only
// in how they fill. Buffers grow by doubling and each step scans only what
// arrived since its last look, so a read costs O(n) however the bytes come.
import { StringDecoder } from 'node:string_decoder';
import { EBADF } from '../core/errno.js';
import { SocketError } from '../core/errors.js';
import { checkInt, checkSize, toBytes, toUint8Array, typeError, type Data } from '../core/validate.js';

/**
 * What a SocketFile needs from its socket. `Socket` has it; any stream
 * socket (an SSLSocket) can provide it and make files with
 * `new SocketFile(sock, mode, options, refs)`. The socket's timeout applies
 * to each of these calls. Without the `…Sync` calls, the file's `…Sync`
 * forms throw TypeError.
 */
export interface FileSocket {
  /** Receives into `buffer` (all of it may be used); resolves with the count, 0 at EOF. */
  recvInto(buffer: Uint8Array): Promise<number>;
  recvIntoSync?(buffer: Uint8Array): number;
  /** Sends every byte or fails; concurrent calls are sent in call order. */
  sendall(data: Uint8Array): Promise<void>;
  sendallSync?(data: Uint8Array): void;
  /** The fd (for selectors), -1 once closed. */
  fileno(): number;
}

/**
 * Python's `socket._io_refs`: the fd closes only when the socket and every
 * file made from it are closed. The socket passes this to its files and
 * asks `deferClose()` first thing in its close().
 */
export class FileRefs {
  #open = 0;
  #closing = false;
  readonly #closeSocket: () => void;

  /** `closeSocket` is the socket's close(), called again when the last file closes. */
  constructor(closeSocket: () => void) {
    this.#closeSocket = closeSocket;
  }

  acquire(): void {
    this.#open++;
  }

  release(): void {
    if (--this.#open === 0 && this.#closing) this.#closeSocket();
  }

  /** For the socket's close(): true while files are open (the close then waits for them). */
  deferClose(): boolean {
    this.#closing = true;
    return this.#open > 0;
  }

  /** Whether the socket's close() was called. */
  get closing(): boolean {
    return this.#closing;
  }
}

export interface MakefileOptions {
  /** Text modes: the encoding (utf-8, utf-16-le, latin-1, ascii); default UTF-8. */
  encoding?: string | null;
  /**
   * Text modes, as Python's: null (default) reads '\n', '\r' and '\r\n' as
   * '\n'; '' splits lines at any of them, untranslated; '\n', '\r' or '\r\n'
   * ends lines with that alone, and writes '\n' as it.
   */
  newline?: string | null;
  /** Buffer size in bytes: -1 or null for 8192; 0 for unbuffered (binary only: no read-ahead, writes sent at once). */
  buffering?: number | null;
  /**
   * Text modes, as Python's: 'strict' (default) fails a read on bytes the
   * encoding cannot decode (a TypeError, code ERR_ENCODING_INVALID_ENCODED_DATA,
   * as Node's TextDecoder); 'replace' reads them as U+FFFD.
   */
  errors?: 'strict' | 'replace' | null;
}

/** Data a file's write takes: strings in text mode, bytes (or UTF-8 strings) in binary mode. */
export type FileData<T> = T extends Buffer ? Data : string;

/** An early EOF in readExactly/readUntil (asyncio's IncompleteReadError): `partial` holds what was read. */
export class IncompleteReadError<T extends string | Buffer = string | Buffer> extends Error {
  constructor(
    readonly partial: T,
    /** The size asked for; null for readUntil. */
    readonly expected: number | null,
  ) {
    super(`EOF after ${partial.length} ${typeof partial === 'string' ? 'characters' : 'bytes'}, ${expected === null ? 'before the separator' : `of ${expected} expected`}`);
  }

  override get name(): string {
    return 'IncompleteReadError';
  }
}

const DEFAULT_BUFFER_SIZE = 8192; // Python's io.DEFAULT_BUFFER_SIZE
const READ_ALL_CHUNK = 65536;
// The most a read reserves ahead of the data (read(2 ** 31 - 1) must not
// allocate 2 GiB up front); beyond it the buffer doubles as data comes.
const MAX_RESERVE = 1 << 20;
const ENCODINGS: Readonly<Record<string, BufferEncoding>> = {
  utf8: 'utf8',
  utf16le: 'utf16le',
  ucs2: 'utf16le',
  latin1: 'latin1',
  iso88591: 'latin1',
  binary: 'latin1',
  ascii: 'ascii',
};
const NEWLINES = new Set(['', '\n', '\r', '\r\n']);

/** A step asking for one more fill, of at least `want` bytes where it helps. */
class More {
  constructor(readonly want = 1) {}
}
const MORE = new More();
const READ_ALL = new More(READ_ALL_CHUNK);
type Step<R> = () => R | More;

/** The read side's buffered data, in bytes or characters. */
interface Reader {
  readonly length: number;
  /** Set once the socket returned EOF. */
  readonly eof: boolean;
  /** Memory for the next receive. */
  space(want: number): Uint8Array;
  /** Takes in the count received into space() (0: EOF). */
  commit(n: number): void;
  /** Where separator first starts at or after from and before end, or -1. */
  indexOf(separator: string | Uint8Array, from: number, end: number): number;
  /** Where the first line ending at or after from (starting before end) ends, or -1. */
  lineEnd(from: number, end: number): number;
  /** Removes and returns the first n units. */
  take(n: number): string | Buffer;
}

/** Binary reads: one buffer, compacted or doubled as needed. */
class ByteReader implements Reader {
  #buf: Buffer;
  #start = 0;
  #end = 0;
  eof = false;

  /** size: how far to read ahead (0: only what a read asks for). */
  constructor(readonly size: number) {
    this.#buf = Buffer.allocUnsafe(Math.max(size, 1));
  }

  get length(): number {
    return this.#end - this.#start;
  }

  space(want: number): Uint8Array {
    const need = Math.max(Math.min(want, MAX_RESERVE), 1);
    if (this.#buf.length - this.#end < need) this.#makeRoom(need);
    return this.#buf.subarray(this.#end, this.size > 0 ? this.#buf.length : this.#end + need);
  }

  // Compacting moves at most as many bytes as were taken since the last
  // move; otherwise the buffer doubles. Either way O(1) per byte.
  #makeRoom(need: number): void {
    const live = this.length;
    if (this.#start >= live && live + need <= this.#buf.length) {
      this.#buf.copyWithin(0, this.#start, this.#end);
    } else {
      const bigger = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, live + need));
      bigger.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = bigger;
    }
    this.#start = 0;
    this.#end = live;
  }

  commit(n: number): void {
    if (n === 0) this.eof = true;
    this.#end += n;
  }

  indexOf(separator: string | Uint8Array | number, from: number, end: number): number {
    const span = typeof separator === 'number' ? 1 : Buffer.byteLength(separator);
    const stop = this.#start + Math.min(this.length, end + span - 1);
    return this.#buf.subarray(this.#start, stop).indexOf(separator, from);
  }

  lineEnd(from: number, end: number): number {
    const at = this.indexOf(0x0a, from, end);
    return at < 0 ? -1 : at + 1;
  }

  take(n: number): Buffer {
    const out = Buffer.from(this.#buf.subarray(this.#start, this.#start + n));
    this.#start += n;
    if (this.#start === this.#end) {
      this.#start = this.#end = 0;
      // Give back the memory of a huge line once it is read.
      if (this.#buf.length > 8 * Math.max(this.size, DEFAULT_BUFFER_SIZE)) this.#buf = Buffer.allocUnsafe(Math.max(this.size, 1));
    }
    return out;
  }
}

/** Decodes a byte stream piece by piece: a sequence split across pieces is kept for the next. */
interface Decoder {
  write(bytes: Uint8Array): string;
  end(): string;
}

function invalidData(encoding: string): TypeError {
  return Object.assign(new TypeError(`The encoded data was not valid for encoding ${encoding}`), { code: 'ERR_ENCODING_INVALID_ENCODED_DATA' });
}

/** The decoder for an encoding and Python's errors= policy. */
function makeDecoder(encoding: BufferEncoding, errors: 'strict' | 'replace'): Decoder {
  if (encoding === 'ascii') {
    // Node's 'ascii' drops the high bit; Python's fails or replaces the byte.
    const latin1 = new StringDecoder('latin1');
    return {
      write: (bytes) => {
        if (!bytes.some((b) => b > 0x7f)) return latin1.write(bytes as Buffer);
        if (errors === 'strict') throw invalidData('ascii');
        return latin1.write(bytes as Buffer).replace(/[\x80-\xff]/g, '\ufffd');
      },
      end: () => '',
    };
  }
  if (errors === 'replace' || encoding === 'latin1') return new StringDecoder(encoding);
  const fatal = new TextDecoder(encoding === 'utf16le' ? 'utf-16le' : 'utf-8', { fatal: true, ignoreBOM: true });
  return { write: (bytes) => fatal.decode(bytes, { stream: true }), end: () => fatal.decode() };
}

/** Text reads: decoded chunks (joining them as they come would be quadratic). */
class TextReader implements Reader {
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
  #pendingCR = false;

  constructor(encoding: BufferEncoding, errors: 'strict' | 'replace', size: number, readonly newline: string | null) {
    this.#decoder = makeDecoder(encoding, errors);
    this.#scratch = Buffer.allocUnsafe(size);
  }

  space(): Uint8Array {
    return this.#scratch;
  }

  commit(n: number): void {
    let text = n > 0 ? this.#decoder.write(this.#scratch.subarray(0, n)) : this.#decoder.end();
    if (n === 0) this.eof = true;
    if (this.#pendingCR) {
      text = `\r${text}`;
      this.#pendingCR = false;
    }
    // Universal newlines hold back a final '\r' until it is known whether
    // '\n' follows (Python's IncrementalNewlineDecoder).
    if (n > 0 && (this.newline === null || this.newline === '') && text.endsWith('\r')) {
      text = text.slice(0, -1);
      this.#pendingCR = true;
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

function fileError(message: string, syscall: string): SocketError {
  return new SocketError(EBADF, message, syscall);
}

function checkErrors(value: unknown): 'strict' | 'replace' {
  if (value === undefined || value === null) return 'strict';
  if (value === 'strict' || value === 'replace') return value;
  if (typeof value !== 'string') throw typeError('errors', "'strict', 'replace' or null", value);
  throw new RangeError(`The "errors" argument must be 'strict' or 'replace'. Received '${value}'`);
}

function checkEncoding(value: unknown): BufferEncoding {
  if (value === undefined || value === null) return 'utf8';
  if (typeof value !== 'string') throw typeError('encoding', 'a string or null', value);
  const encoding = ENCODINGS[value.toLowerCase().replace(/[-_]/g, '')];
  if (encoding === undefined) throw new RangeError(`The "encoding" argument must be one of utf-8, utf-16-le, latin-1, ascii. Received '${value}'`);
  return encoding;
}

function checkNewline(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw typeError('newline', 'a string or null', value);
  if (!NEWLINES.has(value)) throw new RangeError(`The "newline" argument must be null, '', '\\n', '\\r' or '\\r\\n'. Received ${JSON.stringify(value)}`);
  return value;
}

/**
 * A file over a socket (Python's `socket.makefile()`): `T` is `string` in
 * text modes and `Buffer` in binary modes. Reads are buffered and served in
 * call order; data stays buffered across a timeout, so a read may be
 * retried. Writes are buffered until the buffer fills, `flush()` or
 * `close()`.
 */
export class SocketFile<T extends string | Buffer = string | Buffer> {
  readonly #sock: FileSocket;
  readonly #refs: FileRefs | undefined;
  readonly #mode: string;
  readonly #reader: Reader | undefined;
  readonly #writing: boolean;
  readonly #binary: boolean;
  readonly #encoding: BufferEncoding;
  readonly #newline: string | null;
  readonly #bufsize: number;
  #closed = false;
  // Async reads queue here; Sync reads refuse to run while any is pending.
  #reads: Promise<unknown> = Promise.resolve();
  #readsPending = 0;
  #out: Buffer | undefined;
  #outLength = 0;
  // The last async send: once it settles, every earlier one has.
  #sending: Promise<unknown> | undefined;

  /** Made by `makefile()`: mode 'r', 'w', 'rw' (text) or 'rb', 'wb', 'rwb' (binary). */
  constructor(sock: FileSocket, mode = 'r', options: MakefileOptions = {}, refs?: FileRefs) {
    if (typeof mode !== 'string') throw typeError('mode', 'a string', mode);
    if (typeof options !== 'object' || options === null) throw typeError('options', 'an object', options);
    const letters = new Set(mode);
    const reading = letters.has('r');
    const writing = letters.has('w');
    if (letters.size !== mode.length || !(reading || writing) || [...letters].some((c) => !'rwb'.includes(c))) {
      throw new RangeError(`The "mode" argument must be 'r', 'w', 'rw', 'rb', 'wb' or 'rwb'. Received '${mode}'`);
    }
    this.#binary = letters.has('b');
    this.#mode = `${reading ? 'r' : ''}${writing ? 'w' : ''}${this.#binary ? 'b' : ''}`;
    const buffering = options.buffering ?? -1;
    this.#bufsize = checkInt(buffering, 'buffering') < 0 ? DEFAULT_BUFFER_SIZE : buffering;
    if (this.#bufsize === 0 && !this.#binary) throw new RangeError('The "buffering" argument may be 0 only in binary modes (unbuffered streams must be binary)');
    this.#encoding = checkEncoding(options.encoding);
    this.#newline = checkNewline(options.newline);
    this.#sock = sock;
    this.#writing = writing;
    if (reading) this.#reader = this.#binary ? new ByteReader(this.#bufsize) : new TextReader(this.#encoding, checkErrors(options.errors), this.#bufsize, this.#newline);
    this.#refs = refs;
    refs?.acquire();
  }

  /** The mode: 'r', 'w', 'rw', 'rb', 'wb' or 'rwb'. */
  get mode(): string {
    return this.#mode;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The socket's fd; a closed file has none (EBADF, as Python's ValueError). */
  fileno(): number {
    if (this.#closed) throw fileError('I/O operation on closed file', 'fileno');
    return this.#sock.fileno();
  }

  // ---- reading -------------------------------------------------------------

  /** Reads size units (bytes or characters), fewer only at EOF (unbuffered: what one receive brings); all up to EOF when size < 0. */
  read(size = -1): Promise<T> {
    return this.#readAsync(() => this.#readStep(size));
  }

  readSync(size = -1): T {
    return this.#readSync(() => this.#readStep(size));
  }

  /** One line, with its ending; at most limit units when limit >= 0; empty at EOF. */
  readline(limit = -1): Promise<T> {
    return this.#readAsync(() => this.#readlineStep(limit));
  }

  readlineSync(limit = -1): T {
    return this.#readSync(() => this.#readlineStep(limit));
  }

  /** Every line up to EOF, or until the lines so far exceed hint units (hint > 0). */
  readlines(hint = -1): Promise<T[]> {
    return this.#readAsync(() => this.#readlinesStep(hint));
  }

  readlinesSync(hint = -1): T[] {
    return this.#readSync(() => this.#readlinesStep(hint));
  }

  /** Exactly n units; an early EOF rejects with IncompleteReadError holding what came. */
  readExactly(n: number): Promise<T> {
    return this.#readAsync(() => this.#readExactlyStep(n));
  }

  readExactlySync(n: number): T {
    return this.#readSync(() => this.#readExactlyStep(n));
  }

  /** Everything up to and including separator; an EOF first rejects with IncompleteReadError. */
  readUntil(separator: FileData<T>): Promise<T> {
    return this.#readAsync(() => this.#readUntilStep(separator));
  }

  readUntilSync(separator: FileData<T>): T {
    return this.#readSync(() => this.#readUntilStep(separator));
  }

  /** The lines up to EOF. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (let line = await this.readline(); line.length > 0; line = await this.readline()) yield line;
  }

  /** The lines up to EOF, read with readlineSync. */
  *[Symbol.iterator](): Generator<T, void, undefined> {
    for (let line = this.readlineSync(); line.length > 0; line = this.readlineSync()) yield line;
  }

  #readStep(size: number): Step<T> {
    const n = checkInt(size, 'size');
    const r = this.#reader!;
    if (n < 0) return () => (r.eof ? (r.take(r.length) as T) : READ_ALL);
    // Unbuffered (Python's raw SocketIO.read): what one receive brings, up to n.
    const enough = this.#bufsize === 0 ? (): boolean => r.length > 0 || n === 0 : (): boolean => r.length >= n;
    return () => (enough() || r.eof ? (r.take(Math.min(n, r.length)) as T) : new More(n - r.length));
  }

  #readlineStep(limit: number): Step<T> {
    checkInt(limit, 'limit');
    const r = this.#reader!;
    let from = 0;
    return () => {
      const end = limit < 0 ? r.length : Math.min(r.length, limit);
      const found = r.lineEnd(from, end);
      if (found >= 0) return r.take(limit < 0 ? found : Math.min(found, limit)) as T;
      if (end === limit || r.eof) return r.take(end) as T;
      from = Math.max(0, r.length - 1); // a '\r\n' may straddle
      return MORE;
    };
  }

  #readlinesStep(hint: number): Step<T[]> {
    checkInt(hint, 'hint');
    const lines: T[] = [];
    let total = 0;
    let step = this.#readlineStep(-1);
    return () => {
      for (;;) {
        const line = step();
        if (line instanceof More) return line;
        if (line.length === 0) return lines;
        lines.push(line);
        total += line.length;
        // Python's rule: stop once the lines so far exceed hint.
        if (hint > 0 && total > hint) return lines;
        step = this.#readlineStep(-1);
      }
    };
  }

  #readExactlyStep(size: number): Step<T> {
    const n = checkSize(size, 'n');
    const r = this.#reader!;
    return () => {
      if (r.length >= n) return r.take(n) as T;
      if (r.eof) throw new IncompleteReadError(r.take(r.length) as T, n);
      return new More(n - r.length);
    };
  }

  #readUntilStep(separator: FileData<T>): Step<T> {
    let sep: string | Uint8Array;
    if (this.#binary) sep = toUint8Array(toBytes(separator, 'separator'));
    else if (typeof separator === 'string') sep = separator;
    else throw typeError('separator', 'a string in text mode', separator);
    if (sep.length === 0) throw new RangeError('The "separator" argument must not be empty');
    const r = this.#reader!;
    let from = 0;
    return () => {
      const at = r.indexOf(sep, from, r.length);
      if (at >= 0) return r.take(at + sep.length) as T;
      if (r.eof) throw new IncompleteReadError(r.take(r.length) as T, null);
      from = Math.max(0, r.length - sep.length + 1);
      return MORE;
    };
  }

  #checkReadable(syscall: string): void {
    if (this.#closed) throw fileError('I/O operation on closed file', syscall);
    if (this.#reader === undefined) throw fileError('File not open for reading', syscall);
  }

  #readAsync<R>(make: () => Step<R>): Promise<R> {
    let step: Step<R>;
    try {
      this.#checkReadable('recv');
      step = make();
    } catch (error) {
      return Promise.reject(error);
    }
    const reader = this.#reader!;
    const run = async (): Promise<R> => {
      for (let result = step(); ; result = step()) {
        if (!(result instanceof More)) return result;
        reader.commit(await this.#sock.recvInto(reader.space(result.want)));
      }
    };
    const result = this.#reads.then(run);
    this.#readsPending++;
    const settled = (): void => void this.#readsPending--;
    this.#reads = result.then(settled, settled);
    return result;
  }

  #readSync<R>(make: () => Step<R>): R {
    this.#checkReadable('recv');
    const step = make();
    if (this.#readsPending > 0) throw new Error('A …Sync read cannot run while async reads of the same file are pending');
    const sock = this.#sock;
    if (sock.recvIntoSync === undefined) throw new TypeError('This file\'s socket has no blocking (…Sync) calls');
    const reader = this.#reader!;
    for (let result = step(); ; result = step()) {
      if (!(result instanceof More)) return result;
      reader.commit(sock.recvIntoSync(reader.space(result.want)));
    }
  }

  // ---- writing -------------------------------------------------------------

  /** Buffers data (sending when the buffer fills); resolves with the count written (bytes or characters). */
  write(data: FileData<T>): Promise<number> {
    try {
      const [bytes, count] = this.#encode(data, false);
      const send = this.#queue(bytes);
      return send.length === 0 ? Promise.resolve(count) : this.#sendAsync(send).then(() => count);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  writeSync(data: FileData<T>): number {
    const [bytes, count] = this.#encode(data, true);
    this.#sendSync(this.#queue(bytes));
    return count;
  }

  /** write() of each item, in order. */
  async writelines(lines: Iterable<FileData<T>>): Promise<void> {
    for (const line of lines) await this.write(line);
  }

  writelinesSync(lines: Iterable<FileData<T>>): void {
    for (const line of lines) this.writeSync(line);
  }

  /** Sends what is buffered; resolves once every earlier write is sent. */
  flush(): Promise<void> {
    try {
      this.#checkWritable('send', false);
      return this.#sendAsync(this.#drain());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  flushSync(): void {
    this.#checkWritable('send', true);
    this.#sendSync(this.#drain());
  }

  #checkWritable(syscall: string, sync: boolean): void {
    if (this.#closed) throw fileError('I/O operation on closed file', syscall);
    if (!this.#writing) throw fileError('File not open for writing', syscall);
    if (sync && this.#sending !== undefined) throw new Error('A …Sync write cannot run while async writes of the same file are pending');
  }

  #encode(data: unknown, sync: boolean): [Uint8Array, number] {
    this.#checkWritable('send', sync);
    if (this.#binary) {
      const bytes = toUint8Array(toBytes(data));
      return [bytes, bytes.length];
    }
    if (typeof data !== 'string') throw typeError('data', 'a string in text mode', data);
    const text = this.#newline === '\r' || this.#newline === '\r\n' ? data.replaceAll('\n', this.#newline) : data;
    return [Buffer.from(text, this.#encoding), data.length];
  }

  /** Buffers bytes as Python's BufferedWriter; returns what must be sent now, in order. */
  #queue(bytes: Uint8Array): Uint8Array[] {
    if (this.#outLength + bytes.length <= this.#bufsize) {
      this.#out ??= Buffer.allocUnsafe(this.#bufsize);
      this.#out.set(bytes, this.#outLength);
      this.#outLength += bytes.length;
      return [];
    }
    const send = this.#drain();
    if (bytes.length >= this.#bufsize) send.push(bytes);
    else this.#queue(bytes);
    return send;
  }

  /** Hands over the buffered bytes (a fresh buffer takes the next writes). */
  #drain(): Uint8Array[] {
    if (this.#outLength === 0) return [];
    const out = this.#out!.subarray(0, this.#outLength);
    this.#out = undefined;
    this.#outLength = 0;
    return [out];
  }

  #sendAsync(chunks: Uint8Array[]): Promise<void> {
    if (chunks.length > 0) {
      const sent = Promise.all(chunks.map((chunk) => this.#sock.sendall(chunk)));
      this.#sending = sent;
      const settled = (): void => {
        if (this.#sending === sent) this.#sending = undefined;
      };
      sent.then(settled, settled);
    }
    return (this.#sending ?? Promise.resolve()).then(() => undefined);
  }

  #sendSync(chunks: Uint8Array[]): void {
    if (chunks.length === 0) return;
    const sock = this.#sock;
    if (sock.sendallSync === undefined) throw new TypeError('This file\'s socket has no blocking (…Sync) calls');
    for (const chunk of chunks) sock.sendallSync(chunk);
  }

  // ---- closing ---------------------------------------------------------------

  /** Flushes, then closes the file (idempotent); the socket's fd closes once the socket and all its files are closed. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    const closing = this.#sendAsync(this.#drain()).finally(() => this.#refs?.release());
    // Python's close() is often called without waiting for it: a failed final
    // flush then must not end the process; an awaiting caller still gets it.
    closing.catch(() => undefined);
    return closing;
  }

  closeSync(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#sendSync(this.#drain());
    } finally {
      this.#refs?.release();
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  [Symbol.dispose](): void {
    this.closeSync();
  }
}
