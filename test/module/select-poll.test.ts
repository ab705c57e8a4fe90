// berkeley/selectors, select's poll object (poll(), Python's select.poll)
// and select's constants: registrations and their errors as Python's,
// revents in poll(2)'s own bits (read, write, hang-up, POLLRDHUP, POLLNVAL,
// POLLPRI), timeouts in milliseconds, both forms; the async form waits
// without blocking the event loop, for a python3 peer, ends on its signal,
// and leaks no fd.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { inspect } from 'node:util';
import { closeSync, openSync } from 'node:fs';
import * as socket from 'berkeley';
import * as selectors from 'berkeley/selectors';
import { bounded, openFds, PythonPeer, pythonJson, tcpPair } from '../support/index.js';

const { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDHUP } = selectors;

/** What /proc/self/fd shows for an epoll fd. */
const EPOLL_FDS = 'anon_inode:[eventpoll]';

describe("select's constants", () => {
  test('every POLL*, EPOLL* and PIPE_BUF name of python3\'s select module, with its value', () => {
    const python = pythonJson("import json, select; print(json.dumps({n: getattr(select, n) for n in dir(select) if n.isupper()}))") as Record<string, number>;
    const ours = Object.fromEntries(Object.entries(selectors).filter(([name, value]) => /^(E?POLL|PIPE_BUF)/.test(name) && typeof value === 'number'));
    assert.deepEqual(ours, python);
  });
});

describe('poll(): registrations', () => {
  test('register takes an fd or an object with fileno(); the default mask is POLLIN | POLLPRI | POLLOUT', () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    const p = selectors.poll();
    assert.ok(p instanceof selectors.Poll);
    p.register(a);
    p.register(b.fileno());
    assert.deepEqual(p.pollSync(0), [[a.fileno(), POLLOUT], [b.fileno(), POLLOUT]], 'in registration order');
    b.sendSync('x');
    assert.deepEqual(p.pollSync(0), [[a.fileno(), POLLIN | POLLOUT], [b.fileno(), POLLOUT]]);
  });

  test('registering again changes the mask; modify changes it; unregister stops polling', () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    const p = selectors.poll();
    p.register(a, POLLOUT);
    p.register(a, POLLIN);
    assert.deepEqual(p.pollSync(0), [], 'only POLLIN now, and nothing to read');
    p.modify(a, POLLIN | POLLOUT);
    assert.deepEqual(p.pollSync(0), [[a.fileno(), POLLOUT]]);
    p.unregister(a.fileno());
    assert.deepEqual(p.pollSync(0), []);
  });

  test('modify of an fd not registered is FileNotFoundError (ENOENT), unregister a KeyError, as in Python', () => {
    const p = selectors.poll();
    assert.throws(() => p.modify(5, POLLIN), (error: unknown) => error instanceof socket.FileNotFoundError && error.code === 'ENOENT');
    assert.throws(() => p.unregister(5), (error: unknown) => error instanceof selectors.KeyError && /fd 5 is not registered/.test(error.message));
  });

  test('bad arguments: TypeError for a wrong type, RangeError naming the argument for a bad value', async () => {
    const p = selectors.poll();
    assert.throws(() => p.register('3' as unknown as number), TypeError);
    assert.throws(() => p.register({} as unknown as number), /The "fd" argument/);
    assert.throws(() => p.register(-1), RangeError);
    for (const mask of [-1, 0x10000, 1.5]) assert.throws(() => p.register(1, mask), { name: 'RangeError', message: /"eventmask"/ }, `mask ${mask}`);
    assert.throws(() => p.register(1, '1' as unknown as number), TypeError);
    assert.throws(() => p.modify(1, 0x10000), RangeError);
    for (const timeout of [NaN, Infinity, 2 ** 31]) {
      assert.throws(() => p.pollSync(timeout), { name: 'RangeError', message: /"timeout"/ }, `timeout ${timeout}`);
      await assert.rejects(p.poll(timeout), RangeError, 'the async form rejects, never throws');
    }
    await assert.rejects(p.poll('1' as unknown as number), TypeError);
    await assert.rejects(p.poll(0, { signal: 'x' as unknown as AbortSignal }), { name: 'TypeError', message: /options\.signal/ });
  });
});

describe('poll(): revents', () => {
  for (const form of ['async', 'Sync'] as const) {
    const pollOf = (p: selectors.Poll, timeoutMs?: number | null): Promise<[number, number][]> => (form === 'async' ? bounded(p.poll(timeoutMs)) : Promise.resolve(p.pollSync(timeoutMs)));

    test(`${form}: a peer that closed: POLLIN | POLLOUT | POLLRDHUP, and POLLHUP for an AF_UNIX pair`, async () => {
      const [client, server] = await tcpPair();
      using _server = server;
      const [a, b] = socket.socketpair();
      using _a = a;
      const p = selectors.poll();
      p.register(server, POLLIN | POLLOUT | POLLRDHUP);
      p.register(a, POLLIN | POLLRDHUP);
      client.close();
      b.close();
      assert.deepEqual(await pollOf(p, 1000), [
        [server.fileno(), POLLIN | POLLOUT | POLLRDHUP],
        [a.fileno(), POLLIN | POLLRDHUP | POLLHUP],
      ]);
    });

    test(`${form}: POLLHUP and POLLERR are reported whatever the mask, and a closed fd is POLLNVAL`, async () => {
      const [a, b] = socket.socketpair();
      using _a = a;
      const [c, d] = socket.socketpair();
      d.close();
      const closed = c.detach();
      socket.close(closed);
      const p = selectors.poll();
      p.register(a, 0);
      b.sendSync('data');
      assert.deepEqual(await pollOf(p, 0), [], 'data is not asked for');
      p.register(closed, 0);
      assert.deepEqual(await pollOf(p, 0), [[closed, POLLNVAL]]);
      p.unregister(closed);
      b.close();
      const [[fd, revents]] = (await pollOf(p, 1000)) as [[number, number]];
      assert.equal(fd, a.fileno());
      assert.equal(revents & (POLLHUP | POLLERR), POLLHUP);
    });

    test(`${form}: MSG_OOB data is POLLPRI`, async () => {
      const [client, server] = await tcpPair();
      using _client = client;
      using _server = server;
      const p = selectors.poll();
      p.register(server, POLLPRI);
      assert.deepEqual(await pollOf(p, 0), []);
      client.sendSync('!', socket.MSG_OOB);
      assert.deepEqual(await pollOf(p, 1000), [[server.fileno(), POLLPRI]]);
    });

    test(`${form}: timeout 0 polls, a small timeout runs out with [], a negative one waits without limit`, async () => {
      const [a, b] = socket.socketpair();
      using _a = a;
      using _b = b;
      const p = selectors.poll();
      p.register(a, POLLIN);
      assert.deepEqual(await pollOf(p, 0), []);
      assert.deepEqual(await pollOf(p, 10), []);
      assert.deepEqual(await pollOf(p, 0.5), [], 'fractions of a millisecond are taken');
      b.sendSync('x');
      assert.deepEqual(await pollOf(p, -1), [[a.fileno(), POLLIN]]);
      assert.deepEqual(await pollOf(p, null), [[a.fileno(), POLLIN]]);
    });

    test(`${form}: a regular file is always ready for what it is asked, never for mask 0`, async () => {
      const fd = openSync('/etc/hostname', 'r');
      try {
        const p = selectors.poll();
        p.register(fd, 0);
        assert.deepEqual(await pollOf(p, 10), []);
        p.modify(fd, POLLIN | POLLOUT);
        assert.deepEqual(await pollOf(p), [[fd, POLLIN | POLLOUT]]);
      } finally {
        closeSync(fd);
      }
    });
  }
});

describe('poll(): the async form', () => {
  test('waits for a python3 peer to send, and the event loop runs meanwhile', async () => {
    using listener = socket.createServer(['127.0.0.1', 0]);
    const [, port] = listener.getsockname() as [string, number];
    const peer = new PythonPeer(`
import socket, sys
s = socket.create_connection(('127.0.0.1', ${port}))
print('connected')
sys.stdin.readline()
s.sendall(b'hello')
s.recv(1)
`);
    try {
      const [conn] = await bounded(listener.accept());
      using _conn = conn;
      assert.equal(await peer.line(), 'connected');
      const p = selectors.poll();
      p.register(conn, POLLIN);
      const order: string[] = [];
      const pending = p.poll().then((ready) => (order.push('poll'), ready));
      setImmediate(() => {
        order.push('immediate');
        peer.write('go\n');
      });
      assert.deepEqual(await bounded(pending), [[conn.fileno(), POLLIN]]);
      assert.deepEqual(order, ['immediate', 'poll']);
      assert.equal(conn.recvSync(5).toString(), 'hello');
    } finally {
      peer.kill();
    }
  });

  test('the signal ends a wait with an AbortError; an aborted one rejects at once, even with events', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    const p = selectors.poll();
    p.register(a, POLLIN);
    const controller = new AbortController();
    const reason = new Error('stop');
    const pending = p.poll(null, { signal: controller.signal });
    setImmediate(() => controller.abort(reason));
    await assert.rejects(bounded(pending), (error: unknown) => error instanceof socket.AbortError && error.cause === reason);
    b.sendSync('x');
    await assert.rejects(p.poll(null, { signal: AbortSignal.abort() }), { name: 'AbortError' });
    assert.deepEqual(await bounded(p.poll(null, { signal: new AbortController().signal })), [[a.fileno(), POLLIN]]);
  });

  test('an fd that Node itself watches (a net.Server) can be polled: the wait is not on its watcher', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const p = selectors.poll();
      p.register((server as unknown as { _handle: { fd: number } })._handle.fd, POLLIN);
      assert.deepEqual(await bounded(p.poll(10)), []);
    } finally {
      server.close();
    }
  });

  test('waits that end every way leak no fd (the private epoll fd of each wait is closed)', async () => {
    const before = openFds(EPOLL_FDS);
    const [a, b] = socket.socketpair();
    const p = selectors.poll();
    p.register(a, POLLIN);
    for (let k = 0; k < 20; k++) {
      assert.deepEqual(await bounded(p.poll(1)), []);
      const controller = new AbortController();
      const aborted = p.poll(null, { signal: controller.signal });
      setImmediate(() => controller.abort());
      await assert.rejects(bounded(aborted), { name: 'AbortError' });
      const pending = p.poll();
      setImmediate(() => b.sendSync('x'));
      await bounded(pending);
      a.recvSync(1);
    }
    a.close();
    b.close();
    assert.equal(openFds(EPOLL_FDS), before);
  });
});

describe('poll() and epoll(): odd values', () => {
  test('every method with odd values in every position: an Error (or a result), never a crash, a hang or a leak', async () => {
    const ODD: unknown[] = [undefined, null, true, -1, 2 ** 31, 2 ** 53, -0, NaN, 1.5, '1', 10n, Symbol('x'), {}, [], () => 0, { fileno: () => 'x' }, { fileno: () => -1 }];
    const before = openFds(EPOLL_FDS);
    const [a, b] = socket.socketpair();
    const p = selectors.poll();
    const ep = selectors.epoll();
    // b is always writable: no poll below can wait, whatever its timeout.
    p.register(b, POLLOUT);
    ep.register(b, selectors.EPOLLOUT);
    const calls: [string, (x: unknown) => unknown][] = [
      ['poll.register(x)', (x) => p.register(x as number)],
      ['poll.register(a, x)', (x) => p.register(a, x as number)],
      ['poll.modify(a, x)', (x) => p.modify(a, x as number)],
      ['poll.unregister(x)', (x) => p.unregister(x as number)],
      ['poll.pollSync(x)', (x) => p.pollSync(x as number)],
      ['poll.poll(x)', (x) => p.poll(x as number)],
      ['poll.poll(0, x)', (x) => p.poll(0, x as selectors.SelectOptions)],
      ['epoll(x)', (x) => selectors.epoll(x as number).close()],
      ['epoll(-1, x)', (x) => selectors.epoll(-1, x as number).close()],
      ['epoll.register(x)', (x) => ep.register(x as number)],
      ['epoll.register(a, x)', (x) => {
        ep.register(a, x as number);
        ep.unregister(a);
      }],
      ['epoll.modify(a, x)', (x) => ep.modify(a, x as number)],
      ['epoll.unregister(x)', (x) => ep.unregister(x as number)],
      ['epoll.pollSync(x)', (x) => ep.pollSync(x as number)],
      ['epoll.pollSync(0, x)', (x) => ep.pollSync(0, x as number)],
      ['epoll.poll(x)', (x) => ep.poll(x as number)],
      ['epoll.poll(0, x)', (x) => ep.poll(0, x as number)],
      ['epoll.poll(0, -1, x)', (x) => ep.poll(0, -1, x as selectors.SelectOptions)],
    ];
    try {
      for (const [name, call] of calls) {
        for (const x of ODD) {
          const label = `${name} with ${inspect(x)}`;
          try {
            const result = call(x);
            if (result instanceof Promise) await bounded(result.catch((error: unknown) => assert.ok(error instanceof Error, label)), 5000, label);
          } catch (error) {
            assert.ok(error instanceof Error, label);
          }
        }
      }
    } finally {
      ep.close();
      a.close();
      b.close();
    }
    assert.equal(openFds(EPOLL_FDS), before);
  });
});
