// The addon itself, for the suites that call the native layer directly
// (contracts/native-calls*): its functions by name, loaded on first use (so
// that a suite that does not call nativeAddon() never loads build/Release,
// as under .ci/platforms' prebuilds), and NativeFixture, the sockets and the file
// each call of their tables gets.
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as socket from 'berkeley';
import { addonPath, tempDir } from './system.js';

/** One function of the addon, as a table calls it: any arguments, any result. */
export type NativeFn = (...args: unknown[]) => unknown;

let addon: Record<string, NativeFn> | undefined;
/** The addon's functions by name (build/Release/berkeley.node, loaded on the first call). */
export function nativeAddon(): Record<string, NativeFn> {
  addon ??= createRequire(import.meta.url)(addonPath) as Record<string, NativeFn>;
  return addon;
}

let dataDir: ReturnType<typeof tempDir> | undefined;
/** The file the fixtures sendfile from, made on first use. */
function sendfileData(): string {
  if (!dataDir) {
    dataDir = tempDir();
    writeFileSync(dataDir.path('data'), 'berkeley sendfile data');
  }
  return dataDir.path('data');
}

/** Fresh sockets and a file for one call; close() closes them and whatever the call returned that was adopted. */
export class NativeFixture {
  readonly #native = nativeAddon();
  readonly fds: number[] = [];
  readonly watchers: unknown[] = [];
  readonly tlsConnections: unknown[] = [];
  /** Connected AF_UNIX stream pair; `stream0` has 'hello' waiting to be read. */
  stream0: number;
  stream1: number;
  /** Connected AF_UNIX datagram pair; `dgram0` has a datagram waiting. */
  dgram0: number;
  dgram1: number;
  /** UDP socket on 127.0.0.1 with a datagram from itself waiting. */
  udp: number;
  udpAddress: unknown;
  /** Fresh unbound sockets. */
  tcp: number;
  tcp6: number;
  unix: number;
  /** A listening TCP socket. */
  listener: number;
  /** A file to sendfile from. */
  file: number;
  /** An epoll fd watching `stream1` (always writable) for EPOLLOUT: epollWait on it never blocks. */
  epoll: number;

  constructor() {
    [this.stream0, this.stream1] = this.pair(socket.SOCK_STREAM);
    [this.dgram0, this.dgram1] = this.pair(socket.SOCK_DGRAM);
    this.#native.send!(this.stream1, Buffer.from('hello'), 0);
    this.#native.send!(this.dgram1, Buffer.from('datagram'), 0);
    this.udp = this.own(this.#native.socket!(socket.AF_INET, socket.SOCK_DGRAM, 0));
    this.#native.bind!(this.udp, socket.AF_INET, ['127.0.0.1', 0]);
    this.udpAddress = this.#native.getsockname!(this.udp);
    this.#native.sendto!(this.udp, Buffer.from('to myself'), 0, socket.AF_INET, this.udpAddress);
    this.tcp = this.own(this.#native.socket!(socket.AF_INET, socket.SOCK_STREAM, 0));
    this.tcp6 = this.own(this.#native.socket!(socket.AF_INET6, socket.SOCK_STREAM, 0));
    this.unix = this.own(this.#native.socket!(socket.AF_UNIX, socket.SOCK_STREAM, 0));
    this.listener = this.own(this.#native.socket!(socket.AF_INET, socket.SOCK_STREAM, 0));
    this.#native.bind!(this.listener, socket.AF_INET, ['127.0.0.1', 0]);
    this.#native.listen!(this.listener, 4);
    this.file = openSync(sendfileData(), 'r');
    this.epoll = this.own(this.#native.epollCreate!());
    this.#native.epollCtl!(this.epoll, NativeFixture.selectConstant('EPOLL_CTL_ADD'), this.stream1, NativeFixture.selectConstant('EPOLLOUT'));
  }

  /** One of the addon's select constants (EPOLL_CTL_ADD, which no entry point exports). */
  static selectConstant(name: string): number {
    return (nativeAddon() as unknown as { selectConstants: Record<string, number> }).selectConstants[name]!;
  }

  own(fd: unknown): number {
    if (typeof fd === 'number' && fd >= 0) this.fds.push(fd);
    return fd as number;
  }

  pair(type: number): [number, number] {
    const fds = this.#native.socketpair!(socket.AF_UNIX, type, 0) as [number, number];
    this.fds.push(...fds);
    return fds;
  }

  watcher(fd = this.stream0): unknown {
    const w = this.#native.watcherNew!(fd, () => undefined);
    this.watchers.push(w);
    return w;
  }

  /** A new TLS context (an SSL_CTX) of the addon. */
  tlsContext(server = false): unknown {
    return this.#native.tlsContextNew!(server);
  }

  /** A new TLS connection (an SSL object) on a new context, closed with the fixture. */
  tls(server = false): unknown {
    const connection = this.#native.tlsNew!(this.tlsContext(server), server);
    this.tlsConnections.push(connection);
    return connection;
  }

  /** A new memory BIO (a MemoryBIO's) holding `data`; freed when collected. */
  memoryBio(data = ''): unknown {
    const bio = this.#native.tlsMemoryNew!();
    this.#native.tlsMemoryWrite!(bio, Buffer.from(data));
    return bio;
  }

  /** Takes in whatever fds a call returned (an fd, a pair, or [fd, address]), to be closed with the rest. */
  adopt(result: unknown): void {
    if (typeof result === 'number') this.own(result);
    else if (Array.isArray(result)) {
      if (typeof result[0] === 'number') this.own(result[0]);
      if (typeof result[1] === 'number') this.own(result[1]);
    }
  }

  /** An fd the call itself closed: not to be closed again (its number may be reused by then). */
  forget(fd: unknown): void {
    const index = this.fds.indexOf(fd as number);
    if (index >= 0) this.fds.splice(index, 1);
  }

  /** Removes the file the fixtures sendfile from: a suite's test.after(). */
  static cleanup(): void {
    dataDir?.cleanup();
    dataDir = undefined;
  }

  close(): void {
    for (const connection of this.tlsConnections) this.#native.tlsClose!(connection);
    for (const w of this.watchers) {
      if (typeof w === 'object' && w !== null) this.#native.watcherClose!(w);
    }
    for (const fd of new Set(this.fds)) this.#native.close!(fd);
    closeSync(this.file);
  }
}
