// Python's socketserver request handlers. The server constructs one per
// request, then runs setup(), handle() and finish() (each may be async).
import type { Address, SocketAddress } from '../socket/address.js';
import { IPPROTO_TCP, TCP_NODELAY } from '../core/constants.js';
import type { SocketFile } from '../adapters/file.js';
import type { Socket } from '../socket/socket.js';
import { BytesIO } from './bytesio.js';
import type { BaseServer, DatagramRequest } from './server.js';

/**
 * The base of request handlers (Python's BaseRequestHandler): the server
 * constructs one per request and runs setup(), handle() and finish() (finish()
 * even when handle() failed). Subclasses override handle(), and setup() and
 * finish() to prepare and clean up.
 */
export class BaseRequestHandler<Request = unknown, Server extends BaseServer = BaseServer> {
  /** Called by the server's finishRequest() with the request, the client's address and the server. */
  constructor(
    /** The request: the connected Socket (stream servers), or `[packet, socket]` (datagram servers). */
    readonly request: Request,
    /** The client's address, as recvfrom() or accept() gave it (null where the kernel gave none: a datagram from an unbound AF_UNIX socket). */
    readonly clientAddress: SocketAddress | null,
    /** The server that received the request. */
    readonly server: Server,
  ) {}

  /** Hook: prepares for handle(); does nothing by default. */
  setup(): void | Promise<void> {}

  /** Hook: serves the request; does nothing by default. */
  handle(): void | Promise<void> {}

  /** Hook: cleans up after handle(), whether or not it failed; does nothing by default. */
  finish(): void | Promise<void> {}
}

/**
 * A handler for stream connections with file objects: `rfile` to read the
 * request (buffered), `wfile` to write the reply (unbuffered by default, as
 * Python's wbufsize = 0).
 */
export class StreamRequestHandler<Server extends BaseServer = BaseServer> extends BaseRequestHandler<Socket, Server> {
  /** rfile's buffer size (-1: the default). */
  rbufsize = -1;
  /** wfile's buffer size (0: every write is sent at once). */
  wbufsize = 0;
  /** A timeout, in seconds, for the connection's calls (null: the socket's own). */
  timeout: number | null = null;
  /** Set TCP_NODELAY on the connection. */
  disableNagleAlgorithm = false;
  /** The connection (the request), set by setup(). */
  connection!: Socket;
  /** Reads the request, set by setup(). */
  rfile!: SocketFile<Buffer>;
  /** Writes the reply, set by setup(). */
  wfile!: SocketFile<Buffer>;

  /** Applies timeout and disableNagleAlgorithm to the connection, then makes rfile and wfile. */
  override setup(): void {
    this.connection = this.request;
    if (this.timeout !== null) this.connection.settimeout(this.timeout);
    if (this.disableNagleAlgorithm) this.connection.setsockopt(IPPROTO_TCP, TCP_NODELAY, true);
    this.rfile = this.connection.makefile('rb', { buffering: this.rbufsize });
    this.wfile = this.connection.makefile('wb', { buffering: this.wbufsize });
  }

  /** Flushes wfile (a client gone is ignored), then closes wfile and rfile. */
  override async finish(): Promise<void> {
    if (!this.wfile.closed) {
      try {
        await this.wfile.flush();
      } catch {
        // The client is gone: nothing left to deliver.
      }
    }
    await this.wfile.close();
    await this.rfile.close();
  }
}

/** A handler for datagrams: `packet` read through `rfile`; what is written to `wfile` is sent back on finish. */
export class DatagramRequestHandler<Server extends BaseServer = BaseServer> extends BaseRequestHandler<DatagramRequest, Server> {
  /** The datagram received, set by setup(). */
  packet!: Buffer;
  /** The server's socket, which the reply is sent from. */
  socket!: Socket;
  /** Reads the packet, set by setup(). */
  rfile!: BytesIO;
  /** Collects the reply, set by setup(). */
  wfile!: BytesIO;

  /** Takes packet and socket from the request and makes rfile over the packet and an empty wfile. */
  override setup(): void {
    [this.packet, this.socket] = this.request;
    this.rfile = new BytesIO(this.packet);
    this.wfile = new BytesIO();
  }

  /** Sends what was written to wfile back to the client as one datagram. */
  override async finish(): Promise<void> {
    // A client without an address (null) cannot be answered: sendto refuses it with a TypeError, as Python's.
    await this.socket.sendto(this.wfile.getvalue(), this.clientAddress as Address);
  }
}
