// The typed face of the C addon (native/). Every call returns its result or
// a negative errno as a plain number; nothing here throws for an OS error.
import { loadAddon } from '../../addon/load.mjs';

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

/** The numbers both sides must agree on (native/contract.h), frozen. */
export interface Contract {
  /** Readiness events of watcherUpdate, waitSync and pollSync. */
  readonly READ: number;
  readonly WRITE: number;
  readonly PRIORITY: number;
  /** pollSync's result for a closed fd, never mixed with events. */
  readonly CLOSED: number;
  /** The longest setsockopt optlen and getsockopt buflen. */
  readonly SOCKOPT_MAX: number;
  /** sendmsg's most buffers, and the most ancillary items or fds an argument holds. */
  readonly IOV_MAX: number;
  /** The largest control buffer (ancbufsize, CMSG_LEN/CMSG_SPACE lengths). */
  readonly CONTROL_MAX: number;
  /** The bytes of an AF_UNIX address (a path takes one less, for its NUL). */
  readonly SUN_PATH_MAX: number;
  /** The bytes of an AF_PACKET hardware address. */
  readonly SLL_ADDR_MAX: number;
  /** The most fds one SCM_RIGHTS message carries. */
  readonly SCM_MAX_FD: number;
}

export interface Native {
  contract: Contract;
  constants: Record<string, number | undefined>;
  /** errno names (native/errno_list.h) to numbers, canonical names first. */
  errno: Record<string, number>;
  /** h_errno names (HOST_NOT_FOUND…) to numbers. */
  hostErrors: Record<string, number>;
  strerror(errno: number): string;
  gaiStrerror(code: number): string;

  socket(family: number, type: number, proto: number): number;
  socketpair(family: number, type: number, proto: number): [number, number] | number;
  close(fd: number): number;
  own(fd: number): number;
  disown(fd: number): number;
  dup(fd: number): number;
  setNonblocking(fd: number): number;
  getInheritable(fd: number): number;
  setInheritable(fd: number, inheritable: boolean): number;
  bind(fd: number, family: number, address: NativeAddress): number;
  connect(fd: number, family: number, address: NativeAddress): number;
  listen(fd: number, backlog: number): number;
  accept(fd: number): [number, NativeAddress] | number;
  shutdown(fd: number, how: number): number;
  getsockname(fd: number): NativeAddress | number;
  getpeername(fd: number): NativeAddress | number;

  recv(fd: number, n: number, flags: number): Buffer | number;
  recvfrom(fd: number, n: number, flags: number): [Buffer, NativeAddress] | number;
  recvInto(fd: number, into: Bytes, n: number, flags: number): number;
  recvfromInto(fd: number, into: Bytes, n: number, flags: number): [number, NativeAddress] | number;
  send(fd: number, data: Bytes, flags: number): number;
  sendto(fd: number, data: Bytes, flags: number, family: number, address: NativeAddress): number;
  sendfile(outFd: number, inFd: number, offset: number, count: number): number;
  sendmsg(fd: number, buffers: Bytes[], ancdata: [number, number, Bytes][], flags: number, family: number, address: NativeAddress): number;
  recvmsg(fd: number, bufsize: number, ancbufsize: number, flags: number): [Buffer, [number, number, Buffer][], number, NativeAddress] | number;
  CMSG_LEN(length: number): number;
  CMSG_SPACE(length: number): number;

  setsockoptInt(fd: number, level: number, opt: number, value: number): number;
  setsockoptBytes(fd: number, level: number, opt: number, value: Bytes): number;
  setsockoptNull(fd: number, level: number, opt: number, optlen: number): number;
  getsockoptInt(fd: number, level: number, opt: number, out: Int32Array): number;
  getsockoptBytes(fd: number, level: number, opt: number, buflen: number): Buffer | number;

  getaddrinfo(host: string | null, service: string | null, family: number, type: number, proto: number, flags: number): Promise<NativeAddrinfo[] | NativeGaiFailure>;
  getaddrinfoSync(host: string | null, service: string | null, family: number, type: number, proto: number, flags: number): NativeAddrinfo[] | NativeGaiFailure;
  getnameinfo(family: number, address: NativeAddress, flags: number): Promise<[string, string] | NativeGaiFailure>;
  getnameinfoSync(family: number, address: NativeAddress, flags: number): [string, string] | NativeGaiFailure;
  gethostbyname(name: string): Promise<NativeHostent | NativeHostFailure>;
  gethostbynameSync(name: string): NativeHostent | NativeHostFailure;
  gethostbyaddr(family: number, address: NativeAddress): Promise<NativeHostent | NativeHostFailure>;
  gethostbyaddrSync(family: number, address: NativeAddress): NativeHostent | NativeHostFailure;
  hstrerror(herrno: number): string;

  gethostname(): string | number;
  sethostname(name: Bytes): number;
  getservbyname(name: string, proto: string | null): number | null;
  getservbyport(port: number, proto: string | null): string | null;
  getprotobyname(name: string): number | null;
  ifNameindex(): [number, string][] | number;
  ifNametoindex(name: string): number;
  ifIndextoname(index: number): string | number;
  inetAton(text: string): Buffer | null;
  inetPton(family: number, text: string): Buffer | null | number;
  inetNtop(family: number, bytes: Bytes): string | number;

  watcherNew(fd: number, callback: (status: number, events: number) => void): NativeWatcher | number;
  watcherUpdate(watcher: NativeWatcher, events: number, referenced: boolean): number;
  watcherClose(watcher: NativeWatcher): number;
  waitSync(fd: number, events: number, timeoutMs: number): number;
  pollSync(fds: Int32Array, events: Int32Array, timeoutMs: number): number;
}

export const native = loadAddon() as Native;

// The contract's numbers, for every layer above to import from here.
export const { READ, WRITE, PRIORITY, CLOSED, SOCKOPT_MAX, IOV_MAX, CONTROL_MAX, SUN_PATH_MAX, SLL_ADDR_MAX, SCM_MAX_FD } = native.contract;

/** The platform's constants, as the addon was compiled to know them. */
export const constants = native.constants;

/** A constant every supported platform defines (see scripts/gen-constants.mjs). */
export function requiredConstant(name: string): number {
  const value = constants[name];
  if (value === undefined) throw new Error(`berkeley: this platform's headers do not define ${name}, which berkeley needs`);
  return value;
}
