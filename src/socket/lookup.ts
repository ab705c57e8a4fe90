// getaddrinfo(3) through the native layer, failures turned into GaiError
// (or the SocketError of EAI_SYSTEM's errno). Shared by address resolution
// and the public getaddrinfo().
import { EAI_SYSTEM } from '../core/constants.js';
import { GaiError, errorFromErrno, type SocketError } from '../core/errors.js';
import { native, type NativeAddrinfo, type NativeGaiFailure } from '../core/native.js';
import { either, type Blocking } from '../io/blocking.js';

function failure(result: NativeGaiFailure): SocketError {
  return result.gai === EAI_SYSTEM ? errorFromErrno(result.errno, 'getaddrinfo') : new GaiError(result.gai);
}

function settle(result: NativeAddrinfo[] | NativeGaiFailure): NativeAddrinfo[] {
  if (Array.isArray(result)) return result;
  throw failure(result);
}

/** getaddrinfo(3): on libuv's thread pool (async) or the calling thread (Sync). */
export function lookup(host: string | null, service: string | null, family: number, type: number, proto: number, flags: number): Blocking<NativeAddrinfo[]> {
  return either(
    () => native.getaddrinfo(host, service, family, type, proto, flags).then(settle),
    () => settle(native.getaddrinfoSync(host, service, family, type, proto, flags)),
  );
}
