// Socket addresses: Python's tuples as TypeScript tuples, checked and put in
// the form the native layer encodes. Host names are resolved with
// getaddrinfo (on libuv's thread pool for the async calls).
import { isIPv4, isIPv6 } from 'node:net';
import { AF_INET, AF_INET6, AF_PACKET, AF_UNIX } from '../core/constants.js';
import { SLL_ADDR_MAX, SUN_PATH_MAX, type NativeAddress } from '../core/native.js';
import { either, steps, wait } from '../io/blocking.js';
import { ASYNC, SYNC, type Form, type FormName, type Results } from '../io/forms.js';
import { lookup } from './lookup.js';
import { checkInt, typeError, valueError } from '../core/validate.js';

/** AF_INET: `[host, port]`. */
export type IPv4Address = [host: string, port: number];
/** AF_INET6: `[host, port, flowinfo, scopeId]` (the last two optional on input). */
export type IPv6Address = [host: string, port: number, flowinfo?: number, scopeId?: number];
/** AF_UNIX: a path, or a Buffer whose first byte is 0 for Linux's abstract namespace. */
export type UnixAddress = string | Buffer;
/** AF_PACKET: `[ifname, proto, pkttype, hatype, addr]` (the last three optional on input). @inline */
export type PacketAddress = [ifname: string, proto: number, pkttype?: number, hatype?: number, addr?: Buffer];
/** An address as the calls take it, by family. */
export type Address = IPv4Address | IPv6Address | UnixAddress | PacketAddress;
/** What the calls return: IPv6 addresses always have all four fields. */
export type SocketAddress = [string, number] | [string, number, number, number] | string | Buffer | [string, number, number, number, Buffer] | [number, Buffer] | null;

/** An address checked for its family; `host` is set when it still needs resolving. */
interface Parsed {
  address: NativeAddress;
  host?: string;
}

function parseInet(family: number, address: unknown, name: string): Parsed {
  const v6 = family === AF_INET6;
  const shape = v6 ? '[host, port, flowinfo?, scopeId?]' : '[host, port]';
  if (!Array.isArray(address)) throw typeError(name, `a ${shape} tuple for ${v6 ? 'AF_INET6' : 'AF_INET'}`, address);
  if (address.length < 2 || address.length > (v6 ? 4 : 2)) {
    throw valueError(`The "${name}" argument must be a ${shape} tuple; got ${address.length} elements`);
  }
  const [host, port, flowinfo = 0, scopeId = 0] = address as unknown[];
  if (typeof host !== 'string') throw typeError(`${name}[0]`, 'a string (host)', host);
  if (host.includes('\0')) throw valueError(`The "${name}[0]" argument must not contain null characters`);
  checkInt(port, `${name}[1]`, 0, 65535);
  if (v6) {
    checkInt(flowinfo, `${name}[2]`, 0, 0xfffff);
    checkInt(scopeId, `${name}[3]`, 0, 0xffffffff);
  }
  let numeric: string | undefined;
  if (host === '') numeric = v6 ? '::' : '0.0.0.0';
  else if (host === '<broadcast>' && !v6) numeric = '255.255.255.255';
  else if (v6 ? isIPv6(host) : isIPv4(host)) numeric = host;
  const tuple = (h: string, scope = scopeId as number): NativeAddress =>
    v6 ? [h, port as number, flowinfo as number, scope] : [h, port as number];
  return numeric === undefined ? { address: tuple(''), host } : { address: tuple(numeric) };
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

/** The resolved host put into the tuple: the first address getaddrinfo gives. */
function withHost(parsed: Parsed, resolved: SocketAddress): NativeAddress {
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

/** The address in native form; a host name is looked up on the calling thread (bind, as in Python). */
export function resolveSync(family: number, address: unknown, name = 'address'): NativeAddress {
  return addressed<'sync', NativeAddress>(SYNC, family, address, (form, target) => form.done(target), name);
}

/** Python's str() of an address, for toString(): a path as it is, the strings of a tuple quoted. */
export function formatAddress(address: SocketAddress, nested = false): string {
  if (Array.isArray(address)) return `[${address.map((v) => (typeof v === 'number' ? String(v) : formatAddress(v, true))).join(', ')}]`;
  if (Buffer.isBuffer(address)) return `b'${[...address].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('')}'`;
  return typeof address === 'string' && nested ? `'${address}'` : String(address);
}
