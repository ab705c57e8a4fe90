// Helpers of the socketserver suites (module/socketserver-*): a server
// served for the length of a callback, one request's exchange, handlers that
// echo or wait to be released, a server that keeps its errors, and the
// listen(2) backlog of a listening socket.
import * as socket from 'berkeley';
import * as socketserver from 'berkeley/socketserver';
import { bounded } from './wait.js';
import { connectTo, recvAll } from './sockets.js';

/** Any port on 127.0.0.1: where the suites' servers listen. */
export const LOCAL: [string, number] = ['127.0.0.1', 0];

/** A promise with its resolve, for handlers and clients to meet. */
export function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A handler that signals it started, waits to be released, then records `done` in `order`. */
export function heldHandler(done: string) {
  const started = signal();
  const release = signal();
  const order: string[] = [];
  class Held extends socketserver.BaseRequestHandler {
    override async handle(): Promise<void> {
      started.resolve();
      await release.promise;
      order.push(done);
    }
  }
  return { started, release, order, Held };
}

/** One request: send data, half-close, read the whole reply. */
export async function exchange(address: socket.Address, data: string | Buffer): Promise<string> {
  const s = await connectTo(address);
  try {
    await bounded(s.sendall(data));
    s.shutdown(socket.SHUT_WR);
    return (await recvAll(s)).toString();
  } finally {
    s.close();
  }
}

/** Runs fn while the server serves forever, then shuts it down and closes it (all bounded). */
export async function serving<S extends socketserver.BaseServer>(server: S, fn: (server: S) => Promise<void>, pollInterval = 0.5): Promise<void> {
  const loop = server.serveForever(pollInterval);
  try {
    await fn(server);
  } finally {
    await bounded(server.shutdown(), 10000, 'shutdown()');
    await bounded(loop, 5000, 'serveForever() to resolve');
    await bounded(Promise.resolve(server.serverClose()), 10000, 'serverClose()');
  }
}

/** Echoes one line (Python's StreamRequestHandler idiom). */
export class LineEcho extends socketserver.StreamRequestHandler {
  override async handle(): Promise<void> {
    const line = await this.rfile.readline();
    await this.wfile.write(line);
  }
}

/** Echoes every byte until EOF, on the request socket itself. */
export class Echo extends socketserver.BaseRequestHandler<socket.Socket> {
  override async handle(): Promise<void> {
    for (;;) {
      const data = await this.request.recv(65536);
      if (data.length === 0) return;
      await this.request.sendall(data);
    }
  }
}

/** A server that records the errors handleError gets instead of printing them. */
export function quiet<T extends new (...args: any[]) => socketserver.TCPServer>(Base: T) { // eslint-disable-line @typescript-eslint/no-explicit-any
  return class Quiet extends Base {
    errors: unknown[] = [];
    override handleError(_request: unknown, _clientAddress: unknown, error?: unknown): void {
      this.errors.push(error);
    }
  };
}

/** The listen(2) backlog of a listening TCP socket (Linux's tcp_info.tcpi_sacked). */
export function backlog(s: socket.Socket): number {
  return s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO!, 104).readUInt32LE(28);
}
