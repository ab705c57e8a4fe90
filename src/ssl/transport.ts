// The encrypted byte stream under a TLSSocket: a Duplex over a berkeley
// Socket that reads whole TLS records, never a byte past the record the TLS
// layer is processing. That is what lets unwrap() hand the Socket back with
// the bytes after the peer's close_notify still in it, as OpenSSL reading the
// fd itself does for Python. (A general stream over the socket, such as
// toDuplex(), reads ahead, so it cannot; and its end() would shut the socket.)
// openTLS() runs Node's TLS engine over it.
import { isIP } from 'node:net';
import { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { SHUT_WR } from '../core/constants.js';
import type { Socket } from '../socket/socket.js';
import { CERT_NONE, CERT_REQUIRED } from './constants.js';
import type { HandshakeSpec } from './settings.js';

const HEADER = 5; // content type, version (2), length (2)
const MAX_READ = 1 << 16;

/** A Duplex of whole TLS records over a Socket, for the TLS engine (openTLS). */
export class RecordTransport extends Duplex {
  /** The socket the records travel on. */
  readonly socket: Socket;
  /** The socket's first error: the cause to report when the TLS layer fails after it. */
  socketError: Error | null = null;
  readonly #stop: () => boolean;
  readonly #header = Buffer.alloc(HEADER);
  #headerHave = 0;
  #bodyLeft = 0;
  #wanted = false;
  #busy = false;
  #watching = false;
  #kept = false;

  /** stop: whether the TLS layer has seen the end of the stream (no more records wanted). */
  constructor(socket: Socket, stop: () => boolean) {
    // highWaterMark 0: read only on demand, so at most one chunk waits here.
    super({ readableHighWaterMark: 0, allowHalfOpen: true });
    this.socket = socket;
    this.#stop = stop;
  }

  /** From now on end() and destroy() leave the socket open (unwrap). */
  keepSocket(): void {
    this.#kept = true;
  }

  /** Stream hook: the TLS layer wants data; reads the next piece of a record. */
  override _read(): void {
    if (!this.#watching) {
      // Registered after the TLS layer's own 'data' listener (which brought
      // the first _read), and a microtask later still: the pump looks again
      // only once the TLS layer has processed the chunk.
      this.#watching = true;
      this.on('data', () => queueMicrotask(() => this.#pump()));
    }
    this.#wanted = true;
    this.#pump();
  }

  // Reads the next piece of the current record once the previous chunk has
  // reached the TLS layer and it still wants more.
  #pump(): void {
    if (!this.#wanted || this.#busy || this.readableLength > 0 || this.destroyed) return;
    if (this.#bodyLeft === 0 && this.#headerHave === 0 && this.#stop()) return;
    this.#busy = true;
    const size = this.#bodyLeft > 0 ? Math.min(this.#bodyLeft, MAX_READ) : HEADER - this.#headerHave;
    this.socket.recv(size).then(
      (chunk) => {
        this.#busy = false;
        if (this.destroyed) return;
        if (chunk.length === 0) {
          this.push(null);
          return;
        }
        this.#advance(chunk);
        this.#wanted = false;
        this.push(chunk);
      },
      (error: unknown) => {
        this.#busy = false;
        if (this.destroyed) return;
        this.socketError ??= error as Error;
        this.destroy(error as Error);
      },
    );
  }

  #advance(chunk: Buffer): void {
    if (this.#bodyLeft > 0) {
      this.#bodyLeft -= chunk.length;
      return;
    }
    chunk.copy(this.#header, this.#headerHave);
    this.#headerHave += chunk.length;
    if (this.#headerHave === HEADER) {
      this.#headerHave = 0;
      this.#bodyLeft = this.#header.readUInt16BE(3);
    }
  }

  /** Stream hook: sends the TLS layer's bytes (sendall), then calls back. */
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.sendall(chunk).then(
      () => callback(),
      (error: unknown) => {
        this.socketError ??= error as Error;
        callback(error as Error);
      },
    );
  }

  // TLS hands over a batch of records at once: one send for all of them.
  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this._write(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), 'binary', callback);
  }

  /** Stream hook: the TLS output ended; shuts the socket's sending side (not once kept). */
  override _final(callback: (error?: Error | null) => void): void {
    if (this.#kept || this.socket.closed) {
      callback();
      return;
    }
    try {
      this.socket.shutdown(SHUT_WR);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  /** Stream hook: closes the socket (not once kept). */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#kept) this.socket.close();
    callback(error);
  }
}

/**
 * Returns Node's TLS engine over the transport, for the side and settings of
 * spec: a server-side TLSSocket, or a client one (tls.connect) that sends
 * SNI and checks the server's name as spec says. The handshake starts at once.
 */
export function openTLS(transport: RecordTransport, spec: HandshakeSpec): tls.TLSSocket {
  const alpn = spec.alpnProtocols ?? undefined;
  if (spec.serverSide) {
    return new tls.TLSSocket(transport, {
      isServer: true,
      secureContext: spec.secureContext,
      requestCert: spec.verifyMode !== CERT_NONE,
      rejectUnauthorized: spec.verifyMode === CERT_REQUIRED,
      ALPNProtocols: alpn,
    });
  }
  const host = spec.serverHostname;
  return tls.connect({
    socket: transport,
    secureContext: spec.secureContext,
    // SNI carries names only (RFC 6066).
    servername: host !== null && isIP(host) === 0 ? host : undefined,
    ALPNProtocols: alpn,
    rejectUnauthorized: spec.verifyMode !== CERT_NONE,
    checkServerIdentity: (_name, cert) => (spec.checkHostname && host !== null ? tls.checkServerIdentity(host, cert) : undefined),
  });
}
