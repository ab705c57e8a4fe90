// Socket addresses: Python's tuples as TypeScript tuples, checked and put in
// the form the native layer encodes. Host names are resolved with
// getaddrinfo (on libuv's thread pool for the async calls).
import { isIPv4, isIPv6 } from 'node:net';
import { AF_INET, AF_INET6, AF_PACKET, AF_UNIX } from '../core/constants.js';
import type { AddressFamily, SocketKind } from '../core/enums.js';
import { SLL_ADDR_MAX, SUN_PATH_MAX, type NativeAddress } from '../core/native.js';
import { either, steps, wait } from '../io/blocking.js';
import { ASYNC, SYNC, type Form, type FormName, type Results } from '../io/forms.js';
import { lookup } from './lookup.js';
import { checkInt, typeError, valueError } from '../core/validate.js';
import { errorFromErrno } from '../core/errors.js';

/** AF_INET: `[host, port]`. */
export type IPv4Address = [host: string, port: number];
/** AF_INET6 as the calls take it: `[host, port, flowinfo, scopeId]`, the last two optional. */
export type IPv6Address = [host: string, port: number, flowinfo?: number, scopeId?: number];
/** AF_INET6 as the calls return it: `[host, port, flowinfo, scopeId]`. */
export type IPv6SocketAddress = [host: string, port: number, flowinfo: number, scopeId: number];
/** AF_UNIX: a path, or a Buffer whose first byte is 0 for Linux's abstract namespace. */
export type UnixAddress = string | Buffer;
/** AF_PACKET as the calls take it: `[ifname, proto, pkttype, hatype, addr]`, the last three optional. @inline */
export type PacketAddress = [ifname: string, proto: number, pkttype?: number, hatype?: number, addr?: Buffer];
/** AF_PACKET as the calls return it: `[ifname, proto, pkttype, hatype, addr]`. @inline */
export type PacketSocketAddress = [ifname: string, proto: number, pkttype: number, hatype: number, addr: Buffer];
/**
 * A family berkeley has no address form for: `[family, bytes]` as the kernel
 * gave them. Taken back as an argument only so that addresses flow; the
 * calls refuse it (EAFNOSUPPORT). @inline
 */
export type OtherAddress = [family: number, data: Buffer];

/**
 * An address as bind, connect and sendto take it on a socket of family F:
 * `[host, port]` for AF_INET…, every form where F is a plain number. Every
 * address a call returns ({@link SocketAddress}) is one.
 */
export type Address<F extends number = number> = F extends AddressFamily<'AF_INET'>
  ? IPv4Address
  : F extends AddressFamily<'AF_INET6'>
    ? IPv6Address
    : F extends AddressFamily<'AF_UNIX'>
      ? UnixAddress
      : F extends AddressFamily<'AF_PACKET'>
        ? PacketAddress
        : IPv4Address | IPv6Address | UnixAddress | PacketAddress | OtherAddress;

/**
 * An address as getsockname, getpeername and accept return it on a socket
 * of family F: `[host, port]` for AF_INET, all four fields for AF_INET6,
 * every form where F is a plain number.
 */
export type SocketAddress<F extends number = number> = F extends AddressFamily<'AF_INET'>
  ? IPv4Address
  : F extends AddressFamily<'AF_INET6'>
    ? IPv6SocketAddress
    : F extends AddressFamily<'AF_UNIX'>
      ? UnixAddress
      : F extends AddressFamily<'AF_PACKET'>
        ? PacketSocketAddress
        : IPv4Address | IPv6SocketAddress | UnixAddress | PacketSocketAddress | OtherAddress;

/** The families whose datagram and raw sockets always learn who sent. @inline */
type InetFamily = AddressFamily<'AF_INET'> | AddressFamily<'AF_INET6'>;

/**
 * The sender's address as recvfrom, recvfromInto and recvmsg report it on a
 * socket of family F and type T: null where the kernel gives none (a
 * stream socket; a datagram from an unbound AF_UNIX socket), so never null
 * for AF_INET and AF_INET6 datagram and raw sockets, nor for AF_PACKET.
 */
export type SenderAddress<F extends number = number, T extends number = number> = [F] extends [AddressFamily<'AF_PACKET'>]
  ? SocketAddress<F>
  : [F] extends [InetFamily]
    ? [T] extends [SocketKind<'SOCK_DGRAM'> | SocketKind<'SOCK_RAW'>]
      ? SocketAddress<F>
      : SocketAddress<F> | null
    : SocketAddress<F> | null;

/**
 * The `[host, port]` of an AF_INET or AF_INET6 address (Python's
 * `address[:2]`), for where the family is not known to the type checker (a
 * server's address, a handler's client): `const [host, port] =
 * inetAddress(server.serverAddress)`. The pair is accepted by the calls of
 * either family (an IPv6 flowinfo and scope id are left behind). TypeError for any other
 * address; RangeError for a port out of range.
 */
export function inetAddress(address: Address | null): [host: string, port: number] {
  if (!isInet(address)) throw typeError('address', 'an AF_INET or AF_INET6 address ([host, port, flowinfo?, scopeId?])', address);
  return [address[0], checkInt(address[1], 'address[1]', 0, 65535)];
}

/** The shape of an AF_INET or AF_INET6 tuple: a host string, then one to three numbers. */
function isInet(address: unknown): address is IPv4Address | IPv6Address {
  return Array.isArray(address) && address.length >= 2 && address.length <= 4 && (address as unknown[]).every((v, i) => typeof v === (i === 0 ? 'string' : 'number'));
}

/** An address checked for its family; `host` is set when it still needs resolving. */
interface Parsed {
  address: NativeAddress;
  host?: string;
}

// The last numeric host each family accepted: a datagram server that
// answers recvfrom's address sends to the same host again and again, and
// the check (a regular expression) is most of sendto's own cost.
let numericV4 = '127.0.0.1';
let numericV6 = '::1';

/** The host as the native layer takes it: numeric, or undefined when it must be looked up. */
function numericHost(host: string, v6: boolean): string | undefined {
  if (host === (v6 ? numericV6 : numericV4)) return host;
  if (host === '') return v6 ? '::' : '0.0.0.0';
  if (host === '<broadcast>' && !v6) return '255.255.255.255';
  if (!(v6 ? isIPv6(host) : isIPv4(host))) return undefined;
  if (v6) numericV6 = host;
  else numericV4 = host;
  return host;
}

function parseInet(family: number, address: unknown, name: string): Parsed {
  const v6 = family === AF_INET6;
  const shape = v6 ? '[host, port, flowinfo?, scopeId?]' : '[host, port]';
  if (!Array.isArray(address)) throw typeError(name, `a ${shape} tuple for ${v6 ? 'AF_INET6' : 'AF_INET'}`, address);
  if (address.length < 2 || address.length > (v6 ? 4 : 2)) {
    throw valueError(`The "${name}" argument must be a ${shape} tuple; got ${address.length} elements`);
  }
  const host: unknown = address[0];
  const port: unknown = address[1];
  if (typeof host !== 'string') throw typeError(`${name}[0]`, 'a string (host)', host);
  if (host !== (v6 ? numericV6 : numericV4) && host.includes('\0')) throw valueError(`The "${name}[0]" argument must not contain null characters`);
  checkInt(port, `${name}[1]`, 0, 65535);
  if (!v6) {
    const numeric = numericHost(host, false);
    return numeric === undefined ? { address: ['', port as number], host } : { address: [numeric, port as number] };
  }
  const flowinfo: unknown = address.length > 2 && address[2] !== undefined ? address[2] : 0;
  const scopeId: unknown = address.length > 3 && address[3] !== undefined ? address[3] : 0;
  checkInt(flowinfo, `${name}[2]`, 0, 0xfffff);
  checkInt(scopeId, `${name}[3]`, 0, 0xffffffff);
  const numeric = numericHost(host, true);
  const tuple: NativeAddress = [numeric ?? '', port as number, flowinfo as number, scopeId as number];
  return numeric === undefined ? { address: tuple, host } : { address: tuple };
}

function parseUnix(address: unknown, name: string): Parsed {
  let length: number;
  let abstract: boolean;
  if (typeof address === 'string') {
    length = Buffer.byteLength(address);
    abstract = address.startsWith('\0');
  } else if (address instanceof Uint8Array) {
    length = address.length;
    abstract = address[0] === 0;
  } else {
    throw typeError(name, 'a string path or a Buffer for AF_UNIX', address);
  }
  if (length > SUN_PATH_MAX - (abstract ? 0 : 1)) {
    throw valueError(`The "${name}" argument is too long for AF_UNIX: ${length} bytes, at most ${SUN_PATH_MAX - (abstract ? 0 : 1)}`);
  }
  // A path ends at its first NUL in the kernel: one inside would reach another file.
  // An abstract name (first byte 0) is bytes, any of them.
  if (!abstract && (typeof address === 'string' ? address.includes('\0') : address.includes(0))) {
    throw valueError(`The "${name}" argument must not contain null characters`);
  }
  return { address: address as string | Buffer };
}

function parsePacket(address: unknown, name: string): Parsed {
  if (!Array.isArray(address)) throw typeError(name, 'an [ifname, proto, pkttype?, hatype?, addr?] tuple for AF_PACKET', address);
  if (address.length < 2 || address.length > 5) {
    throw valueError(`The "${name}" argument must be an [ifname, proto, pkttype?, hatype?, addr?] tuple; got ${address.length} elements`);
  }
  const [ifname, proto, pkttype = 0, hatype = 0, addr = Buffer.alloc(0)] = address as unknown[];
  if (typeof ifname !== 'string') throw typeError(`${name}[0]`, 'a string (interface name)', ifname);
  checkInt(proto, `${name}[1]`, 0, 0xffff);
  checkInt(pkttype, `${name}[2]`, 0, 0xff);
  checkInt(hatype, `${name}[3]`, 0, 0xffff);
  if (!(addr instanceof Uint8Array)) throw typeError(`${name}[4]`, 'a Buffer (hardware address)', addr);
  if (addr.length > SLL_ADDR_MAX) throw valueError(`The "${name}[4]" argument must be at most ${SLL_ADDR_MAX} bytes; got ${addr.length}`);
  return { address: [ifname, proto, pkttype, hatype, addr] as unknown as NativeAddress };
}

function parse(family: number, address: unknown, name: string): Parsed {
  if (family === AF_INET || family === AF_INET6) return parseInet(family, address, name);
  if (family === AF_UNIX) return parseUnix(address, name);
  if (family === AF_PACKET) return parsePacket(address, name);
  // Families without an address form here (AF_NETLINK…) get EAFNOSUPPORT
  // from the native layer.
  return { address: address as NativeAddress };
}

/**
 * getsockname's or getpeername's result: the addon decodes an address by the
 * socket's family, so on a socket of family F it is a SocketAddress<F>.
 */
export function settleAddress<F extends number>(value: NativeAddress | number, syscall: string): SocketAddress<F> {
  if (typeof value === 'number') throw errorFromErrno(value, syscall);
  return value as SocketAddress<F>;
}

/** The resolved host put into the tuple: the first address getaddrinfo gives. */
function withHost(parsed: Parsed, resolved: NativeAddress): NativeAddress {
  const found = resolved as [string, number, number?, number?];
  const copy = [...(parsed.address as (string | number)[])];
  copy[0] = found[0];
  if (copy.length === 4 && copy[3] === 0 && found[3] !== undefined) copy[3] = found[3];
  return copy as NativeAddress;
}

/** What is done with an address once it is in native form, in either form. */
export type Sender<R> = <G extends FormName>(form: Form<G>, target: NativeAddress) => Results<R>[G];

/**
 * `send(form, address in native form)`: at once for a numeric address (the
 * hot path of sendto makes no extra step), after the host's look-up
 * (getaddrinfo, in the same form) otherwise.
 */
export function addressed<F extends FormName, R>(form: Form<F>, family: number, address: unknown, send: Sender<R>, name = 'address'): Results<R>[F] {
  const parsed = parse(family, address, name);
  const host = parsed.host;
  if (host === undefined) return send(form, parsed.address);
  return form.run(
    steps(function* () {
      const [first] = yield* wait(lookup(host, null, family, 0, 0, 0));
      const target = withHost(parsed, first![4]);
      return yield* wait(either(() => send(ASYNC, target), () => send(SYNC, target)));
    }),
  );
}

/**
 * addressed() for a batch (sendmmsg): `send(form, targets)` with each
 * address in native form (undefined stays null: no address). Numeric
 * addresses go at once; host names are looked up first, in order, each
 * name once.
 */
export function addressedEach<F extends FormName, R>(form: Form<F>, family: number, addresses: unknown[], send: <G extends FormName>(form: Form<G>, targets: NativeAddress[]) => Results<R>[G], name: (k: number) => string): Results<R>[F] {
  const parsed = Array.from(addresses, (address, k): Parsed => (address === undefined ? { address: null } : parse(family, address, name(k))));
  if (parsed.every((p) => p.host === undefined)) return send(form, parsed.map((p) => p.address));
  return form.run(
    steps(function* () {
      const found = new Map<string, NativeAddress>();
      for (const { host } of parsed) {
        if (host !== undefined && !found.has(host)) found.set(host, (yield* wait(lookup(host, null, family, 0, 0, 0)))[0]![4]);
      }
      const targets = parsed.map((p) => (p.host === undefined ? p.address : withHost(p, found.get(p.host)!)));
      return yield* wait(either(() => send(ASYNC, targets), () => send(SYNC, targets)));
    }),
  );
}

/** The address in native form; a host name is looked up on the calling thread (bind, as in Python). */
export function resolveSync(family: number, address: unknown, name = 'address'): NativeAddress {
  return addressed<'sync', NativeAddress>(SYNC, family, address, (form, target) => form.done(target), name);
}

/** Python's str() of an address, for toString(): a path as it is, the strings of a tuple quoted. */
export function formatAddress(address: SocketAddress, nested = false): string {
  if (Array.isArray(address)) return `[${address.map((v) => (typeof v === 'number' ? String(v) : formatAddress(v, true))).join(', ')}]`;
  if (Buffer.isBuffer(address)) return `b'${[...address].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('')}'`;
  return nested ? `'${address}'` : address;
}
