// Python's socket.makefile(): SocketIO under a buffered reader/writer and, in
// text mode, a TextIOWrapper, here as one SocketFile. It reads and writes
// through the small FileSocket interface (file-socket.ts), so the socket's
// own calls apply its timeout and call order, and an SSLSocket can have
// files too.
//
// Each read is written once, as a step over the buffered data (file-reader.ts)
// that returns its result or asks for one more fill; the async and Sync forms
// differ only in how they fill.
import { EBADF } from '../core/errno.js';
import { cloneGuard } from '../core/uncloneable.js';
import { SocketError } from '../core/errors.js';
import { checkInt, checkSize, toBytes, toUint8Array, typeError, valueError, type Data } from '../core/validate.js';
import { checkEncoding, checkErrors, checkNewline } from './file-codec.js';
import { ByteReader, DEFAULT_BUFFER_SIZE, MORE, More, READ_ALL, TextReader, type Reader, type Step } from './file-reader.js';
import type { FileRefs, FileSocket } from './file-socket.js';

export { FileRefs, type FileSocket } from './file-socket.js';

/** makefile()'s options (Python's buffering, encoding, errors and newline). */
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

function fileError(message: string, syscall: string): SocketError {
  return new SocketError(EBADF, message, syscall);
}

const FILE_CLONE_GUARD = cloneGuard("A berkeley SocketFile cannot be cloned or posted to another thread: post its socket's fd (sock.detach()) and call makefile() on the Socket made of it there.");

/** makefile()'s options must be an object (JavaScript callers may pass anything). */
function checkOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) throw typeError('options', 'an object', options);
}

/**
 * A file over a socket (Python's `socket.makefile()`): `T` is `string` in
 * text modes and `Buffer` in binary modes. Reads are buffered and served in
 * call order; data stays buffered across a timeout, so a read may be
 * retried. Writes are buffered until the buffer fills, `flush()` or
 * `close()`.
 */
export class SocketFile<T extends string | Buffer = string | Buffer> {
  // structuredClone and postMessage throw a DataCloneError that says what to post instead.
  private readonly cloneGuard = FILE_CLONE_GUARD;
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
    checkOptions(options);
    const letters = new Set(mode);
    const reading = letters.has('r');
    const writing = letters.has('w');
    if (letters.size !== mode.length || !(reading || writing) || [...letters].some((c) => !'rwb'.includes(c))) {
      throw valueError(`The "mode" argument must be 'r', 'w', 'rw', 'rb', 'wb' or 'rwb'. Received '${mode}'`);
    }
    this.#binary = letters.has('b');
    this.#mode = `${reading ? 'r' : ''}${writing ? 'w' : ''}${this.#binary ? 'b' : ''}`;
    const buffering = options.buffering ?? -1;
    this.#bufsize = checkInt(buffering, 'buffering') < 0 ? DEFAULT_BUFFER_SIZE : buffering;
    if (this.#bufsize === 0 && !this.#binary) throw valueError('The "buffering" argument may be 0 only in binary modes (unbuffered streams must be binary)');
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

  /** Whether close() or closeSync() was called. */
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

  /** read() on the calling thread: blocks until size units or EOF; returns them. */
  readSync(size = -1): T {
    return this.#readSync(() => this.#readStep(size));
  }

  /** One line, with its ending; at most limit units when limit >= 0; empty at EOF. */
  readline(limit = -1): Promise<T> {
    return this.#readAsync(() => this.#readlineStep(limit));
  }

  /** readline() on the calling thread: returns one line, with its ending (empty at EOF). */
  readlineSync(limit = -1): T {
    return this.#readSync(() => this.#readlineStep(limit));
  }

  /** Every line up to EOF, or until the lines so far exceed hint units (hint > 0). */
  readlines(hint = -1): Promise<T[]> {
    return this.#readAsync(() => this.#readlinesStep(hint));
  }

  /** readlines() on the calling thread: returns the lines up to EOF or past hint units. */
  readlinesSync(hint = -1): T[] {
    return this.#readSync(() => this.#readlinesStep(hint));
  }

  /** Exactly n units; an early EOF rejects with IncompleteReadError holding what came. */
  readExactly(n: number): Promise<T> {
    return this.#readAsync(() => this.#readExactlyStep(n));
  }

  /** readExactly() on the calling thread: returns exactly n units or throws IncompleteReadError. */
  readExactlySync(n: number): T {
    return this.#readSync(() => this.#readExactlyStep(n));
  }

  /** Everything up to and including separator; an EOF first rejects with IncompleteReadError. */
  readUntil(separator: FileData<T>): Promise<T> {
    return this.#readAsync(() => this.#readUntilStep(separator));
  }

  /** readUntil() on the calling thread: returns the data through separator or throws IncompleteReadError. */
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
    if (sep.length === 0) throw valueError('The "separator" argument must not be empty');
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
    const settled = (): void => {
      this.#readsPending--;
    };
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

  /** write() on the calling thread: buffers data, sends what must go now, returns the count written. */
  writeSync(data: FileData<T>): number {
    const [bytes, count] = this.#encode(data, true);
    this.#sendSync(this.#queue(bytes));
    return count;
  }

  /** write() of each item, in order. */
  async writelines(lines: Iterable<FileData<T>>): Promise<void> {
    for (const line of lines) await this.write(line);
  }

  /** writeSync() of each item, in order. */
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

  /** flush() on the calling thread: returns once the buffered bytes are sent. */
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

  /** close() on the calling thread: flushes, then closes the file (idempotent). */
  closeSync(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#sendSync(this.#drain());
    } finally {
      this.#refs?.release();
    }
  }

  /** `await using`: close(). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** `using`: closeSync(). */
  [Symbol.dispose](): void {
    this.closeSync();
  }
}
