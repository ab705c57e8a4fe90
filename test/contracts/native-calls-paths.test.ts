// The C addon called directly, on the paths the table of native-calls cannot
// reach: real traffic through every address family, large and truncated
// reads, fds and credentials through sendmsg/recvmsg, watchers (readiness,
// close while armed, collected unclosed), and the addon in worker threads
// that exit with watchers and sockets open. Each test gets its sockets from a
// NativeFixture (support/native.ts) and closes them; .ci/memcheck runs this
// file with native-calls (its word matches both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as socket from 'berkeley';
import { addonPath, bounded, NativeFixture, loopTurns, nativeAddon, tempDir } from '../support/index.js';

const native = nativeAddon();
const C = socket as unknown as Record<string, number>;
/** Not a constant of the module (as in Python, it is socket.errno's). */
const EBADF = socket.errno.EBADF!;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('native: addresses of every family come back from the kernel intact', () => {
  const f = new NativeFixture();
  const dir = tempDir();
  try {
    // AF_UNIX: a path, an abstract name, an unnamed socket.
    const server = f.own(native.socket!(C.AF_UNIX, C.SOCK_DGRAM, 0));
    assert.equal(native.bind!(server, C.AF_UNIX, dir.path('u')), 0);
    assert.equal(native.getsockname!(server), dir.path('u'));
    const abstract = Buffer.from(`\0berkeley-native-${process.pid}`);
    const named = f.own(native.socket!(C.AF_UNIX, C.SOCK_DGRAM, 0));
    assert.equal(native.bind!(named, C.AF_UNIX, abstract), 0);
    assert.deepEqual(native.getsockname!(named), abstract);
    const longest = Buffer.concat([Buffer.alloc(1), Buffer.alloc(107, 'z')]);
    const longName = f.own(native.socket!(C.AF_UNIX, C.SOCK_DGRAM, 0));
    assert.equal(native.bind!(longName, C.AF_UNIX, longest), 0);
    assert.deepEqual(native.getsockname!(longName), longest);
    assert.equal(native.sendto!(named, Buffer.from('u'), 0, C.AF_UNIX, dir.path('u')), 1);
    const [data, from] = native.recvfrom!(server, 100, 0) as [Buffer, unknown];
    assert.equal(data.toString(), 'u');
    assert.deepEqual(from, abstract);
    assert.equal(native.getsockname!(f.unix), '');
    // AF_INET6 with a scope id, where ::1 exists.
    const v6 = f.own(native.socket!(C.AF_INET6, C.SOCK_DGRAM, 0));
    if (v6 >= 0 && native.bind!(v6, C.AF_INET6, ['::1', 0, 0, 0]) === 0) {
      const address = native.getsockname!(v6) as [string, number, number, number];
      assert.equal(address[0], '::1');
      native.sendto!(v6, Buffer.from('six'), 0, C.AF_INET6, address);
      const [got, sender] = native.recvfrom!(v6, 100, 0) as [Buffer, unknown];
      assert.equal(got.toString(), 'six');
      assert.deepEqual(sender, address);
      native.connect!(f.tcp6, C.AF_INET6, ['fe80::1%1', 9, 0, 0]);
    }
    // A family the address code does not know: [family, raw bytes].
    const { AF_NETLINK } = socket;
    if (AF_NETLINK !== undefined) {
      const netlink = f.own(native.socket!(AF_NETLINK, C.SOCK_RAW, 0));
      if (netlink >= 0) {
        const [family, raw] = native.getsockname!(netlink) as [number, Buffer];
        assert.equal(family, AF_NETLINK);
        assert.ok(Buffer.isBuffer(raw));
      }
    }
  } finally {
    f.close();
    dir.cleanup();
  }
});

test('native: large and truncated reads, scratch and direct buffers', () => {
  const f = new NativeFixture();
  try {
    const [a, b] = f.pair(C.SOCK_DGRAM);
    const big = Buffer.alloc(100_000, 'q');
    for (const [n, flags] of [[100_000, 0], [70_000, 0], [65536, 0], [10, 0], [10, C.MSG_TRUNC], [70_000, C.MSG_TRUNC], [200_000, 0]] as const) {
      assert.equal(native.send!(b, big, 0), big.length);
      const got = native.recv!(a, n, flags) as Buffer;
      assert.equal(got.length, Math.min(n, big.length));
    }
    for (const n of [10, 100_000]) {
      assert.equal(native.send!(b, big, 0), big.length);
      const into = Buffer.alloc(n);
      assert.equal(native.recvInto!(a, into, n, C.MSG_TRUNC), big.length);
      assert.equal(native.send!(b, big, 0), big.length);
      const [count] = native.recvfromInto!(a, into, n, 0) as [number, unknown];
      assert.equal(count, n);
      assert.equal(native.send!(b, big, 0), big.length);
      const [data, , msgFlags] = native.recvmsg!(a, n, 0, 0) as [Buffer, unknown, number];
      assert.equal(data.length, Math.min(n, big.length));
      assert.equal((msgFlags & C.MSG_TRUNC) !== 0, n < big.length);
    }
    const bytes = native.getsockoptBytes!(a, C.SOL_SOCKET, C.SO_RCVBUF, 65536) as Buffer;
    assert.equal(bytes.length, 4);
    const out = new Int32Array(1);
    assert.equal(native.getsockoptInt!(a, C.SOL_SOCKET, C.SO_TYPE, out), 0);
    assert.equal(out[0], C.SOCK_DGRAM);
  } finally {
    f.close();
  }
});

test('native: fds and credentials through sendmsg/recvmsg, truncated control data', () => {
  const f = new NativeFixture();
  try {
    const [a, b] = f.pair(C.SOCK_DGRAM);
    const fds = Int32Array.of(f.tcp, f.udp, f.tcp6);
    for (const ancbufsize of [1024, 24, 20, 17, 16, 1, 0]) {
      assert.equal(native.sendmsg!(b, [Buffer.from('fds')], [[C.SOL_SOCKET, C.SCM_RIGHTS, fds]], 0, C.AF_UNIX, null), 3);
      const [data, ancdata] = native.recvmsg!(a, 16, ancbufsize, 0) as [Buffer, [number, number, Buffer][]];
      assert.equal(data.toString(), 'fds');
      for (const [, type, payload] of ancdata) {
        if (type !== C.SCM_RIGHTS) continue;
        for (let k = 0; k + 4 <= payload.length; k += 4) f.own(payload.readInt32LE(k));
      }
    }
    const { SO_PASSCRED } = socket;
    if (SO_PASSCRED !== undefined) {
      native.setsockoptInt!(a, C.SOL_SOCKET, SO_PASSCRED, 1);
      native.send!(b, Buffer.from('cred'), 0);
      const [, ancdata] = native.recvmsg!(a, 16, 256, 0) as [Buffer, [number, number, Buffer][]];
      assert.equal(ancdata.length, 1);
    }
  } finally {
    f.close();
  }
});

test('native: watchers report readiness, close while armed, and are collected unclosed', async () => {
  const f = new NativeFixture();
  try {
    let events = 0;
    const ready = new Promise<void>((resolve) => {
      const w = native.watcherNew!(f.stream0, (status: unknown, ev: unknown) => {
        events = ev as number;
        native.watcherUpdate!(w, 0);
        resolve();
      });
      f.watchers.push(w);
      assert.equal(native.watcherUpdate!(w, 3), 0);
    });
    await bounded(ready, 5000, 'readiness');
    assert.notEqual(events & 1, 0);
    // With a receiver, the callback is called on it (one method serves every watcher of a class).
    const receiver = { name: 'receiver' };
    const seen = await bounded(
      new Promise<unknown>((resolve) => {
        const w = native.watcherNew!(
          f.stream1,
          function (this: unknown) {
            native.watcherUpdate!(w, 0);
            resolve(this);
          },
          receiver,
        );
        f.watchers.push(w);
        native.watcherUpdate!(w, 2);
      }),
      5000,
      'readiness with a receiver',
    );
    assert.equal(seen, receiver);
    // Armed and then closed; its updates after close are EBADF; closing twice is harmless.
    const w2 = native.watcherNew!(f.stream1, () => undefined);
    native.watcherUpdate!(w2, 2);
    native.watcherClose!(w2);
    assert.equal(native.watcherUpdate!(w2, 1), -(EBADF));
    native.watcherClose!(w2);
    // Watchers dropped without close, some armed: their finalizers close them.
    for (let k = 0; k < 50; k++) {
      const [a] = f.pair(C.SOCK_DGRAM);
      const w = native.watcherNew!(a, () => undefined);
      if (k % 2 === 0) assert.equal(native.watcherUpdate!(w, k % 3), 0);
    }
    gc();
    await loopTurns();
    gc();
  } finally {
    f.close();
  }
});

test('native: the addon in worker threads, which exit with watchers and sockets still open', async () => {
  const code = `
    const native = require(${JSON.stringify(addonPath)});
    const { parentPort } = require('node:worker_threads');
    const [a, b] = native.socketpair(1, 1, 0);
    native.send(b, Buffer.from('w'), 0);
    const w = native.watcherNew(a, () => {});
    native.watcherUpdate(w, 1);
    native.recv(a, 100000, 0);
    native.getaddrinfo('127.0.0.1', null, 0, 0, 0, 4).then(() => parentPort.postMessage('done'));
    native.watcherNew(b, () => {});
  `;
  for (let k = 0; k < 4; k++) {
    const worker = new Worker(code, { eval: true });
    const [message] = (await bounded(new Promise((resolve, reject) => {
      worker.once('message', (m) => resolve([m]));
      worker.once('error', reject);
    }), 10_000, 'worker')) as [string];
    assert.equal(message, 'done');
    await bounded(worker.terminate(), 10_000, 'worker terminate');
  }
});

test.after(() => NativeFixture.cleanup());
