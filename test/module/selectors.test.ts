// berkeley/selectors, DefaultSelector: over Sockets, SocketFiles and raw fds,
// in the async and the Sync forms; Python's errors; closed fds handled as
// Python's epoll selector does; the async forms never block the event loop;
// the abort signal. The select()/selectSync() functions are in
// selectors-select.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import * as selectors from 'berkeley/selectors';
import { bounded, openFds, PythonPeer, runNode } from '../support/index.js';

const { DefaultSelector, EVENT_READ, EVENT_WRITE, KeyError } = selectors;
const RW = EVENT_READ | EVENT_WRITE;

/** The ready set as [fd, events] pairs, sorted by fd, for comparisons. */
const fds = (ready: [selectors.SelectorKey, number][]): [number, number][] => ready.map(([key, events]): [number, number] => [key.fd, events]).sort((x, y) => x[0] - y[0]);

describe('DefaultSelector registrations', () => {
  test('EVENT_READ and EVENT_WRITE are Python\'s values', () => {
    assert.equal(EVENT_READ, 1);
    assert.equal(EVENT_WRITE, 2);
  });

  test('register returns the SelectorKey {fileobj, fd, events, data}; getKey and getMap find it', () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    using sel = new DefaultSelector<string>();
    const key = sel.register(a, EVENT_READ, 'a-data');
    assert.equal(key.fileobj, a);
    assert.equal(key.fd, a.fileno());
    assert.equal(key.events, EVENT_READ);
    assert.equal(key.data, 'a-data');
    assert.equal(sel.getKey(a), key);
    const raw = sel.register(b.fileno(), EVENT_WRITE);
    assert.equal(raw.fileobj, b.fileno());
    assert.equal(raw.fd, b.fileno());
    assert.equal(raw.data, undefined);
    const map = sel.getMap();
    assert.equal(map.size, 2);
    assert.equal(map.get(a), key);
    assert.equal(map.get(b.fileno()), raw);
    // As Python's mapping, a registration is found by its fd too, and by nothing else.
    assert.equal(map.get(a.fileno()), key);
    assert.equal(map.has(a.fileno()), true);
    assert.equal(map.get(b), raw);
    assert.equal(map.has(-1), false);
  });

  test('a SocketFile registers under its socket\'s fd', () => {
    const [a, b] = socket.socketpair();
    using _b = b;
    const file = a.makefile('rb');
    a.close(); // the file keeps the fd open
    using sel = new DefaultSelector();
    const key = sel.register(file, EVENT_READ);
    assert.equal(key.fileobj, file);
    assert.equal(key.fd, file.fileno());
    assert.ok(key.fd >= 0);
    sel.unregister(file);
    file.closeSync();
  });

  test('registering twice is a KeyError naming the fd (also through another object with the same fd)', () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    using sel = new DefaultSelector();
    sel.register(a, EVENT_READ);
    assert.throws(() => sel.register(a, EVENT_WRITE), (error: Error) => {
      assert.ok(error instanceof KeyError);
      assert.equal(error.name, 'KeyError');
      assert.match(error.message, new RegExp(`FD ${a.fileno()}\\b`));
      assert.match(error.message, /already registered/);
      return true;
    });
    const file = a.makefile('rb');
    assert.throws(() => sel.register(file, EVENT_READ), KeyError);
    assert.throws(() => sel.register(a.fileno(), EVENT_READ), KeyError);
    file.closeSync();
  });

  test('unregister, modify and getKey of an unregistered object are KeyErrors', () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    using sel = new DefaultSelector();
    assert.throws(() => sel.unregister(a), KeyError);
    assert.throws(() => sel.modify(a, EVENT_READ), KeyError);
    assert.throws(() => sel.getKey(a), KeyError);
    assert.throws(() => sel.getKey(b.fileno()), /not registered/);
    sel.register(a, EVENT_READ);
    sel.unregister(a);
    assert.throws(() => sel.unregister(a), KeyError);
    assert.equal(sel.getMap().size, 0);
  });

  test('bad events are RangeErrors, a wrong type a TypeError, a negative fd a RangeError', () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    using sel = new DefaultSelector();
    for (const events of [0, 4, 8, -1, 1.5, RW | 4]) assert.throws(() => sel.register(a, events), RangeError, `events ${events}`);
    assert.throws(() => sel.register(a, '1' as unknown as number), TypeError);
    assert.throws(() => sel.register(-1, EVENT_READ), RangeError);
    assert.throws(() => sel.register('3' as unknown as number, EVENT_READ), TypeError);
    assert.throws(() => sel.register({} as unknown as number, EVENT_READ), TypeError);
    const [c, d] = socket.socketpair();
    c.close();
    d.close();
    assert.throws(() => sel.register(c, EVENT_READ), RangeError, 'a closed socket (fileno -1) cannot be registered');
  });

  test('modify() with bad events is a RangeError and keeps the registration', () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    using sel = new DefaultSelector<string>();
    const key = sel.register(a, EVENT_READ, 'kept');
    for (const events of [0, 4, 1.5]) assert.throws(() => sel.modify(a, events), RangeError);
    assert.equal(sel.getKey(a), key, 'a failed modify keeps the registration');
  });

  test('registering an fd that is not open is an OSError EBADF, as with Python\'s epoll selector', () => {
    // Made first: its own epoll fd must not take the closed fd's number.
    using sel = new DefaultSelector();
    const [a, b] = socket.socketpair();
    b.close();
    const fd = a.detach();
    socket.close(fd);
    assert.throws(() => sel.register(fd, EVENT_READ), (error: socket.SocketError) => error instanceof socket.SocketError && error.code === 'EBADF');
    assert.equal(sel.getMap().size, 0, 'nothing registered');
  });

  test('modify changes the events and the data, and returns the new key', () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    using sel = new DefaultSelector<number>();
    const first = sel.register(a, EVENT_READ, 1);
    assert.equal(sel.modify(a, EVENT_READ, 1), first, 'no change: the same key');
    const second = sel.modify(a, EVENT_WRITE, 2);
    assert.deepEqual([second.events, second.data, second.fd], [EVENT_WRITE, 2, a.fileno()]);
    assert.equal(sel.getKey(a), second);
    assert.deepEqual(fds(sel.selectSync(0)), [[a.fileno(), EVENT_WRITE]]);
  });

  test('close() forgets everything and makes the selector unusable; Symbol.dispose closes it', () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    const sel = new DefaultSelector();
    sel.register(a, EVENT_READ);
    sel.close();
    sel.close(); // idempotent
    assert.throws(() => sel.register(b, EVENT_READ));
    assert.throws(() => sel.selectSync(0));
    assert.throws(() => sel.getMap());
    let disposed: selectors.DefaultSelector | undefined;
    {
      using inner = new DefaultSelector();
      inner.register(a, EVENT_READ);
      disposed = inner;
    }
    assert.throws(() => disposed.register(b, EVENT_READ));
    assert.equal(a.fileno() >= 0, true, 'closing a selector does not close the sockets');
  });
});

describe('DefaultSelector.select and selectSync', () => {
  for (const form of ['async', 'Sync'] as const) {
    const selectOf = (sel: selectors.DefaultSelector, timeout?: number | null): Promise<[selectors.SelectorKey, number][]> =>
      form === 'async' ? bounded(sel.select(timeout)) : Promise.resolve(sel.selectSync(timeout));

    test(`${form}: readable, writable, both, and nothing with a timeout`, async () => {
      const [a, b] = socket.socketpair();
      using _a = a;
      using _b = b;
      using sel = new DefaultSelector();
      sel.register(a, RW, 'a');
      sel.register(b, EVENT_READ, 'b');
      assert.deepEqual(fds(await selectOf(sel, 0)), [[a.fileno(), EVENT_WRITE]]);
      b.sendSync('x');
      assert.deepEqual(fds(await selectOf(sel, 0.01)), [[a.fileno(), RW]]);
      const [[key]] = await selectOf(sel);
      assert.equal(key.data, 'a');
      a.recvSync(1);
      sel.modify(a, EVENT_READ);
      assert.deepEqual(await selectOf(sel, 0.02), [], 'nothing ready: empty after the timeout');
      a.sendSync('y');
      assert.deepEqual(fds(await selectOf(sel, null)), [[b.fileno(), EVENT_READ]]);
    });

    test(`${form}: a SocketFile and a raw fd report like the socket`, async () => {
      const [a, b] = socket.socketpair();
      using _b = b;
      const file = a.makefile('rwb');
      const [c, d] = socket.socketpair();
      using _d = d;
      const rawFd = c.detach();
      try {
        using sel = new DefaultSelector();
        sel.register(file, EVENT_READ, 'file');
        sel.register(rawFd, EVENT_READ, 'raw');
        assert.deepEqual(await selectOf(sel, 0), []);
        b.sendSync('to file');
        d.sendSync('to raw');
        const ready = await selectOf(sel, 1);
        assert.deepEqual(ready.map(([key, events]) => [key.data, events]).sort(), [['file', EVENT_READ], ['raw', EVENT_READ]]);
        assert.equal((await file.read(7)).toString(), 'to file');
        assert.deepEqual(ready.find(([key]) => key.data === 'file')![0].fileobj, file);
      } finally {
        file.closeSync();
        a.close();
        socket.close(rawFd);
      }
    });

    test(`${form}: the peer closing makes a socket readable (EOF)`, async () => {
      const [a, b] = socket.socketpair();
      using _a = a;
      using sel = new DefaultSelector();
      sel.register(a, EVENT_READ);
      b.close();
      assert.deepEqual(fds(await selectOf(sel, 1)), [[a.fileno(), EVENT_READ]]);
      assert.equal(a.recvSync(10).length, 0);
    });

    test(`${form}: a closed fd is not reported (Python's epoll selector) and unregister still works`, async () => {
      const [a, b] = socket.socketpair();
      using _b = b;
      const [c, d] = socket.socketpair();
      using _c = c;
      using _d = d;
      using sel = new DefaultSelector();
      const key = sel.register(a, RW);
      sel.register(c, EVENT_READ);
      a.close();
      assert.deepEqual(await selectOf(sel, 0.02), [], 'the closed fd is never reported');
      d.sendSync('x');
      assert.deepEqual(fds(await selectOf(sel, 1)), [[c.fileno(), EVENT_READ]]);
      assert.equal(sel.unregister(a), key, 'unregister of a closed socket returns its key');
      assert.throws(() => sel.getKey(a), RangeError, 'gone: Python\'s ValueError for fileno() -1');
    });

    test(`${form}: more than 64 registrations`, async () => {
      const pairs = Array.from({ length: 80 }, () => socket.socketpair());
      try {
        using sel = new DefaultSelector<number>();
        pairs.forEach(([a], k) => sel.register(a, EVENT_READ, k));
        pairs[77]![1].sendSync('x');
        pairs[3]![1].sendSync('x');
        const ready = await selectOf(sel, 1);
        // Both may not be visible in the same poll only if the kernel is slow: they were sent before the call.
        assert.deepEqual(ready.map(([key]) => key.data as number).sort((x, y) => x - y), [3, 77]);
      } finally {
        for (const [a, b] of pairs) {
          a.close();
          b.close();
        }
      }
    });

    test(`${form}: a negative timeout polls without waiting, as Python's selectors do`, async () => {
      const [a, b] = socket.socketpair();
      using _a = a;
      using _b = b;
      using sel = new DefaultSelector();
      sel.register(a, EVENT_WRITE);
      sel.register(b, EVENT_READ);
      assert.deepEqual(fds(await selectOf(sel, -1)), [[a.fileno(), EVENT_WRITE]]);
    });
  }

  test('Sync: a closed fd does not end the wait early (its registration is dropped, as with epoll)', async () => {
    // The peer sends only after a pause: the call must still be waiting then.
    using listener = socket.createServer(['127.0.0.1', 0]);
    const [, port] = listener.getsockname() as [string, number];
    const peer = new PythonPeer(`
import socket, sys, time
s = socket.create_connection(('127.0.0.1', ${port}))
print('connected')
sys.stdin.readline()
time.sleep(0.3)
s.sendall(b'late')
s.recv(1)
`);
    try {
      const [conn] = await bounded(listener.accept());
      using _conn = conn;
      assert.equal(await peer.line(), 'connected');
      const [a, b] = socket.socketpair();
      using _b = b;
      using sel = new DefaultSelector();
      sel.register(a, EVENT_READ);
      sel.register(conn, EVENT_READ);
      a.close();
      peer.write('go\n');
      const ready = sel.selectSync(10);
      assert.deepEqual(fds(ready), [[conn.fileno(), EVENT_READ]], 'waited for the live socket');
      assert.equal(conn.recvSync(4).toString(), 'late');
    } finally {
      peer.kill();
    }
  });

  test('async: a registered socket closed while select waits: the wait goes on for the others (no crash)', async () => {
    // In a child process: closing the fd under a live watcher could abort the process.
    const { code, signal, stdout, stderr } = await runNode(`
      import * as socket from 'berkeley';
      import { DefaultSelector, EVENT_READ } from 'berkeley/selectors';
      const [a, b] = socket.socketpair();
      const [c, d] = socket.socketpair();
      const sel = new DefaultSelector();
      sel.register(a, EVENT_READ);
      sel.register(c, EVENT_READ);
      const pending = sel.select(10);
      setImmediate(() => {
        a.close();
        setImmediate(() => d.sendSync('x'));
      });
      const ready = await pending;
      console.log(JSON.stringify(ready.map(([key, events]) => [key.fd === c.fileno(), events])));
      console.log(sel.unregister(a).fd >= 0);
      c.recvSync(1); // c is served: only the new socket may be ready below
      // The closed fd's number may be reused: a new socket on it works normally.
      const [e, f] = socket.socketpair();
      sel.register(e, EVENT_READ);
      const again = sel.select(10);
      setImmediate(() => f.sendSync('y'));
      console.log(JSON.stringify((await again).map(([key, events]) => [key.fileobj === e, events])));
      for (const s of [b, c, d, e, f]) s.close();
      sel.close();
    `);
    assert.equal(signal, null, `the process was killed by ${signal}; stderr: ${stderr}`);
    assert.equal(code, 0, stderr);
    assert.deepEqual(stdout.trim().split('\n'), ['[[true,1]]', 'true', '[[true,1]]']);
  });

  test('async select never blocks the event loop: an immediate and a timer run while it waits', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    using sel = new DefaultSelector();
    sel.register(a, EVENT_READ);
    const order: string[] = [];
    const pending = sel.select(10).then((ready) => (order.push('select'), ready));
    setImmediate(() => order.push('immediate'));
    setTimeout(() => {
      order.push('timer');
      b.sendSync('x');
    }, 20);
    const ready = await bounded(pending);
    assert.deepEqual(order, ['immediate', 'timer', 'select']);
    assert.deepEqual(fds(ready), [[a.fileno(), EVENT_READ]]);
  });

  test('async select shares the socket\'s watcher: a pending recv and two selectors all see the data', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    using one = new DefaultSelector();
    using two = new DefaultSelector();
    one.register(a, EVENT_READ);
    two.register(a.fileno(), EVENT_READ);
    const selects = [one.select(10), two.select(10)];
    const recv = a.recv(10);
    setImmediate(() => b.sendSync('shared'));
    assert.equal((await bounded(recv)).toString(), 'shared');
    // The recv took the data: the selectors, woken with it, found nothing and wait on.
    // Data that stays unread is what they report.
    setImmediate(() => b.sendSync('more'));
    const [first, second] = await bounded(Promise.all(selects));
    assert.deepEqual(fds(first!), [[a.fileno(), EVENT_READ]]);
    assert.deepEqual(fds(second!), [[a.fileno(), EVENT_READ]]);
    assert.equal((await bounded(a.recv(10))).toString(), 'more');
    // The socket still works through its watcher afterwards.
    const again = a.recv(10);
    setImmediate(() => b.sendSync('again'));
    assert.equal((await bounded(again)).toString(), 'again');
  });

  test('the abort signal ends a waiting select with an AbortError, and the selector serves on', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    using sel = new DefaultSelector();
    sel.register(a, EVENT_READ);
    const controller = new AbortController();
    const pending = sel.select(null, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await assert.rejects(bounded(pending), { name: 'AbortError', code: 'ABORT_ERR' });
    // An already-aborted signal rejects at once, even with an fd ready.
    b.sendSync('x');
    await assert.rejects(bounded(sel.select(null, { signal: AbortSignal.abort() })), { name: 'AbortError' });
    // The selector is usable after an abort.
    assert.deepEqual(fds(await bounded(sel.select(null))), [[a.fileno(), EVENT_READ]]);
    // An empty selector waits too (Python sleeps), and the signal ends that.
    using empty = new DefaultSelector();
    const stop = new AbortController();
    const sleeping = empty.select(null, { signal: stop.signal });
    setImmediate(() => stop.abort());
    await assert.rejects(bounded(sleeping), { name: 'AbortError' });
    // Anything but an AbortSignal is a TypeError naming it.
    await assert.rejects(sel.select(0, { signal: 'soon' as unknown as AbortSignal }), { name: 'TypeError', message: /options\.signal/ });
  });

  test('an empty selector sleeps for the timeout', async () => {
    using sel = new DefaultSelector();
    assert.deepEqual(await bounded(sel.select(0.01)), []);
    assert.deepEqual(sel.selectSync(0.01), []);
  });

  test('repeated selections leak no fds', async () => {
    const before = openFds();
    for (let k = 0; k < 50; k++) {
      const [a, b] = socket.socketpair();
      using sel = new DefaultSelector();
      sel.register(a, EVENT_READ);
      const pending = sel.select(5);
      b.sendSync('x');
      await bounded(pending);
      a.close();
      b.close();
    }
    assert.equal(openFds(), before);
  });
});
