// berkeley/selectors, select's epoll object (epoll(), Python's
// select.epoll): its arguments and the kernel's errors as Python reports
// them, level- and edge-triggered and one-shot registrations, maxevents,
// timeouts in seconds, both forms; the async form waits for a python3 peer
// and ends on its signal; a closed epoll object; fromfd; its fd is
// close-on-exec, closed by close() and by the GC, and never leaked.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import * as socket from 'berkeley';
import * as selectors from 'berkeley/selectors';
import { bounded, openFds, PythonPeer, runNode, tcpPair } from '../support/index.js';

const { EPOLLET, EPOLLIN, EPOLLONESHOT, EPOLLOUT, EPOLLPRI, EPOLLRDHUP } = selectors;
const CLOSED = { name: 'RangeError', message: 'I/O operation on closed epoll object' };

/** What /proc/self/fd shows for an epoll fd. */
const EPOLL_FDS = 'anon_inode:[eventpoll]';

describe('epoll(): the object and its registrations', () => {
  test('sizehint and flags are checked as Python checks them; the fd is close-on-exec', () => {
    for (const [sizehint, flags] of [[-1, 0], [5, 0], [-1, selectors.EPOLL_CLOEXEC]] as const) {
      using ep = selectors.epoll(sizehint, flags);
      assert.ok(ep instanceof selectors.Epoll);
      assert.equal(ep.closed, false);
      const fdinfo = readFileSync(`/proc/self/fdinfo/${ep.fileno()}`, 'utf8');
      assert.equal(Number.parseInt(/^flags:\s+([0-7]+)/m.exec(fdinfo)![1]!, 8) & 0o2000000, 0o2000000, 'O_CLOEXEC');
    }
    assert.throws(() => selectors.epoll(0), { name: 'RangeError', message: /"sizehint"/ });
    assert.throws(() => new selectors.Epoll(-2), RangeError);
    assert.throws(() => selectors.epoll(-1, 1), { name: 'RangeError', message: /"flags"/ });
    assert.throws(() => selectors.epoll('1' as unknown as number), TypeError);
  });

  test("the kernel's refusals: FileExistsError, FileNotFoundError, PermissionError, EBADF", () => {
    using ep = selectors.epoll();
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    ep.register(a);
    assert.throws(() => ep.register(a.fileno()), (error: unknown) => error instanceof socket.FileExistsError && error.syscall === 'epoll_ctl');
    assert.throws(() => ep.modify(b, EPOLLIN), socket.FileNotFoundError);
    assert.throws(() => ep.unregister(b), socket.FileNotFoundError);
    const file = openSync('/etc/hostname', 'r');
    try {
      assert.throws(() => ep.register(file), socket.PermissionError);
    } finally {
      closeSync(file);
    }
    const [c, d] = socket.socketpair();
    d.close();
    const closed = c.detach();
    socket.close(closed);
    assert.throws(() => ep.register(closed), (error: unknown) => error instanceof socket.SocketError && error.code === 'EBADF');
  });

  test('bad arguments: TypeError for a wrong type, RangeError naming the argument for a bad value', async () => {
    using ep = selectors.epoll();
    assert.throws(() => ep.register(-1), RangeError);
    assert.throws(() => ep.register('3' as unknown as number), TypeError);
    for (const mask of [2 ** 32, -(2 ** 31) - 1, 1.5]) assert.throws(() => ep.register(0, mask), { name: 'RangeError', message: /"eventmask"/ });
    for (const maxevents of [0, -2, 1.5]) {
      assert.throws(() => ep.pollSync(0, maxevents), { name: 'RangeError', message: /"maxevents"/ });
      await assert.rejects(ep.poll(0, maxevents), RangeError, 'the async form rejects, never throws');
    }
    for (const timeout of [NaN, Infinity, 2 ** 31]) assert.throws(() => ep.pollSync(timeout), { name: 'RangeError', message: /"timeout"/ });
    await assert.rejects(ep.poll('1' as unknown as number), TypeError);
    assert.throws(() => selectors.Epoll.fromfd(-1), RangeError);
  });
});

describe('epoll(): poll and pollSync', () => {
  for (const form of ['async', 'Sync'] as const) {
    const pollOf = (ep: selectors.Epoll, timeout?: number | null, maxevents?: number): Promise<[number, number][]> =>
      form === 'async' ? bounded(ep.poll(timeout, maxevents)) : Promise.resolve(ep.pollSync(timeout, maxevents));
    const sorted = (ready: [number, number][]): [number, number][] => ready.sort((x, y) => x[0] - y[0]);

    test(`${form}: level-triggered by default: events stay reported until consumed; maxevents limits them`, async () => {
      using ep = selectors.epoll();
      const [a, b] = socket.socketpair();
      using _a = a;
      using _b = b;
      ep.register(a, EPOLLIN);
      ep.register(b);
      assert.deepEqual(await pollOf(ep, 0), [[b.fileno(), EPOLLOUT]], 'the default mask is EPOLLIN | EPOLLPRI | EPOLLOUT');
      b.sendSync('x');
      assert.deepEqual(sorted(await pollOf(ep, 1)), [[a.fileno(), EPOLLIN], [b.fileno(), EPOLLOUT]]);
      assert.deepEqual(sorted(await pollOf(ep, 1)), [[a.fileno(), EPOLLIN], [b.fileno(), EPOLLOUT]], 'still there');
      assert.equal((await pollOf(ep, 1, 1)).length, 1);
      ep.unregister(b);
      a.recvSync(1);
      assert.deepEqual(await pollOf(ep, 0), []);
    });

    test(`${form}: EPOLLET (or-ed, so negative) reports an edge once; EPOLLONESHOT once until modify`, async () => {
      using ep = selectors.epoll();
      const [a, b] = socket.socketpair();
      using _a = a;
      using _b = b;
      const edge = EPOLLIN | EPOLLET;
      assert.ok(edge < 0, 'as JavaScript or-s 2 ** 31');
      ep.register(a, edge);
      b.sendSync('x');
      assert.deepEqual(await pollOf(ep, 1), [[a.fileno(), EPOLLIN]]);
      assert.deepEqual(await pollOf(ep, 0), [], 'the data is still there, the edge is not');
      ep.modify(a, EPOLLIN | EPOLLONESHOT);
      assert.deepEqual(await pollOf(ep, 1), [[a.fileno(), EPOLLIN]]);
      assert.deepEqual(await pollOf(ep, 0), [], 'disabled after one event');
      ep.modify(a, EPOLLIN);
      assert.deepEqual(await pollOf(ep, 1), [[a.fileno(), EPOLLIN]]);
    });

    test(`${form}: a peer's shutdown is EPOLLRDHUP; MSG_OOB data EPOLLPRI; a closed fd drops out`, async () => {
      using ep = selectors.epoll();
      const [client, server] = await tcpPair();
      using _client = client;
      using _server = server;
      ep.register(server, EPOLLRDHUP | EPOLLPRI);
      assert.deepEqual(await pollOf(ep, 0), []);
      client.sendSync('!', socket.MSG_OOB);
      assert.deepEqual(await pollOf(ep, 1), [[server.fileno(), EPOLLPRI]]);
      server.recvSync(1, socket.MSG_OOB);
      client.shutdown(socket.SHUT_WR);
      assert.deepEqual(await pollOf(ep, 1), [[server.fileno(), EPOLLRDHUP]]);
      server.close();
      assert.deepEqual(await pollOf(ep, 0.01), [], 'epoll forgets a closed fd');
    });

    test(`${form}: timeouts in seconds: 0 polls, a small one runs out with [], a negative one waits`, async () => {
      using ep = selectors.epoll();
      const [a, b] = socket.socketpair();
      using _a = a;
      using _b = b;
      ep.register(a, EPOLLIN);
      assert.deepEqual(await pollOf(ep, 0), []);
      assert.deepEqual(await pollOf(ep, 0.01), []);
      using empty = selectors.epoll();
      assert.deepEqual(await pollOf(empty, 0.01), [], 'nothing registered: a pause');
      b.sendSync('x');
      assert.deepEqual(await pollOf(ep, -1), [[a.fileno(), EPOLLIN]]);
      assert.deepEqual(await pollOf(ep), [[a.fileno(), EPOLLIN]]);
    });
  }

  test('async: waits for a python3 peer to send, and ends on its signal', async () => {
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
      using ep = selectors.epoll();
      ep.register(conn, EPOLLIN);
      const controller = new AbortController();
      const aborted = ep.poll(null, -1, { signal: controller.signal });
      setImmediate(() => controller.abort());
      await assert.rejects(bounded(aborted), { name: 'AbortError' });
      await assert.rejects(ep.poll(null, -1, { signal: AbortSignal.abort() }), { name: 'AbortError' });
      const pending = ep.poll();
      setImmediate(() => peer.write('go\n'));
      assert.deepEqual(await bounded(pending), [[conn.fileno(), EPOLLIN]]);
      assert.equal(conn.recvSync(5).toString(), 'hello');
    } finally {
      peer.kill();
    }
  });
});

describe('epoll(): closing, fromfd, the fd', () => {
  test("a closed epoll object: every call is Python's ValueError (a RangeError); close() is idempotent; using closes", async () => {
    const ep = selectors.epoll();
    const fd = ep.fileno();
    ep.close();
    ep.close();
    assert.equal(ep.closed, true);
    assert.equal(existsSync(`/proc/self/fd/${fd}`), false, 'the epoll fd is closed');
    assert.throws(() => ep.fileno(), CLOSED);
    assert.throws(() => ep.register(0), CLOSED);
    assert.throws(() => ep.modify(0, EPOLLIN), CLOSED);
    assert.throws(() => ep.unregister(0), CLOSED);
    assert.throws(() => ep.pollSync(0), CLOSED);
    await assert.rejects(ep.poll(0), CLOSED);
    let disposed: selectors.Epoll | undefined;
    {
      using inner = selectors.epoll();
      disposed = inner;
    }
    assert.equal(disposed.closed, true);
  });

  test('a poll waiting when the object is closed rejects with an OSError EBADF', async () => {
    const ep = selectors.epoll();
    const pending = ep.poll();
    setImmediate(() => ep.close());
    await assert.rejects(bounded(pending), (error: unknown) => error instanceof socket.SocketError && error.code === 'EBADF');
  });

  test('fromfd() adopts an epoll fd: the same registrations, and close() closes that fd', () => {
    using ep = selectors.epoll();
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    ep.register(a, EPOLLOUT);
    const copy = selectors.Epoll.fromfd(socket.dup(ep.fileno()));
    assert.deepEqual(copy.pollSync(0), [[a.fileno(), EPOLLOUT]]);
    const fd = copy.fileno();
    copy.close();
    assert.equal(existsSync(`/proc/self/fd/${fd}`), false);
    assert.deepEqual(ep.pollSync(0), [[a.fileno(), EPOLLOUT]], 'the original lives on');
  });

  test('epoll objects opened, waited on and closed leak no epoll fd', async () => {
    const before = openFds(EPOLL_FDS);
    const [a, b] = socket.socketpair();
    for (let k = 0; k < 30; k++) {
      using ep = selectors.epoll();
      ep.register(a, EPOLLIN);
      const pending = ep.poll(5);
      setImmediate(() => b.sendSync('x'));
      await bounded(pending);
      a.recvSync(1);
    }
    a.close();
    b.close();
    assert.equal(openFds(EPOLL_FDS), before);
  });

  test('an epoll object collected unclosed has its fd closed, without a warning (as Python)', async () => {
    const r = await runNode(`
      import { epoll } from 'berkeley/selectors';
      import { existsSync } from 'node:fs';
      const warnings = [];
      process.on('warning', (w) => warnings.push(w));
      const fd = (() => epoll().fileno())();
      if (!existsSync('/proc/self/fd/' + fd)) throw new Error('fd not open before GC');
      for (let i = 0; i < 200 && existsSync('/proc/self/fd/' + fd); i++) {
        globalThis.gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      console.log(JSON.stringify({ open: existsSync('/proc/self/fd/' + fd), warnings: warnings.map((w) => w.name) }));
    `, { args: ['--expose-gc', '--no-warnings'] });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { open: false, warnings: [] });
  });
});
