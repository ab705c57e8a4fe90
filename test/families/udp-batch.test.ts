// Batched datagrams: recvmmsg, recvmmsgInto and sendmmsg in both forms and
// Python's three modes, against python3 peers (sending N datagrams with
// sendto, receiving them with recvfrom), on UDP over 127.0.0.1 and ::1 and
// on Unix datagram sockets: order, sizes (empty datagrams too), truncation
// (MSG_TRUNC per message), addresses, connected sockets, partial sendmmsg;
// arguments, buffers detached while a call waits, a closed socket, fds.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import { select } from 'berkeley/selectors';
import { bounded, dedent, enc, hasLoopbackIPv6, isErrno, isErrorNaming, isTimeout, isWouldBlock, openFds, Peer, PythonPeer, runNode, SYNC_TIMEOUT, tempDir, unixPair } from '../support/index.js';

const { AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, MSG_TRUNC } = socket;
type Family = 'udp4' | 'udp6' | 'unix';
type Mode = 'blocking' | 'timeout' | 'non-blocking';
const FAMILIES: Family[] = ['udp4', 'udp6', 'unix'];
const MODES: Mode[] = ['blocking', 'timeout', 'non-blocking'];
const v6 = hasLoopbackIPv6();
const familyOf = { udp4: AF_INET, udp6: AF_INET6, unix: AF_UNIX } as const;
const skipOf = (family: Family): string | false => family === 'udp6' && !v6 && 'no IPv6 on loopback here';

/** Datagrams of many sizes, the empty one among them, each telling its index. */
const DATAGRAMS: Buffer[] = [0, 1, 5, 0, 64, 1200, 3, 9000, 0, 17].map((n, k) => Buffer.alloc(n, 0x41 + k));

/** A bound datagram socket of the family (Unix: a path in dir). */
function bound(family: Family, dir: ReturnType<typeof tempDir>, name = 'rx'): socket.Socket {
  const s = socket.socket(familyOf[family], SOCK_DGRAM);
  s.bind(family === 'unix' ? dir.path(name) : [family === 'udp6' ? '::1' : '127.0.0.1', 0]);
  return s;
}

function setMode(s: socket.Socket, mode: Mode): void {
  s.settimeout(mode === 'blocking' ? null : mode === 'timeout' ? SYNC_TIMEOUT : 0);
}

/**
 * A python3 peer with a bound datagram socket of the family: it prints its
 * address, then for each line of stdin (a JSON list of hex datagrams) sends
 * them in order to the target and prints "sent".
 */
function pythonSender(t: TestContext, family: Family, target: unknown, dir: ReturnType<typeof tempDir>): Peer {
  return new Peer(t, `
    family, target, path = json.loads(sys.argv[1])
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind(path if family == socket.AF_UNIX else ("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
    target = target if isinstance(target, str) else tuple(target)
    out(enc(s.getsockname()))
    for line in sys.stdin:
        for d in json.loads(line):
            s.sendto(bytes.fromhex(d), target)
        out("sent")
  `, [JSON.stringify([familyOf[family], target, dir.path('tx')])]);
}

/** A bound receiver of the family and a python3 sender that has sent it DATAGRAMS: `[rx, the sender's address]`. */
async function sentTo(t: TestContext, family: Family, mode: Mode): Promise<[socket.Socket, unknown]> {
  const dir = tempDir();
  t.after(() => dir.cleanup());
  const rx = bound(family, dir);
  t.after(() => rx.close());
  const peer = pythonSender(t, family, enc(rx.getsockname()), dir);
  const from = await peer.json();
  await send(peer, DATAGRAMS);
  setMode(rx, mode);
  return [rx, from];
}

async function send(peer: Peer, datagrams: Buffer[]): Promise<void> {
  peer.write(`${JSON.stringify(datagrams.map((d) => d.toString('hex')))}\n`);
  assert.equal(await peer.json(), 'sent');
}

/** Calls receive until n items came; in non-blocking mode waits for readability between calls (bounded). */
async function gather<T>(s: socket.Socket, n: number, receive: () => T[] | Promise<T[]>): Promise<T[]> {
  const got: T[] = [];
  while (got.length < n) {
    if (s.gettimeout() === 0) await bounded(select([s], [], [], SYNC_TIMEOUT), SYNC_TIMEOUT * 1000);
    got.push(...(await receive()));
  }
  assert.equal(got.length, n);
  return got;
}

for (const family of FAMILIES) {
  describe(`${family}: recvmmsg and recvmmsgInto from a python3 sender`, { skip: skipOf(family) }, () => {
    for (const mode of MODES) {
      for (const sync of [false, true]) {
        const form = sync ? 'Sync' : '';
        test(`recvmmsg${form}, ${mode}: every datagram in order, empty ones too, with the sender's address`, async (t) => {
          const [rx, from] = await sentTo(t, family, mode);
          const got = await gather(rx, DATAGRAMS.length, () => (sync ? rx.recvmmsgSync(4, 9000) : bounded(rx.recvmmsg(4, 9000))));
          assert.deepEqual(got.map(([data]) => data), DATAGRAMS);
          for (const [, address] of got) assert.deepEqual(enc(address), from);
        });

        test(`recvmmsgInto${form}, ${mode}: into the caller's buffers, nbytes and MSG_TRUNC per datagram`, async (t) => {
          const [rx, from] = await sentTo(t, family, mode);
          const size = 8;
          const filled: Buffer[] = [];
          const got = await gather(rx, DATAGRAMS.length, async () => {
            const buffers = [Buffer.alloc(size), new Uint8Array(size), Buffer.alloc(size)];
            const results = sync ? rx.recvmmsgIntoSync(buffers) : await bounded(rx.recvmmsgInto(buffers));
            results.forEach(([nbytes], k) => filled.push(Buffer.from(buffers[k]!.buffer, buffers[k]!.byteOffset, nbytes)));
            return results;
          });
          assert.deepEqual(filled, DATAGRAMS.map((d) => d.subarray(0, size)));
          assert.deepEqual(got.map(([nbytes, , flags]) => [nbytes, flags & MSG_TRUNC]), DATAGRAMS.map((d) => [Math.min(d.length, size), d.length > size ? MSG_TRUNC : 0]));
          for (const [, address] of got) assert.deepEqual(enc(address), from);
        });
      }
    }

    test('recvmmsgInto with MSG_TRUNC: nbytes is each datagram\'s whole length, as recvfrom_into reports it in Python', async (t) => {
      const dir = tempDir();
      t.after(() => dir.cleanup());
      using rx = bound(family, dir);
      const peer = pythonSender(t, family, enc(rx.getsockname()), dir);
      await peer.json();
      await send(peer, DATAGRAMS.slice(0, 6));
      rx.settimeout(SYNC_TIMEOUT);
      const buffers = Array.from({ length: 6 }, () => Buffer.alloc(4));
      const got = await gather(rx, 6, () => rx.recvmmsgIntoSync(buffers.slice(0), MSG_TRUNC));
      assert.deepEqual(got.map(([nbytes, , flags]) => [nbytes, flags & MSG_TRUNC]), DATAGRAMS.slice(0, 6).map((d) => [d.length, d.length > 4 ? MSG_TRUNC : 0]));
    });

    for (const sync of [false, true]) {
      test(`sendmmsg${sync ? 'Sync' : ''}: datagrams to two python3 sockets by address, then connected without addresses, in order, empty ones too`, async (t) => {
        const dir = tempDir();
        t.after(() => dir.cleanup());
        const peer = new Peer(t, `
          family, n0, n1, paths = json.loads(sys.argv[1])
          socks = []
          for path in paths:
              s = socket.socket(family, socket.SOCK_DGRAM)
              s.bind(path if family == socket.AF_UNIX else ("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
              s.settimeout(20)
              socks.append(s)
          out([enc(s.getsockname()) for s in socks])
          got = [[s.recvfrom(65536) for _ in range(n)] for s, n in zip(socks, (n0, n1))]
          out([[[d.hex(), enc(a)] for d, a in g] for g in got])
        `, [JSON.stringify([familyOf[family], 6, DATAGRAMS.length - 6 + 4, [dir.path('p0'), dir.path('p1')]])]);
        const [to0, to1] = await peer.json<[socket.Address, socket.Address]>();
        const decode = (a: socket.Address): socket.Address => (typeof a === 'object' && 'hex' in (a as object) ? Buffer.from((a as unknown as { hex: string }).hex, 'hex') : a);
        using tx = bound(family, dir, 'tx');
        tx.settimeout(SYNC_TIMEOUT);
        const messages: socket.OutgoingDatagram[] = DATAGRAMS.map((d, k) => [d, decode(k < 6 ? to0 : to1)]);
        const sent = sync ? tx.sendmmsgSync(messages) : await bounded(tx.sendmmsg(messages));
        assert.equal(sent, DATAGRAMS.length);
        tx.connectSync(decode(to1));
        const more = DATAGRAMS.slice(0, 4).map((d): socket.OutgoingDatagram => [d.toString('latin1')]);
        assert.equal(sync ? tx.sendmmsgSync(more) : await bounded(tx.sendmmsg(more)), 4);
        const [got0, got1] = await peer.json<[string, unknown][][]>();
        const me = enc(tx.getsockname());
        assert.deepEqual(got0, DATAGRAMS.slice(0, 6).map((d) => [d.toString('hex'), me]));
        assert.deepEqual(got1, [...DATAGRAMS.slice(6), ...DATAGRAMS.slice(0, 4)].map((d) => [d.toString('hex'), me]));
        await peer.done();
      });
    }
  });
}

describe('sendmmsg: a failure after the first datagram gives the partial count, a failure of the first throws', () => {
  for (const sync of [false, true]) {
    test(`sendmmsg${sync ? 'Sync' : ''}: a datagram too big for UDP (EMSGSIZE) second, then first`, async (t) => {
      const dir = tempDir();
      t.after(() => dir.cleanup());
      using rx = bound('udp4', dir);
      using tx = bound('udp4', dir);
      const to = rx.getsockname() as socket.IPv4Address;
      const huge = Buffer.alloc(70_000);
      const call = (messages: socket.OutgoingDatagram<typeof AF_INET>[]): Promise<number> => (sync ? Promise.resolve().then(() => tx.sendmmsgSync(messages)) : tx.sendmmsg(messages));
      assert.equal(await bounded(call([['first', to], [huge, to], ['third', to]])), 1);
      await assert.rejects(bounded(call([[huge, to], ['second', to]])), isErrno('EMSGSIZE', 'sendmmsg'));
      rx.settimeout(0);
      assert.deepEqual(rx.recvmmsgSync(8, 100).map(([data]) => data.toString()), ['first']);
      t.diagnostic('python3 has no sendmmsg: the counts are the kernel\'s own (sendmmsg(2))');
    });
  }

  test('a full Unix datagram queue: sendmmsg sends what fits, in non-blocking mode, and BlockingIOError when nothing fits', () => {
    const [a, b] = unixPair(SOCK_DGRAM);
    using _a = a;
    using _b = b;
    a.settimeout(0);
    b.settimeout(0);
    const batch: socket.OutgoingDatagram[] = Array.from({ length: 1024 }, () => [Buffer.alloc(1024)]);
    let total = 0;
    for (let n = batch.length; n === batch.length; total += n) n = a.sendmmsgSync(batch);
    assert.throws(() => a.sendmmsgSync(batch), isWouldBlock());
    let received = 0;
    for (;;) {
      try {
        received += b.recvmmsgSync(1024, 1024).length;
      } catch (error) {
        assert.ok(isWouldBlock()(error));
        break;
      }
    }
    assert.equal(received, total);
  });
});

describe('recvmmsg waits for the first datagram only, then takes what is queued', () => {
  test('async: a pending recvmmsg(64, …) resolves with the datagram that came, not waiting for 64', async () => {
    const [a, b] = unixPair(SOCK_DGRAM);
    using _a = a;
    using _b = b;
    const pending = a.recvmmsg(64, 100);
    b.sendSync('only one');
    const got = await bounded(pending);
    assert.deepEqual(got.map(([data, address]) => [data.toString(), address]), [['only one', null]]);
  });

  test('timeout mode: TimeoutError when nothing comes; non-blocking mode: BlockingIOError', async () => {
    const [a, b] = unixPair(SOCK_DGRAM);
    using _a = a;
    using _b = b;
    a.settimeout(0.05);
    assert.throws(() => a.recvmmsgSync(4, 10), isTimeout);
    await assert.rejects(bounded(a.recvmmsgInto([Buffer.alloc(4)])), isTimeout);
    a.settimeout(0);
    assert.throws(() => a.recvmmsgSync(4, 10), isWouldBlock());
    await assert.rejects(a.recvmmsg(4, 10), isWouldBlock());
    await assert.rejects(a.recvmmsgInto([Buffer.alloc(1)]), isWouldBlock());
  });

  test('MSG_DONTWAIT on a blocking socket: BlockingIOError at once', () => {
    const [a, b] = unixPair(SOCK_DGRAM);
    using _a = a;
    using _b = b;
    a.settimeout(null);
    assert.throws(() => a.recvmmsgSync(4, 10, socket.MSG_DONTWAIT), isWouldBlock());
  });

  test('blocking mode, Sync: waits in recvmmsg(2) itself and returns with the one datagram python3 sent once it saw the wait', async (t) => {
    using rx = socket.socket(AF_INET, SOCK_DGRAM);
    rx.bind(['127.0.0.1', 0]);
    const peer = new Peer(t, `
      import platform, time
      pid, port = int(sys.argv[1]), int(sys.argv[2])
      recvmmsg = {"x86_64": 299, "aarch64": 243}[platform.machine()]
      deadline = time.monotonic() + 20
      while True:
          with open(f"/proc/{pid}/syscall") as f:
              nr = f.read().split()[0]
          if nr.isdigit() and int(nr) == recvmmsg:
              break
          if time.monotonic() > deadline:
              raise SystemExit("never in recvmmsg")
          time.sleep(0.001)
      socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"one", ("127.0.0.1", port))
    `, [String(process.pid), String(rx.getsockname()[1])]);
    rx.settimeout(null);
    // The peer is another process: this thread may block, and the peer still sends.
    const got = rx.recvmmsgSync(64, 100);
    assert.deepEqual(got.map(([data]) => data.toString()), ['one']);
    await peer.done();
  });
});

test('blocking mode, Sync: a handled signal while recvmmsgSync waits in recvmmsg(2) is waited through (PEP 475), then the datagram comes', async () => {
  // python3 signals the child once its main thread waits in recvmmsg(2), waits
  // until the signal was delivered and the thread waits in recvmmsg(2) again,
  // then sends the datagram.
  const script = `
    const { once } = await import('node:events');
    const socket = await import(${JSON.stringify(import.meta.resolve('berkeley'))});
    const signalled = once(process, 'SIGUSR1');
    const rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    rx.bind(['127.0.0.1', 0]);
    console.log('ready', rx.getsockname()[1]);
    const got = rx.recvmmsgSync(8, 100).map(([data]) => data.toString());
    const alive = setTimeout(() => {}, 10_000);
    await signalled;
    clearTimeout(alive);
    console.log(JSON.stringify(got));`;
  let signaller: Promise<number> | undefined;
  const result = await runNode(script, {
    ms: 20_000,
    onLine: (line, child) => {
      if (!line.startsWith('ready ')) return;
      const peer = new PythonPeer(dedent(`
        import ctypes, platform, signal, socket, sys, time
        pid, port = int(sys.argv[1]), int(sys.argv[2])
        recvmmsg = {"x86_64": 299, "aarch64": 243}[platform.machine()]
        tgkill = {"x86_64": 234, "aarch64": 131}[platform.machine()]
        deadline = time.monotonic() + 10
        def until(condition, what):
            while not condition():
                if time.monotonic() > deadline:
                    raise SystemExit(what)
                time.sleep(0.001)
        def waiting():
            with open(f"/proc/{pid}/syscall") as f:
                nr = f.read().split()[0]
            return nr.isdigit() and int(nr) == recvmmsg
        def delivered():
            with open(f"/proc/{pid}/status") as f:
                pending = next(l for l in f if l.startswith("SigPnd:")).split()[1]
            return not int(pending, 16) & (1 << (signal.SIGUSR1 - 1))
        until(waiting, "never in recvmmsg")
        if ctypes.CDLL(None, use_errno=True).syscall(tgkill, pid, pid, signal.SIGUSR1) != 0:
            raise OSError(ctypes.get_errno(), "tgkill")
        until(delivered, "the signal was never delivered")
        until(waiting, "not waiting in recvmmsg after the signal")
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"after the signal", ("127.0.0.1", port))
      `), [String(child.pid), line.split(' ')[1]!]);
      signaller = peer.exit(20_000);
    },
  });
  assert.equal(await signaller, 0);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim().split('\n').at(-1), '["after the signal"]');
});

describe('addresses', () => {
  test('a Unix datagram from an unbound socket has no address (null); a connected UDP socket still learns its peer\'s', () => {
    const [a, b] = unixPair(SOCK_DGRAM);
    using _a = a;
    using _b = b;
    b.sendmmsgSync([['x'], [Buffer.alloc(0)]]);
    assert.deepEqual(a.recvmmsgSync(4, 8), [[Buffer.from('x'), null], [Buffer.alloc(0), null]]);
    const dir = tempDir();
    try {
      using rx = bound('udp4', dir);
      using tx = bound('udp4', dir);
      rx.connectSync(tx.getsockname());
      rx.settimeout(5);
      tx.sendtoSync('hi', rx.getsockname() as socket.IPv4Address);
      assert.deepEqual(rx.recvmmsgSync(2, 8), [[Buffer.from('hi'), tx.getsockname()]]);
    } finally {
      dir.cleanup();
    }
  });

  for (const sync of [false, true]) {
    test(`a connected peer that is gone: recvmmsg${sync ? 'Sync' : ''} and sendmmsg${sync ? 'Sync' : ''} report its ICMP error (ConnectionRefusedError), as recvfrom does`, async () => {
      const gone = socket.socket(AF_INET, SOCK_DGRAM);
      gone.bind(['127.0.0.1', 0]);
      const address = gone.getsockname();
      gone.close();
      using tx = socket.socket(AF_INET, SOCK_DGRAM);
      tx.settimeout(5);
      tx.connectSync(address);
      const refused = isErrno('ECONNREFUSED');
      tx.sendSync('anyone?');
      if (sync) assert.throws(() => tx.recvmmsgSync(4, 8), (e) => e instanceof socket.ConnectionRefusedError && refused(e));
      else await assert.rejects(bounded(tx.recvmmsg(4, 8)), (e) => e instanceof socket.ConnectionRefusedError && refused(e));
      tx.sendSync('anyone?');
      if (sync) assert.throws(() => tx.sendmmsgSync([['a'], ['b']]), refused);
      else await assert.rejects(bounded(tx.sendmmsg([['a'], ['b']])), refused);
    });
  }

  test('a connected socket\'s batch may mix datagrams without an address (to its peer) and with one', () => {
    using peer = socket.socket(AF_INET, SOCK_DGRAM);
    peer.bind(['127.0.0.1', 0]);
    using other = socket.socket(AF_INET, SOCK_DGRAM);
    other.bind(['127.0.0.1', 0]);
    using tx = socket.socket(AF_INET, SOCK_DGRAM);
    tx.connectSync(peer.getsockname());
    assert.equal(tx.sendmmsgSync([['a'], ['b', other.getsockname()], ['c', null]]), 3);
    peer.settimeout(5);
    other.settimeout(5);
    assert.deepEqual(peer.recvmmsgSync(4, 8).map(([data]) => data.toString()), ['a', 'c']);
    assert.deepEqual(other.recvmmsgSync(4, 8).map(([data]) => data.toString()), ['b']);
  });

  for (const sync of [false, true]) {
    test(`sendmmsg${sync ? 'Sync' : ''}: a host name ('localhost') is looked up once for every datagram naming it`, async () => {
      using rx = socket.socket(AF_INET, SOCK_DGRAM);
      rx.bind(['127.0.0.1', 0]);
      using tx = socket.socket(AF_INET, SOCK_DGRAM);
      const port = (rx.getsockname() as socket.IPv4Address)[1];
      const messages: socket.OutgoingDatagram<typeof AF_INET>[] = [['a', ['localhost', port]], ['b', ['127.0.0.1', port]], ['c', ['localhost', port]]];
      assert.equal(sync ? tx.sendmmsgSync(messages) : await bounded(tx.sendmmsg(messages)), 3);
      rx.settimeout(5);
      const got = await gather(rx, 3, () => rx.recvmmsgSync(4, 8));
      assert.deepEqual(got.map(([data]) => data.toString()), ['a', 'b', 'c']);
    });
  }
});

describe('arguments', () => {
  const [a, b] = unixPair(SOCK_DGRAM);
  const detached = (): Uint8Array => {
    const view = new Uint8Array(8);
    structuredClone(view.buffer, { transfer: [view.buffer] });
    return view;
  };
  const cases: [string, () => unknown, ErrorConstructor, string | undefined][] = [
    ['vlen 0', () => a.recvmmsgSync(0, 8), RangeError, 'vlen'],
    ['vlen 1025 (past UIO_MAXIOV)', () => a.recvmmsgSync(1025, 8), RangeError, 'vlen'],
    ['vlen 1.5', () => a.recvmmsgSync(1.5, 8), RangeError, 'vlen'],
    ['vlen as a string', () => a.recvmmsgSync('4' as unknown as number, 8), TypeError, 'vlen'],
    ['bufsize -1', () => a.recvmmsgSync(4, -1), RangeError, 'bufsize'],
    ['bufsize as a string', () => a.recvmmsgSync(4, '8' as unknown as number), TypeError, 'bufsize'],
    ['vlen × bufsize over 64 MiB', () => a.recvmmsgSync(1024, 65537), RangeError, 'bufsize'],
    ['flags as a string', () => a.recvmmsgSync(4, 8, 'x' as unknown as number), TypeError, 'flags'],
    ['no buffers', () => a.recvmmsgIntoSync([]), RangeError, 'buffers'],
    ['buffers not iterable', () => a.recvmmsgIntoSync(5 as unknown as Buffer[]), TypeError, 'buffers'],
    ['a string among the buffers', () => a.recvmmsgIntoSync([Buffer.alloc(1), 'x' as unknown as Buffer]), TypeError, 'buffers[1]'],
    ['1025 buffers', () => a.recvmmsgIntoSync(new Array(1025).fill(Buffer.alloc(1)) as Buffer[]), RangeError, 'buffers'],
    ['messages not iterable', () => b.sendmmsgSync(5 as unknown as []), TypeError, 'messages'],
    ['a message that is no array', () => b.sendmmsgSync(['x' as unknown as [string]]), TypeError, 'messages[0]'],
    ['a message of three items', () => b.sendmmsgSync([['x', null, 1] as unknown as [string]]), TypeError, 'messages[0]'],
    ['a number as data', () => b.sendmmsgSync([['x'], [5 as unknown as string]]), TypeError, 'messages[1][0]'],
    ['a wrong address for AF_UNIX', () => b.sendmmsgSync([['x', 5 as unknown as string]]), TypeError, 'messages[0][1]'],
    ['1025 messages', () => b.sendmmsgSync(new Array(1025).fill(['x'])), RangeError, 'messages'],
  ];
  for (const [what, call, error, name] of cases) {
    test(`${what}: ${error.name} naming "${name}"`, () => {
      assert.throws(call, isErrorNaming(error, name));
    });
  }

  test('the Promise forms reject (never throw) on bad arguments', async () => {
    await assert.rejects(a.recvmmsg(0, 8), isErrorNaming(RangeError, 'vlen'));
    await assert.rejects(a.recvmmsgInto([]), isErrorNaming(RangeError, 'buffers'));
    await assert.rejects(b.sendmmsg([[5 as unknown as string]]), isErrorNaming(TypeError, 'messages[0][0]'));
  });

  test('detached buffers: refused before the call (recvmmsgInto: no room; sendmmsg: empty), and when detached while the call waits', async () => {
    // A detached view has no bytes: recvmmsgInto takes an empty datagram into it (nbytes 0, MSG_TRUNC).
    b.sendSync('queued');
    const [[nbytes, , flags]] = a.recvmmsgIntoSync([detached()]) as [[number, null, number]];
    assert.deepEqual([nbytes, flags & MSG_TRUNC], [0, MSG_TRUNC]);
    const target = Buffer.alloc(16);
    const pending = a.recvmmsgInto([Buffer.alloc(4), target]);
    structuredClone(target.buffer, { transfer: [target.buffer] });
    b.sendSync('late');
    await assert.rejects(bounded(pending), isErrorNaming(TypeError, undefined, 'ERR_INVALID_ARG_VALUE'));
    // The datagram was not taken: it is still there for the next call.
    a.settimeout(5);
    assert.deepEqual(a.recvmmsgSync(4, 8).map(([data]) => data.toString()), ['late']);
  });

  test('a closed socket: EBADF in both forms', async () => {
    const [c, d] = unixPair(SOCK_DGRAM);
    d.close();
    c.close();
    assert.throws(() => c.recvmmsgSync(1, 1), isErrno('EBADF'));
    assert.throws(() => c.recvmmsgIntoSync([Buffer.alloc(1)]), isErrno('EBADF'));
    assert.throws(() => c.sendmmsgSync([['x']]), isErrno('EBADF'));
    await assert.rejects(c.recvmmsg(1, 1), isErrno('EBADF'));
    await assert.rejects(c.sendmmsg([['x']]), isErrno('EBADF'));
  });

  test('closing the socket while a recvmmsg waits rejects it with EBADF', async () => {
    const [c, d] = unixPair(SOCK_DGRAM);
    using _d = d;
    const pending = c.recvmmsg(4, 8);
    c.close();
    await assert.rejects(bounded(pending), isErrno('EBADF'));
  });

  test.after(() => {
    a.close();
    b.close();
  });
});

test('no fd leaks: a thousand batches each way, then every socket closed', () => {
  const before = openFds();
  const [a, b] = unixPair(SOCK_DGRAM);
  const batch: socket.OutgoingDatagram[] = Array.from({ length: 16 }, (_, k) => [String(k)]);
  const buffers = Array.from({ length: 16 }, () => Buffer.alloc(4));
  for (let k = 0; k < 1000; k++) {
    assert.equal(b.sendmmsgSync(batch), 16);
    assert.equal(k % 2 ? a.recvmmsgSync(16, 4).length : a.recvmmsgIntoSync(buffers).length, 16);
  }
  a.close();
  b.close();
  assert.equal(openFds(), before);
});
