// The errno values the policy code tests for, from the platform's table.
import { errno } from './errors.js';

export const EAGAIN = errno.EAGAIN!;
export const EINPROGRESS = errno.EINPROGRESS!;
export const EINTR = errno.EINTR!;
export const EBADF = errno.EBADF!;
export const EALREADY = errno.EALREADY!;
export const EISCONN = errno.EISCONN!;
export const EEXIST = errno.EEXIST!;
/** Out of fds (EMFILE, ENFILE) or memory: what a server waits out rather than fails on. */
export const OUT_OF_RESOURCES: ReadonlySet<number> = new Set([errno.EMFILE!, errno.ENFILE!, errno.ENOBUFS!, errno.ENOMEM!]);
