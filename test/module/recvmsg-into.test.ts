// recvmsgInto (Python's recvmsg_into): the same messages received by
// python3's recvmsg_into and by berkeley, compared value for value (bytes
// scattered, nbytes, ancillary data, MSG_TRUNC/MSG_CTRUNC); a python3 peer
// passing a file with SCM_RIGHTS; the socket's modes; bad arguments and a
// closed socket.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import * as socket from 'berkeley';
import { assertEBADF, assertRejectsEBADF, bounded, isErrorNaming, isWouldBlock, openFds, Peer, pythonJson, tempDir, unixPair } from '../support/index.js';

const { SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SCM_RIGHTS, MSG_TRUNC, MSG_CTRUNC, MSG_PEEK } = socket;
const O_CLOEXEC = 0o2000000;

/** One message received both ways: what is sent, then the receive's arguments. */
interface Case {
  type: number;
  data: string;
  /** How many fds go with the data (SCM_RIGHTS), each the sender's own socket. */
  fds: number;
  sizes: number[];
  ancbufsize: number;
  flags: number;
}

/** `[nbytes, [level, type, bytes of data][], msgFlags, each buffer as hex]`: what both sides print. */
type Outcome = [number, [number, number, number][], number, string[]];

const space = (fds: number): number => socket.CMSG_SPACE(4 * fds);
const CASES: Case[] = [
  { type: SOCK_DGRAM, data: 'hello world', fds: 0, sizes: [3, 4], ancbufsize: 0, flags: 0 },
  { type: SOCK_DGRAM, data: 'hello', fds: 0, sizes: [0, 2, 0, 10], ancbufsize: 0, flags: 0 },
  { type: SOCK_DGRAM, data: 'abc', fds: 0, sizes: [], ancbufsize: 0, flags: 0 },
  { type: SOCK_DGRAM, data: '', fds: 0, sizes: [4, 4], ancbufsize: 64, flags: 0 },
  { type: SOCK_DGRAM, data: 'peek', fds: 0, sizes: [3], ancbufsize: 0, flags: MSG_PEEK },
  { type: SOCK_DGRAM, data: 'truncated', fds: 0, sizes: [2, 2], ancbufsize: 0, flags: MSG_TRUNC },
  { type: SOCK_DGRAM, data: 'fds', fds: 2, sizes: [8], ancbufsize: space(2), flags: 0 },
  { type: SOCK_DGRAM, data: 'fds', fds: 3, sizes: [8], ancbufsize: space(1), flags: 0 },
  { type: SOCK_DGRAM, data: 'fds', fds: 2, sizes: [8], ancbufsize: socket.CMSG_LEN(4), flags: 0 },
  { type: SOCK_DGRAM, data: 'fds', fds: 1, sizes: [8], ancbufsize: 0, flags: 0 },
  { type: SOCK_STREAM, data: 'abcdef', fds: 0, sizes: [2, 2], ancbufsize: 0, flags: 0 },
  { type: SOCK_STREAM, data: 'stream fds', fds: 2, sizes: [6, 6], ancbufsize: space(2) + 16, flags: 0 },
];

/** python3 receiving each case with recvmsg_into: the Outcomes, as JSON. */
const python = (cases: Case[]): string => `
import array, json, os, socket
results = []
for c in json.loads(${JSON.stringify(JSON.stringify(cases))}):
    a, b = socket.socketpair(socket.AF_UNIX, c["type"])
    anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [a.fileno()] * c["fds"]))] if c["fds"] else []
    a.sendmsg([c["data"].encode()], anc)
    buffers = [bytearray(n) for n in c["sizes"]]
    nbytes, ancdata, flags, address = b.recvmsg_into(buffers, c["ancbufsize"], c["flags"])
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            for fd in array.array("i", data[: len(data) - len(data) % 4]):
                os.close(fd)
    results.append([nbytes, [[l, k, len(d)] for l, k, d in ancdata], flags, [x.hex() for x in buffers]])
    a.close()
    b.close()
print(json.dumps(results))
`;

/** The fds an ancillary list carries (SCM_RIGHTS). */
function fdsIn(ancdata: socket.Ancillary[]): number[] {
  const fds: number[] = [];
  for (const [level, type, data] of ancdata) {
    if (level === SOL_SOCKET && type === SCM_RIGHTS) for (let k = 0; k + 4 <= data.length; k += 4) fds.push(data.readInt32LE(k));
  }
  return fds;
}

/** Buffers of these sizes, of varied view types over zeroed memory. */
function views(sizes: number[]): ArrayBufferView[] {
  return sizes.map((n, k) => [Buffer.alloc(n), new Uint8Array(n), new DataView(new ArrayBuffer(n + 3), 3)][k % 3]!);
}

const hex = (view: ArrayBufferView): string => Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('hex');

async function receive(c: Case, sync: boolean): Promise<Outcome> {
  const [a, b] = unixPair(c.type);
  using _a = a;
  using _b = b;
  const ancdata: [number, number, Int32Array][] = c.fds ? [[SOL_SOCKET, SCM_RIGHTS, new Int32Array(c.fds).fill(a.fileno())]] : [];
  a.sendmsgSync([c.data], ancdata);
  const buffers = views(c.sizes);
  const [nbytes, received, flags, address] = sync ? b.recvmsgIntoSync(buffers, c.ancbufsize, c.flags) : await bounded(b.recvmsgInto(buffers, c.ancbufsize, c.flags));
  for (const fd of fdsIn(received)) closeSync(fd);
  assert.equal(address, null);
  return [nbytes, received.map(([level, type, data]) => [level, type, data.length]), flags, buffers.map(hex)];
}

describe('recvmsgInto against python3 recvmsg_into', () => {
  const expected = pythonJson(python(CASES)) as Outcome[];
  for (const [k, c] of CASES.entries()) {
    for (const sync of [false, true]) {
      test(`${sync ? 'recvmsgIntoSync' : 'recvmsgInto'}: ${c.type === SOCK_STREAM ? 'stream' : 'datagram'} ${JSON.stringify(c.data)}, ${c.fds} fds into [${c.sizes.join(', ')}], ancbufsize ${c.ancbufsize}, flags ${c.flags}`, async () => {
        const before = openFds();
        assert.deepEqual(await receive(c, sync), expected[k]);
        assert.equal(openFds(), before);
      });
    }
  }

  test('the cases cover MSG_TRUNC and MSG_CTRUNC as python3 reports them', () => {
    assert.ok(expected.some(([, , flags]) => flags & MSG_TRUNC));
    assert.ok(expected.some(([, , flags]) => flags & MSG_CTRUNC));
  });
});

test('a python3 peer passes a file with SCM_RIGHTS to a bound Unix datagram socket: scattered data, a close-on-exec fd, the address', async (t) => {
  const dir = tempDir();
  t.after(() => dir.cleanup());
  writeFileSync(dir.path('file'), 'the file python opened');
  using rx = socket.socket(socket.AF_UNIX, SOCK_DGRAM);
  rx.bind(dir.path('rx'));
  const peer = new Peer(t, `
    import array
    tx, file, rx = sys.argv[1:4]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(tx)
    f = open(file, "rb")
    s.sendmsg([b"from ", b"python3"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [f.fileno()]))], 0, rx)
    out("sent")
  `, [dir.path('tx'), dir.path('file'), dir.path('rx')]);
  assert.equal(await peer.json(), 'sent');
  const head = Buffer.alloc(5);
  const tail = new Uint8Array(16);
  const [nbytes, ancdata, msgFlags, address] = await bounded(rx.recvmsgInto([head, tail], socket.CMSG_SPACE(4)));
  assert.equal(nbytes, 12);
  assert.equal(head.toString(), 'from ');
  assert.equal(Buffer.from(tail.subarray(0, 7)).toString(), 'python3');
  assert.equal(msgFlags & (MSG_TRUNC | MSG_CTRUNC), 0);
  assert.equal(address, dir.path('tx'));
  const [fd] = fdsIn(ancdata);
  assert.deepEqual(ancdata.map(([level, type, data]) => [level, type, data.length]), [[SOL_SOCKET, SCM_RIGHTS, 4]]);
  try {
    const flags = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').match(/^flags:\s+(\d+)/m)![1]!;
    assert.ok(parseInt(flags, 8) & O_CLOEXEC, 'the received fd is close-on-exec');
    const out = Buffer.alloc(64);
    assert.equal(out.subarray(0, readSync(fd, out, 0, 64, 0)).toString(), 'the file python opened');
  } finally {
    closeSync(fd);
  }
  await peer.done();
});

describe('recvmsgInto: modes and waiting', () => {
  test('waits for a message (async); MSG_DONTWAIT on a blocking socket and a non-blocking socket are BlockingIOError', async () => {
    const [a, b] = unixPair(SOCK_DGRAM);
    using _a = a;
    using _b = b;
    const into = Buffer.alloc(8);
    const waiting = b.recvmsgInto([into]);
    a.sendSync('late');
    assert.deepEqual(await bounded(waiting), [4, [], 0, null]);
    assert.equal(into.subarray(0, 4).toString(), 'late');
    b.settimeout(null);
    assert.throws(() => b.recvmsgIntoSync([into], 0, socket.MSG_DONTWAIT), isWouldBlock());
    b.setblocking(false);
    assert.throws(() => b.recvmsgIntoSync([into]), isWouldBlock());
    await assert.rejects(b.recvmsgInto([into]), isWouldBlock());
  });

  test('concurrent receives are served in call order', async () => {
    const [a, b] = unixPair(SOCK_DGRAM);
    using _a = a;
    using _b = b;
    const first = Buffer.alloc(8);
    const second = Buffer.alloc(8);
    const results = Promise.all([b.recvmsgInto([first]), b.recvmsgInto([second])]);
    a.sendSync('one');
    a.sendSync('two');
    assert.deepEqual((await bounded(results)).map(([n]) => n), [3, 3]);
    assert.deepEqual([first.subarray(0, 3).toString(), second.subarray(0, 3).toString()], ['one', 'two']);
  });
});

describe('recvmsgInto: bad arguments and a closed socket', () => {
  const bad: [string, unknown[], new (...args: never[]) => Error, string][] = [
    ['not iterable', [5], TypeError, 'buffers'],
    ['null', [null], TypeError, 'buffers'],
    ['a string', ['text'], TypeError, 'buffers'],
    ['a string in the list', [[Buffer.alloc(1), 'x']], TypeError, 'buffers[1]'],
    ['an ArrayBuffer', [[new ArrayBuffer(4)]], TypeError, 'buffers[0]'],
    ['a number in the list', [[1]], TypeError, 'buffers[0]'],
    ['more buffers than IOV_MAX', [new Array(4096).fill(Buffer.alloc(1))], RangeError, 'buffers'],
    ['a negative ancbufsize', [[Buffer.alloc(1)], -1], RangeError, 'ancbufsize'],
    ['a fractional ancbufsize', [[Buffer.alloc(1)], 1.5], RangeError, 'ancbufsize'],
    ['a string ancbufsize', [[Buffer.alloc(1)], '8'], TypeError, 'ancbufsize'],
    ['string flags', [[Buffer.alloc(1)], 0, 'x'], TypeError, 'flags'],
    ['a bad signal', [[Buffer.alloc(1)], 0, 0, { signal: 'no' }], TypeError, 'options.signal'],
  ];
  for (const [what, args, error, arg] of bad) {
    test(`${what}: ${error.name} naming ${arg}; the async form rejects; nothing is consumed`, async () => {
      const [a, b] = unixPair(SOCK_DGRAM);
      using _a = a;
      using _b = b;
      a.sendSync('kept');
      const call = (sync: boolean): unknown => (b as unknown as Record<string, (...x: unknown[]) => unknown>)[sync ? 'recvmsgIntoSync' : 'recvmsgInto']!(...args);
      if (arg !== 'options.signal') assert.throws(() => call(true), isErrorNaming(error, arg));
      let promise: unknown;
      assert.doesNotThrow(() => (promise = call(false)));
      await assert.rejects(promise as Promise<unknown>, isErrorNaming(error, arg));
      assert.equal(b.recvSync(8).toString(), 'kept');
    });
  }

  test('a closed socket is EBADF in both forms', async () => {
    const [a, b] = unixPair(SOCK_DGRAM);
    a.close();
    b.close();
    assertEBADF(() => b.recvmsgIntoSync([Buffer.alloc(1)]));
    await assertRejectsEBADF(b.recvmsgInto([Buffer.alloc(1)]));
  });

  test('closing the socket while recvmsgInto waits rejects it with EBADF', async () => {
    const [a, b] = unixPair(SOCK_DGRAM);
    using _a = a;
    const waiting = b.recvmsgInto([Buffer.alloc(1)]);
    b.close();
    await assertRejectsEBADF(bounded(waiting));
  });
});
