// The error hierarchy of Python's OSError family (PEP 3151), built once
// from a negative errno returned by the native layer. Which errno raises
// which class is errno.ts's table.
import { AF_INET, AF_INET6, AF_UNIX } from './constants.js';
import { EBADF, errno, errorcode, ETIMEDOUT, hostErrorNames, strerror as errnoMessage, SUBCLASS_BY_NAME, type ErrnoSubclass } from './errno.js';
import { native, type NativeAddress } from './native.js';
import { typeError } from './validate.js';

export { errno };

const eaiNames = new Map<number, string>();
for (const [name, value] of Object.entries(native.constants)) {
  if (name.startsWith('EAI_') && value !== undefined && !eaiNames.has(value)) eaiNames.set(value, name);
}

// Python's `[Errno 111] Connection refused`, then what it was about.
function messageOf(errnum: number, strerror: string, about: string): string {
  return `[Errno ${errnum}] ${strerror}${about ? ` (${about})` : ''}`;
}

/**
 * An OS failure (Python's `OSError` / `socket.error`). Its message is
 * Python's text first, then, in parentheses, the call and, as Node's errors
 * have it, the address the call was given: `[Errno 111] Connection refused
 * (connect 127.0.0.1:1)`, `(bind [::1]:8080)`, `(connect /run/app.sock)`,
 * `(sendto @name)` for an abstract Unix name. That address is in `address`
 * and `port` too, for connect, bind, sendto and sendmsg (and
 * createConnection, whose attempts are connects).
 */
export class SocketError extends Error {
  /** The error number (an `E*` value; an `EAI_*` value for `GaiError`). */
  readonly errno: number;
  /** The symbolic name of `errno`, such as `'ECONNREFUSED'`. */
  readonly code: string;
  /** The system's message for `errno`. */
  readonly strerror: string;
  /** The call that failed, such as `'connect'`. */
  readonly syscall: string;
  // Declared, not fields: an error without an address has no such keys (as Node's).
  /** The address the call was given: the IP address (AF_INET, AF_INET6), or the Unix socket's path or abstract name. */
  declare address?: string | Buffer;
  /** The port of that address (AF_INET, AF_INET6). */
  declare port?: number;

  /**
   * As Python's OSError: `new SocketError(errno, strerror?, syscall?)`, with
   * the system's message when strerror is left out; `new SocketError()` or
   * `new SocketError('message')` carry errno 0.
   */
  constructor(errnum?: number, strerror?: string, syscall = '', code?: string) {
    if (errnum !== undefined && typeof errnum !== 'number' && typeof errnum !== 'string') {
      throw typeError('errno', 'a number (or a message string)', errnum);
    }
    const number = typeof errnum === 'number' ? errnum : 0;
    const text = typeof errnum === 'string' ? errnum : (strerror ?? (number === 0 ? '' : errnoMessage(number)));
    super(number === 0 ? text : messageOf(number, text, syscall));
    this.errno = number;
    this.code = code ?? (number === 0 ? '' : (errorcode.get(number) ?? `E${number}`));
    this.strerror = text;
    this.syscall = syscall;
  }

  /** The class's name (ConnectionRefusedError, …), as Python prints it. */
  override get name(): string {
    return this.constructor.name;
  }
}

/** EAGAIN/EWOULDBLOCK, EINPROGRESS, EALREADY: a non-blocking call that would wait. */
export class BlockingIOError extends SocketError {}
/** The socket's timeout passed (Python's `socket.timeout`), or ETIMEDOUT. */
export class TimeoutError extends SocketError {}
/** EINTR: a signal interrupted a call that cannot be retried. */
export class InterruptedError extends SocketError {}
/** EACCES, EPERM: not allowed (a privileged port, a raw socket). */
export class PermissionError extends SocketError {}
/** ENOENT: no such file (a Unix socket path). */
export class FileNotFoundError extends SocketError {}
/** EEXIST: the name is taken, or the fd already has a watcher. */
export class FileExistsError extends SocketError {}
/** EISDIR. */
export class IsADirectoryError extends SocketError {}
/** ENOTDIR: a path component is not a directory. */
export class NotADirectoryError extends SocketError {}
/** ESRCH. */
export class ProcessLookupError extends SocketError {}
/** ECHILD. */
export class ChildProcessError extends SocketError {}
/** The base of the connection failures. */
export class ConnectionError extends SocketError {}
/** EPIPE, ESHUTDOWN: the peer is gone, or this side shut down sending. */
export class BrokenPipeError extends ConnectionError {}
/** ECONNABORTED. */
export class ConnectionAbortedError extends ConnectionError {}
/** ECONNREFUSED: nothing listens at the address. */
export class ConnectionRefusedError extends ConnectionError {}
/** ECONNRESET: the peer reset the connection. */
export class ConnectionResetError extends ConnectionError {}

/** A name-resolution failure (Python's `socket.gaierror`): `errno` is an `EAI_*` value. */
export class GaiError extends SocketError {
  constructor(code: number, strerror?: string, syscall = 'getaddrinfo') {
    if (typeof code !== 'number') throw typeError('code', 'an EAI_* number', code);
    super(code, strerror ?? native.gaiStrerror(code), syscall, eaiNames.get(code) ?? `EAI_${code}`);
  }
}

/** An address-related failure of the legacy look-ups (Python's `socket.herror`). */
export class HostError extends SocketError {}

/**
 * A wait ended by its AbortSignal, as Node's AbortError: code 'ABORT_ERR',
 * the signal's reason as cause. The socket stays open and usable; an
 * aborted receive consumed nothing; an aborted sendall or sendfile says in
 * `bytesSent` how much had gone out.
 */
export class AbortError extends Error {
  /** Always 'ABORT_ERR', as Node's AbortError. */
  readonly code = 'ABORT_ERR';
  /** The bytes an aborted sendall or sendfile had sent (0 when nothing went out). */
  bytesSent?: number;

  constructor(reason: unknown, bytesSent?: number) {
    super('The operation was aborted', { cause: reason });
    if (bytesSent !== undefined) this.bytesSent = bytesSent;
  }

  /** Always 'AbortError'. */
  override get name(): string {
    return 'AbortError';
  }
}

type SocketErrorClass = new (errnum: number, strerror?: string, syscall?: string) => SocketError;

const subclasses: Readonly<Record<ErrnoSubclass, SocketErrorClass>> = {
  BlockingIOError,
  TimeoutError,
  InterruptedError,
  PermissionError,
  FileNotFoundError,
  FileExistsError,
  IsADirectoryError,
  NotADirectoryError,
  ProcessLookupError,
  ChildProcessError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionRefusedError,
  ConnectionResetError,
};

// errno.ts's table by number; a name the platform lacks is left out.
const classes = new Map<number, SocketErrorClass>();
for (const [name, subclass] of Object.entries(SUBCLASS_BY_NAME)) {
  const number = (errno as Partial<Record<string, number>>)[name];
  if (number !== undefined) classes.set(number, subclasses[subclass]);
}

/** A call and the address it was given (connect, bind, sendto, sendmsg), in native form: its errors name the address. */
export interface AddressedCall {
  readonly syscall: string;
  readonly family: number;
  readonly address: NativeAddress;
}

/** What a call's errors are about: its system call's name, or the call with its address. */
export type Syscall = string | AddressedCall;

/** The address as a message shows it (Node's `127.0.0.1:1`, `[::1]:1`; a path; `@name` if abstract) and as properties. */
function placeOf(family: number, address: NativeAddress): { text: string; address: string | Buffer; port?: number } | undefined {
  if ((family === AF_INET || family === AF_INET6) && Array.isArray(address) && typeof address[0] === 'string') {
    const [host, port] = address as [string, number];
    return { text: family === AF_INET6 ? `[${host}]:${port}` : `${host}:${port}`, address: host, port };
  }
  if (family === AF_UNIX && (typeof address === 'string' || Buffer.isBuffer(address)) && address.length > 0) {
    const name = typeof address === 'string' ? address : address.toString();
    return { text: name.startsWith('\0') ? `@${name.slice(1)}` : name, address };
  }
  return undefined;
}

/** The error, with the address its call was given in its message and properties. */
function about<E extends SocketError>(error: E, syscall: Syscall): E {
  if (typeof syscall === 'string') return error;
  const place = placeOf(syscall.family, syscall.address);
  if (place === undefined) return error;
  error.address = place.address;
  if (place.port !== undefined) error.port = place.port;
  // Before anything reads the stack, whose first line is the message.
  error.message = messageOf(error.errno, error.strerror, `${syscall.syscall} ${place.text}`);
  return error;
}

/** The system call's name of what a call's errors are about. */
export function syscallName(syscall: Syscall): string {
  return typeof syscall === 'string' ? syscall : syscall.syscall;
}

/** The right `SocketError` subclass for an errno (negative or positive). */
export function errorFromErrno(errnum: number, syscall: Syscall): SocketError {
  const positive = Math.abs(errnum);
  const Class = classes.get(positive) ?? SocketError;
  return about(new Class(positive, undefined, syscallName(syscall)), syscall);
}

/** Throws the SocketError of a native call's -errno result; a result >= 0 passes. */
export function checkResult(rc: number, syscall: Syscall): void {
  if (rc < 0) throw errorFromErrno(rc, syscall);
}

/** A Node.js fs error (libuv's negative errno) as the SocketError of that errno. */
export function fromNodeError(error: unknown): unknown {
  const { errno: number, syscall } = (error ?? {}) as { errno?: unknown; syscall?: unknown };
  return typeof number === 'number' ? errorFromErrno(number, typeof syscall === 'string' ? syscall : '') : error;
}

/** The error of a call that ran out of time, as Python's `socket.timeout`. */
export function timeoutError(syscall: Syscall): TimeoutError {
  return about(new TimeoutError(ETIMEDOUT, 'timed out', syscallName(syscall)), syscall);
}

/** Using a closed socket. */
export function closedError(syscall: Syscall): SocketError {
  return about(new SocketError(EBADF, undefined, syscallName(syscall)), syscall);
}

/** The HostError of an h_errno value, with the system's message. */
export function hostError(herrno: number, syscall: string): HostError {
  return new HostError(herrno, native.hstrerror(herrno), syscall, hostErrorNames.get(herrno) ?? `H_ERRNO_${herrno}`);
}
