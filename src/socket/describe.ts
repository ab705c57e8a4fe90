// How a Socket presents itself (Python's repr): the names of its family and
// type, and its addresses.
import { native } from '../core/native.js';
import { formatAddress } from './address.js';
import { AddressFamily, SocketKind } from '../core/enums.js';

/** `<berkeley.Socket fd=…, family=…, type=…, proto=…[, laddr=…][, raddr=…]>`. */
export function describe(fd: number, closed: boolean, family: number, type: number, proto: number, withAddresses: boolean): string {
  const familyName = AddressFamily[family] ?? String(family);
  const typeName = SocketKind[type] ?? String(type);
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
