// Buffers that change under a call: detached (transferred) while the call
// waits, or detached by a getter while the native layer reads its
// arguments. The call must fail clearly and lose nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as socket from 'berkeley';
import { addonPath, bounded, recvExactly } from '../support/index.js';

const native = createRequire(import.meta.url)(addonPath) as {
  sendmsg(fd: number, buffers: unknown, ancdata: unknown, flags: number, family: number, address: unknown): number;
};

/** Detaches the ArrayBuffer under a view, as a transfer to a worker does. */
const detach = (view: ArrayBufferView): void => void structuredClone(view.buffer, { transfer: [view.buffer as ArrayBuffer] });
const detachedError = (e: unknown): boolean => e instanceof TypeError && /detached or shrunk/.test(e.message) && (e as { code?: string }).code === 'ERR_INVALID_ARG_VALUE';

test('a pending recvInto whose buffer is detached rejects with a TypeError, and the data stays queued', async () => {
  const [a, b] = socket.socketpair();
  using _a = a;
  using _b = b;
  const view = new Uint8Array(new ArrayBuffer(16));
  const pending = a.recvInto(view);
  detach(view);
  await b.sendall('kept');
  await assert.rejects(bounded(pending), detachedError);
  assert.equal((await bounded(a.recv(16))).toString(), 'kept');
});

test('a pending recvfromInto whose buffer is detached rejects with a TypeError, and the datagram stays queued', async () => {
  const rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  using _rx = rx;
  using tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  rx.bind(['127.0.0.1', 0]);
  const view = new Uint8Array(new ArrayBuffer(16));
  const pending = rx.recvfromInto(view);
  detach(view);
  await tx.sendto('datagram', rx.getsockname() as [string, number]);
  await assert.rejects(bounded(pending), detachedError);
  assert.equal((await bounded(rx.recvfrom(64)))[0].toString(), 'datagram');
});

/** A view over a resizable ArrayBuffer (ES2024, in Node 20), shrunk by `shrink`. */
function resizable(size: number): { view: Uint8Array; shrink(to: number): void } {
  type Resizable = ArrayBuffer & { resize(to: number): void };
  const buffer = new (ArrayBuffer as unknown as new (size: number, options: { maxByteLength: number }) => Resizable)(size, { maxByteLength: size });
  return { view: new Uint8Array(buffer), shrink: (to) => buffer.resize(to) };
}

test('a pending recvmsgInto whose buffers are detached or shrunk rejects with a TypeError, and the datagram stays queued', async () => {
  const [a, b] = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
  using _a = a;
  using _b = b;
  const kept = Buffer.alloc(8);
  const detached = new Uint8Array(new ArrayBuffer(8));
  const pending = a.recvmsgInto([kept, detached]);
  detach(detached);
  await b.sendall('first');
  await assert.rejects(bounded(pending), detachedError);
  assert.deepEqual(await bounded(a.recvmsgInto([kept])), [5, [], 0, null]);
  assert.equal(kept.subarray(0, 5).toString(), 'first');

  const shrinking = resizable(8);
  const waiting = a.recvmsgInto([kept, shrinking.view]);
  shrinking.shrink(4);
  await b.sendall('second');
  await assert.rejects(bounded(waiting), detachedError);
  assert.deepEqual(await bounded(a.recvmsgInto([kept])), [6, [], 0, null]);
  assert.equal(kept.subarray(0, 6).toString(), 'second');
});

test('a pending recv(n, MSG_WAITALL) into a detached buffer rejects; what came stays with the caller', async () => {
  const [a, b] = socket.socketpair();
  using _a = a;
  using _b = b;
  const view = new Uint8Array(new ArrayBuffer(8));
  const pending = a.recvInto(view, 8, socket.MSG_WAITALL);
  detach(view);
  await b.sendall('12345678');
  await assert.rejects(bounded(pending), detachedError);
  assert.equal((await recvExactly(a, 8)).toString(), '12345678');
});

test('a pending sendall whose buffer is detached mid-send rejects with a TypeError instead of resolving', async () => {
  const [a, b] = socket.socketpair();
  using _a = a;
  using _b = b;
  const data = new Uint8Array(new ArrayBuffer(8 << 20)).fill(7);
  const pending = a.sendall(data);
  detach(data);
  const drained = (async () => {
    for (;;) if ((await b.recv(1 << 20)).length === 0) return;
  })();
  await assert.rejects(bounded(pending, 10_000), detachedError);
  a.close();
  await bounded(drained, 10_000);
});

test('native sendmsg: a getter that detaches an earlier buffer leaves nothing borrowed from it', async () => {
  const [a, b] = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
  using _a = a;
  using _b = b;
  const first = new Uint8Array(new ArrayBuffer(4096)).fill(0x41);
  const second = Buffer.from('second');
  const buffers = [first];
  Object.defineProperty(buffers, 1, { enumerable: true, get: () => (detach(first), second) });
  const sent = native.sendmsg(a.fileno(), buffers, [], 0, socket.AF_UNIX, null);
  assert.equal(sent, second.length);
  assert.equal((await bounded(b.recv(8192))).toString(), 'second');
});

test('native sendmsg: a getter in the ancillary items that detaches an earlier item leaves nothing borrowed from it', () => {
  const [a, b] = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
  using _a = a;
  using _b = b;
  const fds = new Int32Array(new ArrayBuffer(4));
  fds[0] = b.fileno();
  const later = [socket.SOL_SOCKET, socket.SCM_RIGHTS];
  Object.defineProperty(later, 2, { enumerable: true, get: () => (detach(fds), Buffer.alloc(0)) });
  const sent = native.sendmsg(a.fileno(), [Buffer.from('x')], [[socket.SOL_SOCKET, socket.SCM_RIGHTS, fds], later], 0, socket.AF_UNIX, null);
  // The detached item has no bytes left: either it is sent empty or the kernel refuses the header.
  assert.ok(sent === 1 || sent === -socket.errno.EINVAL!, String(sent));
});
