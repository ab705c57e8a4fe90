// socket(2), or what a given fd is: the constructor's two ways to get the
// fd a Socket owns.
import * as C from '../core/constants.js';
import { checkResult } from '../core/errors.js';
import { native } from '../core/native.js';
import { checkInt } from '../core/validate.js';
import { getsockoptInt } from '../io/ops.js';

/** The flags socket(2) takes in its type argument, which the type a Socket reports leaves out. */
export const TYPE_FLAGS = (C.SOCK_NONBLOCK ?? 0) | (C.SOCK_CLOEXEC ?? 0);

/** socket(2), or the family, type and proto of a given fd (what is not given, or -1, is read from it). */
export function open(family: number | undefined, type: number | undefined, proto: number | undefined, fileno: number | null | undefined): [number, number, number, number] {
  const given = fileno !== undefined && fileno !== null;
  const detected = (value: number | undefined, name: string, fallback: number): number | undefined => {
    if (value === undefined) return given ? undefined : fallback;
    checkInt(value, name);
    return given && value === -1 ? undefined : value;
  };
  const f = detected(family, 'family', C.AF_INET);
  const t = detected(type, 'type', C.SOCK_STREAM);
  const p = detected(proto, 'proto', 0);
  if (!given) {
    const fd = native.socket(f!, t!, p!);
    checkResult(fd, 'socket');
    return [fd, f!, t!, p!];
  }
  const fd = checkInt(fileno, 'fileno', 0);
  const option = (opt: number): number => {
    const { rc, value } = getsockoptInt(fd, C.SOL_SOCKET, opt);
    checkResult(rc, 'getsockopt');
    return value;
  };
  // SO_TYPE is read even when given: wrapping a non-socket fails here (ENOTSOCK).
  const actualType = option(C.SO_TYPE);
  // Linux's SO_DOMAIN and SO_PROTOCOL.
  const result: [number, number, number, number] = [fd, f ?? option(C.SO_DOMAIN!), t ?? actualType, p ?? option(C.SO_PROTOCOL!)];
  checkResult(native.setNonblocking(fd), 'fcntl');
  return result;
}
