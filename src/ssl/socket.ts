// SSLSocket (Python's ssl.SSLSocket): a TLS engine (engine.ts) on a
// berkeley Socket's fd. Every call that can wait is prepared once in
// calls.ts and waits through the call helper on the socket's Handle, so it
// has Python's three modes and both forms; its Promise method and its
// …Sync twin are the two drivers of that one preparation.
import { inspect } from 'node:util';
import { SOCK_STREAM } from '../core/constants.js';
import { closedError } from '../core/errors.js';
import { native } from '../core/native.js';
import { cloneGuard } from '../core/uncloneable.js';
import { typeError, valueError, withCode, type Data, type WaitOptions } from '../core/validate.js';
import { chunks } from '../adapters/chunks.js';
import { FileRefs, SocketFile, type MakefileOptions } from '../adapters/file.js';
import { steps, wait } from '../io/blocking.js';
import { asyncForm, promised, SYNC, type Form, type FormName, type Results } from '../io/forms.js';
import type { SocketAddress } from '../socket/address.js';
import type { FileLike } from '../socket/sendfile.js';
import { adoptSocket, Socket, socketHandle } from '../socket/socket.js';
import type { PeerCertificate } from './certificate.js';
import * as calls from './calls.js';
import type { SSLContext } from './context.js';
import { TLSEngine } from './engine.js';
import { peerCertificate, type CipherInfo } from './info.js';
import type { Wrapping } from './settings.js';

export type { CipherInfo } from './info.js';

const internal = Symbol('SSLSocket');
const CLONE_GUARD = cloneGuard('A berkeley SSLSocket cannot be cloned or posted to another thread: its TLS session belongs to this one. Post the fd of the plain Socket before wrapping it (sock.detach()), and wrap it there; or unwrap() this one first.');
let wrapped: (context: SSLContext, socket: Socket, wrapping: Wrapping) => SSLSocket;
let engineOf: (sock: SSLSocket) => TLSEngine;

/**
 * A TLS connection over a berkeley Socket (Python's `ssl.SSLSocket`), made
 * by `SSLContext.wrapSocket()`. Its I/O calls are the Socket's, each in
 * both forms, with the socket's timeout; the socket belongs to it until
 * `unwrap()` gives it back.
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
  readonly #engine: TLSEngine;
  readonly #verifyMode: number;
  #closed = false;
  readonly #files = new FileRefs(() => this.close());

  /** @internal SSLContext.wrapSocket() makes SSLSockets. */
  constructor(token: typeof internal, context: SSLContext, socket: Socket, wrapping: Wrapping) {
    if (token !== internal) throw withCode(new TypeError('SSLSocket does not have a public constructor; use SSLContext.wrapSocket()'), 'ERR_ILLEGAL_CONSTRUCTOR');
    this.context = context;
    this.serverSide = wrapping.serverSide;
    this.serverHostname = wrapping.serverHostname;
    this.#verifyMode = wrapping.verifyMode;
    this.#socket = socket;
    this.#engine = new TLSEngine(wrapping.open(), socketHandle(socket), wrapping.serverHostname, wrapping.suppressRaggedEofs);
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

  /**
   * Up to bufsize bytes of application data; an empty Buffer at the end
   * (the peer's close_notify, or its end of the connection unless
   * suppressRaggedEofs is false). Non-blocking with nothing to read:
   * SSLWantReadError.
   */
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
  unwrap(options?: WaitOptions): Promise<Socket> {
    return promised(() => this.#unwrap(asyncForm(options)));
  }

  /** unwrap() on the calling thread. */
  unwrapSync(): Socket {
    return this.#unwrap(SYNC);
  }

  #unwrap<F extends FormName>(form: Form<F>): Results<Socket>[F] {
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

  // ---- TLS ---------------------------------------------------------------

  /**
   * The peer's certificate: Python's dict (empty when it was not verified,
   * CERT_NONE), or with binaryForm its DER bytes; null if it sent none.
   */
  getpeercert(binaryForm: true): Buffer | null;
  getpeercert(binaryForm?: false): PeerCertificate | Record<string, never> | null;
  getpeercert(binaryForm = false): PeerCertificate | Record<string, never> | Buffer | null {
    this.#check('getpeercert');
    if (this.version() === null) throw valueError('handshake not done yet');
    return peerCertificate(native.tlsPeerCertificate(this.#engine.ssl), binaryForm, this.#verifyMode);
  }

  /** The cipher in use: [name, protocol version, secret bits]; null before the handshake. */
  cipher(): CipherInfo | null {
    return this.#closed ? null : native.tlsCipher(this.#engine.ssl);
  }

  /** The protocol version, such as 'TLSv1.3'; null before the handshake is done. */
  version(): string | null {
    return this.#closed ? null : native.tlsVersion(this.#engine.ssl);
  }

  /** The protocol ALPN chose, or null. */
  selectedAlpnProtocol(): string | null {
    return this.#closed ? null : native.tlsAlpnSelected(this.#engine.ssl);
  }

  /**
   * The number of decrypted bytes ready to be read (SSL_pending). As in
   * Python, they are no longer in the socket, so select() and the
   * selectors do not show them as readiness: read until SSLWantReadError
   * (non-blocking), or while pending() > 0, before selecting again.
   */
  pending(): number {
    return this.#closed ? 0 : native.tlsPending(this.#engine.ssl);
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

  static {
    wrapped = (context, socket, wrapping) => new SSLSocket(internal, context, socket, wrapping);
    engineOf = (sock) => sock.#engine;
  }
}

/**
 * A Socket on sock's fd, which it takes over (sock is left detached). An
 * fd that was never given out stays the library's alone, so that blocking
 * mode's Sync calls on the main thread still wait in the system call
 * itself (SSL_read in recv(2)), as the plain socket's do.
 */
function takeOver(sock: Socket): Socket {
  const shared = socketHandle(sock).shared;
  const fd = sock.detach();
  return shared ? new Socket(sock.family, sock.type, sock.proto, fd) : adoptSocket(sock.family, sock.type, sock.proto, fd);
}

/**
 * SSLContext.wrapSocket's work, in either form: the SSLSocket on a
 * connected stream socket, handshake done unless doHandshakeOnConnect is
 * false. As Python's wrap_socket, it takes the fd over: the Socket given
 * is detached (closed, fileno() -1); unwrap() gives a Socket on it back.
 * A failed handshake closes it.
 */
export function wrap<F extends FormName>(form: Form<F>, context: SSLContext, sock: Socket, wrapping: Wrapping): Results<SSLSocket>[F] {
  if (!(sock instanceof Socket)) throw typeError('sock', 'a berkeley Socket', sock);
  if (sock.type !== SOCK_STREAM) throw valueError('Only SOCK_STREAM sockets can be wrapped');
  const timeout = sock.gettimeout();
  if (wrapping.doHandshakeOnConnect && timeout === 0) throw valueError('doHandshakeOnConnect should not be specified for non-blocking sockets');
  sock.getpeername(); // not connected: ENOTCONN now, not a stranger error later
  const inner = takeOver(sock);
  inner.settimeout(timeout);
  let tls: SSLSocket;
  try {
    tls = wrapped(context, inner, wrapping);
  } catch (error) {
    inner.close();
    throw error;
  }
  if (!wrapping.doHandshakeOnConnect) return form.done(tls);
  return form.run(
    steps(function* () {
      try {
        yield* wait(calls.handshake(engineOf(tls)));
      } catch (error) {
        tls.close();
        throw error;
      }
      return tls;
    }),
  );
}
