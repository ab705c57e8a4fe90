// Name resolution (Python's getaddrinfo, getnameinfo, gethostby*, getfqdn,
// getservby*, getprotobyname, if_*): the look-ups that may wait run on
// libuv's thread pool in their async form, on the calling thread in Sync.
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import type { IPv4Address, IPv6SocketAddress } from './address.js';
import { AF_INET, AF_INET6, AF_UNSPEC, AI_NUMERICHOST, SOCK_DGRAM } from '../core/constants.js';
import { errno, errorFromErrno, GaiError, hostError, SocketError } from '../core/errors.js';
import { either, start, steps, wait, type Blocking, type Steps } from '../io/blocking.js';
import { lookup } from './lookup.js';
import { native, type NativeAddress, type NativeGaiFailure, type NativeHostent, type NativeHostFailure } from '../core/native.js';
import { checkInt, checkString, typeError, valueError, type WaitOptions } from '../core/validate.js';

/**
 * One getaddrinfo result: `[family, type, proto, canonname, sockaddr]`, an
 * AF_INET or AF_INET6 address (the C libraries resolve no other family),
 * its sockaddr typed by its family.
 */
export type AddrInfo =
  | [family: typeof AF_INET, type: number, proto: number, canonname: string, sockaddr: IPv4Address]
  | [family: typeof AF_INET6, type: number, proto: number, canonname: string, sockaddr: IPv6SocketAddress];
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

function addrinfo(host: unknown, port: unknown, family: unknown, type: unknown, proto: unknown, flags: unknown): Blocking<AddrInfo[]> {
  return lookup(...addrinfoArguments(host, port, family, type, proto, flags)) as Blocking<AddrInfo[]>;
}

/** getaddrinfo(3) on libuv's thread pool: every address for host and port, as `[family, type, proto, canonname, sockaddr]`. */
export function getaddrinfo(host: string | null, port: number | string | null, family = 0, type = 0, proto = 0, flags = 0, options?: WaitOptions): Promise<AddrInfo[]> {
  return start(() => addrinfo(host, port, family, type, proto, flags), options);
}

/** getaddrinfo(3) on the calling thread: every address for host and port. */
export function getaddrinfoSync(host: string | null, port: number | string | null, family = 0, type = 0, proto = 0, flags = 0): AddrInfo[] {
  return addrinfo(host, port, family, type, proto, flags).sync();
}

// ---- getnameinfo ------------------------------------------------------------

/** Python's rule: the sockaddr's host must be numeric and name one address. */
function nameinfoTarget(sockaddr: unknown, flags: unknown): [number, NativeAddress, number] {
  if (!Array.isArray(sockaddr)) throw typeError('sockaddr', 'a [host, port] or [host, port, flowinfo, scopeId] tuple', sockaddr);
  if (sockaddr.length < 2 || sockaddr.length > 4) throw valueError(`The "sockaddr" argument must have 2 to 4 elements; got ${sockaddr.length}`);
  const [host, port, flowinfo = 0, scopeId = 0] = sockaddr as unknown[];
  if (typeof host !== 'string') throw typeError('sockaddr[0]', 'a string (host)', host);
  checkInt(port, 'sockaddr[1]', 0, 65535);
  checkInt(flowinfo, 'sockaddr[2]', 0, 0xfffff);
  checkInt(scopeId, 'sockaddr[3]', 0, 0xffffffff);
  // A numeric host: answered at once, never a look-up that waits.
  const found = lookup(host, String(port), AF_UNSPEC, SOCK_DGRAM, 0, AI_NUMERICHOST).sync();
  if (found.length !== 1) throw new SocketError(errno.EINVAL, 'sockaddr resolved to multiple addresses', 'getnameinfo');
  const [family, , , , address] = found[0]!;
  const resolved = address as [string, number, number?, number?];
  if (family === AF_INET) {
    if (sockaddr.length !== 2) throw valueError('The "sockaddr" argument for IPv4 must be a [host, port] tuple');
    return [family, [resolved[0], port as number], checkInt(flags, 'flags')];
  }
  return [family, [resolved[0], port as number, flowinfo as number, scopeId as number], checkInt(flags, 'flags')];
}

function nameinfoResult(result: [string, string] | NativeGaiFailure): [string, string] {
  if (Array.isArray(result)) return result;
  throw result.gai === GAI_SYSTEM ? errorFromErrno(result.errno, 'getnameinfo') : new GaiError(result.gai, undefined, 'getnameinfo');
}

const GAI_SYSTEM = native.constants.EAI_SYSTEM;

function nameinfo(sockaddr: unknown, flags: unknown): Blocking<[string, string]> {
  const target = nameinfoTarget(sockaddr, flags);
  return either(
    () => native.getnameinfo(...target).then(nameinfoResult),
    () => nameinfoResult(native.getnameinfoSync(...target)),
  );
}

/** getnameinfo(3) with `NI_*` flags on libuv's thread pool: `[host, port]` (the port as a service name or number string). */
export function getnameinfo(sockaddr: [string, number] | [string, number, number, number], flags: number, options?: WaitOptions): Promise<[string, string]> {
  return start(() => nameinfo(sockaddr, flags), options);
}

/** getnameinfo(3) with `NI_*` flags on the calling thread: `[host, port]`. */
export function getnameinfoSync(sockaddr: [string, number] | [string, number, number, number], flags: number): [string, string] {
  return nameinfo(sockaddr, flags).sync();
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

function hostentResult(result: NativeHostent | NativeHostFailure, syscall: string): HostEntry {
  if (Array.isArray(result)) return result;
  throw hostError(result.herrno, syscall);
}

/** gethostbyname_r(3) on libuv's thread pool (async) or the calling thread (Sync). */
function hostentByName(name: string): Blocking<HostEntry> {
  return either(
    async () => hostentResult(await native.gethostbyname(name), 'gethostbyname'),
    () => hostentResult(native.gethostbynameSync(name), 'gethostbyname'),
  );
}

/** gethostbyaddr_r(3) on libuv's thread pool (async) or the calling thread (Sync). */
function hostentByAddr(family: number, address: NativeAddress): Blocking<HostEntry> {
  return either(
    async () => hostentResult(await native.gethostbyaddr(family, address), 'gethostbyaddr'),
    () => hostentResult(native.gethostbyaddrSync(family, address), 'gethostbyaddr'),
  );
}

function* hostByName(host: unknown): Steps<string> {
  const name = checkHost(host);
  const literal = ipv4Literal(name);
  if (literal !== undefined) return literal;
  const [first] = yield* wait(lookup(name, null, AF_INET, 0, 0, 0));
  return (first![4] as [string, number])[0];
}

/** The IPv4 address of host (Python's gethostbyname). */
export function gethostbyname(host: string, options?: WaitOptions): Promise<string> {
  return start(() => steps(() => hostByName(host)), options);
}

/** The IPv4 address of host, looked up on the calling thread. */
export function gethostbynameSync(host: string): string {
  return steps(() => hostByName(host)).sync();
}

function* hostByNameEx(host: unknown): Steps<HostEntry> {
  yield* hostByName(host); // fails with GaiError, as Python's, before the legacy call
  return yield* wait(hostentByName(host as string));
}

/** `[hostname, aliases, addresses]` of host, IPv4 only (Python's gethostbyname_ex). */
export function gethostbynameEx(host: string, options?: WaitOptions): Promise<HostEntry> {
  return start(() => steps(() => hostByNameEx(host)), options);
}

/** gethostbynameEx on the calling thread. */
export function gethostbynameExSync(host: string): HostEntry {
  return steps(() => hostByNameEx(host)).sync();
}

function numericAddress(host: string): [number, NativeAddress] | undefined {
  const version = isIP(host);
  if (version === 4) return [AF_INET, [host, 0]];
  if (version === 6) return [AF_INET6, [host, 0, 0, 0]];
  return undefined;
}

function* hostByAddr(ip: unknown): Steps<HostEntry> {
  let target = numericAddress(checkHost(ip, 'ip'));
  if (target === undefined) {
    const [first] = yield* wait(lookup(ip as string, null, AF_UNSPEC, 0, 0, 0));
    target = [first![0], first![4]];
  }
  return yield* wait(hostentByAddr(...target));
}

/** `[hostname, aliases, addresses]` for an address or name (Python's gethostbyaddr). */
export function gethostbyaddr(ip: string, options?: WaitOptions): Promise<HostEntry> {
  return start(() => steps(() => hostByAddr(ip)), options);
}

/** gethostbyaddr on the calling thread. */
export function gethostbyaddrSync(ip: string): HostEntry {
  return steps(() => hostByAddr(ip)).sync();
}

/** Python's getfqdn: the first name with a dot among the host's name and aliases; the name itself when the look-up fails. */
function* fqdn(name: unknown): Steps<string> {
  const trimmed = checkHost(name ?? '', 'name').trim();
  const host = trimmed === '' || trimmed === '0.0.0.0' || trimmed === '::' ? gethostname() : trimmed;
  let entry: HostEntry;
  try {
    entry = yield* hostByAddr(host);
  } catch (error) {
    if (error instanceof SocketError) return host;
    throw error;
  }
  const [hostname, aliases] = entry;
  return [hostname, ...aliases].find((n) => n.includes('.')) ?? hostname;
}

/** A fully qualified domain name for name (default: this host). */
export function getfqdn(name = '', options?: WaitOptions): Promise<string> {
  return start(() => steps(() => fqdn(name)), options);
}

/** getfqdn on the calling thread. */
export function getfqdnSync(name = ''): string {
  return steps(() => fqdn(name)).sync();
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
  if (port === null) throw new SocketError(errno.ENOENT, 'service/proto not found', 'getservbyname');
  return port;
}

/** The service name of a port, optionally for one protocol. */
export function getservbyport(port: number, protocolname?: string): string {
  const name = native.getservbyport(checkInt(port, 'port', 0, 65535), protoArgument(protocolname));
  if (name === null) throw new SocketError(errno.ENOENT, 'port/proto not found', 'getservbyport');
  return name;
}

/** The number of a protocol (`/etc/protocols`), such as 6 for 'tcp'. */
export function getprotobyname(protocolname: string): number {
  const number = native.getprotobyname(checkHost(protocolname, 'protocolname'));
  if (number === null) throw new SocketError(errno.ENOENT, 'protocol not found', 'getprotobyname');
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
