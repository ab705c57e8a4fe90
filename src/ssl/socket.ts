// SSLSocket (Python's ssl.SSLSocket): a TLS engine (engine.ts) on a
// berkeley Socket's fd. Every call that can wait is prepared once in
// calls.ts and waits through the call helper on the socket's Handle, so it
// has Python's three modes and both forms; its Promise method and its
// …Sync twin are the two drivers of that one preparation.
import type { Duplex } from 'node:stream';
import { closedError } from '../core/errors.js';
import { cloneGuard } from '../core/uncloneable.js';
import { valueError, withCode, type Data, type WaitOptions } from '../core/validate.js';
import { chunks } from '../adapters/chunks.js';
import { toDuplex, toWebStreams, type SocketWebStreams, type ToDuplexOptions } from '../adapters/streams.js';
import { FileRefs, SocketFile, type MakefileOptions } from '../adapters/file.js';
import { asyncForm, promised, SYNC, type Form, type FormName, type Results } from '../io/forms.js';
import type { Address, SenderAddress, SocketAddress } from '../socket/address.js';
import type { FileLike } from '../socket/sendfile.js';
import { Socket, socketHandle } from '../socket/socket.js';
import * as calls from './calls.js';
import { acceptThenWrap, connectThenHandshake } from './connect.js';
import type { SSLContext } from './context.js';
import { TLSConnection } from './connection.js';
import { TLSEngine } from './engine.js';
import type { Wrapping } from './settings.js';
import { answerHello } from './sni.js';

export type { CipherInfo } from './info.js';

const internal = Symbol('SSLSocket');
const CLONE_GUARD = cloneGuard('A berkeley SSLSocket cannot be cloned or posted to another thread: its TLS session belongs to this one. Post the fd of the plain Socket before wrapping it (sock.detach()), and wrap it there; or unwrap() this one first.');
/** Makes an SSLSocket (for wrap.ts): the Socket given is its own from then on. */
export let wrapped: <F extends number, T extends number>(context: SSLContext, socket: Socket<F, T>, wrapping: Wrapping, connected: boolean) => SSLSocket<F, T>;
/** An SSLSocket's TLS engine (for wrap.ts). */
export let engineOf: (sock: SSLSocket) => TLSEngine;

/**
 * A TLS connection over a berkeley Socket (Python's `ssl.SSLSocket`), made
 * by `SSLContext.wrapSocket()`. Its I/O calls are the Socket's, each in
 * both forms, with the socket's timeout; the socket belongs to it until
 * `unwrap()` gives it back. F and T are the wrapped Socket's family and
 * type, as the type checker knows them: its addresses are typed alike.
 */
export class SSLSocket<F extends number = number, T extends number = number> extends TLSConnection {
  private readonly cloneGuard = CLONE_GUARD; // structuredClone, postMessage: a DataCloneError saying what to post
  readonly #socket: Socket<F, T>;
  readonly #engine: TLSEngine;
  readonly #wrapping: Wrapping;
  #connected: boolean;
  #closed = false;
  readonly #files = new FileRefs(() => this.close());

  /** @internal SSLContext.wrapSocket() makes SSLSockets. */
  constructor(token: typeof internal, context: SSLContext, socket: Socket<F, T>, wrapping: Wrapping, connected: boolean) {
    if (token !== internal) throw withCode(new TypeError('SSLSocket does not have a public constructor; use SSLContext.wrapSocket()'), 'ERR_ILLEGAL_CONSTRUCTOR');
    super(context, wrapping);
    this.#wrapping = wrapping;
    this.#connected = connected;
    this.#socket = socket;
    this.#engine = new TLSEngine(wrapping.open(), socketHandle(socket), wrapping.serverHostname, wrapping.suppressRaggedEofs);
    if (wrapping.session !== null) this.session = wrapping.session;
    this.#engine.serverName = () => answerHello(this, this.#engine, this.context);
  }

  /** @internal */
  protected openSteps(): TLSEngine | null {
    return this.#closed ? null : this.#engine;
  }

  #check(syscall: string): void {
    if (this.#closed) throw closedError(syscall);
  }

  // ---- the handshake -----------------------------------------------------

  /** Runs the TLS handshake (wrapSocket() does, unless doHandshakeOnConnect is false). */
  doHandshake(options?: WaitOptions): Promise<void> {
    return promised(() => asyncForm(options).run(calls.handshake(this.#engine)));
  }

  /** doHandshake() on the calling thread. */
  doHandshakeSync(): void {
    calls.handshake(this.#engine).sync();
  }

  // ---- connecting and accepting -----------------------------------------

  /**
   * Connects a socket wrapped before it was connected, then runs the
   * handshake (unless doHandshakeOnConnect was false). Non-blocking, it
   * throws BlockingIOError (EINPROGRESS) as the Socket's connect does;
   * once connected, doHandshake() goes on.
   */
  connect(address: Address<F>, options?: WaitOptions): Promise<void> {
    return promised(() => this.#connect<'async', undefined>(asyncForm(options), address, false));
  }

  /** connect() on the calling thread. */
  connectSync(address: Address<F>): void {
    this.#connect(SYNC, address, false);
  }

  /** connect() resolving 0 or the errno (EINPROGRESS when non-blocking) instead of rejecting; a failed handshake still rejects. */
  connectEx(address: Address<F>, options?: WaitOptions): Promise<number> {
    return promised(() => this.#connect<'async', number>(asyncForm(options), address, true));
  }

  /** connectEx() on the calling thread. */
  connectExSync(address: Address<F>): number {
    return this.#connect<'sync', number>(SYNC, address, true);
  }

  #connect<G extends FormName, R extends number | undefined>(form: Form<G>, address: Address<F>, ex: boolean): Results<R>[G] {
    this.#check('connect');
    if (this.serverSide) throw valueError("can't connect in server-side mode");
    if (this.#connected) throw valueError('attempt to connect already-connected SSLSocket!');
    this.#connected = true;
    return connectThenHandshake(form, this.#engine, this.#socket, address, ex, this.#wrapping.doHandshakeOnConnect, () => (this.#connected = false));
  }

  /**
   * On a wrapped listening socket (serverSide): the next connection,
   * wrapped on the server side with this socket's doHandshakeOnConnect and
   * suppressRaggedEofs (its handshake done unless doHandshakeOnConnect is
   * false), and its address. The connection gets the default timeout, as
   * the Socket's accept gives it.
   */
  accept(options?: WaitOptions): Promise<[SSLSocket<F, T>, SocketAddress<F>]> {
    return promised(() => this.#accept(asyncForm(options)));
  }

  /** accept() on the calling thread. */
  acceptSync(): [SSLSocket<F, T>, SocketAddress<F>] {
    return this.#accept(SYNC);
  }

  #accept<G extends FormName>(form: Form<G>): Results<[SSLSocket<F, T>, SocketAddress<F>]>[G] {
    this.#check('accept');
    if (!this.serverSide) throw valueError('Cannot create a server socket with a PROTOCOL_TLS_CLIENT context');
    const { doHandshakeOnConnect, suppressRaggedEofs } = this.#wrapping;
    return acceptThenWrap(form, this.#socket, this.context, { serverSide: true, doHandshakeOnConnect, suppressRaggedEofs });
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
  get family(): F {
    return this.#socket.family;
  }

  /** The socket's type (SOCK_STREAM). */
  get type(): T {
    return this.#socket.type;
  }

  /** The socket's protocol. */
  get proto(): number {
    return this.#socket.proto;
  }

  /** Returns the peer's address. */
  getpeername(): SocketAddress<F> {
    this.#check('getpeername');
    return this.#socket.getpeername();
  }

  /** Returns the socket's own address. */
  getsockname(): SocketAddress<F> {
    this.#check('getsockname');
    return this.#socket.getsockname();
  }

  /** The timeout of each call, in seconds (null: none; 0: non-blocking). */
  settimeout(timeout: number | null): void {
    this.#check('settimeout');
    this.#socket.settimeout(timeout);
  }

  /** Returns the timeout of each call, in seconds (null: none; 0: non-blocking). */
  gettimeout(): number | null {
    return this.#socket.gettimeout();
  }

  /** true: no timeout (null); false: non-blocking (0). */
  setblocking(flag: boolean): void {
    this.#check('setblocking');
    this.#socket.setblocking(flag);
  }

  /** Returns false when non-blocking (timeout 0), else true. */
  getblocking(): boolean {
    return this.#socket.getblocking();
  }

  /** The timeout, as gettimeout() gives it (Python's read-only attribute). */
  get timeout(): number | null {
    return this.#socket.timeout;
  }

  /** bind(2), for a socket wrapped before it was bound (a server's, then listen() and accept()). */
  bind(address: Address<F>): void {
    this.#check('bind');
    this.#socket.bind(address);
  }

  /** listen(2), for a wrapped server socket; its accept() wraps each connection. */
  listen(backlog?: number): void {
    this.#check('listen');
    this.#socket.listen(backlog);
  }

  /** Whether the fd is inherited by child processes (not by default: close-on-exec). */
  getInheritable(): boolean {
    this.#check('fcntl');
    return this.#socket.getInheritable();
  }

  /** Sets whether the fd is inherited by child processes. */
  setInheritable(inheritable: boolean): void {
    this.#check('fcntl');
    this.#socket.setInheritable(inheritable);
  }

  /** Up to bufsize bytes of application data; an empty Buffer at the end (close_notify, or the connection's end unless suppressRaggedEofs is false). */
  recv(bufsize = 1024, flags?: number, options?: WaitOptions): Promise<Buffer> {
    return promised(() => calls.recv(asyncForm(options), this.#engine, bufsize, flags));
  }

  /** recv() on the calling thread. */
  recvSync(bufsize = 1024, flags?: number): Buffer {
    return calls.recv(SYNC, this.#engine, bufsize, flags);
  }

  /** Reads into the caller's memory (nbytes 0, the default, means all of it); the count, 0 at the end. */
  recvInto(buffer: ArrayBufferView, nbytes?: number, flags?: number, options?: WaitOptions): Promise<number> {
    return promised(() => calls.recvInto(asyncForm(options), this.#engine, buffer, nbytes, flags));
  }

  /** recvInto() on the calling thread. */
  recvIntoSync(buffer: ArrayBufferView, nbytes?: number, flags?: number): number {
    return calls.recvInto(SYNC, this.#engine, buffer, nbytes, flags);
  }

  /** As Python's: refused once TLS runs on the connection; before, the Socket's recvfrom. */
  recvfrom(bufsize: number, flags?: number, options?: WaitOptions): Promise<[Buffer, SenderAddress<F, T>]> {
    return promised(() => this.#plain().recvfrom(bufsize, flags, options));
  }

  /** recvfrom() on the calling thread. */
  recvfromSync(bufsize: number, flags?: number): [Buffer, SenderAddress<F, T>] {
    return this.#plain().recvfromSync(bufsize, flags);
  }

  #plain(): Socket<F, T> {
    this.#check('recvfrom');
    if (this.#connected) throw valueError('recvfrom not allowed on instances of SSLSocket');
    return this.#socket;
  }

  /** Sends what the socket takes at once (whole TLS records); returns the count, which may be fewer than given. */
  send(data: Data, flags?: number, options?: WaitOptions): Promise<number> {
    return promised(() => calls.send(asyncForm(options), this.#engine, data, flags));
  }

  /** send() on the calling thread. */
  sendSync(data: Data, flags?: number): number {
    return calls.send(SYNC, this.#engine, data, flags);
  }

  /** Sends all of data or fails; concurrent calls never interleave. */
  sendall(data: Data, flags?: number, options?: WaitOptions): Promise<void> {
    return promised(() => calls.sendall(asyncForm(options), this.#engine, data, flags));
  }

  /** sendall() on the calling thread. */
  sendallSync(data: Data, flags?: number): void {
    calls.sendall(SYNC, this.#engine, data, flags);
  }

  /**
   * Sends a file (an fd or FileHandle) through TLS: read + send, since the
   * bytes must be encrypted (Python's SSLSocket.sendfile does the same).
   * With an offset the file's position is untouched. Returns the bytes sent.
   */
  sendfile(file: FileLike, offset?: number | null, count?: number | null, options?: WaitOptions): Promise<number> {
    return promised(() => calls.sendfile(asyncForm(options), this.#engine, file, offset, count));
  }

  /** sendfile() on the calling thread. */
  sendfileSync(file: FileLike, offset?: number | null, count?: number | null): number {
    return calls.sendfile(SYNC, this.#engine, file, offset, count);
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

  /**
   * SHUT_WR (or SHUT_RDWR) sends close_notify, then shuts the socket's
   * sending side; the connection can still be read. SHUT_RD shuts the
   * socket's receiving side.
   */
  shutdown(how: number, options?: WaitOptions): Promise<void> {
    return promised(() => calls.shutdown(asyncForm(options), this.#engine, this.#socket, how));
  }

  /** shutdown() on the calling thread. */
  shutdownSync(how: number): void {
    calls.shutdown(SYNC, this.#engine, this.#socket, how);
  }

  /**
   * Ends TLS on the connection: sends close_notify, waits for the peer's,
   * and returns the plain Socket, with the bytes after the peer's
   * close_notify unread in it.
   */
  unwrap(options?: WaitOptions): Promise<Socket<F, T>> {
    return promised(() => this.#unwrap(asyncForm(options)));
  }

  /** unwrap() on the calling thread. */
  unwrapSync(): Socket<F, T> {
    return this.#unwrap(SYNC);
  }

  #unwrap<G extends FormName>(form: Form<G>): Results<Socket<F, T>>[G] {
    return calls.unwrap(form, this.#engine, () => {
      this.#closed = true;
      this.#engine.close();
      return this.#socket;
    });
  }

  /**
   * A file over the connection (Python's makefile()): 'r', 'w', 'rw' text or
   * 'rb', 'wb', 'rwb' binary, in both forms. The socket closes only once
   * it and every file made from it are closed.
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
   * Calls waiting on it reject with EBADF. Idempotent.
   */
  close(): void {
    if (this.#closed || this.#files.deferClose()) return;
    this.#closed = true;
    this.#engine.close();
    this.#socket.close();
  }

  /**
   * Gives up the fd without closing it or ending TLS, and returns it (-1
   * once closed), as Python's: the TLS state is lost, so the fd is only
   * good for a peer that has finished with TLS too (or to be closed).
   * Calls waiting on it reject with EBADF.
   */
  detach(): number {
    if (this.#closed) return -1;
    this.#closed = true;
    this.#engine.close();
    return this.#socket.detach();
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

  /** A stream.Duplex over this socket, which it owns: end() sends close_notify (shutdown(SHUT_WR)), destroy() closes it. */
  toDuplex(options?: ToDuplexOptions): Duplex {
    return toDuplex(this, options);
  }

  /** Web Streams over this socket, which they own: the writable's close() sends close_notify. */
  toWebStreams(): SocketWebStreams {
    return toWebStreams(this);
  }

  /** Returns the Socket's repr as an SSLSocket's, with the protocol version. */
  override toString(): string {
    if (this.#closed) return '<berkeley.SSLSocket [closed] fd=-1>';
    return this.#socket.toString().replace(/^<berkeley\.Socket/, '<berkeley.SSLSocket').replace(/>$/, `, version=${this.version() ?? 'none'}>`);
  }

  static {
    wrapped = (context, socket, wrapping, connected) => new SSLSocket(internal, context, socket, wrapping, connected);
    engineOf = (sock) => sock.#engine;
  }
}
