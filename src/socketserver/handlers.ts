// Python's socketserver request handlers. The server constructs one per
// request, then runs setup(), handle() and finish() (each may be async).
import type { SocketAddress } from '../socket/address.js';
import { IPPROTO_TCP, TCP_NODELAY } from '../core/constants.js';
import type { SocketFile } from '../adapters/file.js';
import type { Socket } from '../socket/socket.js';
import { BytesIO } from './bytesio.js';
import type { BaseServer, DatagramRequest } from './server.js';

export class BaseRequestHandler<Request = unknown, Server extends BaseServer = BaseServer> {
  constructor(
    readonly request: Request,
    readonly clientAddress: SocketAddress,
    readonly server: Server,
  ) {}

  setup(): void | Promise<void> {}

  handle(): void | Promise<void> {}

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
  connection!: Socket;
  rfile!: SocketFile<Buffer>;
  wfile!: SocketFile<Buffer>;

  override setup(): void {
    this.connection = this.request;
    if (this.timeout !== null) this.connection.settimeout(this.timeout);
    if (this.disableNagleAlgorithm) this.connection.setsockopt(IPPROTO_TCP, TCP_NODELAY, true);
    this.rfile = this.connection.makefile('rb', { buffering: this.rbufsize });
    this.wfile = this.connection.makefile('wb', { buffering: this.wbufsize });
  }

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
  packet!: Buffer;
  socket!: Socket;
  rfile!: BytesIO;
  wfile!: BytesIO;

  override setup(): void {
    [this.packet, this.socket] = this.request;
    this.rfile = new BytesIO(this.packet);
    this.wfile = new BytesIO();
  }

  override async finish(): Promise<void> {
    await this.socket.sendto(this.wfile.getvalue(), this.clientAddress as never);
  }
}
