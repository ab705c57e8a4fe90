// Python's socketserver servers: BaseServer (the request loop and its
// hooks), TCPServer, UDPServer and the Unix variants. Every hook may be
// async; a plain server serves one request at a time, as Python's does.
import type { Address, SocketAddress } from '../socket/address.js';
import * as C from '../core/constants.js';
import { OUT_OF_RESOURCES } from '../core/errno.js';
import { AbortError, SocketError } from '../core/errors.js';
import { signalOf, type WaitOptions } from '../core/validate.js';
import { pause } from '../selectors/fdset.js';
import { EVENT_READ } from '../selectors/keys.js';
import { DefaultSelector } from '../selectors/selector.js';
import { acceptWithin, Socket } from '../socket/socket.js';
/**
 * What finishRequest() runs for each request: BaseRequestHandler and its
 * subclasses (handlers.ts) have this shape. Each step may be async.
 * @inline
 */
export interface RequestHandler {
  /** Prepares the request (StreamRequestHandler opens rfile and wfile). */
  setup(): void | Promise<void>;
  /** Serves the request. */
  handle(): void | Promise<void>;
  /** Cleans up; runs even when handle() failed. */
  finish(): void | Promise<void>;
}

/** A handler class: constructed per request with (request, clientAddress, server). */
export type HandlerClass<S extends BaseServer = BaseServer> = new (request: any, clientAddress: any, server: S) => RequestHandler; // eslint-disable-line @typescript-eslint/no-explicit-any

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
  await pause(next / 1000);
}

/** The most requests serveForever() takes in one batch, before it waits again. */
const BATCH = 64;

/** serveForever()'s options: its signal, refused at once if already aborted. */
export function servingSignal(options: unknown): AbortSignal | undefined {
  const signal = signalOf(options);
  if (signal?.aborted === true) throw new AbortError(signal.reason);
  return signal;
}

/** serveForever() until it ends; an abort of signal stops the server as shutdown() does, and rejects with an AbortError. */
export async function stoppedBy(server: BaseServer, serving: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return serving;
  // A failure while stopping reaches the caller through serving itself.
  const onAbort = (): void => void server.shutdown().catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await serving;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (signal.aborted) throw new AbortError(signal.reason);
}

/**
 * The request loop of every server, and its hooks (Python's
 * socketserver.BaseServer). Every hook may return a Promise, which is awaited.
 *
 * Methods for the caller:
 * - `serveForever(pollInterval, { signal })`: handle requests until shutdown() (or the signal aborts).
 * - `shutdown()`: stop serveForever() and wait until it has stopped.
 * - `handleRequest()`: wait for one request (up to `timeout`) and handle it.
 * - `serverClose()`: release the server's socket; also `await using`.
 * - `fileno()`: the fd the loop waits on (so a server can itself be registered with a selector).
 *
 * Methods a subclass may override (each in the order the loop calls it):
 * - `serverBind()`, `serverActivate()`: called by the constructor (TCPServer binds and listens).
 * - `getRequest()`: take the request from the socket: [request, clientAddress].
 * - `verifyRequest()`: return false to refuse the request (it is then shut down unserved).
 * - `processRequest()`: serve it (by finishRequest then shutdownRequest); the mixins run it concurrently.
 * - `finishRequest()`: construct the RequestHandlerClass, which serves the request.
 * - `shutdownRequest()`, `closeRequest()`: end the request (a connection is half-closed, then closed).
 * - `serviceActions()`: called once per turn of serveForever()'s loop.
 * - `handleError()`: a handler failed; the default prints the error and serving goes on.
 * - `handleTimeout()`: handleRequest() waited `timeout` seconds with no request.
 *
 * Methods and attributes derived classes and handlers use:
 * - `finishRequest()`, to serve a request from a concurrent processRequest().
 * - `serverAddress` (the bound address, once bound), `RequestHandlerClass`, and `socket` (TCPServer).
 *
 * Attributes (class attributes of TCPServer, as static properties; an
 * instance may be given its own value before binding):
 * - `timeout` (an instance field here): seconds handleRequest() waits, null for no limit.
 * - `addressFamily`, `socketType`: the socket made (AF_INET, SOCK_STREAM).
 * - `allowReuseAddress`, `allowReusePort`: set SO_REUSEADDR / SO_REUSEPORT before binding.
 * - `requestQueueSize`: listen()'s backlog (5).
 * - `maxPacketSize` (UDPServer): the largest datagram read (8192).
 */
export abstract class BaseServer {
  /** Seconds handleRequest() waits before handleTimeout(); null waits forever. */
  timeout: number | null = null;
  /** The address given, then the address bound (getsockname()) once serverBind() ran. */
  serverAddress: Address;
  /** The handler class constructed for each request. */
  readonly RequestHandlerClass: HandlerClass<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  /** Records the address and handler class; binds nothing (subclasses do). */
  constructor(serverAddress: Address, RequestHandlerClass: HandlerClass<any>) { // eslint-disable-line @typescript-eslint/no-explicit-any
    this.serverAddress = serverAddress;
    this.RequestHandlerClass = RequestHandlerClass;
  }

  /** Returns the fd the loop waits on for requests. */
  abstract fileno(): number;

  /** Binds the server's socket (TCPServer binds; a custom server may do anything). */
  serverBind(): void {}

  /** Makes the socket ready for requests (TCPServer listens). */
  serverActivate(): void {}

  /**
   * Handles requests until shutdown(); resolves once stopped. The loop wakes
   * at once on shutdown. An abort of `options.signal` stops it as shutdown()
   * does, and it then rejects with an AbortError; it may serve again.
   */
  serveForever(pollInterval = 0.5, options?: WaitOptions): Promise<void> {
    let signal: AbortSignal | undefined;
    try {
      signal = servingSignal(options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (loops.has(this)) return Promise.reject(new Error('serveForever() is already running'));
    const stop = new AbortController();
    const serving = (async () => {
      using selector = new DefaultSelector();
      selector.register(this, EVENT_READ);
      // Read through a function: the flag changes while the loop awaits.
      const stopped = (): boolean => stop.signal.aborted;
      try {
        while (!stopped()) {
          // shutdown() aborts the wait: the loop ends at once.
          const ready = await selector.select(pollInterval, { signal: stop.signal }).catch((error: unknown) => {
            if (error instanceof AbortError) return [];
            throw error;
          });
          if (stopped()) break;
          if (ready.length === 0) {
            await this.serviceActions();
            continue;
          }
          // The requests that are there already are taken in a batch, each
          // as one turn of the loop, asking the socket (poll(2), no wait)
          // rather than the event loop whether another one waits.
          for (let k = 0; k < BATCH; k++) {
            await this.handleRequestNoblock();
            await this.serviceActions();
            if (stopped() || selector.selectSync(0).length === 0) break;
          }
        }
      } finally {
        loops.delete(this);
      }
    })();
    loops.set(this, { serving, stop });
    return stoppedBy(this, serving, signal);
  }

  /** Stops serveForever() and waits until it has stopped. */
  async shutdown(): Promise<void> {
    const loop = loops.get(this);
    loop?.stop.abort();
    await loop?.serving;
  }

  /** Hook: called once per turn of serveForever()'s loop (after a request, or after each pollInterval); does nothing by default. */
  serviceActions(): void | Promise<void> {}

  /** Waits for and handles one request, or calls handleTimeout() after the timeout. */
  async handleRequest(): Promise<void> {
    const socketTimeout = this.socketTimeout();
    const timeout = socketTimeout === null ? this.timeout : this.timeout === null ? socketTimeout : Math.min(socketTimeout, this.timeout);
    let ready: boolean;
    {
      // Closed before the request is handled, as the selector is not needed then.
      using selector = new DefaultSelector();
      selector.register(this, EVENT_READ);
      ready = (await selector.select(timeout)).length > 0;
    }
    if (ready) return this.handleRequestNoblock();
    return this.handleTimeout();
  }

  /** The timeout of the listening socket (TCPServer's), which handleRequest() also honours. */
  socketTimeout(): number | null {
    return null;
  }

  /** Takes one request (the socket is readable), verifies it and processes it; a failure goes to handleError(). */
  async handleRequestNoblock(): Promise<void> {
    let request: unknown, clientAddress: SocketAddress | null;
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

  /** Hook: takes the next request from the socket; resolves with [request, clientAddress]. */
  abstract getRequest(): Promise<[unknown, SocketAddress | null]>;

  /** Hook: handleRequest() waited `timeout` seconds and no request came; does nothing by default. */
  handleTimeout(): void | Promise<void> {}

  /** Hook: returns whether to serve the request (false: it is shut down unserved); true by default. */
  verifyRequest(_request: unknown, _clientAddress: SocketAddress | null): boolean | Promise<boolean> {
    return true;
  }

  /** Hook: serves the request by finishRequest(), then shutdownRequest(); the mixins run it concurrently instead. */
  async processRequest(request: unknown, clientAddress: SocketAddress | null): Promise<void> {
    await this.finishRequest(request, clientAddress);
    await this.shutdownRequest(request);
  }

  /** Hook: constructs the handler and runs setup(), handle(), and finish() whatever happens. */
  async finishRequest(request: unknown, clientAddress: SocketAddress | null): Promise<void> {
    const handler = new this.RequestHandlerClass(request, clientAddress, this);
    await handler.setup();
    try {
      await handler.handle();
    } finally {
      await handler.finish();
    }
  }

  /** Hook: ends a request once served or refused; by default closeRequest(). */
  shutdownRequest(request: unknown): void | Promise<void> {
    return this.closeRequest(request);
  }

  /** Hook: releases a request's resources; does nothing by default. */
  closeRequest(_request: unknown): void | Promise<void> {}

  /** Hook: a request failed (request and address are null for a failed accept); prints the error and keeps serving, as Python's handle_error. */
  handleError(_request: unknown, clientAddress: SocketAddress | null, error?: unknown): void | Promise<void> {
    const line = '-'.repeat(40);
    const text = error instanceof Error ? (error.stack ?? String(error)) : String(error);
    process.stderr.write(`${line}\nException occurred during processing of request from ${JSON.stringify(clientAddress)}\n${text}\n${line}\n`);
  }

  /** Hook: releases the server (TCPServer closes its socket); does nothing by default. */
  serverClose(): void | Promise<void> {}

  /** `await using`: serverClose(). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.serverClose();
  }
}

/** The class attribute of this name (typed as the instance's property of that name), unless the instance was given its own value. */
function classAttribute<S extends object, K extends keyof S & string>(server: S, name: K): S[K] {
  return (server.constructor as unknown as Record<string, S[K]>)[name]!;
}

/** Whether the platform has SO_REUSEPORT (the constant is typed as always present, but is not everywhere). */
function hasReusePort(): boolean {
  const option: unknown = C.SO_REUSEPORT;
  return option !== undefined;
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
  /** The socket's address family. */
  static addressFamily: number = C.AF_INET;
  /** The socket's type. */
  static socketType: number = C.SOCK_STREAM;
  /** listen()'s backlog. */
  static requestQueueSize = 5;
  /** Set SO_REUSEADDR before binding. */
  static allowReuseAddress = false;
  /** Set SO_REUSEPORT before binding (where the platform has it). */
  static allowReusePort = false;

  /** The class's addressFamily, or this server's own value once assigned. */
  get addressFamily(): number {
    return classAttribute(this, 'addressFamily');
  }
  /** Gives this server its own value; the class's stays as it is. */
  set addressFamily(value: number) {
    ownValue(this, 'addressFamily', value);
  }
  /** The class's socketType, or this server's own value once assigned. */
  get socketType(): number {
    return classAttribute(this, 'socketType');
  }
  /** Gives this server its own value; the class's stays as it is. */
  set socketType(value: number) {
    ownValue(this, 'socketType', value);
  }
  /** The class's requestQueueSize, or this server's own value once assigned. */
  get requestQueueSize(): number {
    return classAttribute(this, 'requestQueueSize');
  }
  /** Gives this server its own value; the class's stays as it is. */
  set requestQueueSize(value: number) {
    ownValue(this, 'requestQueueSize', value);
  }
  /** The class's allowReuseAddress, or this server's own value once assigned. */
  get allowReuseAddress(): boolean {
    return classAttribute(this, 'allowReuseAddress');
  }
  /** Gives this server its own value; the class's stays as it is. */
  set allowReuseAddress(value: boolean) {
    ownValue(this, 'allowReuseAddress', value);
  }
  /** The class's allowReusePort, or this server's own value once assigned. */
  get allowReusePort(): boolean {
    return classAttribute(this, 'allowReusePort');
  }
  /** Gives this server its own value; the class's stays as it is. */
  set allowReusePort(value: boolean) {
    ownValue(this, 'allowReusePort', value);
  }

  /** The listening (or datagram) socket. */
  socket: Socket;

  /** Makes the socket and, unless bindAndActivate is false, binds and activates it (closing it on failure). */
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
    if (this.allowReusePort && hasReusePort()) this.socket.setsockopt(C.SOL_SOCKET, C.SO_REUSEPORT, 1);
    this.socket.bind(this.serverAddress);
    this.serverAddress = this.socket.getsockname();
  }

  /** Listens with requestQueueSize as the backlog. */
  override serverActivate(): void {
    this.socket.listen(this.requestQueueSize);
  }

  /** Closes the listening socket. */
  override serverClose(): void | Promise<void> {
    this.socket.close();
  }

  /** Returns the socket's fd. */
  fileno(): number {
    return this.socket.fileno();
  }

  /** Returns the socket's timeout. */
  override socketTimeout(): number | null {
    return this.socket.gettimeout();
  }

  /**
   * accept() without waiting: the loop calls it once the socket is readable, and a
   * connection another process took first is a BlockingIOError, not a hang.
   */
  override getRequest(): Promise<[unknown, SocketAddress | null]> {
    return acceptWithin(this.socket, 0);
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

  /** Closes the connection. */
  override closeRequest(request: unknown): void | Promise<void> {
    (request as Socket).close();
  }
}
/** A UDP server: each datagram is a request `[packet, socket]`. */
export class UDPServer extends TCPServer {
  /** Datagrams. */
  static override socketType: number = C.SOCK_DGRAM;
  /** The largest datagram read per request. */
  static maxPacketSize = 8192;

  /** The class's maxPacketSize, or this server's own value once assigned. */
  get maxPacketSize(): number {
    return classAttribute(this, 'maxPacketSize');
  }
  /** Gives this server its own value; the class's stays as it is. */
  set maxPacketSize(value: number) {
    ownValue(this, 'maxPacketSize', value);
  }

  /** Reads one datagram without waiting; resolves with [[packet, socket], clientAddress]. */
  override getRequest(): Promise<[unknown, SocketAddress | null]> {
    const [packet, clientAddress] = this.socket.recvfromSync(this.maxPacketSize, C.MSG_DONTWAIT);
    return Promise.resolve([[packet, this.socket] as DatagramRequest, clientAddress]);
  }

  /** Nothing: a datagram socket does not listen. */
  override serverActivate(): void {}

  /** closeRequest() alone: there is no connection to shut down. */
  override shutdownRequest(request: unknown): void | Promise<void> {
    return this.closeRequest(request);
  }

  /** Nothing: the socket is the server's, not the request's. */
  override closeRequest(_request: unknown): void | Promise<void> {}
}
/** A stream server on an AF_UNIX path. */
export class UnixStreamServer extends TCPServer {
  /** AF_UNIX. */
  static override addressFamily: number = C.AF_UNIX;
}

/** A datagram server on an AF_UNIX path. */
export class UnixDatagramServer extends UDPServer {
  /** AF_UNIX. */
  static override addressFamily: number = C.AF_UNIX;
}
