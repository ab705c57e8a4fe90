// getaddrinfo(3) through the native layer, failures turned into GaiError
// (or the SocketError of EAI_SYSTEM's errno). Shared by address resolution
// and the public getaddrinfo().
import { EAI_SYSTEM } from '../core/constants.js';
import { GaiError, errorFromErrno, type SocketError } from '../core/errors.js';
import { native, type NativeAddrinfo, type NativeGaiFailure } from '../core/native.js';

function failure(result: NativeGaiFailure): SocketError {
  return result.gai === EAI_SYSTEM ? errorFromErrno(result.errno, 'getaddrinfo') : new GaiError(result.gai);
}

function settle(result: NativeAddrinfo[] | NativeGaiFailure): NativeAddrinfo[] {
  if (Array.isArray(result)) return result;
  throw failure(result);
}

export function lookupSync(host: string | null, service: string | null, family: number, type: number, proto: number, flags: number): NativeAddrinfo[] {
  return settle(native.getaddrinfoSync(host, service, family, type, proto, flags));
}

export function lookupAsync(host: string | null, service: string | null, family: number, type: number, proto: number, flags: number): Promise<NativeAddrinfo[]> {
  return native.getaddrinfo(host, service, family, type, proto, flags).then(settle);
}
