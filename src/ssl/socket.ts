// SSLSocket (Python's ssl.SSLSocket): Node's tls.TLSSocket running over a
// RecordTransport of a connected berkeley Socket. The transport waits
// without a deadline; the SSLSocket applies the socket's timeout to each of
// its own calls, so a timed-out recv leaves the connection usable.
import type { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { inspect } from 'node:util';
import type { SocketAddress } from '../socket/address.js';
import { inputEnded, TLS_ERROR_EVENT, tlsVerifyError } from '../core/node-internals.js';
import { SHUT_RD, SHUT_RDWR, SHUT_WR, SOCK_STREAM } from '../core/constants.js';
import { closedError, timeoutError, type SocketError } from '../core/errors.js';
import { FileRefs, SocketFile, type MakefileOptions } from '../adapters/file.js';
import { either, start } from '../io/blocking.js';
import { fileRange, readAndSend, type FileLike } from '../socket/sendfile.js';
import { Socket, type Data } from '../socket/socket.js';
import { checkBoolean, checkInt, checkSize, checkTimeout, checkWritable, toBytes, typeError } from '../core/validate.js';
import type { PeerCertificate } from './certificate.js';
import { CERT_NONE, CERT_REQUIRED } from './constants.js';
import { checkNoFlags, toBuffer } from './args.js';
import { cipherInfo, peerCertificate, type CipherInfo } from './info.js';
import type { SSLContext } from './context.js';
import type { HandshakeSpec } from './settings.js';
import { eofError, hostnameMismatch, toSSLError, verificationError, wantReadError, wantWriteError } from './errors.js';
import { openTLS, RecordTransport } from './transport.js';

export type { CipherInfo } from './info.js';

const internal = Symbol('SSLSocket');
let runHandshake: (socket: SSLSocket) => Promise<SSLSocket>;

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
  readonly #socket: Socket;
  readonly #transport: RecordTransport;
  readonly #tls: tls.TLSSocket;
  readonly #spec: HandshakeSpec;
  #timeout: number | null;
  #error: SocketError | null = null;
  #closed = false;
  // Node hands the peer's certificate out once, so it is taken at the handshake.
  #peerCertificate: X509Certificate | undefined;
  #reads: Promise<unknown> = Promise.resolve();
  readonly #waiters = new Set<() => void>();
  readonly #files = new FileRefs(() => this.close());

  /** @internal SSLContext.wrapSocket() makes SSLSockets. */
  constructor(token: typeof internal, context: SSLContext, socket: Socket, spec: HandshakeSpec, timeout: number | null) {
    if (token !== internal) throw new TypeError('SSLSocket does not have a public constructor; use SSLContext.wrapSocket()');
    this.context = context;
    this.serverSide = spec.serverSide;
    this.serverHostname = spec.serverHostname;
    this.#socket = socket;
    this.#spec = spec;
    this.#timeout = timeout;
    this.#transport = new RecordTransport(socket, () => inputEnded(this.#tls));
    this.#tls = openTLS(this.#transport, spec);
    const wake = (): void => this.#wake();
    this.#tls.on('readable', wake);
    this.#tls.on('end', wake);
    this.#tls.on('close', wake);
    this.#tls.on('finish', wake);
    // A server-side socket outside a tls.Server reports errors as '_tlsError' only.
    const fail = (error: Error): void => {
      this.#error ??= toSSLError(this.#transport.socketError ?? error, 'read');
      wake();
    };
    this.#tls.on('error', fail);
    this.#tls.on(TLS_ERROR_EVENT, fail);
  }

  static {
    runHandshake = (socket) => socket.#handshake();
  }

  /** Runs the handshake; on failure the socket is closed, as Python does. */
  async #handshake(): Promise<this> {
    const deadline = this.#deadline();
    // A property, not a variable: the listener sets it while the loop awaits.
    const state = { finished: false };
    // 'secureConnect' comes after the client's checks of the server; a server has only 'secure'.
    this.#tls.once(this.serverSide ? 'secure' : 'secureConnect', () => {
      state.finished = true;
      this.#wake();
    });
    try {
      while (!state.finished) {
        if (this.#error !== null) throw this.#handshakeError();
        if (this.#tls.destroyed || inputEnded(this.#tls)) throw eofError('do_handshake');
        await this.#until(deadline, 'do_handshake');
      }
      this.#peerCertificate = this.#tls.getPeerX509Certificate();
      if (this.serverSide && this.#spec.verifyMode !== CERT_NONE) this.#checkClient();
      return this;
    } catch (error) {
      this.close();
      throw error;
    }
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

  #wake(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) waiter();
  }

  #deadline(): number | null {
    return this.#timeout === null ? null : performance.now() + this.#timeout * 1000;
  }

  // The next change of state, or TimeoutError at the deadline.
  #until(deadline: number | null, syscall: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.add(waiter);
      if (deadline !== null) {
        timer = setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(timeoutError(syscall));
        }, Math.max(0, deadline - performance.now()));
      }
    });
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
   * Up to bufsize bytes of application data; an empty Buffer at the end
   * (the peer's close_notify, or its end of the connection). Non-blocking
   * with nothing to read: SSLWantReadError.
   */
  recv(bufsize = 1024, flags?: number): Promise<Buffer> {
    try {
      const n = checkSize(bufsize, 'bufsize');
      checkNoFlags(flags, 'recv');
      return this.#read(n, 'recv');
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Reads into the caller's memory (nbytes 0, the default, means all of it); returns the count. */
  recvInto(buffer: ArrayBufferView, nbytes?: number, flags?: number): Promise<number> {
    try {
      const into = checkWritable(buffer);
      const limit = nbytes === undefined || nbytes === 0 ? into.byteLength : checkSize(nbytes, 'nbytes');
      if (limit > into.byteLength) throw new RangeError(`The "nbytes" argument (${limit}) is larger than the buffer (${into.byteLength} bytes)`);
      checkNoFlags(flags, 'recv_into');
      const target = Buffer.from(into.buffer, into.byteOffset, limit);
      return this.#read(limit, 'recv_into').then((chunk) => chunk.copy(target));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // Reads are served in call order; each keeps its own deadline.
  #read(n: number, syscall: string): Promise<Buffer> {
    const deadline = this.#deadline();
    const run = this.#reads.then(() => this.#readNow(n, deadline, syscall));
    this.#reads = run.catch(() => undefined);
    return run;
  }

  async #readNow(n: number, deadline: number | null, syscall: string): Promise<Buffer> {
    for (;;) {
      this.#check(syscall);
      const available = this.#tls.readableLength;
      if (available > 0 && n > 0) return this.#tls.read(Math.min(n, available)) as Buffer;
      if (this.#error !== null) throw this.#error;
      if (n === 0 || inputEnded(this.#tls) || this.#tls.destroyed) return Buffer.alloc(0);
      if (this.#timeout === 0) throw wantReadError(syscall);
      await this.#until(deadline, syscall);
    }
  }

  /** Sends data, all of it (TLS records are written whole); returns its length. */
  send(data: Data, flags?: number): Promise<number> {
    try {
      const bytes = toBuffer(toBytes(data));
      checkNoFlags(flags, 'send');
      return this.#write(bytes, 'send').then(() => bytes.length);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Sends all of data; resolves once the socket has taken it. Concurrent calls never interleave. */
  sendall(data: Data, flags?: number): Promise<void> {
    try {
      const bytes = toBuffer(toBytes(data));
      checkNoFlags(flags, 'sendall');
      return this.#write(bytes, 'sendall');
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Sends a file (an fd or FileHandle) through TLS: read + send, since the
   * bytes must be encrypted (Python's SSLSocket.sendfile does the same).
   * With an offset the file's position is untouched. Returns the bytes sent.
   */
  sendfile(file: FileLike, offset?: number | null, count?: number | null): Promise<number> {
    // Async only (the TLS engine has no Sync forms): the Sync driver is never run.
    const sendall = (chunk: Buffer) => either(() => this.#write(Buffer.from(chunk), 'sendfile'), () => {
      throw new TypeError('SSLSocket has no Sync forms');
    });
    return start(() => readAndSend(fileRange(file, offset, count), sendall));
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

  #write(bytes: Buffer, syscall: string): Promise<void> {
    this.#check(syscall);
    if (this.#error !== null) throw this.#error;
    if (bytes.length === 0) return Promise.resolve();
    if (this.#timeout === 0) {
      // Nothing is written rather than part of it, so the caller can retry.
      if (this.#tls.writableNeedDrain) throw wantWriteError(syscall);
      this.#tls.write(bytes);
      return Promise.resolve();
    }
    const deadline = this.#deadline();
    return new Promise<void>((resolve, reject) => {
      const timer = deadline === null ? undefined : setTimeout(() => reject(timeoutError(syscall)), deadline - performance.now());
      this.#tls.write(bytes, (error) => {
        clearTimeout(timer);
        if (error === null || error === undefined) resolve();
        else reject(this.#closed ? closedError(syscall) : (this.#error ?? toSSLError(this.#transport.socketError ?? error, syscall)));
      });
    });
  }

  /**
   * SHUT_WR (or SHUT_RDWR) sends close_notify, then shuts the socket's
   * sending side; SHUT_RD shuts its receiving side.
   */
  async shutdown(how: number): Promise<void> {
    checkInt(how, 'how');
    this.#check('shutdown');
    if (how === SHUT_RD || how === SHUT_RDWR) this.#socket.shutdown(SHUT_RD);
    if (how === SHUT_WR || how === SHUT_RDWR) await this.#finish('shutdown');
    else if (how !== SHUT_RD) this.#socket.shutdown(how); // the socket's own error for a bad value
  }

  // Ends the TLS output (close_notify) and waits until the socket took it.
  async #finish(syscall: string): Promise<void> {
    const deadline = this.#deadline();
    this.#tls.end();
    while (!this.#tls.writableFinished) {
      if (this.#error !== null) throw this.#error;
      if (this.#tls.destroyed) throw this.#closed ? closedError(syscall) : eofError(syscall);
      await this.#until(deadline, syscall);
    }
  }

  /**
   * Ends TLS on the connection: sends close_notify, waits for the peer's
   * (application data still arriving is discarded) and returns the Socket,
   * with the bytes after the peer's close_notify unread in it.
   */
  async unwrap(): Promise<Socket> {
    this.#check('unwrap');
    this.#transport.keepSocket();
    const deadline = this.#deadline();
    this.#tls.end();
    for (;;) {
      this.#check('unwrap');
      while (this.#tls.read() !== null);
      if (this.#error !== null) throw this.#error;
      if (this.#tls.writableFinished && inputEnded(this.#tls)) break;
      if (this.#tls.destroyed) throw eofError('unwrap');
      await this.#until(deadline, 'unwrap');
    }
    this.#closed = true;
    this.#transport.destroy();
    this.#tls.destroy();
    this.#socket.settimeout(this.#timeout);
    return this.#socket;
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
    this.#wake();
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

/** Wraps a connected stream socket and runs the handshake (for SSLContext.wrapSocket). */
export async function handshake(context: SSLContext, sock: Socket, spec: HandshakeSpec): Promise<SSLSocket> {
  if (!(sock instanceof Socket)) throw typeError('sock', 'a berkeley Socket', sock);
  if (sock.type !== SOCK_STREAM) throw new RangeError('Only SOCK_STREAM sockets can be wrapped');
  const timeout = sock.gettimeout();
  if (timeout === 0) throw new RangeError('The handshake cannot run on a non-blocking socket; set a timeout or blocking mode first');
  sock.getpeername(); // not connected: ENOTCONN now, not a stranger error later
  // As Python's wrap_socket, the TLS socket takes the fd over: the Socket
  // given is detached (closed, fileno() -1), so no plain read can reach the
  // TLS stream. unwrap() gives a plain Socket on the fd back.
  const inner = new Socket(sock.family, sock.type, sock.proto, sock.detach());
  // The transport waits without a deadline; the SSLSocket keeps the timeout.
  inner.settimeout(null);
  return runHandshake(new SSLSocket(internal, context, inner, spec, timeout));
}
