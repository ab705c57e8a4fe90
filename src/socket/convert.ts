// Address and byte-order conversions (Python's inet_* and hton*/ntoh*).
import { endianness } from 'node:os';
import { errno, errorFromErrno, SocketError } from '../core/errors.js';
import { native } from '../core/native.js';
import { checkInt, checkString, toUint8Array, typeError, valueError } from '../core/validate.js';

function checkPacked(value: unknown, name: string): Uint8Array {
  if (ArrayBuffer.isView(value)) return toUint8Array(value);
  throw typeError(name, 'bytes', value);
}

/** inet_aton(3): 4 bytes, accepting the legacy forms ('127.1', '0x7f.1'). */
export function inetAton(ipString: string): Buffer {
  const packed = native.inetAton(checkString(ipString, 'ipString'));
  if (packed === null) throw new SocketError(errno.EINVAL, 'illegal IP address string passed to inet_aton', 'inet_aton');
  return packed;
}

/** 4 bytes to dotted-quad text. */
export function inetNtoa(packedIp: ArrayBufferView): string {
  const bytes = checkPacked(packedIp, 'packedIp');
  if (bytes.length !== 4) throw valueError(`The "packedIp" argument must be 4 bytes; got ${bytes.length}`);
  return bytes.join('.');
}

/** inet_pton(3) for AF_INET and AF_INET6. */
export function inetPton(addressFamily: number, ipString: string): Buffer {
  const packed = native.inetPton(checkInt(addressFamily, 'addressFamily'), checkString(ipString, 'ipString'));
  if (typeof packed === 'number') throw errorFromErrno(packed, 'inet_pton');
  if (packed === null) throw new SocketError(errno.EINVAL, 'illegal IP address string passed to inet_pton', 'inet_pton');
  return packed;
}

/** inet_ntop(3) for AF_INET (4 bytes) and AF_INET6 (16 bytes). */
export function inetNtop(addressFamily: number, packedIp: ArrayBufferView): string {
  checkInt(addressFamily, 'addressFamily');
  const bytes = checkPacked(packedIp, 'packedIp');
  const text = native.inetNtop(addressFamily, bytes);
  if (text === -errno.EINVAL) throw valueError(`The "packedIp" argument has the wrong length for the family: ${bytes.length} bytes`);
  if (text === -errno.EAFNOSUPPORT) throw valueError(`The "addressFamily" argument must be AF_INET or AF_INET6. Received ${addressFamily}`);
  if (typeof text === 'number') throw errorFromErrno(text, 'inet_ntop');
  return text;
}

const littleEndian = endianness() === 'LE';

const swap16 = (x: number): number => (littleEndian ? ((x & 0xff) << 8) | (x >>> 8) : x);
const swap32 = (x: number): number =>
  littleEndian ? (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0 : x;

/** 16-bit host to network byte order. */
export function htons(x: number): number {
  return swap16(checkInt(x, 'x', 0, 0xffff));
}

/** 16-bit network to host byte order. */
export function ntohs(x: number): number {
  return swap16(checkInt(x, 'x', 0, 0xffff));
}

/** 32-bit host to network byte order. */
export function htonl(x: number): number {
  return swap32(checkInt(x, 'x', 0, 0xffffffff));
}

/** 32-bit network to host byte order. */
export function ntohl(x: number): number {
  return swap32(checkInt(x, 'x', 0, 0xffffffff));
}
