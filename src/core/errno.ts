// The errno table: every E* name the platform defines (listed once, in the
// committed native/errno_list.h, with its number from the running
// platform's headers), its message (strerror), and, per PEP 3151, the
// SocketError subclass that an error with it raises. errors.ts builds the
// error classes from this file and this file never imports errors.ts.
import type { ErrnoName } from './errno-names.js';
import { native } from './native.js';

export type { ErrnoName };

/** Every `E*` name of the platform mapped to its number (Python's `errno`); a misspelt name does not compile. */
export const errno: Readonly<Record<ErrnoName, number>> = Object.freeze({ ...native.errno });

/** Each number's name (Python's `errno.errorcode`): the canonical one, as the native list has canonical names before aliases (EWOULDBLOCK). */
export const errorcode: ReadonlyMap<number, ErrnoName> = new Map(
  (Object.entries(errno) as [ErrnoName, number][]).reverse().map(([name, value]) => [value, name]),
);

/** The system's message for an errno (Python's `os.strerror`). */
export const strerror = (errnum: number): string => native.strerror(errnum);

/**
 * PEP 3151: the subclass of SocketError (errors.ts) that each of these
 * errnos raises; every other errno raises SocketError itself.
 */
export const SUBCLASS_BY_NAME = {
  EAGAIN: 'BlockingIOError',
  EWOULDBLOCK: 'BlockingIOError',
  EINPROGRESS: 'BlockingIOError',
  EALREADY: 'BlockingIOError',
  ETIMEDOUT: 'TimeoutError',
  EINTR: 'InterruptedError',
  EACCES: 'PermissionError',
  EPERM: 'PermissionError',
  ENOENT: 'FileNotFoundError',
  EEXIST: 'FileExistsError',
  EISDIR: 'IsADirectoryError',
  ENOTDIR: 'NotADirectoryError',
  ESRCH: 'ProcessLookupError',
  ECHILD: 'ChildProcessError',
  EPIPE: 'BrokenPipeError',
  ESHUTDOWN: 'BrokenPipeError',
  ECONNABORTED: 'ConnectionAbortedError',
  ECONNREFUSED: 'ConnectionRefusedError',
  ECONNRESET: 'ConnectionResetError',
} as const;
export type ErrnoSubclass = (typeof SUBCLASS_BY_NAME)[keyof typeof SUBCLASS_BY_NAME];

/** The h_errno values' names (HostError's codes). */
export const hostErrorNames: ReadonlyMap<number, string> = new Map(Object.entries(native.hostErrors).map(([name, value]) => [value, name]));

/** An errno every POSIX platform defines: importing berkeley fails clearly where one is missing. */
function required(name: string): number {
  const value = (errno as Partial<Record<string, number>>)[name];
  if (value === undefined) throw new Error(`berkeley: this platform's <errno.h> does not define ${name}, which berkeley needs`);
  return value;
}

// The errnos the policy code tests for.
export const EAGAIN = required('EAGAIN');
export const EINPROGRESS = required('EINPROGRESS');
export const EINTR = required('EINTR');
export const EBADF = required('EBADF');
export const EALREADY = required('EALREADY');
export const EISCONN = required('EISCONN');
export const EEXIST = required('EEXIST');
export const ETIMEDOUT = required('ETIMEDOUT');
/** Out of fds (EMFILE, ENFILE) or memory: what a server waits out rather than fails on. */
export const OUT_OF_RESOURCES: ReadonlySet<number> = new Set(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM'].map(required));
