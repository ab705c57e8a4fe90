// SSLSocket (Python's ssl.SSLSocket): Node's tls.TLSSocket running over a
// RecordTransport of a connected berkeley Socket. The transport waits
// without a deadline; each of the SSLSocket's own calls is a call of the
// call helper on the engine's progress (progress.ts), with the socket's
// timeout, so a timed-out recv leaves the connection usable.
import type { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { inspect } from 'node:util';
import type { SocketAddress } from '../socket/address.js';
import { inputEnded, TLS_ERROR_EVENT, tlsVerifyError } from '../core/node-internals.js';
import { SHUT_RD, SHUT_RDWR, SHUT_WR, SOCK_STREAM } from '../core/constants.js';
import { EAGAIN } from '../core/errno.js';
import { AbortError, closedError, type SocketError } from '../core/errors.js';
import { cloneGuard } from '../core/uncloneable.js';
import { chunks } from '../adapters/chunks.js';
import { FileRefs, SocketFile, type MakefileOptions } from '../adapters/file.js';
import { start } from '../io/blocking.js';
import { call } from '../io/call.js';
import { READ, WRITE } from '../io/waiters.js';
import { fileRange, readAndSend, type FileLike } from '../socket/sendfile.js';
import { Socket, type Data } from '../socket/socket.js';
import { checkBoolean, checkInt, checkSize, checkTimeout, checkIntoLength, checkWritable, signalOf, toBytes, typeError, valueError, withCode, type WaitOptions } from '../core/validate.js';
import type { PeerCertificate } from './certificate.js';
import { CERT_NONE, CERT_REQUIRED } from './constants.js';
import { checkNoFlags, toBuffer } from './args.js';
import { cipherInfo, peerCertificate, type CipherInfo } from './info.js';
import type { SSLContext } from './context.js';
import type { HandshakeSpec } from './settings.js';
import { eofError, hostnameMismatch, toSSLError, verificationError, wantReadError, wantWriteError } from './errors.js';
import { TLSProgress } from './progress.js';
import { openTLS, RecordTransport } from './transport.js';

export type { CipherInfo } from './info.js';

const internal = Symbol('SSLSocket');
const CLONE_GUARD = cloneGuard('A berkeley SSLSocket cannot be cloned or posted to another thread: its TLS session belongs to this one. Post the fd of the plain Socket before wrapping it (sock.detach()), and wrap it there; or unwrap() this one first.');

/** A write in progress: handed to the TLS stream once, done when its callback came. */
class PendingWrite {
  started = false;
  done = false;
  error: Error | null | undefined;

  constructor(
    readonly socket: SSLSocket,
    readonly bytes: Buffer,
    readonly syscall: string,
  ) {}

  /** An aborted call's bytesSent: what was handed to the TLS stream, which still sends it. */
  get sent(): number {
    return this.started ? this.bytes.length : 0;
  }
}
let runHandshake: (socket: SSLSocket, signal: AbortSignal | undefined) => Promise<SSLSocket>;

/**
 * A TLS connection over a berkeley Socket (Python's `ssl.SSLSocket`), made by
 * `SSLContext.wrapSocket()`. Its I/O calls are the Socket's, in async form;
 * the socket belongs to it until `unwrap()` gives it back.
 */
export class SSLSocket {
  /** The context the socket was made with. */
  readonly context: SSLContext;
  /** Whether this is the server side of the connection. */
  readonly serverSide: boolean;
  /** The host name the server was checked against (client side), or null. */
  readonly serverHostname: string | null;
  private readonly cloneGuard = CLONE_GUARD; // structuredClone, postMessage: a DataCloneError saying what to post
  readonly #socket: Socket;
  readonly #transport: RecordTransport;
  readonly #tls: tls.TLSSocket;
  readonly #spec: HandshakeSpec;
  #timeout: number | null;
  #error: SocketError | null = null;
  #closed = false;
  // Node hands the peer's certificate out once, so it is taken at the handshake.
  #peerCertificate: X509Certificate | undefined;
  readonly #progress = new TLSProgress(() => (this.#closed ? -1 : this.#socket.fileno()), this);
  readonly #files = new FileRefs(() => this.close());

  /** @internal SSLContext.wrapSocket() makes SSLSockets. */
  constructor(token: typeof internal, context: SSLContext, socket: Socket, spec: HandshakeSpec, timeout: number | null) {
    if (token !== internal) throw withCode(new TypeError('SSLSocket does not have a public constructor; use SSLContext.wrapSocket()'), 'ERR_ILLEGAL_CONSTRUCTOR');
    this.context = context;
    this.serverSide = spec.serverSide;
    this.serverHostname = spec.serverHostname;
    this.#socket = socket;
    this.#spec = spec;
    this.#timeout = timeout;
    this.#transport = new RecordTransport(socket, () => inputEnded(this.#tls));
    this.#tls = openTLS(this.#transport, spec);
    const wake = (): void => this.#progress.wake();
    for (const event of ['readable', 'end', 'close', 'finish']) this.#tls.on(event, wake);
    // A server-side socket outside a tls.Server reports errors as '_tlsError' only.
    const fail = (error: Error): void => {
      this.#error ??= toSSLError(this.#transport.socketError ?? error, 'read');
      wake();
    };
    this.#tls.on('error', fail);
    this.#tls.on(TLS_ERROR_EVENT, fail);
  }

  static {
    runHandshake = (socket, signal) => socket.#handshake(signal);
  }

  /** Runs the handshake; on failure or abort the socket is closed, as Python does on failure. */
  async #handshake(signal: AbortSignal | undefined): Promise<this> {
    const state = { finished: false };
    // 'secureConnect' comes after the client's checks of the server; a server has only 'secure'.
    this.#tls.once(this.serverSide ? 'secure' : 'secureConnect', () => {
      state.finished = true;
      this.#progress.wake();
    });
    try {
      await call(this.#progress, this.#timeout, READ, 'do_handshake', SSLSocket.#handshakeStep, this, state).async(signal);
      this.#peerCertificate = this.#tls.getPeerX509Certificate();
      if (this.serverSide && this.#spec.verifyMode !== CERT_NONE) this.#checkClient();
      return this;
    } catch (error) {
      this.close();
      throw error;
    }
  }

  static #handshakeStep(this: void, _fd: number, s: SSLSocket, state: { finished: boolean }): undefined | number {
    if (state.finished) return undefined;
    if (s.#error !== null) throw s.#handshakeError();
    if (s.#tls.destroyed || inputEnded(s.#tls)) throw eofError('do_handshake');
    return -EAGAIN;
  }

  // Node rejects a bad client certificate only inside tls.Server, so a
  // server-side socket checks it here: CERT_OPTIONAL accepts no certificate,
  // never a bad one.
  #checkClient(): void {
    const verify = tlsVerifyError(this.#tls);
    if (verify === null) return;
    if (this.#spec.verifyMode !== CERT_REQUIRED && this.#peerCertificate === undefined) return;
    throw verificationError(verify) ?? toSSLError(verify, 'do_handshake');
  }

  #handshakeError(): SocketError {
    const error = this.#error!;
    const cause = error.cause as { code?: unknown } | undefined;
    if (cause?.code === 'ERR_TLS_CERT_ALTNAME_INVALID' && this.serverHostname !== null) return hostnameMismatch(this.serverHostname, cause);
    // Node's words for the peer closing before the handshake finished.
    if (cause?.code === 'ECONNRESET') return eofError('do_handshake', cause);
    return error;
  }

  #check(syscall: string): void {
    if (this.#closed) throw closedError(syscall);
  }

  // ---- the Socket's calls ------------------------------------------------

  /** The fd of the socket, or -1 once closed or unwrapped. */
  fileno(): number {
    return this.#closed ? -1 : this.#socket.fileno();
  }

  /** Whether the socket was closed (or unwrapped). */
  get closed(): boolean {
    return this.#closed;
  }

  /** The socket's address family. */
  get family(): number {
    return this.#socket.family;
  }

  /** The socket's type (SOCK_STREAM). */
  get type(): number {
    return this.#socket.type;
  }

  /** The socket's protocol. */
  get proto(): number {
    return this.#socket.proto;
  }

  /** Returns the peer's address. */
  getpeername(): SocketAddress {
    this.#check('getpeername');
    return this.#socket.getpeername();
  }

  /** Returns the socket's own address. */
  getsockname(): SocketAddress {
    this.#check('getsockname');
    return this.#socket.getsockname();
  }

  /** The timeout of each call, in seconds (null: none; 0: non-blocking). */
  settimeout(timeout: number | null): void {
    this.#timeout = checkTimeout(timeout);
  }

  /** Returns the timeout of each call, in seconds (null: none; 0: non-blocking). */
  gettimeout(): number | null {
    return this.#timeout;
  }

  /** true: no timeout (null); false: non-blocking (0). */
  setblocking(flag: boolean): void {
    this.#timeout = checkBoolean(flag, 'flag') ? null : 0;
  }

  /** Returns false when non-blocking (timeout 0), else true. */
  getblocking(): boolean {
    return this.#timeout !== 0;
  }

  /**
   * Up to bufsize bytes of application data; empty at the end (close_notify, or the peer's end of the connection).
   * Non-blocking with nothing to read: SSLWantReadError. An abort rejects with an AbortError, having read nothing.
   */
  recv(bufsize = 1024, flags?: number, options?: WaitOptions): Promise<Buffer> {
    return start(() => {
      const n = checkSize(bufsize, 'bufsize');
      checkNoFlags(flags, 'recv');
      return call(this.#progress, this.#timeout, READ, 'recv', SSLSocket.#readStep, this, n, 'recv');
    }, options);
  }

  /** Reads into the caller's memory (nbytes 0, the default, means all of it); returns the count. */
  recvInto(buffer: ArrayBufferView, nbytes?: number, flags?: number, options?: WaitOptions): Promise<number> {
    return start(() => {
      const into = checkWritable(buffer);
      const limit = checkIntoLength(into, nbytes);
      checkNoFlags(flags, 'recv_into');
      const target = Buffer.from(into.buffer, into.byteOffset, limit);
      return call(this.#progress, this.#timeout, READ, 'recv_into', SSLSocket.#readIntoStep, this, target);
    }, options);
  }

  // Up to n decrypted bytes; empty at the end of the input.
  static #readStep(this: void, _fd: number, s: SSLSocket, n: number, syscall: string): Buffer | number {
    const available = s.#tls.readableLength;
    if (available > 0 && n > 0) return s.#tls.read(Math.min(n, available)) as Buffer;
    if (s.#error !== null) throw s.#error;
    if (n === 0 || inputEnded(s.#tls) || s.#tls.destroyed) return Buffer.alloc(0);
    if (s.#timeout === 0) throw wantReadError(syscall);
    return -EAGAIN;
  }

  static #readIntoStep(this: void, fd: number, s: SSLSocket, target: Buffer): number {
    const chunk = SSLSocket.#readStep(fd, s, target.length, 'recv_into');
    return typeof chunk === 'number' ? chunk : chunk.copy(target);
  }

  /**
   * Sends data, all of it (TLS records are written whole); returns its length. An abort rejects with an
   * AbortError whose bytesSent is what the TLS stream had taken (and still sends): all of data, or 0.
   */
  send(data: Data, flags?: number, options?: WaitOptions): Promise<number> {
    return start(() => {
      const bytes = toBuffer(toBytes(data));
      checkNoFlags(flags, 'send');
      return this.#write(bytes, 'send');
    }, options);
  }

  /** Sends all of data; resolves once the socket has taken it. Concurrent calls never interleave. An abort: as send()'s. */
  async sendall(data: Data, flags?: number, options?: WaitOptions): Promise<void> {
    await start(() => {
      const bytes = toBuffer(toBytes(data));
      checkNoFlags(flags, 'sendall');
      return this.#write(bytes, 'sendall');
    }, options);
  }

  /**
   * Sends a file (an fd or FileHandle) through TLS: read + send, since the
   * bytes must be encrypted (Python's SSLSocket.sendfile does the same).
   * With an offset the file's position is untouched. Returns the bytes sent;
   * an abort's AbortError says in bytesSent how many the TLS stream took.
   */
  sendfile(file: FileLike, offset?: number | null, count?: number | null, options?: WaitOptions): Promise<number> {
    return start(() => readAndSend(fileRange(file, offset, count), (chunk) => this.#write(Buffer.from(chunk), 'sendfile')), options);
  }

  /** setsockopt(2) on the socket under TLS. */
  setsockopt(level: number, option: number, value: number | boolean | ArrayBufferView | ArrayBuffer | null, optlen?: number): void {
    this.#socket.setsockopt(level, option, value, optlen);
  }

  /** getsockopt(2) on the socket under TLS. */
  getsockopt(level: number, option: number): number;
  getsockopt(level: number, option: number, buflen: number): Buffer;
  getsockopt(level: number, option: number, buflen?: number): number | Buffer {
    return buflen === undefined ? this.#socket.getsockopt(level, option) : this.#socket.getsockopt(level, option, buflen);
  }

  // A write of all of bytes: handed to the TLS stream, then done once the socket took it.
  // The write is the op's first argument: the call helper reads an aborted call's bytesSent from it.
  #write(bytes: Buffer, syscall: string) {
    return call(this.#progress, this.#timeout, WRITE, syscall, SSLSocket.#writeStep, new PendingWrite(this, bytes, syscall));
  }

  static #writeStep(this: void, _fd: number, w: PendingWrite): number {
    const s = w.socket;
    if (!w.started) {
      if (s.#error !== null) throw s.#error;
      if (w.bytes.length === 0) return 0;
      if (s.#timeout === 0) {
        // Nothing is written rather than part of it, so the caller can retry.
        if (s.#tls.writableNeedDrain) throw wantWriteError(w.syscall);
        s.#tls.write(w.bytes);
        return w.bytes.length;
      }
      w.started = true;
      s.#tls.write(w.bytes, (error) => {
        w.done = true;
        w.error = error;
        s.#progress.wake();
      });
    }
    if (!w.done) return -EAGAIN;
    if (w.error === null || w.error === undefined) return w.bytes.length;
    throw s.#closed ? closedError(w.syscall) : (s.#error ?? toSSLError(s.#transport.socketError ?? w.error, w.syscall));
  }

  /**
   * SHUT_WR (or SHUT_RDWR) sends close_notify, then shuts the socket's
   * sending side; SHUT_RD shuts its receiving side. An abort of
   * `options.signal` ends the wait for the socket to take close_notify.
   */
  async shutdown(how: number, options?: WaitOptions): Promise<void> {
    checkInt(how, 'how');
    const signal = signalOf(options);
    this.#check('shutdown');
    if (signal?.aborted === true) throw new AbortError(signal.reason);
    if (how === SHUT_RD || how === SHUT_RDWR) this.#socket.shutdown(SHUT_RD);
    if (how === SHUT_WR || how === SHUT_RDWR) await this.#finish('shutdown', signal);
    else if (how !== SHUT_RD) this.#socket.shutdown(how); // the socket's own error for a bad value
  }

  // Ends the TLS output (close_notify) and waits until the socket took it.
  async #finish(syscall: string, signal: AbortSignal | undefined): Promise<void> {
    await call(this.#progress, this.#timeout, WRITE, syscall, SSLSocket.#finishStep, this, { started: false }, syscall).async(signal);
  }

  static #finishStep(this: void, _fd: number, s: SSLSocket, state: { started: boolean }, syscall: string): undefined | number {
    if (!state.started) {
      state.started = true;
      s.#tls.end();
    }
    if (s.#tls.writableFinished) return undefined;
    if (s.#error !== null) throw s.#error;
    if (s.#tls.destroyed) throw s.#closed ? closedError(syscall) : eofError(syscall);
    return -EAGAIN;
  }

  /**
   * Ends TLS on the connection: sends close_notify, waits for the peer's
   * (application data still arriving is discarded) and returns the Socket,
   * with the bytes after the peer's close_notify unread in it. An abort of
   * `options.signal` ends the wait for the peer's close_notify.
   */
  async unwrap(options?: WaitOptions): Promise<Socket> {
    await start(() => call(this.#progress, this.#timeout, READ, 'unwrap', SSLSocket.#unwrapStep, this, { started: false }), options);
    this.#closed = true;
    this.#transport.destroy();
    this.#tls.destroy();
    this.#socket.settimeout(this.#timeout);
    return this.#socket;
  }

  static #unwrapStep(this: void, _fd: number, s: SSLSocket, state: { started: boolean }): undefined | number {
    if (!state.started) {
      state.started = true;
      s.#transport.keepSocket();
      s.#tls.end();
    }
    while (s.#tls.read() !== null);
    if (s.#error !== null) throw s.#error;
    if (s.#tls.writableFinished && inputEnded(s.#tls)) return undefined;
    if (s.#tls.destroyed) throw eofError('unwrap');
    return -EAGAIN;
  }

  /**
   * A file over the connection (Python's makefile()): 'r', 'w', 'rw' text or
   * 'rb', 'wb', 'rwb' binary, async forms only. The socket closes only
   * once it and every file made from it are closed.
   */
  makefile(mode: `${string}b${string}`, options?: MakefileOptions): SocketFile<Buffer>;
  makefile(mode?: string, options?: MakefileOptions): SocketFile<string>;
  makefile(mode = 'r', options: MakefileOptions = {}): SocketFile {
    this.#check('makefile');
    return new SocketFile(this, mode, options, this.#files);
  }

  /**
   * Closes the connection and the socket (without close_notify, as Python),
   * or, while files made by makefile() are open, once the last one closes.
   * Idempotent.
   */
  close(): void {
    if (this.#closed || this.#files.deferClose()) return;
    this.#closed = true;
    this.#transport.destroy();
    this.#tls.destroy();
    this.#socket.close();
    this.#progress.close();
  }

  // ---- TLS ---------------------------------------------------------------

  /**
   * The peer's certificate: Python's dict (empty when it was not verified,
   * CERT_NONE), or with binaryForm its DER bytes; null if it sent none.
   */
  getpeercert(binaryForm: true): Buffer | null;
  getpeercert(binaryForm?: false): PeerCertificate | Record<string, never> | null;
  getpeercert(binaryForm = false): PeerCertificate | Record<string, never> | Buffer | null {
    this.#check('getpeercert');
    return peerCertificate(this.#peerCertificate, binaryForm, this.#spec.verifyMode);
  }

  /** The cipher in use: [name, protocol version, secret bits]. */
  cipher(): CipherInfo | null {
    return cipherInfo(this.#closed ? undefined : this.#tls.getCipher());
  }

  /** The protocol version, such as 'TLSv1.3'. */
  version(): string | null {
    return this.#closed ? null : this.#tls.getProtocol();
  }

  /** The protocol ALPN chose, or null. */
  selectedAlpnProtocol(): string | null {
    const chosen = this.#tls.alpnProtocol;
    return typeof chosen === 'string' ? chosen : null;
  }

  /** The number of decrypted bytes ready to be read. */
  pending(): number {
    return this.#closed ? 0 : this.#tls.readableLength;
  }

  /** Pending calls keep the process alive (the default). */
  ref(): this {
    this.#socket.ref();
    return this;
  }

  /** Pending calls no longer keep the process alive; returns this. */
  unref(): this {
    this.#socket.unref();
    return this;
  }

  /** `for await (const chunk of sslSock)`: the application data as recv() returns it, until the end (leaving the loop early leaves the socket open). */
  [Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    return chunks(this);
  }

  /** `using`: close(). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `await using`: close(). */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /** Returns the Socket's repr as an SSLSocket's, with the protocol version. */
  toString(): string {
    if (this.#closed) return '<berkeley.SSLSocket [closed] fd=-1>';
    return this.#socket.toString().replace(/^<berkeley\.Socket/, '<berkeley.SSLSocket').replace(/>$/, `, version=${this.version() ?? 'none'}>`);
  }

  /** util.inspect() shows toString(). */
  [inspect.custom](): string {
    return this.toString();
  }
}

/** Wraps a connected stream socket and runs the handshake (for SSLContext.wrapSocket); an abort of signal closes it. */
export async function handshake(context: SSLContext, sock: Socket, spec: HandshakeSpec, signal?: AbortSignal): Promise<SSLSocket> {
  if (!(sock instanceof Socket)) throw typeError('sock', 'a berkeley Socket', sock);
  if (sock.type !== SOCK_STREAM) throw valueError('Only SOCK_STREAM sockets can be wrapped');
  const timeout = sock.gettimeout();
  if (timeout === 0) throw valueError('The handshake cannot run on a non-blocking socket; set a timeout or blocking mode first');
  sock.getpeername(); // not connected: ENOTCONN now, not a stranger error later
  // As Python's wrap_socket, the TLS socket takes the fd over: the Socket
  // given is detached (closed, fileno() -1), so no plain read can reach the
  // TLS stream. unwrap() gives a plain Socket on the fd back.
  const inner = new Socket(sock.family, sock.type, sock.proto, sock.detach());
  // The transport waits without a deadline; the SSLSocket keeps the timeout.
  inner.settimeout(null);
  return runHandshake(new SSLSocket(internal, context, inner, spec, timeout), signal);
}
