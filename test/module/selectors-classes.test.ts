// berkeley/selectors, the selector classes beside DefaultSelector:
// SelectSelector, PollSelector and EpollSelector (DefaultSelector is
// EpollSelector, as in Python on Linux), each in both forms; where they
// differ (a closed fd, a regular file, a failed modify) compared with
// python3's own classes; EpollSelector.fileno(); getMap()'s live read-only
// view. DefaultSelector's full behaviour is in selectors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readlinkSync } from 'node:fs';
import * as socket from 'berkeley';
import * as selectors from 'berkeley/selectors';
import { bounded, pythonJson } from '../support/index.js';

const { BaseSelector, EVENT_READ, EVENT_WRITE } = selectors;
const RW = EVENT_READ | EVENT_WRITE;
const CLASSES = { SelectSelector: selectors.SelectSelector, PollSelector: selectors.PollSelector, EpollSelector: selectors.EpollSelector };

/** The ready set as [data, events] pairs, sorted, for comparisons. */
const byData = (ready: [selectors.SelectorKey, number][]): [unknown, number][] => ready.map(([key, events]): [unknown, number] => [key.data, events]).sort();

test('DefaultSelector is EpollSelector, and every class is a BaseSelector', () => {
  assert.equal(selectors.DefaultSelector, selectors.EpollSelector);
  for (const Selector of Object.values(CLASSES)) {
    using sel = new Selector();
    assert.ok(sel instanceof BaseSelector);
  }
  using sel = new selectors.DefaultSelector();
  assert.equal(sel.constructor.name, 'EpollSelector', "as Python's type(DefaultSelector()).__name__");
});

for (const [name, Selector] of Object.entries(CLASSES)) {
  describe(name, () => {
    for (const form of ['async', 'Sync'] as const) {
      const selectOf = (sel: selectors.BaseSelector, timeout?: number | null): Promise<[selectors.SelectorKey, number][]> =>
        form === 'async' ? bounded(sel.select(timeout)) : Promise.resolve(sel.selectSync(timeout));

      test(`${form}: readable, writable, both; modify; nothing once the timeout passes; the peer closing is readable`, async () => {
        const [a, b] = socket.socketpair();
        using _a = a;
        using sel = new Selector<string>();
        sel.register(a, RW, 'a');
        sel.register(b, EVENT_READ, 'b');
        assert.deepEqual(byData(await selectOf(sel, 0)), [['a', EVENT_WRITE]]);
        b.sendSync('x');
        assert.deepEqual(byData(await selectOf(sel, 1)), [['a', RW]]);
        sel.modify(a, EVENT_READ, 'a2');
        a.recvSync(1);
        assert.deepEqual(await selectOf(sel, 0.01), []);
        sel.unregister(b);
        b.close();
        assert.deepEqual(byData(await selectOf(sel, -1)), [['a2', EVENT_READ]], 'a negative timeout polls');
      });
    }

    test('async: waits while the event loop runs, and ends on its signal', async () => {
      const [a, b] = socket.socketpair();
      using _a = a;
      using _b = b;
      using sel = new Selector();
      sel.register(a, EVENT_READ, 'a');
      const order: string[] = [];
      const pending = sel.select().then((ready) => (order.push('select'), ready));
      setImmediate(() => {
        order.push('immediate');
        b.sendSync('x');
      });
      assert.deepEqual(byData(await bounded(pending)), [['a', EVENT_READ]]);
      assert.deepEqual(order, ['immediate', 'select']);
      a.recvSync(1);
      const controller = new AbortController();
      const aborted = sel.select(null, { signal: controller.signal });
      setImmediate(() => controller.abort());
      await assert.rejects(bounded(aborted), { name: 'AbortError' });
    });

    test('getMap() is a live, read-only view, found by object or fd', () => {
      const [a, b] = socket.socketpair();
      using _a = a;
      using _b = b;
      using sel = new Selector<number>();
      const map = sel.getMap();
      assert.equal(map.size, 0);
      const key = sel.register(a, EVENT_READ, 1);
      sel.register(b.fileno(), EVENT_WRITE, 2);
      assert.equal(map.size, 2, 'live: registrations made after getMap() show');
      assert.equal(map.get(a), key);
      assert.equal(map.get(a.fileno()), key);
      assert.equal(map.has(b), true, 'b registered by its fd, found by its object');
      assert.deepEqual([...map.keys()], [a, b.fileno()]);
      assert.deepEqual([...map.values()].map((k) => k.data), [1, 2]);
      assert.deepEqual([...map].map(([fileobj]) => fileobj), [a, b.fileno()]);
      const seen: unknown[] = [];
      map.forEach((value, fileobj, self) => seen.push([value.data, fileobj, self === map]));
      assert.deepEqual(seen, [[1, a, true], [2, b.fileno(), true]]);
      for (const method of ['set', 'delete', 'clear']) assert.equal(method in map, false, `no ${method}()`);
      sel.unregister(a);
      assert.equal(map.size, 1);
      assert.equal(map.get(a), undefined);
    });
  });
}

test('EpollSelector.fileno() is its epoll fd, closed by close(), then a RangeError', () => {
  const sel = new selectors.EpollSelector();
  const fd = sel.fileno();
  assert.equal(readlinkSync(`/proc/self/fd/${fd}`), 'anon_inode:[eventpoll]');
  sel.close();
  assert.equal(existsSync(`/proc/self/fd/${fd}`), false);
  assert.throws(() => sel.fileno(), { name: 'RangeError', message: 'I/O operation on a closed selector' });
});

test('where the classes differ (a closed fd, a regular file, a failed modify), they do as python3\'s', () => {
  const python = pythonJson(`
import json, selectors, socket
out = {}
for cls in [selectors.SelectSelector, selectors.PollSelector, selectors.EpollSelector]:
    r = {}
    s = cls()
    a, b = socket.socketpair()
    c, d = socket.socketpair()
    s.register(a, selectors.EVENT_READ | selectors.EVENT_WRITE)
    s.register(c, selectors.EVENT_READ)
    a.close()
    try:
        r['select'] = sorted(['a' if k.fileobj is a else 'c', e] for k, e in s.select(0))
    except OSError as e:
        r['select'] = e.errno
    if cls is not selectors.SelectSelector:
        try:
            s.modify(a, selectors.EVENT_READ)
            r['modify'] = 'ok'
        except OSError as e:
            r['modify'] = 'OSError'
        r['after'] = len(s.get_map())
    with open('/etc/hostname') as f, cls() as fresh:
        try:
            fresh.register(f, selectors.EVENT_READ)
            r['file'] = 'ok'
        except OSError as e:
            r['file'] = e.errno
    out[cls.__name__] = r
print(json.dumps(out))`);
  const ours: Record<string, Record<string, unknown>> = {};
  for (const [name, Selector] of Object.entries(CLASSES)) {
    const r: Record<string, unknown> = {};
    using sel = new Selector();
    const [a, b] = socket.socketpair();
    using _b = b;
    const [c, d] = socket.socketpair();
    using _c = c;
    using _d = d;
    sel.register(a, RW);
    sel.register(c, EVENT_READ);
    a.close();
    try {
      r.select = sel.selectSync(0).map(([key, events]) => [key.fileobj === a ? 'a' : 'c', events]).sort();
    } catch (error) {
      r.select = (error as socket.SocketError).errno;
    }
    if (Selector !== selectors.SelectSelector) {
      try {
        sel.modify(a, EVENT_READ);
        r.modify = 'ok';
      } catch (error) {
        assert.ok(error instanceof socket.SocketError);
        r.modify = 'OSError';
      }
      r.after = sel.getMap().size;
    }
    const file = openSync('/etc/hostname', 'r');
    try {
      using fresh = new Selector();
      fresh.register(file, EVENT_READ);
      r.file = 'ok';
    } catch (error) {
      r.file = (error as socket.SocketError).errno;
    } finally {
      closeSync(file);
    }
    ours[name] = r;
  }
  assert.deepEqual(ours, python);
});
