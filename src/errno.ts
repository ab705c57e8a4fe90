// The errno values the policy code tests for, from the platform's table.
import { errno } from './errors.js';

export const EAGAIN = errno.EAGAIN!;
export const EINPROGRESS = errno.EINPROGRESS!;
export const EINTR = errno.EINTR!;
export const EBADF = errno.EBADF!;
export const EALREADY = errno.EALREADY!;
export const EISCONN = errno.EISCONN!;
export const EEXIST = errno.EEXIST!;
