// SSLObject (Python's ssl.SSLObject): TLS with no I/O of its own. Its
// OpenSSL object reads the peer's records from one MemoryBIO and writes its
// own into another (native tlsUseMemory), and runs the TLS engine's steps
// (engine.ts) as they are: a step that needs more of the peer's bytes
// throws SSLWantReadError, and the application moves bytes between the
// BIOs and wherever they travel, then calls again.
import { native } from '../core/native.js';
import { cloneGuard } from '../core/uncloneable.js';
import { checkInt, checkSize, checkWritable, toBytes, toUint8Array, typeError, withCode, type Data } from '../core/validate.js';
import type { SSLContext } from './context.js';
import { TLSConnection } from './connection.js';
import { checked, TLSSteps, TLSWrite } from './engine.js';
import { MemoryBIO, memoryOf } from './memory.js';
import type { Wrapping } from './settings.js';
import { answerHello } from './sni.js';

const internal = Symbol('SSLObject');
const CLONE_GUARD = cloneGuard('A berkeley SSLObject cannot be cloned or posted to another thread: its TLS session belongs to this one.');

/** The steps of an SSLObject: never a wait, every want thrown. */
class MemorySteps extends TLSSteps {
  get nonBlocking(): boolean {
    return true;
  }
}

/** A step's result: its value, or (a step that failed without throwing: -errno) its error. */
function stepped<T>(result: T | number, syscall: string): T {
  if (typeof result === 'number') checked(result, syscall);
  return result as T;
}

/**
 * Python's `ssl.SSLObject`, made by `SSLContext.wrapBio()`: a TLS
 * connection whose records go through two MemoryBIOs. No call waits: one
 * that needs the peer's bytes first throws `SSLWantReadError`, after
 * writing to the outgoing BIO what the peer needs to answer. Send the
 * outgoing bytes, write what arrives into the incoming BIO, and call again.
 * Certificates and host names are checked as for an SSLSocket.
 */
export class SSLObject extends TLSConnection {
  private readonly cloneGuard = CLONE_GUARD; // structuredClone, postMessage: a DataCloneError saying why
  readonly #steps: MemorySteps;

  /** @internal SSLContext.wrapBio() makes SSLObjects. */
  constructor(token: typeof internal, context: SSLContext, incoming: MemoryBIO, outgoing: MemoryBIO, wrapping: Wrapping) {
    if (token !== internal) throw withCode(new TypeError('SSLObject does not have a public constructor; use SSLContext.wrapBio()'), 'ERR_ILLEGAL_CONSTRUCTOR');
    super(context, wrapping);
    const tls = wrapping.open();
    checked(native.tlsUseMemory(tls, memoryOf(incoming), memoryOf(outgoing)), 'wrap_bio');
    // Python's SSLObject reports every end without close_notify (SSLEOFError).
    this.#steps = new MemorySteps(tls, wrapping.serverHostname, false);
    if (wrapping.session !== null) this.session = wrapping.session;
    this.#steps.serverName = () => answerHello(this, this.#steps, this.context);
  }

  /** @internal */
  protected openSteps(): TLSSteps {
    return this.#steps;
  }

  /** Runs the handshake as far as the incoming bytes allow; returns once it is done. */
  doHandshake(): void {
    stepped(TLSSteps.handshakeOp(-1, this.#steps), 'do_handshake');
  }

  /**
   * Up to len decrypted bytes (an empty Buffer after the peer's
   * close_notify); with buffer, reads into it (up to len bytes, as much
   * as it holds when len is 0 or past its end, as Python's) and returns
   * the count.
   */
  read(len?: number): Buffer;
  read(len: number | undefined, buffer: ArrayBufferView): number;
  read(len = 1024, buffer?: ArrayBufferView): Buffer | number {
    if (buffer !== undefined) {
      const into = checkWritable(buffer);
      const n = checkInt(len, 'len');
      return stepped(TLSSteps.readIntoOp(-1, this.#steps, into, n <= 0 || n > into.byteLength ? into.byteLength : n), 'read');
    }
    const n = checkSize(len, 'len');
    return n === 0 ? Buffer.alloc(0) : stepped(TLSSteps.readOp(-1, this.#steps, n), 'read');
  }

  /** Encrypts data (bytes, or a string as UTF-8) into the outgoing BIO; returns the count (all of it). */
  write(data: Data): number {
    const w = new TLSWrite(this.#steps, toUint8Array(toBytes(data)), 'write');
    stepped(TLSWrite.sendallOp(-1, w), 'write');
    return w.sent;
  }

  /** Ends TLS: close_notify into the outgoing BIO, then the peer's read from the incoming one (SSLWantReadError until it is there). */
  unwrap(): void {
    stepped(TLSSteps.unwrapOp(-1, this.#steps), 'shutdown');
  }

  /** `<berkeley.ssl.SSLObject client, serverHostname='localhost', version=TLSv1.3>` */
  override toString(): string {
    const side = this.serverSide ? 'server' : `client, serverHostname=${this.serverHostname === null ? 'null' : `'${this.serverHostname}'`}`;
    return `<berkeley.ssl.SSLObject ${side}, version=${this.version() ?? 'none'}>`;
  }
}

/** SSLContext.wrapBio()'s work: an SSLObject over the two BIOs, with what the context makes of its options. */
export function wrapBio(context: SSLContext, incoming: unknown, outgoing: unknown, wrapping: () => Wrapping): SSLObject {
  if (!(incoming instanceof MemoryBIO)) throw typeError('incoming', 'a MemoryBIO', incoming);
  if (!(outgoing instanceof MemoryBIO)) throw typeError('outgoing', 'a MemoryBIO', outgoing);
  return new SSLObject(internal, context, incoming, outgoing, wrapping());
}
