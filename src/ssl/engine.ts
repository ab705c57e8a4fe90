// The TLS engine: one connection's OpenSSL object (native/tls_conn.c) and
// its operations for the call helper, each one step on the socket's fd:
// the result, -errno, or TLS_WANT_READ/TLS_WANT_WRITE, on which the call
// helper waits in that direction and steps again. So TLS has the socket's
// three modes and both forms with no deadline code of its own; only
// non-blocking mode is told here, where a want is Python's SSLWantReadError
// or SSLWantWriteError at once. The same steps serve an SSLObject over a
// pair of MemoryBIOs (object.ts), whose wants are always thrown.
import { errorFromErrno } from '../core/errors.js';
import { native, TLS_FAILED, TLS_WANT_READ, TLS_WANT_WRITE, type NativeTLS, type NativeTLSContext } from '../core/native.js';
import type { Handle } from '../io/handle.js';
import { checkHeld } from '../io/ops.js';
import { SSLEOFError, tlsFailure, wantReadError, wantWriteError } from './errors.js';

/** The error of a native TLS call's negative result. */
export function failure(rc: number, syscall: string): Error {
  return rc === TLS_FAILED ? tlsFailure(syscall) : errorFromErrno(rc, syscall);
}

/** The result of a native TLS call that cannot wait: rc, or its error thrown. */
export function checked(rc: number, syscall: string): number {
  if (rc < 0) throw failure(rc, syscall);
  return rc;
}

/** A new SSL_CTX for a client or server context; a clear Error where this Node has no OpenSSL for addons. */
export function newContext(server: boolean): NativeTLSContext {
  const missing = native.tlsMissing();
  if (missing !== null) {
    throw new Error(`berkeley/ssl: this Node.js does not export OpenSSL's functions to addons (${missing} is missing), so TLS cannot run here; the socket module works as usual`);
  }
  const context = native.tlsContextNew(server);
  if (typeof context === 'number') throw failure(context, 'SSLContext');
  return context;
}

/** A new connection's OpenSSL object, client or server side, on a context. */
export function newConnection(context: NativeTLSContext, server: boolean): NativeTLS {
  const tls = native.tlsNew(context, server);
  if (typeof tls === 'number') throw failure(tls, 'wrap_socket');
  return tls;
}

/**
 * One TLS connection's OpenSSL object and its steps, each one try: over a
 * socket (TLSEngine), whose wants the call helper waits for, or over a pair
 * of MemoryBIOs (SSLObject), whose steps never wait.
 */
export abstract class TLSSteps {
  constructor(
    readonly ssl: NativeTLS,
    /** The name the peer's certificate is checked against, for Python's mismatch message. */
    readonly serverHostname: string | null,
    /** A read that meets the end without close_notify returns EOF rather than SSLEOFError. */
    readonly suppressRaggedEofs: boolean,
  ) {}

  /** Whether a want is thrown at once (Python's SSLWantReadError/SSLWantWriteError) rather than waited for. */
  abstract get nonBlocking(): boolean;

  /** rc of a step, for the call helper: a failure thrown as its SSLError, a want thrown in non-blocking mode. */
  settle(rc: number, syscall: string): number {
    if (rc === TLS_FAILED) throw tlsFailure(syscall, this.serverHostname);
    if (this.nonBlocking) {
      if (rc === TLS_WANT_READ) throw wantReadError(syscall);
      if (rc === TLS_WANT_WRITE) throw wantWriteError(syscall);
    }
    return rc;
  }

  // A read's failure: as settle(), but a suppressed ragged EOF is the end (0).
  #readFailed(rc: number, syscall: string): number {
    try {
      return this.settle(rc, syscall);
    } catch (error) {
      if (error instanceof SSLEOFError && this.suppressRaggedEofs) return 0;
      throw error;
    }
  }

  /** SSL_do_handshake: undefined once done. */
  static handshakeOp(this: void, fd: number, e: TLSSteps): undefined | number {
    const rc = native.tlsHandshake(e.ssl, fd);
    return rc === 0 ? undefined : e.settle(rc, 'do_handshake');
  }

  /** Up to n decrypted bytes; empty at the end (close_notify, or a suppressed ragged EOF). */
  static readOp(this: void, fd: number, e: TLSSteps, n: number): Buffer | number {
    const data = native.tlsRead(e.ssl, fd, n);
    if (typeof data !== 'number') return data;
    const rc = e.#readFailed(data, 'recv');
    return rc === 0 ? Buffer.alloc(0) : rc;
  }

  /** Decrypted bytes into view[0, n); the count, 0 at the end. */
  static readIntoOp(this: void, fd: number, e: TLSSteps, view: ArrayBufferView, n: number): number {
    checkHeld(view, n);
    const rc = native.tlsReadInto(e.ssl, fd, view, n);
    return rc >= 0 ? rc : e.#readFailed(rc, 'recv_into');
  }

  /** Sends close_notify: undefined once it is out (the peer's is not waited for). */
  static closeNotifyOp(this: void, fd: number, e: TLSSteps, syscall: string): undefined | number {
    const rc = native.tlsShutdown(e.ssl, fd);
    return rc >= 0 ? undefined : e.settle(rc, syscall);
  }

  /** Ends TLS both ways: our close_notify out, then the peer's in; undefined once both are. */
  static unwrapOp(this: void, fd: number, e: TLSSteps): undefined | number {
    let rc = native.tlsShutdown(e.ssl, fd);
    // 0: ours is out; the next step reads the peer's.
    if (rc === 0) rc = native.tlsShutdown(e.ssl, fd);
    if (rc === 1) return undefined;
    return e.settle(rc === 0 ? TLS_WANT_READ : rc, 'unwrap');
  }

  /** Frees the OpenSSL object now (idempotent); its calls are EBADF from then on. */
  close(): void {
    native.tlsClose(this.ssl);
  }
}

/** One TLS connection on a socket's Handle (its fd and timeout): a want is a wait, except in non-blocking mode. */
export class TLSEngine extends TLSSteps {
  constructor(
    ssl: NativeTLS,
    readonly handle: Handle,
    serverHostname: string | null,
    suppressRaggedEofs: boolean,
  ) {
    super(ssl, serverHostname, suppressRaggedEofs);
  }

  get nonBlocking(): boolean {
    return this.handle.timeout === 0;
  }
}

/**
 * A write of data: send() takes what one step sends (a record or more),
 * sendall() steps until every byte is out. `sent` counts what went out,
 * which an aborted call reports.
 */
export class TLSWrite {
  sent = 0;
  readonly #length: number;

  constructor(
    readonly engine: TLSSteps,
    readonly bytes: Uint8Array,
    readonly syscall: string,
  ) {
    this.#length = bytes.length;
  }

  // One step: what the socket takes now, or the code of a step that sent nothing.
  #step(fd: number): number {
    checkHeld(this.bytes, this.#length);
    const n = native.tlsWrite(this.engine.ssl, fd, this.bytes, this.sent);
    if (n < 0) return this.engine.settle(n, this.syscall);
    this.sent += n;
    return n;
  }

  /** send(): the count of one step. */
  static sendOp(this: void, fd: number, w: TLSWrite): number {
    return w.#step(fd);
  }

  /** sendall(): undefined once every byte is out. */
  static sendallOp(this: void, fd: number, w: TLSWrite): undefined | number {
    while (w.sent < w.#length) {
      const rc = w.#step(fd);
      if (rc < 0) return rc;
    }
    return undefined;
  }
}
