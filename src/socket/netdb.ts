// Name resolution (Python's getaddrinfo, getnameinfo, gethostby*, getfqdn,
// getservby*, getprotobyname, if_*): the look-ups that may wait run on
// libuv's thread pool in their async form, on the calling thread in Sync.
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import type { SocketAddress } from './address.js';
import { AF_INET, AF_INET6, AF_UNSPEC, AI_NUMERICHOST, SOCK_DGRAM } from '../core/constants.js';
import { errno, errorFromErrno, GaiError, hostError, SocketError } from '../core/errors.js';
import { lookupAsync, lookupSync } from './lookup.js';
import { native, type NativeAddress, type NativeGaiFailure, type NativeHostent, type NativeHostFailure } from '../core/native.js';
import { checkInt, checkString, typeError } from '../core/validate.js';

/** One getaddrinfo result: `[family, type, proto, canonname, sockaddr]`. */
export type AddrInfo = [family: number, type: number, proto: number, canonname: string, sockaddr: SocketAddress];
/** `[hostname, aliases, addresses]`, as Python's gethostbyname_ex/gethostbyaddr. */
export type HostEntry = [hostname: string, aliases: string[], addresses: string[]];

// ---- getaddrinfo ------------------------------------------------------------

function hostArgument(host: unknown): string | null {
  if (host === null || host === undefined) return null;
  if (typeof host !== 'string') throw typeError('host', 'a string or null', host);
  // Python encodes host names with IDNA; ASCII names pass unchanged.
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(host) ? host : domainToASCII(host) || host;
}

function portArgument(port: unknown): string | null {
  if (port === null || port === undefined) return null;
  if (typeof port === 'string') return port;
  if (typeof port === 'number') return String(checkInt(port, 'port', -0x80000000, 0x7fffffff));
  if (Buffer.isBuffer(port)) return port.toString();
  throw typeError('port', 'a number, a service name string or null', port);
}

function addrinfoArguments(host: unknown, port: unknown, family: unknown, type: unknown, proto: unknown, flags: unknown) {
  return [
    hostArgument(host),
    portArgument(port),
    checkInt(family ?? 0, 'family'),
    checkInt(type ?? 0, 'type'),
    checkInt(proto ?? 0, 'proto'),
    checkInt(flags ?? 0, 'flags'),
  ] as const;
}

/** getaddrinfo(3) on libuv's thread pool: every address for host and port. */
export function getaddrinfo(host: string | null, port: number | string | null, family = 0, type = 0, proto = 0, flags = 0): Promise<AddrInfo[]> {
  try {
    return lookupAsync(...addrinfoArguments(host, port, family, type, proto, flags)) as Promise<AddrInfo[]>;
  } catch (error) {
    return Promise.reject(error);
  }
}

export function getaddrinfoSync(host: string | null, port: number | string | null, family = 0, type = 0, proto = 0, flags = 0): AddrInfo[] {
  return lookupSync(...addrinfoArguments(host, port, family, type, proto, flags)) as AddrInfo[];
}

// ---- getnameinfo ------------------------------------------------------------

/** Python's rule: the sockaddr's host must be numeric and name one address. */
function nameinfoTarget(sockaddr: unknown, flags: unknown): [number, NativeAddress, number] {
  if (!Array.isArray(sockaddr)) throw typeError('sockaddr', 'a [host, port] or [host, port, flowinfo, scopeId] tuple', sockaddr);
  if (sockaddr.length < 2 || sockaddr.length > 4) throw new RangeError(`The "sockaddr" argument must have 2 to 4 elements; got ${sockaddr.length}`);
  const [host, port, flowinfo = 0, scopeId = 0] = sockaddr as unknown[];
  if (typeof host !== 'string') throw typeError('sockaddr[0]', 'a string (host)', host);
  checkInt(port, 'sockaddr[1]', 0, 65535);
  checkInt(flowinfo, 'sockaddr[2]', 0, 0xfffff);
  checkInt(scopeId, 'sockaddr[3]', 0, 0xffffffff);
  const found = lookupSync(host, String(port), AF_UNSPEC, SOCK_DGRAM, 0, AI_NUMERICHOST);
  if (found.length !== 1) throw new SocketError(errno.EINVAL!, 'sockaddr resolved to multiple addresses', 'getnameinfo');
  const [family, , , , address] = found[0]!;
  const resolved = address as [string, number, number?, number?];
  if (family === AF_INET) {
    if (sockaddr.length !== 2) throw new RangeError('The "sockaddr" argument for IPv4 must be a [host, port] tuple');
    return [family, [resolved[0], port as number], checkInt(flags, 'flags')];
  }
  return [family, [resolved[0], port as number, flowinfo as number, scopeId as number], checkInt(flags, 'flags')];
}

function nameinfoResult(result: [string, string] | NativeGaiFailure): [string, string] {
  if (Array.isArray(result)) return result;
  throw result.gai === GAI_SYSTEM ? errorFromErrno(result.errno, 'getnameinfo') : new GaiError(result.gai, undefined, 'getnameinfo');
}

const GAI_SYSTEM = native.constants.EAI_SYSTEM;

/** getnameinfo(3) with `NI_*` flags: `[host, port]` (the port as a service name or number string). */
export function getnameinfo(sockaddr: [string, number] | [string, number, number, number], flags: number): Promise<[string, string]> {
  try {
    return native.getnameinfo(...nameinfoTarget(sockaddr, flags)).then(nameinfoResult);
  } catch (error) {
    return Promise.reject(error);
  }
}

export function getnameinfoSync(sockaddr: [string, number] | [string, number, number, number], flags: number): [string, string] {
  return nameinfoResult(native.getnameinfoSync(...nameinfoTarget(sockaddr, flags)));
}

// ---- the legacy host look-ups ------------------------------------------------

function checkHost(host: unknown, name = 'host'): string {
  return checkString(host, name);
}

/** Python's setipaddr for AF_INET without a look-up: '' is any, '<broadcast>' all ones, numbers as they are. */
function ipv4Literal(host: string): string | undefined {
  if (host === '') return '0.0.0.0';
  if (host === '<broadcast>') return '255.255.255.255';
  return isIP(host) === 4 ? host : undefined;
}

const firstHost = (list: [number, number, number, string, NativeAddress][]): string => (list[0]![4] as [string, number])[0];

function hostentResult(result: NativeHostent | NativeHostFailure, syscall: string): HostEntry {
  if (Array.isArray(result)) return result;
  throw hostError(result.herrno, syscall);
}

/** The IPv4 address of host (Python's gethostbyname). */
export async function gethostbyname(host: string): Promise<string> {
  return ipv4Literal(checkHost(host)) ?? firstHost(await lookupAsync(host, null, AF_INET, 0, 0, 0));
}

export function gethostbynameSync(host: string): string {
  return ipv4Literal(checkHost(host)) ?? firstHost(lookupSync(host, null, AF_INET, 0, 0, 0));
}

/** `[hostname, aliases, addresses]` of host, IPv4 only (Python's gethostbyname_ex). */
export async function gethostbynameEx(host: string): Promise<HostEntry> {
  await gethostbyname(host); // fails with GaiError, as Python's, before the legacy call
  return hostentResult(await native.gethostbyname(host), 'gethostbyname');
}

export function gethostbynameExSync(host: string): HostEntry {
  gethostbynameSync(host);
  return hostentResult(native.gethostbynameSync(host), 'gethostbyname');
}

function numericAddress(host: string): [number, NativeAddress] | undefined {
  const version = isIP(host);
  if (version === 4) return [AF_INET, [host, 0]];
  if (version === 6) return [AF_INET6, [host, 0, 0, 0]];
  return undefined;
}

/** `[hostname, aliases, addresses]` for an address or name (Python's gethostbyaddr). */
export async function gethostbyaddr(ip: string): Promise<HostEntry> {
  checkHost(ip, 'ip');
  let target = numericAddress(ip);
  if (target === undefined) {
    const [first] = await lookupAsync(ip, null, AF_UNSPEC, 0, 0, 0);
    target = [first![0], first![4] as NativeAddress];
  }
  return hostentResult(await native.gethostbyaddr(...target), 'gethostbyaddr');
}

export function gethostbyaddrSync(ip: string): HostEntry {
  checkHost(ip, 'ip');
  let target = numericAddress(ip);
  if (target === undefined) {
    const [first] = lookupSync(ip, null, AF_UNSPEC, 0, 0, 0);
    target = [first![0], first![4] as NativeAddress];
  }
  return hostentResult(native.gethostbyaddrSync(...target), 'gethostbyaddr');
}

/** Python's getfqdn rule: the first name with a dot among the host's name and aliases. */
function fqdnOf(name: string, entry: HostEntry | undefined): string {
  if (entry === undefined) return name;
  const [hostname, aliases] = entry;
  return [hostname, ...aliases].find((n) => n.includes('.')) ?? hostname;
}

function fqdnName(name: unknown): string {
  const trimmed = checkHost(name ?? '', 'name').trim();
  return trimmed === '' || trimmed === '0.0.0.0' || trimmed === '::' ? gethostname() : trimmed;
}

/** A fully qualified domain name for name (default: this host). */
export async function getfqdn(name = ''): Promise<string> {
  const host = fqdnName(name);
  const entry = await gethostbyaddr(host).catch((error) => {
    if (error instanceof SocketError) return undefined;
    throw error;
  });
  return fqdnOf(host, entry);
}

export function getfqdnSync(name = ''): string {
  const host = fqdnName(name);
  let entry: HostEntry | undefined;
  try {
    entry = gethostbyaddrSync(host);
  } catch (error) {
    if (!(error instanceof SocketError)) throw error;
  }
  return fqdnOf(host, entry);
}

// ---- local look-ups ------------------------------------------------------------

/** gethostname(2). */
export function gethostname(): string {
  const name = native.gethostname();
  if (typeof name === 'number') throw errorFromErrno(name, 'gethostname');
  return name;
}

/** sethostname(2): needs CAP_SYS_ADMIN (PermissionError without). */
export function sethostname(name: string | ArrayBufferView): void {
  const bytes = typeof name === 'string' ? Buffer.from(name) : ArrayBuffer.isView(name) ? name : undefined;
  if (bytes === undefined) throw typeError('name', 'a string or bytes', name);
  const rc = native.sethostname(bytes);
  if (rc < 0) throw errorFromErrno(rc, 'sethostname');
}

function protoArgument(proto: unknown): string | null {
  if (proto === undefined || proto === null) return null;
  return checkString(proto, 'protocolname');
}

/** The port of a service (`/etc/services`), optionally for one protocol. */
export function getservbyname(servicename: string, protocolname?: string): number {
  const port = native.getservbyname(checkHost(servicename, 'servicename'), protoArgument(protocolname));
  if (port === null) throw new SocketError(errno.ENOENT!, 'service/proto not found', 'getservbyname');
  return port;
}

/** The service name of a port, optionally for one protocol. */
export function getservbyport(port: number, protocolname?: string): string {
  const name = native.getservbyport(checkInt(port, 'port', 0, 65535), protoArgument(protocolname));
  if (name === null) throw new SocketError(errno.ENOENT!, 'port/proto not found', 'getservbyport');
  return name;
}

/** The number of a protocol (`/etc/protocols`), such as 6 for 'tcp'. */
export function getprotobyname(protocolname: string): number {
  const number = native.getprotobyname(checkHost(protocolname, 'protocolname'));
  if (number === null) throw new SocketError(errno.ENOENT!, 'protocol not found', 'getprotobyname');
  return number;
}

/** Every network interface: `[index, name][]`. */
export function ifNameindex(): [number, string][] {
  const list = native.ifNameindex();
  if (typeof list === 'number') throw errorFromErrno(list, 'if_nameindex');
  return list;
}

/** The index of the interface named name. */
export function ifNametoindex(ifName: string): number {
  const index = native.ifNametoindex(checkHost(ifName, 'ifName'));
  if (index < 0) throw new SocketError(-index, 'no interface with this name', 'if_nametoindex');
  return index;
}

/** The name of the interface with that index. */
export function ifIndextoname(ifIndex: number): string {
  const name = native.ifIndextoname(checkInt(ifIndex, 'ifIndex', 0, 0xffffffff));
  if (typeof name === 'number') throw errorFromErrno(name, 'if_indextoname');
  return name;
}
