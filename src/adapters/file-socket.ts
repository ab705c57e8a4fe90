// What a SocketFile needs from its socket (FileSocket), and the count of open
// files that keeps the socket's fd open until the last of them closes
// (FileRefs). Socket and SSLSocket both have FileSocket's calls and keep a
// FileRefs for their files.
import type { WaitOptions } from '../core/validate.js';

/**
 * What a SocketFile needs from its socket. `Socket` has it; any stream
 * socket (an SSLSocket) can provide it and make files with
 * `new SocketFile(sock, mode, options, refs)`. The socket's timeout applies
 * to each of these calls. Without the `…Sync` calls, the file's `…Sync`
 * forms throw TypeError.
 * @inline
 */
export interface FileSocket {
  /**
   * Receives into `buffer` (all of it may be used: the file passes nbytes
   * and flags undefined); resolves with the count, 0 at EOF. An abort of
   * `options.signal` rejects with an AbortError, having received nothing.
   */
  recvInto(buffer: Uint8Array, nbytes?: number, flags?: number, options?: WaitOptions): Promise<number>;
  /** recvInto() on the calling thread: returns the count, 0 at EOF. */
  recvIntoSync?(buffer: Uint8Array): number;
  /**
   * Sends every byte or fails; concurrent calls are sent in call order. An
   * abort of `options.signal` rejects with an AbortError whose `bytesSent`
   * says how many went out.
   */
  sendall(data: Uint8Array, flags?: number, options?: WaitOptions): Promise<void>;
  /** sendall() on the calling thread: returns once every byte is sent. */
  sendallSync?(data: Uint8Array): void;
  /** The fd (for selectors), -1 once closed. */
  fileno(): number;
}

/**
 * Python's `socket._io_refs`: the fd closes only when the socket and every
 * file made from it are closed. The socket passes this to its files and
 * asks `deferClose()` first thing in its close().
 */
export class FileRefs {
  #open = 0;
  #closing = false;
  readonly #closeSocket: () => void;

  /** `closeSocket` is the socket's close(), called again when the last file closes. */
  constructor(closeSocket: () => void) {
    this.#closeSocket = closeSocket;
  }

  /** Counts one more open file (a SocketFile's constructor calls it). */
  acquire(): void {
    this.#open++;
  }

  /** Counts one file closed; closes the socket if it was the last and the socket's close() was called. */
  release(): void {
    if (--this.#open === 0 && this.#closing) this.#closeSocket();
  }

  /** For the socket's close(): true while files are open (the close then waits for them). */
  deferClose(): boolean {
    this.#closing = true;
    return this.#open > 0;
  }

  /** Whether the socket's close() was called. */
  get closing(): boolean {
    return this.#closing;
  }
}
