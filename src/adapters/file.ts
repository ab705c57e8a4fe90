// Python's socket.makefile(): SocketIO under a buffered reader/writer and, in
// text mode, a TextIOWrapper. Each of those layers is a SocketFile here: the
// one makefile() returns, its `buffer` (text) and `raw` (binary), all over
// one FileChannel (file-channel.ts) that holds what they share. The file
// reads and writes through the small FileSocket interface (file-socket.ts),
// so the socket's own calls apply its timeout and call order, and an
// SSLSocket can have files too.
//
// Each read is written once, as a step over the buffered data
// (file-steps.ts); the async and Sync forms differ only in how they fill.
import { EBADF } from '../core/errno.js';
import { AbortError, SocketError } from '../core/errors.js';
import { cloneGuard } from '../core/uncloneable.js';
import { checkInt, checkObject, checkWritable, signalOf, toBytes, toUint8Array, typeError, valueError, type Data, type WaitOptions } from '../core/validate.js';
import { promised } from '../io/forms.js';
import { FileChannel } from './file-channel.js';
import { checkEncoding, checkErrors, checkNewline } from './file-codec.js';
import { DEFAULT_BUFFER_SIZE, TextReader, type ByteReader, type Reader, type Step } from './file-reader.js';
import type { FileRefs, FileSocket } from './file-socket.js';
import { peekStep, read1Step, readExactlyStep, readintoStep, readlinesStep, readlineStep, readStep, readUntilStep } from './file-steps.js';

export { FileRefs, type FileSocket } from './file-socket.js';
export { IncompleteReadError } from './file-steps.js';

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

/** The failures Python reports as io.UnsupportedOperation or ValueError (closed, wrong direction): EBADF. */
function fileError(message: string, syscall: string): SocketError {
  return new SocketError(EBADF, message, syscall);
}

const FILE_CLONE_GUARD = cloneGuard("A berkeley SocketFile cannot be cloned or posted to another thread: post its socket's fd (sock.detach()) and call makefile() on the Socket made of it there.");

/** The letters of a mode: 'r', 'w', 'rw' (text) or 'rb', 'wb', 'rwb' (binary), in any order. */
function checkMode(mode: unknown): { reading: boolean; writing: boolean; binary: boolean } {
  if (typeof mode !== 'string') throw typeError('mode', 'a string', mode);
  const letters = new Set(mode);
  const reading = letters.has('r');
  const writing = letters.has('w');
  if (letters.size !== mode.length || !(reading || writing) || [...letters].some((c) => !'rwb'.includes(c))) {
    throw valueError(`The "mode" argument must be 'r', 'w', 'rw', 'rb', 'wb' or 'rwb'. Received '${mode}'`);
  }
  return { reading, writing, binary: letters.has('b') };
}

/** An async call's options, checked, and its signal refused at once if already aborted (a write: having sent 0 bytes). */
function liveSignal(options: unknown, bytesSent?: number): AbortSignal | undefined {
  const signal = signalOf(options);
  if (signal?.aborted === true) throw new AbortError(signal.reason, bytesSent);
  return signal;
}

/**
 * A file over a socket (Python's `socket.makefile()`): `T` is `string` in
 * text modes and `Buffer` in binary modes. Reads are buffered and served in
 * call order; data stays buffered across a timeout or an abort, so a read
 * may be retried. Writes are buffered until the buffer fills, `flush()` or
 * `close()`. Each async read and write takes an optional last `{ signal }`:
 * an abort rejects it with an AbortError and leaves the file usable.
 */
export class SocketFile<T extends string | Buffer = string | Buffer> {
  // structuredClone and postMessage throw a DataCloneError that says what to post instead.
  private readonly cloneGuard = FILE_CLONE_GUARD;
  readonly #channel: FileChannel;
  readonly #mode: string;
  readonly #reader: Reader | undefined;
  readonly #reading: boolean;
  readonly #writing: boolean;
  readonly #binary: boolean;
  readonly #encoding: BufferEncoding;
  readonly #encodingName: string;
  readonly #errors: 'strict' | 'replace';
  readonly #newline: string | null;
  // This layer's buffer size: 0 for the unbuffered (raw) one.
  readonly #bufsize: number;
  #detached = false;
  // The layer below (a text file's buffer, a binary file's raw), made on first use.
  #below: SocketFile<Buffer> | undefined;

  /** Made by `makefile()`: mode 'r', 'w', 'rw' (text) or 'rb', 'wb', 'rwb' (binary). */
  constructor(sock: FileSocket, mode?: string, options?: MakefileOptions, refs?: FileRefs);
  /** @internal A layer of an existing file (its buffer or raw), sharing its channel. */
  constructor(sock: FileSocket, mode: string, options: MakefileOptions, refs: undefined, channel: FileChannel);
  constructor(sock: FileSocket, mode = 'r', options: MakefileOptions = {}, refs?: FileRefs, channel?: FileChannel) {
    const { reading, writing, binary } = checkMode(mode);
    checkObject(options, 'options');
    const buffering = options.buffering ?? -1;
    this.#bufsize = checkInt(buffering, 'buffering') < 0 ? DEFAULT_BUFFER_SIZE : buffering;
    if (this.#bufsize === 0 && !binary) throw valueError('The "buffering" argument may be 0 only in binary modes (unbuffered streams must be binary)');
    this.#encoding = checkEncoding(options.encoding);
    this.#encodingName = options.encoding ?? 'utf-8';
    this.#errors = binary ? 'strict' : checkErrors(options.errors);
    this.#newline = checkNewline(options.newline);
    this.#mode = `${reading ? 'r' : ''}${writing ? 'w' : ''}${binary ? 'b' : ''}`;
    this.#reading = reading;
    this.#writing = writing;
    this.#binary = binary;
    this.#channel = channel ?? new FileChannel(sock, this.#bufsize, refs);
    const bytes = this.#channel.bytes;
    if (reading) this.#reader = binary ? bytes : new TextReader(this.#encoding, this.#errors, this.#bufsize, this.#newline, bytes);
  }

  /** The mode: 'r', 'w', 'rw', 'rb', 'wb' or 'rwb'. */
  get mode(): string {
    return this.#mode;
  }

  /** Whether the file was closed (close() of it or of another layer of it), or detached. */
  get closed(): boolean {
    return this.#detached || this.#channel.closed;
  }

  /** Python's `name`: the socket's fd, or -1 once the file is closed. */
  get name(): number {
    return this.closed ? -1 : this.#channel.sock.fileno();
  }

  /** Text modes: the encoding, as given to makefile() (default 'utf-8'); null in binary modes. */
  get encoding(): T extends string ? string : null {
    return (this.#binary ? null : this.#encodingName) as T extends string ? string : null;
  }

  /** Text modes: the decoding errors policy, 'strict' or 'replace'; null in binary modes. */
  get errors(): T extends string ? 'strict' | 'replace' : null {
    return (this.#binary ? null : this.#errors) as T extends string ? 'strict' | 'replace' : null;
  }

  /**
   * Text modes reading with universal newlines (newline null or ''): the
   * line endings read so far, as Python's (null, '\n', or several such as
   * ['\r', '\n']); null otherwise.
   */
  get newlines(): T extends string ? string | readonly string[] | null : null {
    const reader = this.#reader;
    return (reader instanceof TextReader ? reader.newlines : null) as T extends string ? string | readonly string[] | null : null;
  }

  /** Text modes: false, as Python's makefile() (no flush at each line); null in binary modes. */
  get lineBuffering(): T extends string ? boolean : null {
    return (this.#binary ? null : false) as T extends string ? boolean : null;
  }

  /**
   * Text modes: true, as a text write hands its bytes to the binary buffer
   * (`buffer`) at once (Python's TextIOWrapper keeps a chunk of its own, and
   * says false); null in binary modes.
   */
  get writeThrough(): T extends string ? boolean : null {
    return (this.#binary ? null : true) as T extends string ? boolean : null;
  }

  /** Text modes: the binary buffered file under the text (Python's `buffer`), sharing its buffers; null in binary modes. */
  get buffer(): T extends string ? SocketFile<Buffer> : null {
    return (this.#binary ? null : (this.#below ??= this.#layer(this.#bufsize))) as T extends string ? SocketFile<Buffer> : null;
  }

  /** Buffered binary modes: the unbuffered file under the buffer (Python's `raw`, the SocketIO), sharing its buffers; else null. */
  get raw(): T extends Buffer ? SocketFile<Buffer> | null : null {
    return (this.#binary && this.#bufsize > 0 ? (this.#below ??= this.#layer(0)) : null) as T extends Buffer ? SocketFile<Buffer> | null : null;
  }

  #layer(bufsize: number): SocketFile<Buffer> {
    return new SocketFile(this.#channel.sock, `${this.#reading ? 'r' : ''}${this.#writing ? 'w' : ''}b`, { buffering: bufsize }, undefined, this.#channel);
  }

  /**
   * Python's detach(): returns the layer below (a text file's `buffer`, a
   * buffered binary file's `raw`), which keeps the socket; this file is then
   * unusable. Nothing buffered is lost, but characters a text file had
   * decoded ahead of its reads (as Python's). An unbuffered file has nothing
   * below it: EBADF.
   */
  detach(): SocketFile<Buffer> {
    this.#checkOpen('detach');
    if (this.#binary && this.#bufsize === 0) throw fileError('An unbuffered file has no layer to detach', 'detach');
    const below = this.#binary ? this.raw : this.buffer;
    this.#detached = true;
    return below!;
  }

  /** The socket's fd; a closed file has none (EBADF, as Python's ValueError). */
  fileno(): number {
    this.#checkOpen('fileno');
    return this.#channel.sock.fileno();
  }

  /** Whether the file reads (its mode has 'r'); EBADF once closed. */
  readable(): boolean {
    this.#checkOpen('readable');
    return this.#reading;
  }

  /** Whether the file writes (its mode has 'w'); EBADF once closed. */
  writable(): boolean {
    this.#checkOpen('writable');
    return this.#writing;
  }

  /** false: a socket cannot seek; EBADF once closed. */
  seekable(): boolean {
    this.#checkOpen('seekable');
    return false;
  }

  /** false: a socket is no terminal; EBADF once closed. */
  isatty(): boolean {
    this.#checkOpen('isatty');
    return false;
  }

  // ---- reading -------------------------------------------------------------

  /** Reads size units (bytes or characters), fewer only at EOF (unbuffered: what one receive brings); all up to EOF when size < 0. */
  read(size = -1, options?: WaitOptions): Promise<T> {
    return this.#readAsync((r) => readStep(r, size, this.#bufsize === 0), options) as Promise<T>;
  }

  /** read() on the calling thread: blocks until size units or EOF; returns them. */
  readSync(size = -1): T {
    return this.#readSync((r) => readStep(r, size, this.#bufsize === 0)) as T;
  }

  /** One line, with its ending; at most limit units when limit >= 0; empty at EOF. */
  readline(limit = -1, options?: WaitOptions): Promise<T> {
    return this.#readAsync((r) => readlineStep(r, limit), options) as Promise<T>;
  }

  /** readline() on the calling thread: returns one line, with its ending (empty at EOF). */
  readlineSync(limit = -1): T {
    return this.#readSync((r) => readlineStep(r, limit)) as T;
  }

  /** Every line up to EOF, or until the lines so far exceed hint units (hint > 0). */
  readlines(hint = -1, options?: WaitOptions): Promise<T[]> {
    return this.#readAsync((r) => readlinesStep(r, hint), options) as Promise<T[]>;
  }

  /** readlines() on the calling thread: returns the lines up to EOF or past hint units. */
  readlinesSync(hint = -1): T[] {
    return this.#readSync((r) => readlinesStep(r, hint)) as T[];
  }

  /** Exactly n units; an early EOF rejects with IncompleteReadError holding what came. */
  readExactly(n: number, options?: WaitOptions): Promise<T> {
    return this.#readAsync((r) => readExactlyStep(r, n), options) as Promise<T>;
  }

  /** readExactly() on the calling thread: returns exactly n units or throws IncompleteReadError. */
  readExactlySync(n: number): T {
    return this.#readSync((r) => readExactlyStep(r, n)) as T;
  }

  /** Everything up to and including separator; an EOF first rejects with IncompleteReadError. */
  readUntil(separator: FileData<T>, options?: WaitOptions): Promise<T> {
    return this.#readAsync((r) => readUntilStep(r, this.#separator(separator)), options) as Promise<T>;
  }

  /** readUntil() on the calling thread: returns the data through separator or throws IncompleteReadError. */
  readUntilSync(separator: FileData<T>): T {
    return this.#readSync((r) => readUntilStep(r, this.#separator(separator))) as T;
  }

  /** Binary modes: fills buffer (unbuffered: with what one receive brings); resolves with the count, less only at EOF. */
  readinto(buffer: ArrayBufferView, options?: WaitOptions): Promise<number> {
    return this.#readAsync(() => readintoStep(this.#bytes('readinto'), toUint8Array(checkWritable(buffer)), this.#bufsize === 0), options);
  }

  /** readinto() on the calling thread. */
  readintoSync(buffer: ArrayBufferView): number {
    return this.#readSync(() => readintoStep(this.#bytes('readinto'), toUint8Array(checkWritable(buffer)), this.#bufsize === 0));
  }

  /** Binary modes: into buffer, what is buffered, or else what one receive brings; resolves with the count (0 at EOF). */
  readinto1(buffer: ArrayBufferView, options?: WaitOptions): Promise<number> {
    return this.#readAsync(() => readintoStep(this.#bytes('readinto1'), toUint8Array(checkWritable(buffer)), true), options);
  }

  /** readinto1() on the calling thread. */
  readinto1Sync(buffer: ArrayBufferView): number {
    return this.#readSync(() => readintoStep(this.#bytes('readinto1'), toUint8Array(checkWritable(buffer)), true));
  }

  /** Binary modes: what is buffered, or else what one receive brings; at most size bytes when size >= 0 (empty at EOF). */
  read1(size = -1, options?: WaitOptions): Promise<Buffer> {
    return this.#readAsync(() => read1Step(this.#bytes('read1'), size), options);
  }

  /** read1() on the calling thread. */
  read1Sync(size = -1): Buffer {
    return this.#readSync(() => read1Step(this.#bytes('read1'), size));
  }

  /** Binary modes: the bytes buffered, without reading them (one receive first if none are; as Python's, size is a hint); empty at EOF. */
  peek(size = 0, options?: WaitOptions): Promise<Buffer> {
    return this.#readAsync(() => peekStep(this.#bytes('peek'), size), options);
  }

  /** peek() on the calling thread. */
  peekSync(size = 0): Buffer {
    return this.#readSync(() => peekStep(this.#bytes('peek'), size));
  }

  /** The lines up to EOF. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (let line = await this.readline(); line.length > 0; line = await this.readline()) yield line;
  }

  /** The lines up to EOF, read with readlineSync. */
  *[Symbol.iterator](): Generator<T, void, undefined> {
    for (let line = this.readlineSync(); line.length > 0; line = this.readlineSync()) yield line;
  }

  #separator(separator: unknown): string | Uint8Array {
    if (this.#binary) return toUint8Array(toBytes(separator, 'separator'));
    if (typeof separator !== 'string') throw typeError('separator', 'a string in text mode', separator);
    return separator;
  }

  /** The buffered bytes, for the reads only binary files have. */
  #bytes(syscall: string): ByteReader {
    if (!this.#binary) throw fileError(`${syscall}() reads bytes: open the file in a binary mode ('rb')`, syscall);
    return this.#channel.bytes;
  }

  #checkOpen(syscall: string): void {
    if (this.#detached) throw fileError(this.#binary ? 'raw stream has been detached' : 'underlying buffer has been detached', syscall);
    if (this.#channel.closed) throw fileError('I/O operation on closed file', syscall);
  }

  #checkReadable(syscall: string): Reader {
    this.#checkOpen(syscall);
    if (this.#reader === undefined) throw fileError('File not open for reading', syscall);
    return this.#reader;
  }

  #readAsync<R>(make: (reader: Reader) => Step<R>, options: unknown): Promise<R> {
    return promised(() => {
      const reader = this.#checkReadable('recv');
      const step = make(reader);
      return this.#channel.read(reader, step, this.#bufsize === 0, liveSignal(options));
    });
  }

  #readSync<R>(make: (reader: Reader) => Step<R>): R {
    const reader = this.#checkReadable('recv');
    return this.#channel.readSync(reader, make(reader), this.#bufsize === 0);
  }

  // ---- writing -------------------------------------------------------------

  /**
   * Buffers data (sending when the buffer fills); resolves with the count
   * written (bytes or characters). An abort while it sends rejects with an
   * AbortError whose bytesSent counts the bytes of its send that went out
   * (the buffer's earlier bytes first); the rest of that send is dropped.
   */
  write(data: FileData<T>, options?: WaitOptions): Promise<number> {
    return promised(() => {
      const [bytes, count] = this.#encode(data, false);
      const signal = liveSignal(options, 0);
      const send = this.#channel.queue(bytes, this.#bufsize);
      if (send.length === 0) return Promise.resolve(count);
      return this.#channel.send(send, signal).then(() => count);
    });
  }

  /** write() on the calling thread: buffers data, sends what must go now, returns the count written. */
  writeSync(data: FileData<T>): number {
    const [bytes, count] = this.#encode(data, true);
    this.#channel.sendSync(this.#channel.queue(bytes, this.#bufsize));
    return count;
  }

  /** write() of each item, in order; an abort's bytesSent counts every byte this call sent. */
  async writelines(lines: Iterable<FileData<T>>, options?: WaitOptions): Promise<void> {
    const signal = liveSignal(options, 0);
    let sent = 0;
    for (const line of lines) {
      const [bytes] = this.#encode(line, false);
      const send = this.#channel.queue(bytes, this.#bufsize);
      if (send.length === 0) continue;
      try {
        sent += await this.#channel.send(send, signal);
      } catch (error) {
        if (error instanceof AbortError) error.bytesSent = sent + (error.bytesSent ?? 0);
        throw error;
      }
    }
  }

  /** writeSync() of each item, in order. */
  writelinesSync(lines: Iterable<FileData<T>>): void {
    for (const line of lines) this.writeSync(line);
  }

  /**
   * Sends what is buffered; resolves once every earlier write is sent. An
   * abort rejects with an AbortError whose bytesSent counts the buffered
   * bytes that went out; the rest is dropped.
   */
  flush(options?: WaitOptions): Promise<void> {
    return promised(() => {
      this.#checkWritable('send', false);
      const signal = liveSignal(options, 0);
      return this.#channel.send(this.#channel.drain(), signal).then(() => undefined);
    });
  }

  /** flush() on the calling thread: returns once the buffered bytes are sent. */
  flushSync(): void {
    this.#checkWritable('send', true);
    this.#channel.sendSync(this.#channel.drain());
  }

  #checkWritable(syscall: string, sync: boolean): void {
    this.#checkOpen(syscall);
    if (!this.#writing) throw fileError('File not open for writing', syscall);
    if (sync && this.#channel.sending) throw new Error('A …Sync write cannot run while async writes of the same file are pending');
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

  // ---- closing ---------------------------------------------------------------

  /**
   * Flushes, then closes the file and its other layers (idempotent; a
   * detached file has nothing to close); the socket's fd closes once the
   * socket and all its files are closed.
   */
  close(): Promise<void> {
    return this.#detached ? Promise.resolve() : this.#channel.close();
  }

  /** close() on the calling thread: flushes, then closes the file (idempotent). */
  closeSync(): void {
    if (!this.#detached) this.#channel.closeSync();
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
