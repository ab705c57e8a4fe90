// Python's socketserver servers: BaseServer (the request loop and its
// hooks), TCPServer, UDPServer and the Unix variants. Every hook may be
// async; a plain server serves one request at a time, as Python's does.
import type { Address, SocketAddress } from '../socket/address.js';
import * as C from '../core/constants.js';
import { OUT_OF_RESOURCES } from '../core/errno.js';
import { SocketError } from '../core/errors.js';
import { DefaultSelector, EVENT_READ } from '../selectors/selector.js';
import { acceptWithin, Socket } from '../socket/socket.js';
import type { BaseRequestHandler } from './handlers.js';

/** A handler class: constructed per request with (request, clientAddress, server). */
export type HandlerClass<S extends BaseServer = BaseServer> = new (request: any, clientAddress: any, server: S) => BaseRequestHandler; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What a datagram server hands its handler: the packet and the server's socket. */
export type DatagramRequest = [packet: Buffer, socket: Socket];

// The running serveForever() loop of each server (kept off the class, so the
// mixins' declaration files name no private members).
const loops = new WeakMap<object, { serving: Promise<void>; stop: AbortController }>();
// The current back-off (ms) of each server whose accept() is out of resources.
const starving = new WeakMap<object, number>();

/**
 * accept() is out of fds (EMFILE, ENFILE) or memory: the connection waits in
 * the kernel's queue. Reported once (handleError), then the loop backs off,
 * 10 ms doubling to 250 ms, so that the running handlers can finish and
 * free fds; it serves again at the first accept that works.
 */
async function starved(server: BaseServer, error: SocketError): Promise<void> {
  const delay = starving.get(server);
  if (delay === undefined) await server.handleError(null, null, error);
  const next = delay === undefined ? 10 : Math.min(delay * 2, 250);
  starving.set(server, next);
  await new Promise((resolve) => setTimeout(resolve, next));
}

export abstract class BaseServer {
  /** Seconds handleRequest() waits before handleTimeout(); null waits forever. */
  timeout: number | null = null;
  serverAddress: Address | SocketAddress;
  readonly RequestHandlerClass: HandlerClass<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  constructor(serverAddress: Address | SocketAddress, RequestHandlerClass: HandlerClass<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any
    this.serverAddress = serverAddress;
    this.RequestHandlerClass = RequestHandlerClass;
  }

  /** The fd the loop waits on. */
  abstract fileno(): number;

  /** Binds the server's socket (TCPServer binds; a custom server may do anything). */
  serverBind(): void {}

  /** Makes the socket ready for requests (TCPServer listens). */
  serverActivate(): void {}

  /** Handles requests until shutdown(); resolves once stopped. The loop wakes at once on shutdown. */
  serveForever(pollInterval = 0.5): Promise<void> {
    if (loops.has(this)) return Promise.reject(new Error('serveForever() is already running'));
    const stop = new AbortController();
    const serving = (async () => {
      using selector = new DefaultSelector();
      selector.register(this, EVENT_READ);
      try {
        while (!stop.signal.aborted) {
          const ready = await selector.select(pollInterval, { signal: stop.signal });
          if (stop.signal.aborted) break;
          if (ready.length > 0) await this.handleRequestNoblock();
          await this.serviceActions();
        }
      } finally {
        loops.delete(this);
      }
    })();
    loops.set(this, { serving, stop });
    return serving;
  }

  /** Stops serveForever() and waits until it has stopped. */
  async shutdown(): Promise<void> {
    const loop = loops.get(this);
    loop?.stop.abort();
    await loop?.serving;
  }

  /** Called once per loop of serveForever(). */
  serviceActions(): void | Promise<void> {}

  /** Waits for and handles one request, or calls handleTimeout() after the timeout. */
  async handleRequest(): Promise<void> {
    const socketTimeout = this.socketTimeout();
    const timeout = socketTimeout === null ? this.timeout : this.timeout === null ? socketTimeout : Math.min(socketTimeout, this.timeout);
    using selector = new DefaultSelector();
    selector.register(this, EVENT_READ);
    if ((await selector.select(timeout)).length > 0) return this.handleRequestNoblock();
    return this.handleTimeout();
  }

  /** The timeout of the listening socket (TCPServer's), which handleRequest() also honours. */
  socketTimeout(): number | null {
    return null;
  }

  /** One request, taken when the socket is readable. */
  async handleRequestNoblock(): Promise<void> {
    let request: unknown, clientAddress: SocketAddress;
    try {
      [request, clientAddress] = await this.getRequest();
    } catch (error) {
      if (error instanceof SocketError && OUT_OF_RESOURCES.has(error.errno)) return starved(this, error);
      if (error instanceof SocketError) return; // another worker took it, or the client left
      throw error;
    }
    starving.delete(this);
    if (await this.verifyRequest(request, clientAddress)) {
      try {
        await this.processRequest(request, clientAddress);
      } catch (error) {
        await this.handleError(request, clientAddress, error);
        await this.shutdownRequest(request);
      }
    } else {
      await this.shutdownRequest(request);
    }
  }

  abstract getRequest(): Promise<[unknown, SocketAddress]>;

  handleTimeout(): void | Promise<void> {}

  verifyRequest(_request: unknown, _clientAddress: SocketAddress): boolean | Promise<boolean> {
    return true;
  }

  /** Serves the request to the end; the mixins run it concurrently instead. */
  async processRequest(request: unknown, clientAddress: SocketAddress): Promise<void> {
    await this.finishRequest(request, clientAddress);
    await this.shutdownRequest(request);
  }

  /** Runs the handler: setup(), handle(), and finish() whatever happens. */
  async finishRequest(request: unknown, clientAddress: SocketAddress): Promise<void> {
    const handler = new this.RequestHandlerClass(request, clientAddress, this);
    await handler.setup();
    try {
      await handler.handle();
    } finally {
      await handler.finish();
    }
  }

  shutdownRequest(request: unknown): void | Promise<void> {
    return this.closeRequest(request);
  }

  closeRequest(_request: unknown): void | Promise<void> {}

  /** Prints the error and keeps serving, as Python's handle_error. */
  handleError(_request: unknown, clientAddress: SocketAddress, error?: unknown): void | Promise<void> {
    const line = '-'.repeat(40);
    const text = error instanceof Error ? (error.stack ?? String(error)) : String(error);
    process.stderr.write(`${line}\nException occurred during processing of request from ${JSON.stringify(clientAddress)}\n${text}\n${line}\n`);
  }

  serverClose(): void | Promise<void> {}

  async [Symbol.asyncDispose](): Promise<void> {
    await this.serverClose();
  }
}

/** The class attribute of this name, unless the instance was given its own value. */
function classAttribute<T>(server: object, name: string): T {
  return (server.constructor as unknown as Record<string, T>)[name]!;
}

/** An instance's own value, shadowing the class attribute. */
function ownValue(server: object, name: string, value: unknown): void {
  Object.defineProperty(server, name, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * A TCP server. Python's class attributes are static properties here, since
 * the constructor reads them before a subclass's instance fields exist:
 *
 *     class MyServer extends TCPServer { static allowReuseAddress = true; }
 *
 * Reading `server.allowReuseAddress` gives the class's value; assigning one
 * to an instance (with bindAndActivate = false, before serverBind() and
 * serverActivate()) overrides it for that server.
 */
export class TCPServer extends BaseServer {
  static addressFamily: number = C.AF_INET;
  static socketType: number = C.SOCK_STREAM;
  static requestQueueSize = 5;
  static allowReuseAddress = false;
  static allowReusePort = false;

  get addressFamily(): number {
    return classAttribute(this, 'addressFamily');
  }
  set addressFamily(value: number) {
    ownValue(this, 'addressFamily', value);
  }
  get socketType(): number {
    return classAttribute(this, 'socketType');
  }
  set socketType(value: number) {
    ownValue(this, 'socketType', value);
  }
  get requestQueueSize(): number {
    return classAttribute(this, 'requestQueueSize');
  }
  set requestQueueSize(value: number) {
    ownValue(this, 'requestQueueSize', value);
  }
  get allowReuseAddress(): boolean {
    return classAttribute(this, 'allowReuseAddress');
  }
  set allowReuseAddress(value: boolean) {
    ownValue(this, 'allowReuseAddress', value);
  }
  get allowReusePort(): boolean {
    return classAttribute(this, 'allowReusePort');
  }
  set allowReusePort(value: boolean) {
    ownValue(this, 'allowReusePort', value);
  }

  socket: Socket;

  constructor(serverAddress: Address, RequestHandlerClass: HandlerClass<any>, bindAndActivate = true) { // eslint-disable-line @typescript-eslint/no-explicit-any
    super(serverAddress, RequestHandlerClass);
    this.socket = new Socket(this.addressFamily, this.socketType);
    if (bindAndActivate) {
      try {
        this.serverBind();
        this.serverActivate();
      } catch (error) {
        this.socket.close();
        throw error;
      }
    }
  }

  /** Binds the socket (SO_REUSEADDR/SO_REUSEPORT when allowed) and records the real address. */
  override serverBind(): void {
    if (this.allowReuseAddress) this.socket.setsockopt(C.SOL_SOCKET, C.SO_REUSEADDR, 1);
    if (this.allowReusePort && C.SO_REUSEPORT !== undefined) this.socket.setsockopt(C.SOL_SOCKET, C.SO_REUSEPORT, 1);
    this.socket.bind(this.serverAddress as Address);
    this.serverAddress = this.socket.getsockname();
  }

  override serverActivate(): void {
    this.socket.listen(this.requestQueueSize);
  }

  override serverClose(): void | Promise<void> {
    this.socket.close();
  }

  fileno(): number {
    return this.socket.fileno();
  }

  override socketTimeout(): number | null {
    return this.socket.gettimeout();
  }

  /** accept() without waiting: the loop calls it once the socket is readable, and a
   * connection another process took first is a BlockingIOError, not a hang. */
  override getRequest(): Promise<[unknown, SocketAddress]> {
    return acceptWithin(this.socket, 0).async();
  }

  /** Half-closes, then closes the connection. */
  override shutdownRequest(request: unknown): void | Promise<void> {
    try {
      (request as Socket).shutdown(C.SHUT_WR);
    } catch {
      // The peer is gone already; closing is all that is left.
    }
    return this.closeRequest(request);
  }

  override closeRequest(request: unknown): void | Promise<void> {
    (request as Socket).close();
  }
}
/** A UDP server: each datagram is a request `[packet, socket]`. */
export class UDPServer extends TCPServer {
  static override socketType: number = C.SOCK_DGRAM;
  static maxPacketSize = 8192;

  get maxPacketSize(): number {
    return classAttribute(this, 'maxPacketSize');
  }
  set maxPacketSize(value: number) {
    ownValue(this, 'maxPacketSize', value);
  }

  override getRequest(): Promise<[unknown, SocketAddress]> {
    const [packet, clientAddress] = this.socket.recvfromSync(this.maxPacketSize, C.MSG_DONTWAIT);
    return Promise.resolve([[packet, this.socket] as DatagramRequest, clientAddress]);
  }

  override serverActivate(): void {}

  override shutdownRequest(request: unknown): void | Promise<void> {
    return this.closeRequest(request);
  }

  override closeRequest(_request: unknown): void | Promise<void> {}
}
export class UnixStreamServer extends TCPServer {
  static override addressFamily: number = C.AF_UNIX;
}

export class UnixDatagramServer extends UDPServer {
  static override addressFamily: number = C.AF_UNIX;
}
