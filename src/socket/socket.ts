// The Socket class (Python's socket.socket): one thin method per socket
// call; waiting calls go through the call helper in both forms.
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { inspect } from 'node:util';
import { formatAddress, resolve, resolveSync, type Address, type SocketAddress } from './address.js';
import { callAsync, callSync } from '../io/call.js';
import * as C from '../core/constants.js';
import { closedError, errorFromErrno, GaiError, SocketError } from '../core/errors.js';
import { FileRefs, SocketFile, type MakefileOptions } from '../adapters/file.js';
import { Handle } from '../io/handle.js';
import { native, type NativeAddress } from '../core/native.js';
import { fromNetSocket, toNetSocket } from '../adapters/netinterop.js';
import { checkAncdata, checkBuffers, CHUNK, isRegularFile, readChunk, readChunkSync, SendFile, sendfileArguments, type Ancillary, type FileLike } from './message.js';
import { Connect, getsockoptInt, RecvAll, recvfromIntoOp, recvIntoOp, SendAll, sendmsgOp, sendtoOp } from '../io/ops.js';
import { READ, WRITE } from '../io/readiness.js';
import { toDuplex, toWebStreams, type SocketWebStreams, type ToDuplexOptions } from '../adapters/streams.js';
import { getdefaulttimeout } from './timeout.js';
import { checkBoolean, checkFlags, checkInt, checkSize, checkTimeout, checkWritable, toBytes, typeError } from '../core/validate.js';

export type Data = string | ArrayBufferView | ArrayBuffer;
/** What recvmsg returns: `[data, ancdata, msgFlags, address]`. */
export type Message = [data: Buffer, ancdata: Ancillary[], msgFlags: number, address: SocketAddress];

// The GC of an unclosed Socket closes its fd, with a warning, as Python does.
const unclosed = new FinalizationRegistry<{ handle: Handle; description: string }>(({ handle, description }) => {
  if (handle.fd < 0) return;
  handle.close();
  process.emitWarning(`unclosed ${description}`, 'ResourceWarning');
});

// Lets accept() and the module functions build a Socket around an fd they
// just made, without the checks the public fileno argument needs.
class Adopted {
  constructor(readonly fd: number) {}
}

const familyNames = new Map<number, string>();
const typeNames = new Map<number, string>();
for (const name of ['AF_UNSPEC', 'AF_UNIX', 'AF_INET', 'AF_INET6', 'AF_PACKET', 'AF_NETLINK']) {
  const value = (C as Record<string, number>)[name];
  if (value !== undefined) familyNames.set(value, name);
}
for (const name of ['SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_RAW', 'SOCK_RDM', 'SOCK_SEQPACKET']) {
  const value = (C as Record<string, number | undefined>)[name];
  if (value !== undefined) typeNames.set(value, name);
}
for (const [name, value] of Object.entries(C)) {
  if (value === undefined) continue;
  if (name.startsWith('AF_') && !familyNames.has(value)) familyNames.set(value, name);
  if (name.startsWith('SOCK_') && !typeNames.has(value)) typeNames.set(value, name);
}

const BACKLOG_DEFAULT = Math.min(C.SOMAXCONN, 128);
const TYPE_FLAGS = (C.SOCK_NONBLOCK ?? 0) | (C.SOCK_CLOEXEC ?? 0);

function check(rc: number, syscall: string): void {
  if (rc < 0) throw errorFromErrno(rc, syscall);
}

function settleAddress(value: NativeAddress | number, syscall: string): SocketAddress {
  if (typeof value === 'number') throw errorFromErrno(value, syscall);
  return value;
}

/** The `[nbytes]` of recvInto/recvfromInto: 0 means the whole buffer. */
function intoLength(buffer: ArrayBufferView, nbytes: unknown): number {
  const n = nbytes === undefined ? 0 : checkSize(nbytes, 'nbytes');
  if (n > buffer.byteLength) throw new RangeError(`The "nbytes" argument (${n}) is larger than the buffer (${buffer.byteLength} bytes)`);
  return n === 0 ? buffer.byteLength : n;
}

const done = (): void => undefined;

// The async forms reject, never throw, on bad arguments (the hot ones
// inline this to spare a closure per call).
function asyncly<T>(run: () => Promise<T>): Promise<T> {
  try {
    return run();
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * A BSD socket (Python's `socket.socket`). Every call that can wait has a
 * Promise form (`recv`) and a blocking form (`recvSync`); the mode set by
 * `settimeout`/`setblocking` applies to both.
 */
export class Socket {
  /** The address family, such as `AF_INET`. */
  readonly family: number;
  /** The socket type, such as `SOCK_STREAM` (without SOCK_NONBLOCK/SOCK_CLOEXEC). */
  readonly type: number;
  /** The protocol number. */
  readonly proto: number;
  readonly #handle: Handle;
  // The files made by makefile(), made on first use (Python's _io_refs).
  #files: FileRefs | undefined;

  /**
   * socket(2). With `fileno`, wraps that fd (taking ownership, as Python);
   * family, type and proto are then read from the fd when not given.
   */
  constructor(family?: number, type?: number, proto?: number, fileno?: number | null) {
    if ((fileno as unknown) instanceof Adopted) {
      this.#handle = new Handle((fileno as unknown as Adopted).fd, getdefaulttimeout());
      [family, type, proto] = [family!, type!, proto!];
    } else {
      const given = fileno !== undefined && fileno !== null;
      // With an fd, what is not given (or -1) is read from the fd, as in Python.
      const detected = (value: number | undefined, name: string, fallback: number): number | undefined => {
        if (value === undefined) return given ? undefined : fallback;
        checkInt(value, name);
        return given && value === -1 ? undefined : value;
      };
      let f = detected(family, 'family', C.AF_INET);
      let t = detected(type, 'type', C.SOCK_STREAM);
      let p = detected(proto, 'proto', 0);
      let fd: number;
      if (given) {
        fd = checkInt(fileno, 'fileno', 0);
        const option = (opt: number): number => {
          const { rc, value } = getsockoptInt(fd, C.SOL_SOCKET, opt);
          check(rc, 'getsockopt');
          return value;
        };
        // SO_TYPE is read even when given: wrapping a non-socket fails here (ENOTSOCK).
        const actualType = option(C.SO_TYPE);
        t ??= actualType;
        // Linux's SO_DOMAIN and SO_PROTOCOL (a port without them asks getsockname).
        f ??= option(C.SO_DOMAIN!);
        p ??= option(C.SO_PROTOCOL!);
        check(native.setNonblocking(fd), 'fcntl');
      } else {
        fd = native.socket(f!, t!, p!);
        check(fd, 'socket');
      }
      [family, type, proto] = [f!, t!, p!];
      const timeout = type & (C.SOCK_NONBLOCK ?? 0) ? 0 : getdefaulttimeout();
      this.#handle = new Handle(fd, timeout);
    }
    this.family = family;
    this.type = type & ~TYPE_FLAGS;
    this.proto = proto;
    this.#handle.owner = new WeakRef(this);
    unclosed.register(this, { handle: this.#handle, description: this.#describe(false) }, this.#handle);
  }

  /** The fd, or -1 once closed. */
  fileno(): number {
    return this.#handle.fd;
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

  /** bind(2). A host name is resolved on the calling thread, as in Python. */
  bind(address: Address): void {
    const fd = this.#fd('bind');
    check(native.bind(fd, this.family, resolveSync(this.family, address)), 'bind');
  }

  /** listen(2); backlog defaults to min(SOMAXCONN, 128). */
  listen(backlog: number = BACKLOG_DEFAULT): void {
    const n = Math.max(0, checkInt(backlog, 'backlog'));
    check(native.listen(this.#fd('listen'), n), 'listen');
  }

  #accepted(result: [number, NativeAddress]): [Socket, SocketAddress] {
    return [adoptSocket(this.family, this.type, this.proto, result[0]), result[1]];
  }

  /** accept(2): the new connection (with the default timeout) and its address. */
  accept(): Promise<[Socket, SocketAddress]> {
    return callAsync(this.#handle, this.#handle.timeout, READ, 'accept', native.accept).then((r) => this.#accepted(r));
  }

  acceptSync(): [Socket, SocketAddress] {
    return this.#accepted(callSync(this.#handle, this.#handle.timeout, READ, 'accept', native.accept));
  }

  /** connect(2); a refused connection is ConnectionRefusedError. */
  connect(address: Address): Promise<void> {
    return asyncly(async () => {
      this.#fd('connect');
      const target = await resolve(this.family, address);
      await callAsync(this.#handle, this.#handle.timeout, WRITE, 'connect', Connect.op, new Connect(this.family, target));
    });
  }

  connectSync(address: Address): void {
    this.#fd('connect');
    const target = resolveSync(this.family, address);
    callSync(this.#handle, this.#handle.timeout, WRITE, 'connect', Connect.op, new Connect(this.family, target));
  }

  /** connect(2) returning 0 or the errno instead of throwing (name look-up errors still throw). */
  connectEx(address: Address): Promise<number> {
    return this.connect(address).then(() => 0, connectExResult);
  }

  connectExSync(address: Address): number {
    try {
      this.connectSync(address);
      return 0;
    } catch (error) {
      return connectExResult(error);
    }
  }

  /** getsockname(2). */
  getsockname(): SocketAddress {
    return settleAddress(native.getsockname(this.#fd('getsockname')), 'getsockname');
  }

  /** getpeername(2). */
  getpeername(): SocketAddress {
    return settleAddress(native.getpeername(this.#fd('getpeername')), 'getpeername');
  }

  /** shutdown(2) with SHUT_RD, SHUT_WR or SHUT_RDWR. */
  shutdown(how: number): void {
    checkInt(how, 'how');
    check(native.shutdown(this.#fd('shutdown'), how), 'shutdown');
  }

  // ---- receiving ---------------------------------------------------------

  /**
   * The timeout of one call with these flags: MSG_DONTWAIT makes a call on a
   * blocking socket non-blocking, as in Python (with a timeout it still waits).
   */
  #timeoutFor(flags: number): number | null {
    const timeout = this.#handle.timeout;
    return timeout === null && flags & C.MSG_DONTWAIT ? 0 : timeout;
  }

  /**
   * MSG_WAITALL on a stream socket waits for every byte (or the end of the
   * stream), within the timeout if one is set, as the kernel would for a
   * blocking fd: berkeley's fds never block, so the waiting is done here.
   */
  #waitsForAll(flags: number): boolean {
    return (flags & C.MSG_WAITALL) !== 0 && this.#handle.timeout !== 0 && this.type === C.SOCK_STREAM;
  }

  /** recv(2): up to bufsize bytes; an empty Buffer means the peer closed. */
  recv(bufsize: number, flags?: number): Promise<Buffer> {
    try {
      const n = checkSize(bufsize, 'bufsize');
      const f = checkFlags(flags);
      if (n === 0) return Promise.resolve(Buffer.alloc(0));
      if (this.#waitsForAll(f)) {
        const state = new RecvAll(Buffer.allocUnsafe(n), n, f);
        return callAsync(this.#handle, this.#handle.timeout, READ, 'recv', RecvAll.op, state).then(() => state.received());
      }
      return callAsync(this.#handle, this.#timeoutFor(f), READ, 'recv', native.recv, n, f);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  recvSync(bufsize: number, flags?: number): Buffer {
    const n = checkSize(bufsize, 'bufsize');
    const f = checkFlags(flags);
    if (n === 0) return Buffer.alloc(0);
    if (this.#waitsForAll(f)) {
      const state = new RecvAll(Buffer.allocUnsafe(n), n, f);
      callSync(this.#handle, this.#handle.timeout, READ, 'recv', RecvAll.op, state);
      return state.received();
    }
    return callSync(this.#handle, this.#timeoutFor(f), READ, 'recv', native.recv, n, f);
  }

  /** A stream read of 0 bytes is 0 at once, as in Python (a datagram one still takes a datagram). */
  #nothingToRead(n: number): boolean {
    this.#fd('recv');
    return n === 0 && this.type === C.SOCK_STREAM;
  }

  /** recv(2) into the caller's memory; nbytes 0 (the default) means all of it. Returns the count. */
  recvInto(buffer: ArrayBufferView, nbytes?: number, flags?: number): Promise<number> {
    try {
      const into = checkWritable(buffer);
      const n = intoLength(into, nbytes);
      const f = checkFlags(flags);
      if (this.#nothingToRead(n)) return Promise.resolve(0);
      if (this.#waitsForAll(f)) return callAsync(this.#handle, this.#handle.timeout, READ, 'recv', RecvAll.op, new RecvAll(into, n, f));
      return callAsync(this.#handle, this.#timeoutFor(f), READ, 'recv', recvIntoOp, into, n, f);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  recvIntoSync(buffer: ArrayBufferView, nbytes?: number, flags?: number): number {
    const into = checkWritable(buffer);
    const n = intoLength(into, nbytes);
    const f = checkFlags(flags);
    if (this.#nothingToRead(n)) return 0;
    if (this.#waitsForAll(f)) return callSync(this.#handle, this.#handle.timeout, READ, 'recv', RecvAll.op, new RecvAll(into, n, f));
    return callSync(this.#handle, this.#timeoutFor(f), READ, 'recv', recvIntoOp, into, n, f);
  }

  /** recvfrom(2): `[data, address]`. */
  recvfrom(bufsize: number, flags?: number): Promise<[Buffer, SocketAddress]> {
    return asyncly(() => {
      const [n, f] = [checkSize(bufsize, 'bufsize'), checkFlags(flags)];
      return callAsync(this.#handle, this.#timeoutFor(f), READ, 'recvfrom', native.recvfrom, n, f);
    });
  }

  recvfromSync(bufsize: number, flags?: number): [Buffer, SocketAddress] {
    const [n, f] = [checkSize(bufsize, 'bufsize'), checkFlags(flags)];
    return callSync(this.#handle, this.#timeoutFor(f), READ, 'recvfrom', native.recvfrom, n, f);
  }

  /** recvfrom(2) into the caller's memory: `[nbytes, address]`. */
  recvfromInto(buffer: ArrayBufferView, nbytes?: number, flags?: number): Promise<[number, SocketAddress]> {
    return asyncly(() => {
      const into = checkWritable(buffer);
      const [n, f] = [intoLength(into, nbytes), checkFlags(flags)];
      return callAsync(this.#handle, this.#timeoutFor(f), READ, 'recvfrom', recvfromIntoOp, into, n, f);
    });
  }

  recvfromIntoSync(buffer: ArrayBufferView, nbytes?: number, flags?: number): [number, SocketAddress] {
    const into = checkWritable(buffer);
    const [n, f] = [intoLength(into, nbytes), checkFlags(flags)];
    return callSync(this.#handle, this.#timeoutFor(f), READ, 'recvfrom', recvfromIntoOp, into, n, f);
  }

  // ---- sending -----------------------------------------------------------

  /** send(2): the number of bytes sent, which may be fewer than given. */
  send(data: Data, flags?: number): Promise<number> {
    try {
      const [bytes, f] = [toBytes(data), checkFlags(flags)];
      return callAsync(this.#handle, this.#timeoutFor(f), WRITE, 'send', native.send, bytes, f);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  sendSync(data: Data, flags?: number): number {
    const [bytes, f] = [toBytes(data), checkFlags(flags)];
    return callSync(this.#handle, this.#timeoutFor(f), WRITE, 'send', native.send, bytes, f);
  }

  /** Sends all of data or fails; concurrent sendalls never interleave. */
  sendall(data: Data, flags?: number): Promise<void> {
    try {
      const [state, f] = [new SendAll(toBytes(data)), checkFlags(flags)];
      return callAsync(this.#handle, this.#timeoutFor(f), WRITE, 'send', SendAll.op, state, f).then(done);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  sendallSync(data: Data, flags?: number): void {
    const [state, f] = [new SendAll(toBytes(data)), checkFlags(flags)];
    callSync(this.#handle, this.#timeoutFor(f), WRITE, 'send', SendAll.op, state, f);
  }

  /** sendto(2): `sendto(data, address)` or `sendto(data, flags, address)`. */
  sendto(data: Data, address: Address): Promise<number>;
  sendto(data: Data, flags: number, address: Address): Promise<number>;
  sendto(data: Data, flagsOrAddress: number | Address, address?: Address): Promise<number> {
    return asyncly(() => {
      const bytes = toBytes(data);
      const [f, to] = sendtoArguments(flagsOrAddress, address);
      const send = (target: NativeAddress): Promise<number> =>
        callAsync(this.#handle, this.#timeoutFor(f), WRITE, 'sendto', sendtoOp, bytes, f, this.family, target);
      const target = resolve(this.family, to);
      return target instanceof Promise ? target.then(send) : send(target);
    });
  }

  sendtoSync(data: Data, address: Address): number;
  sendtoSync(data: Data, flags: number, address: Address): number;
  sendtoSync(data: Data, flagsOrAddress: number | Address, address?: Address): number {
    const bytes = toBytes(data);
    const [f, to] = sendtoArguments(flagsOrAddress, address);
    return callSync(this.#handle, this.#timeoutFor(f), WRITE, 'sendto', sendtoOp, bytes, f, this.family, resolveSync(this.family, to));
  }

  // ---- messages and files --------------------------------------------------

  /**
   * sendmsg(2): scatter/gather `buffers`, ancillary data `[level, type,
   * data][]`, and an address for unconnected datagram sockets.
   */
  sendmsg(buffers: Iterable<Data>, ancdata?: Iterable<[number, number, Data]>, flags?: number, address?: Address): Promise<number> {
    return asyncly(async () => {
      const [data, control, f] = [checkBuffers(buffers), checkAncdata(ancdata), checkFlags(flags)];
      const to = address === undefined || address === null ? null : await resolve(this.family, address);
      return callAsync(this.#handle, this.#timeoutFor(f), WRITE, 'sendmsg', sendmsgOp, data, control, f, [this.family, to]);
    });
  }

  sendmsgSync(buffers: Iterable<Data>, ancdata?: Iterable<[number, number, Data]>, flags?: number, address?: Address): number {
    const [data, control, f] = [checkBuffers(buffers), checkAncdata(ancdata), checkFlags(flags)];
    const to = address === undefined || address === null ? null : resolveSync(this.family, address);
    return callSync(this.#handle, this.#timeoutFor(f), WRITE, 'sendmsg', sendmsgOp, data, control, f, [this.family, to]);
  }

  /** recvmsg(2): `[data, ancdata, msgFlags, address]`; received fds are close-on-exec. */
  recvmsg(bufsize: number, ancbufsize?: number, flags?: number): Promise<Message> {
    return asyncly(() => {
      const [n, ancn, f] = recvmsgArguments(bufsize, ancbufsize, flags);
      return callAsync(this.#handle, this.#timeoutFor(f), READ, 'recvmsg', native.recvmsg, n, ancn, f);
    });
  }

  recvmsgSync(bufsize: number, ancbufsize?: number, flags?: number): Message {
    const [n, ancn, f] = recvmsgArguments(bufsize, ancbufsize, flags);
    return callSync(this.#handle, this.#timeoutFor(f), READ, 'recvmsg', native.recvmsg, n, ancn, f);
  }

  /**
   * Sends a file (an fd or FileHandle): zero-copy sendfile(2) for regular
   * files, read + send otherwise; count bytes or to EOF. With an offset the
   * file's position is untouched; without, sending starts at and advances it.
   * Returns the number of bytes sent.
   */
  sendfile(file: FileLike, offset?: number | null, count?: number | null): Promise<number> {
    return asyncly(async () => {
      const [infd, from, limit] = sendfileArguments(file, offset, count);
      if (this.type === C.SOCK_STREAM && isRegularFile(infd)) {
        return callAsync(this.#handle, this.#handle.timeout, WRITE, 'sendfile', SendFile.op, new SendFile(infd, from, limit));
      }
      const chunk = Buffer.allocUnsafe(CHUNK);
      let sent = 0;
      for (;;) {
        const data = await readChunk(infd, from === null ? null : from + sent, limit - sent, chunk);
        if (data.length === 0) return sent;
        await this.sendall(data);
        sent += data.length;
      }
    });
  }

  sendfileSync(file: FileLike, offset?: number | null, count?: number | null): number {
    const [infd, from, limit] = sendfileArguments(file, offset, count);
    if (this.type === C.SOCK_STREAM && isRegularFile(infd)) {
      return callSync(this.#handle, this.#handle.timeout, WRITE, 'sendfile', SendFile.op, new SendFile(infd, from, limit));
    }
    const chunk = Buffer.allocUnsafe(CHUNK);
    let sent = 0;
    for (;;) {
      const data = readChunkSync(infd, from === null ? null : from + sent, limit - sent, chunk);
      if (data.length === 0) return sent;
      this.sendallSync(data);
      sent += data.length;
    }
  }

  // ---- options -----------------------------------------------------------

  /**
   * setsockopt(2) for any level and option. value: a number (int), a
   * boolean, or bytes; or null with optlen for a NULL value of that length.
   */
  setsockopt(level: number, option: number, value: number | boolean | ArrayBufferView | ArrayBuffer | null, optlen?: number): void {
    checkInt(level, 'level');
    checkInt(option, 'option');
    const fd = this.#fd('setsockopt');
    let rc: number;
    if (value === null) {
      if (optlen === undefined) throw typeError('optlen', 'a number when value is null', optlen);
      rc = native.setsockoptNull(fd, level, option, checkInt(optlen, 'optlen', 0, 65536));
    } else if (optlen !== undefined) {
      throw new TypeError('The "optlen" argument is only allowed when value is null');
    } else if (typeof value === 'number') {
      // A C int, as Python's: an unsigned option (SO_MARK) past 2**31-1 takes its bits as a negative int or as bytes.
      rc = native.setsockoptInt(fd, level, option, checkInt(value, 'value', -0x80000000, 0x7fffffff));
    } else if (typeof value === 'boolean') {
      rc = native.setsockoptInt(fd, level, option, value ? 1 : 0);
    } else if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      rc = native.setsockoptBytes(fd, level, option, value);
    } else {
      throw typeError('value', 'a number, boolean, bytes or null', value);
    }
    check(rc, 'setsockopt');
  }

  /** getsockopt(2): an int option as a number, or with buflen the raw bytes. */
  getsockopt(level: number, option: number, buflen?: 0): number;
  getsockopt(level: number, option: number, buflen: number): Buffer;
  getsockopt(level: number, option: number, buflen?: number): number | Buffer {
    checkInt(level, 'level');
    checkInt(option, 'option');
    const fd = this.#fd('getsockopt');
    // buflen 0 is the int form too, as in Python.
    if (buflen === undefined || buflen === 0) {
      const { rc, value } = getsockoptInt(fd, level, option);
      check(rc, 'getsockopt');
      return value;
    }
    const result = native.getsockoptBytes(fd, level, option, checkInt(buflen, 'buflen', 1, 65536));
    if (typeof result === 'number') throw errorFromErrno(result, 'getsockopt');
    return result;
  }

  // ---- modes ---------------------------------------------------------------

  /** null: blocking (wait forever); 0: non-blocking; t > 0: wait at most t seconds. */
  settimeout(timeout: number | null): void {
    const checked = checkTimeout(timeout);
    this.#fd('settimeout');
    this.#handle.timeout = checked;
  }

  gettimeout(): number | null {
    return this.#handle.timeout;
  }

  /** setblocking(true) is settimeout(null); setblocking(false) is settimeout(0). */
  setblocking(flag: boolean): void {
    const blocking = checkBoolean(flag, 'flag');
    this.#fd('setblocking');
    this.#handle.timeout = blocking ? null : 0;
  }

  getblocking(): boolean {
    return this.#handle.timeout !== 0;
  }

  /** Whether the fd is inherited by child processes (not by default: close-on-exec). */
  getInheritable(): boolean {
    const rc = native.getInheritable(this.#fd('fcntl'));
    check(rc, 'fcntl');
    return rc === 1;
  }

  setInheritable(inheritable: boolean): void {
    check(native.setInheritable(this.#fd('fcntl'), checkBoolean(inheritable, 'inheritable')), 'fcntl');
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

  /** A stream.Duplex that owns the socket: end() is shutdown(SHUT_WR), destroy() closes it. */
  toDuplex(options?: ToDuplexOptions): Duplex {
    return toDuplex(this, options);
  }

  /** A ReadableStream (BYOB-capable) and WritableStream that own the socket. */
  toWebStreams(): SocketWebStreams {
    return toWebStreams(this);
  }

  /** A net.Socket over a dup of this connected TCP or Unix stream socket's fd. */
  toNetSocket(): net.Socket {
    return toNetSocket(this);
  }

  /** A Socket over a dup of a net.Socket's fd (TypeError if it has none). */
  static fromNetSocket(socket: net.Socket): Socket {
    return fromNetSocket(socket);
  }

  // ---- lifetime ------------------------------------------------------------

  /** Closes the socket (idempotent); calls waiting on it reject with EBADF. With files open, the fd closes when the last one does. */
  close(): void {
    if (this.#files?.deferClose() === true) return;
    unclosed.unregister(this.#handle);
    const rc = this.#handle.close();
    // EBADF: the fd was closed behind our back; this socket is closed all the same, and says so, as Python's.
    if (rc < 0) throw errorFromErrno(rc, 'close');
  }

  /** Gives up the fd without closing it and returns it. */
  detach(): number {
    unclosed.unregister(this.#handle);
    return this.#handle.detach();
  }

  /** A new Socket on a dup of the fd, with the same timeout. */
  dup(): Socket {
    const fd = native.dup(this.#fd('dup'));
    check(fd, 'dup');
    const copy = adoptSocket(this.family, this.type, this.proto, fd);
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

  [Symbol.dispose](): void {
    this.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  #describe(withAddresses: boolean): string {
    const family = familyNames.get(this.family) ?? String(this.family);
    const type = typeNames.get(this.type) ?? String(this.type);
    let text = `<berkeley.Socket${this.closed ? ' [closed]' : ''} fd=${this.#handle.fd}, family=${family}, type=${type}, proto=${this.proto}`;
    if (withAddresses && !this.closed) {
      const local = native.getsockname(this.#handle.fd);
      // As Python, an empty address (an unnamed Unix socket) is left out.
      if (typeof local !== 'number' && local !== null && local !== '') text += `, laddr=${formatAddress(local)}`;
      const remote = native.getpeername(this.#handle.fd);
      if (typeof remote !== 'number' && remote !== null && remote !== '') text += `, raddr=${formatAddress(remote)}`;
    }
    return `${text}>`;
  }

  toString(): string {
    return this.#describe(true);
  }

  [inspect.custom](): string {
    return this.#describe(true);
  }
}

/** Builds a Socket around an fd the library just made. */
export function adoptSocket(family: number, type: number, proto: number, fd: number): Socket {
  return new Socket(family, type, proto, new Adopted(fd) as unknown as number);
}

function recvmsgArguments(bufsize: unknown, ancbufsize: unknown, flags: unknown): [number, number, number] {
  return [checkSize(bufsize, 'bufsize'), ancbufsize === undefined ? 0 : checkInt(ancbufsize, 'ancbufsize', 0, 1 << 20), checkFlags(flags)];
}


function sendtoArguments(flagsOrAddress: unknown, address: unknown): [number, unknown] {
  return address === undefined ? [0, flagsOrAddress] : [checkFlags(flagsOrAddress), address];
}

function connectExResult(error: unknown): number {
  if (error instanceof SocketError && !(error instanceof GaiError)) return error.errno;
  throw error;
}
