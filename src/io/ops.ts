// Operations the call helper runs beyond the plain native calls: each is
// `op(fd, ...args)` returning its result or -errno. Those that finish in
// steps (sendall, connect, sendfile) keep their progress in a small state
// object and return -EAGAIN/-EINPROGRESS until done.
import { MSG_WAITALL } from '../core/constants.js';
import { EALREADY, EINPROGRESS, EINTR, EISCONN } from '../core/errno.js';
import { native, type NativeAddress } from '../core/native.js';
import { toUint8Array, withCode } from '../core/validate.js';

const intOut = new Int32Array(1);

/**
 * A waiting call's buffer must still hold what the call was given: one
 * detached (transferred) or shrunk while the call waited would be read as
 * EOF or as a finished send. Thrown inside the op, so that the call
 * rejects, and nothing is received into or sent from it.
 */
export function checkHeld(view: ArrayBufferView, length: number): void {
  if (view.byteLength < length) {
    // A bad value (it was a good one) rather than a type: Node's code for that, on Node's class for it.
    throw withCode(new TypeError(`The buffer was detached or shrunk while the call waited (${view.byteLength} of ${length} bytes left)`), 'ERR_INVALID_ARG_VALUE');
  }
}

/** recv_into(2) into view[0, n). */
export function recvIntoOp(fd: number, view: ArrayBufferView, n: number, flags: number): number {
  checkHeld(view, n);
  return native.recvInto(fd, view, n, flags);
}

// An AF_INET sender as the addon leaves it (port, then address, in network
// order), and the host string of the last address seen: a datagram server
// mostly hears from a few peers, and making the string is most of the cost
// of an address.
const inet = new Uint8Array(6);
const inetView = new DataView(inet.buffer);
let lastAddress = -1;
let lastHost = '';

function inetSender(): [string, number] {
  const address = inetView.getUint32(2);
  if (address !== lastAddress) {
    lastHost = `${inet[2]}.${inet[3]}.${inet[4]}.${inet[5]}`;
    lastAddress = address;
  }
  return [lastHost, inetView.getUint16(0)];
}

/** recvfrom(2) of up to n bytes: `[data, address]`. */
export function recvfromOp(fd: number, n: number, flags: number): [Buffer, NativeAddress] | number {
  const result = native.recvfrom(fd, n, flags, inet);
  return Buffer.isBuffer(result) ? [result, inetSender()] : result;
}

/** recvfrom_into(2) into view[0, n): `[nbytes, address]`. */
export function recvfromIntoOp(fd: number, view: ArrayBufferView, n: number, flags: number): [number, NativeAddress] | number {
  checkHeld(view, n);
  const result = native.recvfromInto(fd, view, n, flags, inet);
  return typeof result === 'number' && result >= 0 ? [result, inetSender()] : result;
}

/** recvmsg(2) into views, each still as long (lengths) as when the call began. */
export function recvmsgIntoOp(fd: number, views: ArrayBufferView[], lengths: number[], ancbufsize: number, flags: number): ReturnType<typeof native.recvmsgInto> {
  views.forEach((view, k) => checkHeld(view, lengths[k]!));
  return native.recvmsgInto(fd, views, ancbufsize, flags);
}

/** getsockopt(2) of an int option -> the value or -errno via the result. */
export function getsockoptInt(fd: number, level: number, opt: number): { rc: number; value: number } {
  const rc = native.getsockoptInt(fd, level, opt, intOut);
  return { rc, value: intOut[0]! };
}

/** sendall: sends until every byte is out; -EAGAIN between steps. */
export class SendAll {
  sent = 0;
  readonly bytes: Uint8Array;
  readonly #length: number;

  constructor(data: ArrayBufferView | ArrayBuffer) {
    this.bytes = toUint8Array(data);
    this.#length = this.bytes.length;
  }

  static op(this: void, fd: number, state: SendAll, flags: number): number | undefined {
    const { bytes } = state;
    checkHeld(bytes, state.#length);
    while (state.sent < bytes.length) {
      const n = native.send(fd, state.sent === 0 ? bytes : bytes.subarray(state.sent), flags);
      if (n < 0) return n;
      state.sent += n;
    }
    return undefined;
  }
}

/** recv with MSG_WAITALL: receives until the view is full or the peer closes; -EAGAIN between steps. */
export class RecvAll {
  got = 0;
  readonly #view: Uint8Array;

  constructor(into: ArrayBufferView, readonly wanted: number, readonly flags: number) {
    this.#view = toUint8Array(into);
  }

  /** The count received, once done. */
  static op(this: void, fd: number, state: RecvAll): number {
    checkHeld(state.#view, state.wanted);
    const flags = state.flags & ~MSG_WAITALL;
    while (state.got < state.wanted) {
      const n = native.recvInto(fd, state.got === 0 ? state.#view : state.#view.subarray(state.got), state.wanted - state.got, flags);
      if (n < 0) return n;
      if (n === 0) break; // end of stream: what came is all there is
      state.got += n;
    }
    return state.got;
  }

  /** The bytes received, in a Buffer over the view, once done (recv's form). */
  static bufferOp(this: void, fd: number, state: RecvAll): Buffer | number {
    const rc = RecvAll.op(fd, state);
    return rc < 0 ? rc : Buffer.from(state.#view.buffer, state.#view.byteOffset, rc);
  }
}

/**
 * connect: connect(2), then, once a wait ends, connect(2) again, which tells
 * the outcome as the kernel sees it: 0 (or EISCONN) once connected, EALREADY
 * while still in progress, else the connection's error. A step that wakes
 * early (a signal cut the wait short) is "not yet", never success; and the
 * kernel marks the socket connected, so a later connect() is EISCONN, as
 * after a blocking connect.
 */
export class Connect {
  #started = false;

  constructor(readonly family: number, readonly address: NativeAddress) {}

  static op(this: void, fd: number, state: Connect): number | undefined {
    const rc = native.connect(fd, state.family, state.address);
    if (!state.#started) {
      // An interrupted connect goes on in the background, as EINPROGRESS.
      if (rc === -EINPROGRESS || rc === -EINTR) {
        state.#started = true;
        return -EINPROGRESS;
      }
      return rc < 0 ? rc : undefined;
    }
    if (rc === -EALREADY || rc === -EINPROGRESS || rc === -EINTR) return -EINPROGRESS;
    return rc === -EISCONN || rc === 0 ? undefined : rc;
  }
}

/** sendfile(2) in steps until count bytes (or EOF) are sent; -EAGAIN between steps. */
export class SendFile {
  sent = 0;

  /** offset null: from the file's own position, which advances. */
  constructor(readonly infd: number, readonly offset: number | null, readonly count: number) {}

  static op(this: void, fd: number, state: SendFile): number {
    while (state.sent < state.count) {
      // Linux sends at most 0x7ffff000 bytes a call.
      const step = Math.min(state.count - state.sent, 0x7ffff000);
      const n = native.sendfile(fd, state.infd, state.offset === null ? -1 : state.offset + state.sent, step);
      if (n < 0) return n;
      if (n === 0) break;
      state.sent += n;
    }
    return state.sent;
  }
}
