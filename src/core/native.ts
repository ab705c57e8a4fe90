// The typed face of the C addon (native/). Every call returns its result or
// a negative errno as a plain number; nothing here throws for an OS error.
import { loadAddon } from '../../addon/load.mjs';
import type { ErrnoName } from './errno-names.js';

/** A decoded socket address as the addon hands it over. */
export type NativeAddress = [string, number] | [string, number, number, number] | string | Buffer | [string, number, number, number, Buffer] | [number, Buffer] | null;
/** One getaddrinfo entry: [family, type, proto, canonname, sockaddr]. */
export type NativeAddrinfo = [number, number, number, string, NativeAddress];
/** A getaddrinfo failure: the EAI_* code and, for EAI_SYSTEM, the errno. */
export interface NativeGaiFailure { gai: number; errno: number }
/** A hostent: [name, aliases, addresses]. */
export type NativeHostent = [string, string[], string[]];
/** A failure of the hostent look-ups: h_errno. */
export interface NativeHostFailure { herrno: number }
export type Bytes = ArrayBufferView | ArrayBuffer;
/** Opaque handle of a uv_poll_t readiness watcher. */
export interface NativeWatcher { readonly __watcher: unique symbol }
/** Opaque handle of a TLS context (an SSL_CTX). */
export interface NativeTLSContext { readonly __tlsContext: unique symbol }
/** Opaque handle of a TLS connection (an SSL object). */
export interface NativeTLS { readonly __tls: unique symbol }
/** Opaque handle of a memory BIO (OpenSSL's BIO_s_mem), a MemoryBIO's bytes. */
export interface NativeMemoryBIO { readonly __memoryBio: unique symbol }
/** Opaque handle of a TLS session (one reference of an SSL_SESSION). */
export interface NativeTLSSession { readonly __tlsSession: unique symbol }
/** tlsLastError(): [SSL_get_error()'s kind, library, reason text, verify code, verify message]. */
export type NativeTLSFailure = [kind: number, library: string | null, reason: string | null, verifyCode: number, verifyMessage: string | null];

/** The numbers both sides must agree on (native/contract.h), frozen. */
export interface Contract {
  /** Readiness events of watcherUpdate, waitSync and pollSync. */
  readonly READ: 1;
  readonly WRITE: 2;
  readonly PRIORITY: 4;
  /** pollSync's result for a closed fd, never mixed with events. */
  readonly CLOSED: 8;
  /** The largest recv read through the addon's scratch buffer: no Buffer of the size asked is made first. */
  readonly SCRATCH_SIZE: number;
  /** The longest setsockopt optlen and getsockopt buflen. */
  readonly SOCKOPT_MAX: number;
  /** sendmsg's and recvmsgInto's most buffers, and the most ancillary items or fds an argument holds. */
  readonly IOV_MAX: number;
  /** The largest control buffer (ancbufsize, CMSG_LEN/CMSG_SPACE lengths). */
  readonly CONTROL_MAX: number;
  /** recvmmsg's most bytes of datagrams in one call (vlen × bufsize). */
  readonly MMSG_BYTES_MAX: number;
  /** The bytes of an AF_UNIX address (a path takes one less, for its NUL). */
  readonly SUN_PATH_MAX: number;
  /** The bytes of an AF_PACKET hardware address. */
  readonly SLL_ADDR_MAX: number;
  /** The most fds one SCM_RIGHTS message carries. */
  readonly SCM_MAX_FD: number;
  /** A TLS operation's "wait until readable, then call again". */
  readonly TLS_WANT_READ: number;
  /** A TLS operation's "wait until writable, then call again". */
  readonly TLS_WANT_WRITE: number;
  /** A TLS operation failed: tlsLastError() says how. */
  readonly TLS_FAILED: number;
  /** A server's handshake stopped at the client's hello for sniCallback: run it, then call the operation again at once. */
  readonly TLS_SERVER_NAME: number;
}

/** A cipher as SSLContext.getCiphers() describes it (Python's dict, camelCased: `strengthBits`, `algBits`). */
export interface CipherDescription {
  /** OpenSSL's cipher id (SSL_CIPHER_get_id). */
  id: number;
  /** OpenSSL's name, such as `'TLS_AES_256_GCM_SHA384'`. */
  name: string;
  /** The protocol version it came with, such as `'TLSv1.3'`. */
  protocol: string;
  /** OpenSSL's one-line description. */
  description: string;
  /** The secret bits of its strength. */
  strengthBits: number;
  /** The bits of its algorithm's key. */
  algBits: number;
  /** Whether it is an AEAD cipher. */
  aead: boolean;
  /** The symmetric cipher's long name (`'aes-256-gcm'`), or null. */
  symmetric: string | null;
  /** The MAC digest's long name, or null for an AEAD cipher. */
  digest: string | null;
  /** The key exchange's long name (`'kx-ecdhe'`, `'kx-any'`), or null. */
  kea: string | null;
  /** The authentication's long name (`'auth-rsa'`, `'auth-any'`), or null. */
  auth: string | null;
}

// Each function is declared `this: void`: ops pass them around unbound.
export interface Native {
  contract: Contract;
  constants: Record<string, number | undefined>;
  /** The select module's constants (native/select_constants_list.h). */
  selectConstants: Record<string, number | undefined>;
  /** errno names (native/errno_list.h) to numbers, canonical names first. */
  errno: Record<ErrnoName, number>;
  /** h_errno names (HOST_NOT_FOUND…) to numbers. */
  hostErrors: Record<string, number>;
  strerror(this: void, errno: number): string;
  gaiStrerror(this: void, code: number): string;

  socket(this: void, family: number, type: number, proto: number): number;
  socketpair(this: void, family: number, type: number, proto: number): [number, number] | number;
  close(this: void, fd: number): number;
  own(this: void, fd: number, site?: string): number;
  disown(this: void, fd: number): number;
  dup(this: void, fd: number): number;
  setNonblocking(this: void, fd: number): number;
  setBlocking(this: void, fd: number, blocking: boolean): number;
  getInheritable(this: void, fd: number): number;
  setInheritable(this: void, fd: number, inheritable: boolean): number;
  bind(this: void, fd: number, family: number, address: NativeAddress): number;
  connect(this: void, fd: number, family: number, address: NativeAddress): number;
  listen(this: void, fd: number, backlog: number): number;
  accept(this: void, fd: number): [number, NativeAddress] | number;
  shutdown(this: void, fd: number, how: number): number;
  getsockname(this: void, fd: number): NativeAddress | number;
  getpeername(this: void, fd: number): NativeAddress | number;

  recv(this: void, fd: number, n: number, flags: number): Buffer | number;
  /** With `inet`: an AF_INET sender's port and address are left there (network order) and the Buffer alone is returned. */
  recvfrom(this: void, fd: number, n: number, flags: number, inet?: Uint8Array): [Buffer, NativeAddress] | Buffer | number;
  recvInto(this: void, fd: number, into: Bytes, n: number, flags: number): number;
  /** With `inet`: an AF_INET sender's port and address are left there (network order) and nbytes alone is returned. */
  recvfromInto(this: void, fd: number, into: Bytes, n: number, flags: number, inet?: Uint8Array): [number, NativeAddress] | number;
  send(this: void, fd: number, data: Bytes, flags: number): number;
  sendto(this: void, fd: number, data: Bytes, flags: number, family: number, address: NativeAddress): number;
  sendfile(this: void, outFd: number, inFd: number, offset: number, count: number): number;
  sendmsg(this: void, fd: number, buffers: Bytes[], ancdata: [number, number, Bytes][], flags: number, family: number, address: NativeAddress): number;
  recvmsg(this: void, fd: number, bufsize: number, ancbufsize: number, flags: number): [Buffer, [number, number, Buffer][], number, NativeAddress] | number;
  recvmsgInto(this: void, fd: number, views: Bytes[], ancbufsize: number, flags: number): [number, [number, number, Buffer][], number, NativeAddress] | number;
  /**
   * recvmmsg(2) with MSG_WAITFORONE: the datagrams back to back in one
   * Buffer, their lengths, their senders (a sender the same as the one
   * before is the very same value).
   */
  recvmmsg(this: void, fd: number, vlen: number, bufsize: number, flags: number): [data: Buffer, lengths: Int32Array, senders: NativeAddress[]] | number;
  /** recvmmsg(2) into the views, one datagram each: nbytes and msgFlags of each, in turn, and the senders (as recvmmsg's). */
  recvmmsgInto(this: void, fd: number, views: Bytes[], flags: number): [counts: Int32Array, senders: NativeAddress[]] | number;
  /** sendmmsg(2): the count sent; addresses null, or one per datagram (null for none). */
  sendmmsg(this: void, fd: number, datas: Bytes[], addresses: NativeAddress[] | null, flags: number, family: number): number;
  CMSG_LEN(this: void, length: number): number;
  CMSG_SPACE(this: void, length: number): number;

  setsockoptInt(this: void, fd: number, level: number, opt: number, value: number): number;
  setsockoptBytes(this: void, fd: number, level: number, opt: number, value: Bytes): number;
  setsockoptNull(this: void, fd: number, level: number, opt: number, optlen: number): number;
  getsockoptInt(this: void, fd: number, level: number, opt: number, out: Int32Array): number;
  getsockoptBytes(this: void, fd: number, level: number, opt: number, buflen: number): Buffer | number;

  getaddrinfo(this: void, host: string | null, service: string | null, family: number, type: number, proto: number, flags: number): Promise<NativeAddrinfo[] | NativeGaiFailure>;
  getaddrinfoSync(this: void, host: string | null, service: string | null, family: number, type: number, proto: number, flags: number): NativeAddrinfo[] | NativeGaiFailure;
  getnameinfo(this: void, family: number, address: NativeAddress, flags: number): Promise<[string, string] | NativeGaiFailure>;
  getnameinfoSync(this: void, family: number, address: NativeAddress, flags: number): [string, string] | NativeGaiFailure;
  gethostbyname(this: void, name: string): Promise<NativeHostent | NativeHostFailure>;
  gethostbynameSync(this: void, name: string): NativeHostent | NativeHostFailure;
  gethostbyaddr(this: void, family: number, address: NativeAddress): Promise<NativeHostent | NativeHostFailure>;
  gethostbyaddrSync(this: void, family: number, address: NativeAddress): NativeHostent | NativeHostFailure;
  hstrerror(this: void, herrno: number): string;

  gethostname(this: void): string | number;
  sethostname(this: void, name: Bytes): number;
  getservbyname(this: void, name: string, proto: string | null): number | null;
  getservbyport(this: void, port: number, proto: string | null): string | null;
  getprotobyname(this: void, name: string): number | null;
  ifNameindex(this: void): [number, string][] | number;
  ifNametoindex(this: void, name: string): number;
  ifIndextoname(this: void, index: number): string | number;
  inetAton(this: void, text: string): Buffer | null;
  inetPton(this: void, family: number, text: string): Buffer | null | number;
  inetNtop(this: void, family: number, bytes: Bytes): string | number;

  watcherNew<T extends object>(this: void, fd: number, callback: (this: T, status: number, events: number) => void, receiver?: T): NativeWatcher | number;
  watcherUpdate(this: void, watcher: NativeWatcher, events: number): number;
  watcherClose(this: void, watcher: NativeWatcher): number;
  /** The keep-alive state (io/keepalive.ts) the addon shares, one per thread; -errno once the thread's env is ending. */
  keepAliveState(this: void): Int32Array | number;
  /** Keeps the event loop alive exactly while the shared count of waiting calls is not 0. */
  keepAliveSync(this: void): number;
  waitSync(this: void, fd: number, events: number, timeoutMs: number): number;
  pollSync(this: void, fds: Int32Array, events: Int32Array, timeoutMs: number): number;
  /** poll(2) in its own POLL* bits: the [fd, revents] pairs of the fds with events. */
  poll(this: void, fds: Int32Array, events: Int32Array, timeoutMs: number): [number, number][] | number;
  epollCreate(this: void): number;
  epollCtl(this: void, epfd: number, op: number, fd: number, events: number): number;
  /** epoll_wait(2): the [fd, events] pairs of up to maxevents ready registrations. */
  epollWait(this: void, epfd: number, maxevents: number, timeoutMs: number): [number, number][] | number;

  tlsMissing(this: void): string | null;
  tlsLastError(this: void): NativeTLSFailure;
  tlsContextNew(this: void, server: boolean): NativeTLSContext | number;
  tlsContextSetVerify(this: void, context: NativeTLSContext, mode: number): number;
  tlsContextSetVersions(this: void, context: NativeTLSContext, min: number, max: number): number;
  tlsContextSetCiphers(this: void, context: NativeTLSContext, ciphers: string): number;
  tlsContextSetAlpn(this: void, context: NativeTLSContext, wire: Bytes): number;
  tlsContextAddCa(this: void, context: NativeTLSContext, data: Bytes, pem: boolean): number;
  tlsContextAddCaPath(this: void, context: NativeTLSContext, dir: string): number;
  tlsContextLoadRoots(this: void, context: NativeTLSContext, pem: Bytes): number;
  tlsContextUseChain(this: void, context: NativeTLSContext, chain: Bytes, key: Bytes, password: Bytes | null): number;
  tlsContextOptions(this: void, context: NativeTLSContext, set: number, clear: number): number;
  tlsContextVerifyFlags(this: void, context: NativeTLSContext, set: number, clear: number): number;
  tlsContextSecurityLevel(this: void, context: NativeTLSContext): number;
  tlsContextCheckSubject(this: void, context: NativeTLSContext, on: boolean): number;
  tlsContextCiphers(this: void, context: NativeTLSContext): CipherDescription[] | number;
  tlsContextSetDh(this: void, context: NativeTLSContext, pem: Bytes): number;
  tlsContextSetCurve(this: void, context: NativeTLSContext, name: string): number;
  tlsContextSetKeylog(this: void, context: NativeTLSContext, fd: number): number;
  tlsContextDefaultPaths(this: void, context: NativeTLSContext): number;
  /** With cas, the DER of each CA certificate in the store; else [x509, crl, x509Ca] counts. */
  tlsContextStore(this: void, context: NativeTLSContext, cas: boolean): Buffer[] | number[] | number;
  tlsContextSetSni(this: void, context: NativeTLSContext, on: boolean): number;
  tlsHelloServerName(this: void, tls: NativeTLS): string | null;
  tlsHelloDecided(this: void, tls: NativeTLS, alert: number): number;
  tlsSetContext(this: void, tls: NativeTLS, context: NativeTLSContext): number;
  /** The OP_*, VERIFY_*, ALERT_DESCRIPTION_* values of the headers, and HAS_* as 0 or 1. */
  tlsConstants: Record<string, number | undefined>;
  /** [OpenSSL_version(OPENSSL_VERSION), OpenSSL_version_num()] of the library loaded; null without one. */
  tlsOpensslVersion(this: void): [string, number] | null;
  /** [cafile env name, cafile, capath env name, capath] | -ENOSYS. */
  tlsDefaultVerifyPaths(this: void): [string, string, string, string] | number;
  /** n bytes of OpenSSL's generator | TLS_FAILED | -errno. */
  tlsRandBytes(this: void, n: number): Buffer | number;
  /** Whether OpenSSL's generator is seeded | -ENOSYS. */
  tlsRandStatus(this: void): boolean | number;
  /** The bytes mixed into OpenSSL's generator: 0 | -errno. */
  tlsRandAdd(this: void, data: Bytes, entropy: number): number;
  tlsNew(this: void, context: NativeTLSContext, server: boolean): NativeTLS | number;
  tlsSetServerName(this: void, tls: NativeTLS, name: string): number;
  tlsSetVerifyHost(this: void, tls: NativeTLS, name: string, ip: boolean): number;
  tlsHandshake(this: void, tls: NativeTLS, fd: number): number;
  tlsRead(this: void, tls: NativeTLS, fd: number, n: number): Buffer | number;
  tlsReadInto(this: void, tls: NativeTLS, fd: number, into: Bytes, n: number): number;
  tlsWrite(this: void, tls: NativeTLS, fd: number, data: Bytes, offset: number): number;
  tlsShutdown(this: void, tls: NativeTLS, fd: number): number;
  tlsClose(this: void, tls: NativeTLS): number;
  tlsVersion(this: void, tls: NativeTLS): string | null;
  tlsCipher(this: void, tls: NativeTLS): [string, string, number] | null;
  tlsPeerCertificate(this: void, tls: NativeTLS): Buffer | null;
  tlsAlpnSelected(this: void, tls: NativeTLS): string | null;
  tlsPending(this: void, tls: NativeTLS): number;
  tlsMemoryNew(this: void): NativeMemoryBIO | number;
  tlsMemoryWrite(this: void, bio: NativeMemoryBIO, data: Bytes): number;
  tlsMemoryRead(this: void, bio: NativeMemoryBIO, n: number): Buffer | number;
  tlsMemoryWriteEof(this: void, bio: NativeMemoryBIO): number;
  tlsMemoryPending(this: void, bio: NativeMemoryBIO): number;
  tlsUseMemory(this: void, tls: NativeTLS, incoming: NativeMemoryBIO, outgoing: NativeMemoryBIO): number;
  tlsSharedCiphers(this: void, tls: NativeTLS): [string, string, number][] | null;
  tlsChannelBinding(this: void, tls: NativeTLS): Buffer | null;
  tlsSessionGet(this: void, tls: NativeTLS): NativeTLSSession | null;
  tlsSessionSet(this: void, tls: NativeTLS, session: NativeTLSSession): number;
  tlsSessionReused(this: void, tls: NativeTLS): boolean;
  tlsSessionInfo(this: void, session: NativeTLSSession): [id: Buffer, time: number, timeout: number, ticketLifetimeHint: number, hasTicket: boolean];
  tlsContextSessionStats(this: void, context: NativeTLSContext): number[];
  tlsContextNumTickets(this: void, context: NativeTLSContext, n: number): number;
  tlsPostHandshakeAuth(this: void, tls: NativeTLS): number;
  tlsVerifyClientPostHandshake(this: void, tls: NativeTLS): number;
}

export const native = loadAddon() as Native;

// The contract's numbers, for every layer above to import from here.
export const { READ, WRITE, PRIORITY, CLOSED, SCRATCH_SIZE, SOCKOPT_MAX, IOV_MAX, CONTROL_MAX, MMSG_BYTES_MAX, SUN_PATH_MAX, SLL_ADDR_MAX, SCM_MAX_FD, TLS_WANT_READ, TLS_WANT_WRITE, TLS_FAILED, TLS_SERVER_NAME } =
  native.contract;

/** The platform's constants, as the addon was compiled to know them. */
export const constants = native.constants;

/** A constant every supported platform defines (see scripts/gen-constants.mjs), of the socket module's or another table's. */
export function requiredConstant(name: string, table = constants): number {
  const value = table[name];
  if (value === undefined) throw new Error(`berkeley: this platform's headers do not define ${name}, which berkeley needs`);
  return value;
}
