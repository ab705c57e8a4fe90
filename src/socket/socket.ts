// The Socket class (Python's socket.socket): one thin method per socket
// call. Every call that can wait is prepared once in calls.ts; its Promise
// method and its …Sync twin are the two drivers of that one preparation.
import type { Socket as NetSocket } from 'node:net';
import type { Duplex } from 'node:stream';
import { inspect } from 'node:util';
import * as C from '../core/constants.js';
import { checkResult, closedError, errorFromErrno } from '../core/errors.js';
import { native } from '../core/native.js';
import { checkBoolean, checkInt, checkTimeout, isWaitOptions, type Data, type WaitOptions } from '../core/validate.js';
import { chunks } from '../adapters/chunks.js';
import { FileRefs, SocketFile, type MakefileOptions } from '../adapters/file.js';
import { dupNetSocket, toNetSocket } from '../adapters/netinterop.js';
import { toDuplex, toWebStreams, type SocketWebStreams, type ToDuplexOptions } from '../adapters/streams.js';
import { ASYNC, asyncForm, promised, SYNC, type Form, type FormName, type Results } from '../io/forms.js';
import { Handle } from '../io/handle.js';
import { READ } from '../io/waiters.js';
import { resolveSync, settleAddress, type Address, type SenderAddress, type SocketAddress } from './address.js';
import * as batch from './batch.js';
import * as calls from './calls.js';
import type { Message, MessageInto } from './calls.js';
import { describe } from './describe.js';
import { closeWhenCollected, released, SOCKET_CLONE_GUARD } from './lifetime.js';
import type { FileLike } from './sendfile.js';
import { getsockopt, setsockopt, type OptionValue } from './options.js';
import { getdefaulttimeout } from './timeout.js';
import { open, TYPE_FLAGS } from './open.js';

// Lets accept() and the module functions build a Socket around an fd they
// just made, without the checks the public fileno argument needs.
class Adopted {
  constructor(readonly fd: number) {}
}

const BACKLOG_DEFAULT = Math.min(C.SOMAXCONN, 128);

function acceptOp<F extends number, T extends number>(fd: number, listener: Socket<F, T>): [Socket<F, T>, SocketAddress<F>] | number {
  const result = native.accept(fd);
  if (typeof result === 'number') return result;
  return [adoptSocket(listener.family, listener.type, listener.proto, result[0]), result[1] as SocketAddress<F>];
}

/** accept(2) with a timeout of its own (seconds): a server that knows its socket is readable accepts with 0, never waiting for a connection another process took. */
export let acceptWithin: <F extends number, T extends number>(sock: Socket<F, T>, timeout: number | null) => Promise<[Socket<F, T>, SocketAddress<F>]>;
/** A Socket's Handle, for an SSLSocket's TLS engine, whose calls wait on it as the Socket's own do. */
export let socketHandle: (sock: Socket) => Handle;

/**
 * A BSD socket (Python's `socket.socket`). Every call that can wait has a
 * Promise form (`recv`) and a blocking form (`recvSync`); the mode set by
 * `settimeout`/`setblocking` applies to both.
 *
 * F and T are the family and type it was made with, as the type checker
 * knows them: `socket(AF_INET, SOCK_DGRAM)`'s addresses are `[host, port]`
 * and its recvfrom always reports one; a socket made from plain numbers has
 * every address form.
 */
export class Socket<F extends number = number, T extends number = number> {
  /** The address family, such as `AF_INET`. */
  readonly family: F;
  /** The socket type, such as `SOCK_STREAM` (without SOCK_NONBLOCK/SOCK_CLOEXEC). */
  readonly type: T;
  /** The protocol number. */
  readonly proto: number;
  // structuredClone and postMessage throw a DataCloneError that says to post the fd.
  private readonly cloneGuard = SOCKET_CLONE_GUARD;
  readonly #handle: Handle;
  // The files made by makefile(), made on first use (Python's _io_refs).
  #files: FileRefs | undefined;

  /**
   * socket(2). With `fileno`, wraps that fd (taking ownership, as Python);
   * family, type and proto are then read from the fd when not given.
   */
  constructor(family?: F, type?: T, proto?: number, fileno?: number | null) {
    let fd: number;
    let timeout: number | null = getdefaulttimeout();
    if ((fileno as unknown) instanceof Adopted) {
      fd = (fileno as unknown as Adopted).fd;
    } else {
      [fd, family, type, proto] = open(family, type, proto, fileno) as [number, F, T, number];
      if (type & (C.SOCK_NONBLOCK ?? 0)) timeout = 0;
    }
    this.#handle = new Handle(fd, timeout, typeof fileno === 'number');
    this.family = family!;
    this.type = (type! & ~TYPE_FLAGS) as T;
    this.proto = proto!;
    closeWhenCollected(this, this.#handle, this.family, this.type, this.proto);
  }

  /** The fd, or -1 once closed. */
  fileno(): number {
    return this.#handle.expose();
  }

  /** Whether the socket is closed (its fd stays open while files made from it are). */
  get closed(): boolean {
    return this.#handle.fd < 0 || this.#files?.closing === true;
  }

  #fd(syscall: string): number {
    const fd = this.#handle.fd;
    if (fd < 0) throw closedError(syscall);
    return fd;
  }

  // ---- naming and connecting -------------------------------------------

  /** bind(2). A host name is resolved on the calling thread, as in Python (before the socket is checked, as there). */
  bind(address: Address<F>): void {
    const target = resolveSync(this.family, address);
    checkResult(native.bind(this.#fd('bind'), this.family, target), { syscall: 'bind', family: this.family, address: target });
  }

  /** listen(2); backlog defaults to min(SOMAXCONN, 128). */
  listen(backlog: number = BACKLOG_DEFAULT): void {
    const n = Math.max(0, checkInt(backlog, 'backlog'));
    checkResult(native.listen(this.#fd('listen'), n), 'listen');
  }

  /** accept(2): the new connection (with the default timeout) and its address. */
  accept(options?: WaitOptions): Promise<[Socket<F, T>, SocketAddress<F>]> {
    return promised(() => this.#accept(asyncForm(options), this.#handle.timeout, this.#handle.heldBy(this)));
  }

  /** accept(2) on the calling thread: the new connection and its address. */
  acceptSync(): [Socket<F, T>, SocketAddress<F>] {
    return this.#accept(SYNC, this.#handle.timeout, this.#handle);
  }

  #accept<G extends FormName>(form: Form<G>, timeout: number | null, handle: Handle): Results<[Socket<F, T>, SocketAddress<F>]>[G] {
    return form.call(handle, timeout, READ, 'accept', acceptOp<F, T>, this);
  }

  static {
    acceptWithin = (sock, timeout) => sock.#accept(ASYNC, timeout, sock.#handle.heldBy(sock));
    socketHandle = (sock) => sock.#handle.heldBy(sock);
  }

  /** connect(2); a refused connection is ConnectionRefusedError. A host name is looked up first. */
  connect(address: Address<F>, options?: WaitOptions): Promise<void> {
    return promised(() => calls.connect(asyncForm(options), this.#handle.heldBy(this), this, address));
  }

  /** connect(2) on the calling thread. */
  connectSync(address: Address<F>): void {
    calls.connect(SYNC, this.#handle, this, address);
  }

  /** connect(2) resolving 0 or the errno instead of rejecting (name look-up errors still reject). */
  connectEx(address: Address<F>, options?: WaitOptions): Promise<number> {
    return promised(() => calls.connectEx(asyncForm(options), this.#handle.heldBy(this), this, address));
  }

  /** connect(2) on the calling thread: 0 or the errno. */
  connectExSync(address: Address<F>): number {
    return calls.connectEx(SYNC, this.#handle, this, address);
  }

  /** getsockname(2): the socket's own address. */
  getsockname(): SocketAddress<F> {
    return settleAddress(native.getsockname(this.#fd('getsockname')), 'getsockname');
  }

  /** getpeername(2): the connected peer's address. */
  getpeername(): SocketAddress<F> {
    return settleAddress(native.getpeername(this.#fd('getpeername')), 'getpeername');
  }

  /** shutdown(2) with SHUT_RD, SHUT_WR or SHUT_RDWR. */
  shutdown(how: number): void {
    checkInt(how, 'how');
    checkResult(native.shutdown(this.#fd('shutdown'), how), 'shutdown');
  }

  // ---- receiving ---------------------------------------------------------

  /** recv(2): up to bufsize bytes; an empty Buffer means the peer closed. */
  recv(bufsize: number, flags?: number, options?: WaitOptions): Promise<Buffer> {
    return promised(() => calls.recv(asyncForm(options), this.#handle.heldBy(this), this, bufsize, flags));
  }

  /** recv(2) on the calling thread: up to bufsize bytes; empty once the peer closed. */
  recvSync(bufsize: number, flags?: number): Buffer {
    return calls.recv(SYNC, this.#handle, this, bufsize, flags);
  }

  /** recv(2) into the caller's memory; nbytes 0 (the default) means all of it. Resolves with the count. */
  recvInto(buffer: ArrayBufferView, nbytes?: number, flags?: number, options?: WaitOptions): Promise<number> {
    return promised(() => calls.recvInto(asyncForm(options), this.#handle.heldBy(this), this, buffer, nbytes, flags));
  }

  /** recv(2) into the caller's memory on the calling thread; the count. */
  recvIntoSync(buffer: ArrayBufferView, nbytes?: number, flags?: number): number {
    return calls.recvInto(SYNC, this.#handle, this, buffer, nbytes, flags);
  }

  /** recvfrom(2): `[data, address]`. */
  recvfrom(bufsize: number, flags?: number, options?: WaitOptions): Promise<[Buffer, SenderAddress<F, T>]> {
    return promised(() => calls.recvfrom(asyncForm(options), this.#handle.heldBy(this), bufsize, flags)) as Promise<[Buffer, SenderAddress<F, T>]>;
  }

  /** recvfrom(2) on the calling thread: `[data, address]`. */
  recvfromSync(bufsize: number, flags?: number): [Buffer, SenderAddress<F, T>] {
    return calls.recvfrom(SYNC, this.#handle, bufsize, flags) as [Buffer, SenderAddress<F, T>];
  }

  /** recvfrom(2) into the caller's memory: `[nbytes, address]`. */
  recvfromInto(buffer: ArrayBufferView, nbytes?: number, flags?: number, options?: WaitOptions): Promise<[number, SenderAddress<F, T>]> {
    return promised(() => calls.recvfromInto(asyncForm(options), this.#handle.heldBy(this), buffer, nbytes, flags)) as Promise<[number, SenderAddress<F, T>]>;
  }

  /** recvfrom(2) into the caller's memory on the calling thread: `[nbytes, address]`. */
  recvfromIntoSync(buffer: ArrayBufferView, nbytes?: number, flags?: number): [number, SenderAddress<F, T>] {
    return calls.recvfromInto(SYNC, this.#handle, buffer, nbytes, flags) as [number, SenderAddress<F, T>];
  }

  /** recvmsg(2): `[data, ancdata, msgFlags, address]`; received fds are close-on-exec. */
  recvmsg(bufsize: number, ancbufsize?: number, flags?: number, options?: WaitOptions): Promise<Message<F, T>> {
    return promised(() => calls.recvmsg(asyncForm(options), this.#handle.heldBy(this), bufsize, ancbufsize, flags)) as Promise<Message<F, T>>;
  }

  /** recvmsg(2) on the calling thread: `[data, ancdata, msgFlags, address]`. */
  recvmsgSync(bufsize: number, ancbufsize?: number, flags?: number): Message<F, T> {
    return calls.recvmsg(SYNC, this.#handle, bufsize, ancbufsize, flags) as Message<F, T>;
  }

  /** recvmsg(2) scattered into the caller's buffers: `[nbytes, ancdata, msgFlags, address]`. */
  recvmsgInto(buffers: Iterable<ArrayBufferView>, ancbufsize?: number, flags?: number, options?: WaitOptions): Promise<MessageInto<F, T>> {
    return promised(() => calls.recvmsgInto(asyncForm(options), this.#handle.heldBy(this), buffers, ancbufsize, flags)) as Promise<MessageInto<F, T>>;
  }

  /** recvmsg(2) into the caller's buffers on the calling thread: `[nbytes, ancdata, msgFlags, address]`. */
  recvmsgIntoSync(buffers: Iterable<ArrayBufferView>, ancbufsize?: number, flags?: number): MessageInto<F, T> {
    return calls.recvmsgInto(SYNC, this.#handle, buffers, ancbufsize, flags) as MessageInto<F, T>;
  }

  /** recvmmsg(2): waits (per the mode) for a datagram, then takes up to vlen queued ones of up to bufsize bytes, in order, in one system call. */
  recvmmsg(vlen: number, bufsize: number, flags?: number, options?: WaitOptions): Promise<batch.Datagram<F, T>[]> {
    return promised(() => batch.recvmmsg(asyncForm(options), this.#handle.heldBy(this), vlen, bufsize, flags)) as Promise<batch.Datagram<F, T>[]>;
  }

  /** recvmmsg(2) on the calling thread: `[data, address]` of each datagram. */
  recvmmsgSync(vlen: number, bufsize: number, flags?: number): batch.Datagram<F, T>[] {
    return batch.recvmmsg(SYNC, this.#handle, vlen, bufsize, flags) as batch.Datagram<F, T>[];
  }

  /** recvmmsg(2) into the caller's buffers, a datagram each: `[nbytes, address, msgFlags]` of each datagram received. */
  recvmmsgInto(buffers: Iterable<ArrayBufferView>, flags?: number, options?: WaitOptions): Promise<batch.DatagramInto<F, T>[]> {
    return promised(() => batch.recvmmsgInto(asyncForm(options), this.#handle.heldBy(this), buffers, flags)) as Promise<batch.DatagramInto<F, T>[]>;
  }

  /** recvmmsg(2) into the caller's buffers on the calling thread: `[nbytes, address, msgFlags]` of each datagram. */
  recvmmsgIntoSync(buffers: Iterable<ArrayBufferView>, flags?: number): batch.DatagramInto<F, T>[] {
    return batch.recvmmsgInto(SYNC, this.#handle, buffers, flags) as batch.DatagramInto<F, T>[];
  }

  // ---- sending -----------------------------------------------------------

  /** send(2): the number of bytes sent, which may be fewer than given. */
  send(data: Data, flags?: number, options?: WaitOptions): Promise<number> {
    return promised(() => calls.send(asyncForm(options), this.#handle.heldBy(this), data, flags));
  }

  /** send(2) on the calling thread: the number of bytes sent. */
  sendSync(data: Data, flags?: number): number {
    return calls.send(SYNC, this.#handle, data, flags);
  }

  /** Sends all of data or fails; concurrent sendalls never interleave. */
  sendall(data: Data, flags?: number, options?: WaitOptions): Promise<void> {
    return promised(() => calls.sendall(asyncForm(options), this.#handle.heldBy(this), data, flags));
  }

  /** Sends all of data on the calling thread, or fails. */
  sendallSync(data: Data, flags?: number): void {
    calls.sendall(SYNC, this.#handle, data, flags);
  }

  /** sendto(2): `sendto(data, address)` or `sendto(data, flags, address)`; the bytes sent. */
  sendto(data: Data, address: Address<F>, options?: WaitOptions): Promise<number>;
  sendto(data: Data, flags: number, address: Address<F>, options?: WaitOptions): Promise<number>;
  sendto(data: Data, flagsOrAddress: number | Address<F>, addressOrOptions?: Address<F> | WaitOptions, options?: WaitOptions): Promise<number> {
    // With flags, the address is third; without, the options may be.
    const withFlags = addressOrOptions !== undefined && !isWaitOptions(addressOrOptions);
    return promised(() => calls.sendto(asyncForm(withFlags ? options : addressOrOptions), this.#handle.heldBy(this), this, data, flagsOrAddress, withFlags ? addressOrOptions : undefined));
  }

  /** sendto(2) on the calling thread; the bytes sent. */
  sendtoSync(data: Data, address: Address<F>): number;
  sendtoSync(data: Data, flags: number, address: Address<F>): number;
  sendtoSync(data: Data, flagsOrAddress: number | Address<F>, address?: Address<F>): number {
    return calls.sendto(SYNC, this.#handle, this, data, flagsOrAddress, address);
  }

  /** sendmsg(2): scatter/gather `buffers`, ancillary data `[level, type, data][]`, and an address for unconnected datagram sockets. */
  sendmsg(buffers: Iterable<Data>, ancdata?: Iterable<[number, number, Data]>, flags?: number, address?: Address<F> | null, options?: WaitOptions): Promise<number> {
    return promised(() => calls.sendmsg(asyncForm(options), this.#handle.heldBy(this), this, buffers, ancdata, flags, address));
  }

  /** sendmsg(2) on the calling thread; the bytes sent. */
  sendmsgSync(buffers: Iterable<Data>, ancdata?: Iterable<[number, number, Data]>, flags?: number, address?: Address<F> | null): number {
    return calls.sendmsg(SYNC, this.#handle, this, buffers, ancdata, flags, address);
  }

  /** sendmmsg(2): `[data]` or `[data, address]` datagrams in one system call; the count sent (fewer when a later one fails; the first's failure throws). */
  sendmmsg(messages: Iterable<batch.OutgoingDatagram<F>>, flags?: number, options?: WaitOptions): Promise<number> {
    return promised(() => batch.sendmmsg(asyncForm(options), this.#handle.heldBy(this), this, messages, flags));
  }

  /** sendmmsg(2) on the calling thread; the count sent. */
  sendmmsgSync(messages: Iterable<batch.OutgoingDatagram<F>>, flags?: number): number {
    return batch.sendmmsg(SYNC, this.#handle, this, messages, flags);
  }

  /**
   * Sends a file (an fd or FileHandle): zero-copy sendfile(2) for regular files, read + send otherwise; count bytes or to EOF.
   * With an offset the file's position is untouched; without, sending starts at and advances it. Resolves with the bytes sent.
   */
  sendfile(file: FileLike, offset?: number | null, count?: number | null, options?: WaitOptions): Promise<number> {
    return promised(() => calls.sendfile(asyncForm(options), this.#handle.heldBy(this), this, file, offset, count));
  }

  /** sendfile on the calling thread; the bytes sent. */
  sendfileSync(file: FileLike, offset?: number | null, count?: number | null): number {
    return calls.sendfile(SYNC, this.#handle, this, file, offset, count);
  }

  // ---- options and modes -----------------------------------------------------

  /** setsockopt(2) for any level and option. value: a number (a C int), a boolean, or bytes; or null with optlen for a NULL value of that length. */
  setsockopt(level: number, option: number, value: OptionValue, optlen?: number): void {
    checkInt(level, 'level');
    checkInt(option, 'option');
    setsockopt(this.#fd('setsockopt'), level, option, value, optlen);
  }

  /** getsockopt(2): an int option as a number, or with buflen the raw bytes. */
  getsockopt(level: number, option: number, buflen?: 0): number;
  getsockopt(level: number, option: number, buflen: number): Buffer;
  getsockopt(level: number, option: number, buflen?: number): number | Buffer {
    checkInt(level, 'level');
    checkInt(option, 'option');
    return getsockopt(this.#fd('getsockopt'), level, option, buflen);
  }

  /** null: blocking (wait forever); 0: non-blocking; t > 0: wait at most t seconds. */
  settimeout(timeout: number | null): void {
    const checked = checkTimeout(timeout);
    this.#fd('settimeout');
    this.#handle.timeout = checked;
  }

  /** The timeout in seconds: null (blocking), 0 (non-blocking) or the limit of each call. */
  gettimeout(): number | null {
    return this.#handle.timeout;
  }

  /** The timeout, as gettimeout() gives it (Python's read-only attribute). */
  get timeout(): number | null {
    return this.#handle.timeout;
  }

  /** setblocking(true) is settimeout(null); setblocking(false) is settimeout(0). */
  setblocking(flag: boolean): void {
    const blocking = checkBoolean(flag, 'flag');
    this.#fd('setblocking');
    this.#handle.timeout = blocking ? null : 0;
  }

  /** False only in non-blocking mode (timeout 0). */
  getblocking(): boolean {
    return this.#handle.timeout !== 0;
  }

  /** Whether the fd is inherited by child processes (not by default: close-on-exec). */
  getInheritable(): boolean {
    const rc = native.getInheritable(this.#fd('fcntl'));
    checkResult(rc, 'fcntl');
    return rc === 1;
  }

  /** Sets whether the fd is inherited by child processes (clears or sets close-on-exec). */
  setInheritable(inheritable: boolean): void {
    checkResult(native.setInheritable(this.#fd('fcntl'), checkBoolean(inheritable, 'inheritable')), 'fcntl');
  }

  // ---- files and streams ---------------------------------------------------

  /** A file over the socket (see SocketFile): text in modes 'r', 'w', 'rw'; Buffers in 'rb', 'wb', 'rwb'. */
  makefile(mode: 'rb' | 'wb' | 'rwb', options?: MakefileOptions): SocketFile<Buffer>;
  makefile(mode?: 'r' | 'w' | 'rw', options?: MakefileOptions): SocketFile<string>;
  makefile(mode: string, options?: MakefileOptions): SocketFile;
  makefile(mode = 'r', options: MakefileOptions = {}): SocketFile {
    this.#fd('makefile');
    this.#files ??= new FileRefs(() => this.close());
    return new SocketFile(this, mode, options, this.#files);
  }

  /** `for await (const chunk of sock)`: a SOCK_STREAM socket's data as recv() returns it, until EOF (the timeout applies to each read; leaving the loop early leaves the socket open). */
  [Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    return chunks(this);
  }

  /** A stream.Duplex that owns the socket: end() is shutdown(SHUT_WR), destroy() closes it. */
  toDuplex(options?: ToDuplexOptions): Duplex {
    return toDuplex(this, options);
  }

  /** A ReadableStream (BYOB-capable) and WritableStream that own the socket. */
  toWebStreams(): SocketWebStreams {
    return toWebStreams(this);
  }

  /** A net.Socket over a dup of this connected TCP or Unix stream socket's fd. */
  toNetSocket(): NetSocket {
    return toNetSocket(this);
  }

  /** A Socket over a dup of a net.Socket's fd (TypeError if it has none). */
  static fromNetSocket(socket: NetSocket): Socket {
    return socketOnFd(dupNetSocket(socket), -1, -1, -1);
  }

  // ---- lifetime ------------------------------------------------------------

  /** Closes the socket (idempotent); calls waiting on it reject with EBADF. With files open, the fd closes when the last one does. */
  close(): void {
    if (this.#files?.deferClose() === true) return;
    released(this.#handle);
    const rc = this.#handle.close();
    // EBADF: the fd was closed behind our back; this socket is closed all the same, and says so, as Python's.
    if (rc < 0) throw errorFromErrno(rc, 'close');
  }

  /** Gives up the fd without closing it and returns it. */
  detach(): number {
    released(this.#handle);
    return this.#handle.detach();
  }

  /** A new Socket on a dup of the fd, with the same timeout. */
  dup(): Socket<F, T> {
    const fd = native.dup(this.#fd('dup') >= 0 ? this.#handle.expose() : -1);
    checkResult(fd, 'dup');
    const copy = socketOnFd(fd, this.family, this.type, this.proto);
    copy.settimeout(this.gettimeout());
    return copy;
  }

  /** Waiting calls keep the process alive (the default). */
  ref(): this {
    this.#handle.setRef(true);
    return this;
  }

  /** Waiting calls do not keep the process alive. */
  unref(): this {
    this.#handle.setRef(false);
    return this;
  }

  /** close(), for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** close(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /** Python's repr: `<berkeley.Socket fd=…, family=…, type=…, proto=…, laddr=…, raddr=…>`. */
  toString(): string {
    return describe(this.#handle.fd, this.closed, this.family, this.type, this.proto, true);
  }

  /** util.inspect() shows toString(). */
  [inspect.custom](): string {
    return this.toString();
  }
}

/** Builds a Socket around an fd the library just made. */
export function adoptSocket<F extends number, T extends number>(family: F, type: T, proto: number, fd: number): Socket<F, T> {
  return new Socket(family, type, proto, new Adopted(fd) as unknown as number);
}

/** A Socket owning fd (family, type and proto read from it where -1); the fd is closed if that fails. */
export function socketOnFd<F extends number, T extends number>(fd: number, family: F, type: T, proto: number): Socket<F, T> {
  try {
    return new Socket(family, type, proto, fd);
  } catch (error) {
    native.close(fd);
    throw error;
  }
}
