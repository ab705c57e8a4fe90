// berkeley/selectors, select() and selectSync(): rlist, wlist and xlist
// (MSG_OOB data), the objects given back as given, both forms; the async form
// never blocks the event loop, and the abort signal ends it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import * as selectors from 'berkeley/selectors';
import { bounded, tcpPair } from '../support/index.js';

describe('select() and selectSync() with rlist, wlist and xlist', () => {
  for (const form of ['async', 'Sync'] as const) {
    const selectOf = <R extends selectors.FileObject, W extends selectors.FileObject, X extends selectors.FileObject>(r: R[], w: W[], x: X[], timeout?: number | null) =>
      form === 'async' ? bounded(selectors.select(r, w, x, timeout)) : Promise.resolve(selectors.selectSync(r, w, x, timeout));

    test(`${form}: readable, writable and the objects given back as given`, async () => {
      const [a, b] = socket.socketpair();
      using _a = a;
      using _b = b;
      const file = b.makefile('rb');
      try {
        let [r, w, x] = await selectOf<selectors.FileObject, selectors.FileObject, selectors.FileObject>([a, file], [a, b.fileno()], [a], 0);
        assert.deepEqual([r, w, x], [[], [a, b.fileno()], []]);
        a.sendSync('x');
        [r, w, x] = await selectOf<selectors.FileObject, selectors.FileObject, selectors.FileObject>([a, file, b.fileno()], [], [], 1);
        assert.equal(r.length, 2);
        assert.equal(r[0], file, 'the same object');
        assert.equal(r[1], b.fileno());
        assert.deepEqual(await selectOf([a], [], [], 0.01), [[], [], []]);
      } finally {
        file.closeSync();
      }
    });

    test(`${form}: MSG_OOB data makes a TCP socket exceptional`, async () => {
      const [client, server] = await tcpPair();
      using _client = client;
      using _server = server;
      assert.deepEqual(await selectOf([], [], [server], 0), [[], [], []]);
      client.sendSync('!', socket.MSG_OOB);
      const [, , x] = await selectOf([], [], [server], 2);
      assert.deepEqual(x, [server]);
      assert.equal(server.recvSync(1, socket.MSG_OOB).toString(), '!');
    });

    test(`${form}: empty lists sleep for the timeout; bad arguments throw`, async () => {
      assert.deepEqual(await selectOf([], [], [], 0.01), [[], [], []]);
      const [a, b] = socket.socketpair();
      using _a = a;
      using _b = b;
      const call = form === 'async' ? selectors.select : selectors.selectSync;
      await assert.rejects(async () => call(a as never, [], []), TypeError);
      await assert.rejects(async () => call([a], [], [], -1), RangeError);
      await assert.rejects(async () => call([-5], [], []), RangeError);
      await assert.rejects(async () => call(['x' as never], [], []), TypeError);
    });
  }

  for (const form of ['async', 'Sync'] as const) {
    test(`${form}: a closed raw fd is an OSError EBADF, as Python's select.select`, async () => {
      const [a, b] = socket.socketpair();
      b.close();
      const fd = a.detach();
      socket.close(fd);
      const call = form === 'async' ? selectors.select : selectors.selectSync;
      await assert.rejects(async () => call([fd], [], [], 0), (error: socket.SocketError) => error instanceof socket.SocketError && error.code === 'EBADF');
    });
  }

  test('async select never blocks the event loop, and the signal ends it', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    const order: string[] = [];
    const pending = selectors.select([a], [], [], 10).then((r) => (order.push('select'), r));
    setTimeout(() => {
      order.push('timer');
      b.sendSync('x');
    }, 10);
    const [r] = await bounded(pending);
    assert.deepEqual(order, ['timer', 'select']);
    assert.deepEqual(r, [a]);
    a.recvSync(1);
    const controller = new AbortController();
    const waiting = selectors.select([a], [], [], null, { signal: controller.signal });
    const reason = new Error('stop');
    setImmediate(() => controller.abort(reason));
    await assert.rejects(bounded(waiting), (error: unknown) => error instanceof socket.AbortError && error.cause === reason);
  });

  test('async: MSG_OOB arriving while select waits wakes it', async () => {
    const [client, server] = await tcpPair();
    using _client = client;
    using _server = server;
    const pending = selectors.select([], [], [server], 10);
    setTimeout(() => client.sendSync('!', socket.MSG_OOB), 10);
    assert.deepEqual(await bounded(pending), [[], [], [server]]);
  });
});
