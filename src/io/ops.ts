// Operations the call helper runs: each is `op(fd, a, b, c, d)` returning its
// result or -errno. Those that finish in steps (sendall, connect) keep their
// progress in a small state object and return -EAGAIN/-EINPROGRESS until done.
import { MSG_WAITALL } from '../core/constants.js';
import { EALREADY, EINPROGRESS, EINTR, EISCONN } from '../core/errno.js';
import { native, type NativeAddress } from '../core/native.js';
import { toUint8Array } from '../core/validate.js';

const intOut = new Int32Array(1);

/**
 * A waiting call's buffer must still hold what the call was given: one
 * detached (transferred) or shrunk while the call waited would be read as
 * EOF or as a finished send. Thrown inside the op, so that the call
 * rejects, and nothing is received into or sent from it.
 */
function checkHeld(view: ArrayBufferView, length: number): void {
  if (view.byteLength < length) {
    throw new TypeError(`The buffer was detached or shrunk while the call waited (${view.byteLength} of ${length} bytes left)`);
  }
}

/** recv_into(2) into view[0, n). */
export function recvIntoOp(fd: number, view: ArrayBufferView, n: number, flags: number): number {
  checkHeld(view, n);
  return native.recvInto(fd, view, n, flags);
}

/** recvfrom_into(2) into view[0, n). */
export function recvfromIntoOp(fd: number, view: ArrayBufferView, n: number, flags: number): [number, NativeAddress] | number {
  checkHeld(view, n);
  return native.recvfromInto(fd, view, n, flags);
}

/** getsockopt(2) of an int option -> the value or -errno via the result. */
export function getsockoptInt(fd: number, level: number, opt: number): { rc: number; value: number } {
  const rc = native.getsockoptInt(fd, level, opt, intOut);
  return { rc, value: intOut[0]! };
}

export function sendtoOp(fd: number, data: ArrayBufferView, flags: number, family: number, address: NativeAddress): number {
  return native.sendto(fd, data, flags, family, address);
}

export function sendmsgOp(fd: number, buffers: ArrayBufferView[], ancdata: [number, number, ArrayBufferView][], flags: number, target: [number, NativeAddress]): number {
  return native.sendmsg(fd, buffers, ancdata, flags, target[0], target[1]);
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

  static op(fd: number, state: SendAll, flags: number): number {
    const { bytes } = state;
    checkHeld(bytes, state.#length);
    while (state.sent < bytes.length) {
      const n = native.send(fd, state.sent === 0 ? bytes : bytes.subarray(state.sent), flags);
      if (n < 0) return n;
      state.sent += n;
    }
    return 0;
  }
}

/** recv with MSG_WAITALL: receives until the view is full or the peer closes; -EAGAIN between steps. */
export class RecvAll {
  got = 0;
  readonly #view: Uint8Array;

  constructor(into: ArrayBufferView, readonly wanted: number, readonly flags: number) {
    this.#view = toUint8Array(into);
  }

  /** What a recv() of this call returns: the bytes received, in a Buffer. */
  received(): Buffer {
    const view = this.#view;
    return Buffer.from(view.buffer, view.byteOffset, this.got);
  }

  static op(fd: number, state: RecvAll): number {
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

  static op(fd: number, state: Connect): number {
    const rc = native.connect(fd, state.family, state.address);
    if (!state.#started) {
      // An interrupted connect goes on in the background, as EINPROGRESS.
      if (rc === -EINPROGRESS || rc === -EINTR) {
        state.#started = true;
        return -EINPROGRESS;
      }
      return rc;
    }
    if (rc === -EALREADY || rc === -EINPROGRESS || rc === -EINTR) return -EINPROGRESS;
    return rc === -EISCONN ? 0 : rc;
  }
}
