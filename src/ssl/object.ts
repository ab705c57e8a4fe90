// SSLObject (Python's ssl.SSLObject): TLS with no I/O of its own. Its
// OpenSSL object reads the peer's records from one MemoryBIO and writes its
// own into another (native tlsUseMemory), and runs the TLS engine's steps
// (engine.ts) as they are: a step that needs more of the peer's bytes
// throws SSLWantReadError, and the application moves bytes between the
// BIOs and wherever they travel, then calls again.
import { inspect } from 'node:util';
import { native } from '../core/native.js';
import { cloneGuard } from '../core/uncloneable.js';
import { checkInt, checkSize, checkWritable, toBytes, toUint8Array, typeError, valueError, withCode, type Data } from '../core/validate.js';
import type { PeerCertificate } from './certificate.js';
import type { SSLContext } from './context.js';
import { checked, TLSSteps, TLSWrite } from './engine.js';
import { peerCertificate, type CipherInfo } from './info.js';
import { MemoryBIO, memoryOf } from './memory.js';
import type { Wrapping } from './settings.js';

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
export class SSLObject {
  /** The context the object was made with. */
  readonly context: SSLContext;
  /** Whether this is the server side of the connection. */
  readonly serverSide: boolean;
  /** The host name the server was checked against (client side), or null. */
  readonly serverHostname: string | null;
  private readonly cloneGuard = CLONE_GUARD; // structuredClone, postMessage: a DataCloneError saying why
  readonly #steps: MemorySteps;
  readonly #verifyMode: number;

  /** @internal SSLContext.wrapBio() makes SSLObjects. */
  constructor(token: typeof internal, context: SSLContext, incoming: MemoryBIO, outgoing: MemoryBIO, wrapping: Wrapping) {
    if (token !== internal) throw withCode(new TypeError('SSLObject does not have a public constructor; use SSLContext.wrapBio()'), 'ERR_ILLEGAL_CONSTRUCTOR');
    this.context = context;
    this.serverSide = wrapping.serverSide;
    this.serverHostname = wrapping.serverHostname;
    this.#verifyMode = wrapping.verifyMode;
    const tls = wrapping.open();
    checked(native.tlsUseMemory(tls, memoryOf(incoming), memoryOf(outgoing)), 'wrap_bio');
    // Python's SSLObject reports every end without close_notify (SSLEOFError).
    this.#steps = new MemorySteps(tls, wrapping.serverHostname, false);
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

  /** The number of decrypted bytes ready to be read. */
  pending(): number {
    return native.tlsPending(this.#steps.ssl);
  }

  /**
   * The peer's certificate: Python's dict (empty when it was not verified,
   * CERT_NONE), or with binaryForm its DER bytes; null if it sent none.
   */
  getpeercert(binaryForm: true): Buffer | null;
  getpeercert(binaryForm?: false): PeerCertificate | Record<string, never> | null;
  getpeercert(binaryForm = false): PeerCertificate | Record<string, never> | Buffer | null {
    if (this.version() === null) throw valueError('handshake not done yet');
    return peerCertificate(native.tlsPeerCertificate(this.#steps.ssl), binaryForm, this.#verifyMode);
  }

  /** The cipher in use: [name, protocol version, secret bits]; null before the handshake. */
  cipher(): CipherInfo | null {
    return native.tlsCipher(this.#steps.ssl);
  }

  /** The protocol version, such as 'TLSv1.3'; null before the handshake is done. */
  version(): string | null {
    return native.tlsVersion(this.#steps.ssl);
  }

  /** The protocol ALPN chose, or null. */
  selectedAlpnProtocol(): string | null {
    return native.tlsAlpnSelected(this.#steps.ssl);
  }

  /** The compression in use: always null (Node's OpenSSL has none, as Python's usually). */
  compression(): null {
    return null;
  }

  /** `<berkeley.ssl.SSLObject client, serverHostname='localhost', version=TLSv1.3>` */
  toString(): string {
    const side = this.serverSide ? 'server' : `client, serverHostname=${this.serverHostname === null ? 'null' : `'${this.serverHostname}'`}`;
    return `<berkeley.ssl.SSLObject ${side}, version=${this.version() ?? 'none'}>`;
  }

  /** util.inspect() shows toString(). */
  [inspect.custom](): string {
    return this.toString();
  }
}

/** SSLContext.wrapBio()'s work: an SSLObject over the two BIOs, with what the context makes of its options. */
export function wrapBio(context: SSLContext, incoming: unknown, outgoing: unknown, wrapping: () => Wrapping): SSLObject {
  if (!(incoming instanceof MemoryBIO)) throw typeError('incoming', 'a MemoryBIO', incoming);
  if (!(outgoing instanceof MemoryBIO)) throw typeError('outgoing', 'a MemoryBIO', outgoing);
  return new SSLObject(internal, context, incoming, outgoing, wrapping());
}
