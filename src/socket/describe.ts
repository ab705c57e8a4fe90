// How a Socket presents itself (Python's repr): the names of its family and
// type, and its addresses.
import * as C from '../core/constants.js';
import { native } from '../core/native.js';
import { formatAddress } from './address.js';

const familyNames = new Map<number, string>();
const typeNames = new Map<number, string>();

// The usual names first, where several share a value (AF_UNIX, AF_LOCAL).
function names(): void {
  if (familyNames.size > 0) return;
  for (const name of ['AF_UNSPEC', 'AF_UNIX', 'AF_INET', 'AF_INET6', 'AF_PACKET', 'AF_NETLINK']) {
    const value = (C as Record<string, number | undefined>)[name];
    if (value !== undefined) familyNames.set(value, name);
  }
  for (const name of ['SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_RAW', 'SOCK_RDM', 'SOCK_SEQPACKET']) {
    const value = (C as Record<string, number | undefined>)[name];
    if (value !== undefined) typeNames.set(value, name);
  }
  for (const [name, value] of Object.entries(C)) {
    if (typeof value !== 'number') continue;
    if (name.startsWith('AF_') && !familyNames.has(value)) familyNames.set(value, name);
    if (name.startsWith('SOCK_') && !typeNames.has(value)) typeNames.set(value, name);
  }
}

/** `<berkeley.Socket fd=…, family=…, type=…, proto=…[, laddr=…][, raddr=…]>`. */
export function describe(fd: number, closed: boolean, family: number, type: number, proto: number, withAddresses: boolean): string {
  names();
  const familyName = familyNames.get(family) ?? String(family);
  const typeName = typeNames.get(type) ?? String(type);
  let text = `<berkeley.Socket${closed ? ' [closed]' : ''} fd=${fd}, family=${familyName}, type=${typeName}, proto=${proto}`;
  if (withAddresses && !closed) {
    const local = native.getsockname(fd);
    // As Python, an empty address (an unnamed Unix socket) is left out.
    if (typeof local !== 'number' && local !== null && local !== '') text += `, laddr=${formatAddress(local)}`;
    const remote = native.getpeername(fd);
    if (typeof remote !== 'number' && remote !== null && remote !== '') text += `, raddr=${formatAddress(remote)}`;
  }
  return `${text}>`;
}
