// Cancellation of makefile()'s files: an optional last `{ signal }` on
// every async read and write. An aborted read rejects with an AbortError and
// loses nothing: what had arrived stays buffered for the next read (a line's
// start, half a UTF-8 character, the lines readlines had found). An aborted
// write or flush says in bytesSent how much of its send went out. An
// already-aborted signal rejects at once, without a receive, and buffers
// nothing. A read waiting in its receive is aborted after loopTurns(), one
// waiting for its turn behind another read at once; no sleeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import * as socket from 'berkeley';
import { bounded, bytesSentOnAbort, drain, isAbort, loopTurns, unixPair } from '../support/index.js';

type File = socket.SocketFile;

interface ReadCase {
  name: string;
  mode: string;
  options?: socket.MakefileOptions;
  /** Sent before the read: what it must not lose. */
  before: string | Buffer;
  read: (f: File, signal: AbortSignal) => Promise<unknown>;
  /** Sent after the abort: with before, what the next read gets. */
  after: string | Buffer;
  /** The next read, without a signal, and what it must return. */
  again: (f: File) => Promise<unknown>;
  expected: unknown;
}

const bytes = (f: File) => f as socket.SocketFile<Buffer>;
const text = (f: File) => f as socket.SocketFile<string>;
const into = Buffer.alloc(4);

const reads: ReadCase[] = [
  { name: 'read', mode: 'rb', before: 'ab', read: (f, signal) => f.read(4, { signal }), after: 'cd', again: (f) => f.read(4), expected: Buffer.from('abcd') },
  { name: 'readline', mode: 'rb', before: 'ab', read: (f, signal) => f.readline(-1, { signal }), after: 'c\n', again: (f) => f.readline(), expected: Buffer.from('abc\n') },
  {
    name: 'readlines',
    mode: 'rb',
    before: 'one\ntw',
    read: (f, signal) => f.readlines(-1, { signal }),
    after: 'o\n',
    again: (f) => f.readlines(),
    expected: [Buffer.from('one\n'), Buffer.from('two\n')],
  },
  { name: 'readExactly', mode: 'rb', before: 'ab', read: (f, signal) => f.readExactly(4, { signal }), after: 'cd', again: (f) => f.readExactly(4), expected: Buffer.from('abcd') },
  { name: 'readUntil', mode: 'rb', before: 'ab', read: (f, signal) => bytes(f).readUntil('!', { signal }), after: 'c!', again: (f) => bytes(f).readUntil('!'), expected: Buffer.from('abc!') },
  {
    name: 'readinto',
    mode: 'rb',
    before: 'ab',
    read: (f, signal) => bytes(f).readinto(Buffer.alloc(4), { signal }),
    after: 'cd',
    again: async (f) => [await bytes(f).readinto(into), into.toString()],
    expected: [4, 'abcd'],
  },
  { name: 'readinto1', mode: 'rb', before: '', read: (f, signal) => bytes(f).readinto1(Buffer.alloc(4), { signal }), after: 'xy', again: (f) => bytes(f).readinto1(Buffer.alloc(4)), expected: 2 },
  { name: 'read1', mode: 'rb', before: '', read: (f, signal) => bytes(f).read1(-1, { signal }), after: 'xy', again: (f) => bytes(f).read1(), expected: Buffer.from('xy') },
  { name: 'peek', mode: 'rb', before: '', read: (f, signal) => bytes(f).peek(0, { signal }), after: 'xy', again: (f) => bytes(f).peek(), expected: Buffer.from('xy') },
  {
    name: 'readline, unbuffered',
    mode: 'rb',
    options: { buffering: 0 },
    before: 'ab',
    read: (f, signal) => f.readline(-1, { signal }),
    after: 'c\n',
    again: (f) => f.readline(),
    expected: Buffer.from('abc\n'),
  },
  {
    name: 'readline, text, half a UTF-8 character',
    mode: 'r',
    before: Buffer.from([0x61, 0xc3]),
    read: (f, signal) => f.readline(-1, { signal }),
    after: Buffer.from([0xa9, 0x0a]),
    again: (f) => f.readline(),
    expected: 'aé\n',
  },
  { name: 'read, text', mode: 'r', before: 'ab', read: (f, signal) => f.read(3, { signal }), after: 'c', again: (f) => f.read(3), expected: 'abc' },
  { name: 'readUntil, text', mode: 'r', before: 'a\r', read: (f, signal) => text(f).readUntil('\r\n', { signal }), after: '\nb', again: (f) => text(f).readUntil('b'), expected: 'a\nb' },
];

for (const c of reads) {
  test(`${c.name}: an abort while it waits rejects with AbortError and keeps what had arrived`, async () => {
    const [a, b] = unixPair();
    using _b = b;
    const f = a.makefile(c.mode, c.options);
    a.close();
    b.sendallSync(c.before);
    const controller = new AbortController();
    const reason = new Error('enough');
    const waiting = c.read(f, controller.signal);
    await loopTurns(2); // in its receive
    controller.abort(reason);
    await assert.rejects(bounded(waiting), isAbort(reason));
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    b.sendallSync(c.after);
    if (c.name === 'readlines') b.shutdown(socket.SHUT_WR);
    assert.deepEqual(await bounded(c.again(f)), c.expected);
    await f.close();
  });

  test(`${c.name}: an already-aborted signal rejects at once, with no receive, and the data stays`, async () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    let receives = 0;
    const counting = {
      recvInto: (buffer: Uint8Array) => (receives++, a.recvInto(buffer)),
      sendall: (data: Uint8Array) => a.sendall(data),
      fileno: () => a.fileno(),
    };
    const f = new socket.SocketFile(counting, c.mode, c.options);
    b.sendallSync(c.before);
    b.sendallSync(c.after);
    if (c.name === 'readlines') b.shutdown(socket.SHUT_WR);
    const reason = new Error('before');
    await assert.rejects(c.read(f, AbortSignal.abort(reason)), isAbort(reason));
    assert.equal(receives, 0);
    assert.deepEqual(await bounded(c.again(f)), c.expected);
  });
}

test('a read aborted while it waits for its turn rejects at once; the reads before and after it get their data', async () => {
  const [a, b] = unixPair();
  using _a = a;
  using _b = b;
  const f = a.makefile('rb');
  const first = f.readline();
  const controller = new AbortController();
  const second = f.read(3, { signal: controller.signal });
  const third = f.read(3);
  controller.abort();
  await assert.rejects(bounded(second), { name: 'AbortError' });
  b.sendallSync('line\nabc');
  assert.equal((await bounded(first)).toString(), 'line\n');
  assert.equal((await bounded(third)).toString(), 'abc');
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});

test('after an aborted read the Sync reads run, and a signal that never aborts changes nothing', async () => {
  const [a, b] = unixPair();
  using _a = a;
  using _b = b;
  const f = a.makefile('r');
  const controller = new AbortController();
  const waiting = f.readline(-1, { signal: controller.signal });
  await loopTurns(2);
  controller.abort();
  await assert.rejects(bounded(waiting), { name: 'AbortError' });
  b.sendallSync('one\ntwo\n');
  assert.equal(f.readlineSync(), 'one\n');
  const live = new AbortController().signal;
  assert.equal(await bounded(f.readline(-1, { signal: live })), 'two\n');
  assert.equal(getEventListeners(live, 'abort').length, 0);
});

/** A unix pair whose sender a has a small send buffer, so a large send waits. */
function slowPair(): [socket.Socket, socket.Socket] {
  const [a, b] = unixPair();
  a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
  return [a, b];
}

test('write: an abort while it sends says in bytesSent how much went out, exactly what arrives; the file writes on', async () => {
  const [a, b] = slowPair();
  using _a = a;
  using _b = b;
  const f = a.makefile('wb');
  await f.write('head'); // buffered: sent first, and counted
  const controller = new AbortController();
  const writing = f.write(Buffer.alloc(4 << 20, 1), { signal: controller.signal });
  await loopTurns(2);
  controller.abort();
  const sent = await bytesSentOnAbort(writing);
  assert.ok(sent > 4 && sent < 4 + (4 << 20), `bytesSent ${sent}`);
  assert.equal(drain(b), sent);
  await bounded(f.write('tail'));
  await bounded(f.flush());
  assert.equal(b.recvSync(16).toString(), 'tail');
  await f.close();
});

test('flush: an abort says how many of the buffered bytes went out', async () => {
  const [a, b] = slowPair();
  using _a = a;
  using _b = b;
  const f = a.makefile('wb', { buffering: 2 << 20 });
  await f.write(Buffer.alloc(1 << 20, 2));
  assert.equal(drain(b), 0, 'buffered, not sent');
  const controller = new AbortController();
  const flushing = f.flush({ signal: controller.signal });
  await loopTurns(2);
  controller.abort();
  const sent = await bytesSentOnAbort(flushing);
  assert.ok(sent > 0 && sent < 1 << 20, `bytesSent ${sent}`);
  assert.equal(drain(b), sent);
  // The rest was dropped: the buffer is empty.
  await bounded(f.flush());
  assert.equal(drain(b), 0);
});

test('writelines: an abort counts every byte the call sent, over all its lines', async () => {
  const [a, b] = slowPair();
  using _a = a;
  using _b = b;
  const f = a.makefile('wb', { buffering: 16 });
  const lines = Array.from({ length: 64 }, (_, k) => Buffer.alloc(64 << 10, k));
  const controller = new AbortController();
  const writing = f.writelines(lines, { signal: controller.signal });
  await loopTurns(2);
  controller.abort();
  const sent = await bytesSentOnAbort(writing);
  assert.ok(sent > 0 && sent < 64 * (64 << 10), `bytesSent ${sent}`);
  assert.equal(drain(b), sent);
});

test('a flush waiting only for earlier sends: an abort rejects it at once (bytesSent 0) and the earlier send goes on', async () => {
  const [a, b] = slowPair();
  using _a = a;
  using _b = b;
  const f = a.makefile('wb');
  const big = f.write(Buffer.alloc(1 << 20, 3));
  const controller = new AbortController();
  const flushing = f.flush({ signal: controller.signal });
  controller.abort();
  assert.equal(await bytesSentOnAbort(flushing), 0);
  let received = 0;
  while (received < 1 << 20) received += (await bounded(b.recv(1 << 16))).length;
  assert.equal(await bounded(big), 1 << 20);
});

test('write, writelines and flush with an already-aborted signal reject at once and buffer nothing', async () => {
  const [a, b] = unixPair();
  using _a = a;
  using _b = b;
  const f = a.makefile('w');
  const reason = new Error('before');
  await assert.rejects(f.write('dropped', { signal: AbortSignal.abort(reason) }), isAbort(reason, 0));
  await assert.rejects(f.writelines(['dropped'], { signal: AbortSignal.abort(reason) }), isAbort(reason, 0));
  await assert.rejects(f.writelines([], { signal: AbortSignal.abort(reason) }), isAbort(reason, 0));
  await f.write('kept');
  await assert.rejects(f.flush({ signal: AbortSignal.abort(reason) }), isAbort(reason, 0));
  assert.equal(drain(b), 0);
  await bounded(f.flush());
  assert.equal(b.recvSync(16).toString(), 'kept');
});

test('options that are not an object, or a signal that is not an AbortSignal, are a TypeError naming them', async () => {
  const [a, b] = unixPair();
  using _a = a;
  using _b = b;
  const f = a.makefile('rwb');
  const bad = 5 as unknown as socket.WaitOptions;
  const notSignal = { signal: 'soon' } as unknown as socket.WaitOptions;
  await assert.rejects(f.read(1, bad), { name: 'TypeError', message: /"options"/ });
  await assert.rejects(f.readline(-1, notSignal), { name: 'TypeError', message: /options\.signal/ });
  await assert.rejects(f.readinto(Buffer.alloc(1), notSignal), { name: 'TypeError', message: /options\.signal/ });
  await assert.rejects(f.write('x', notSignal), { name: 'TypeError', message: /options\.signal/ });
  await assert.rejects(f.flush(bad), { name: 'TypeError', message: /"options"/ });
  await f.flush();
  assert.equal(drain(b), 0, 'the refused write buffered nothing');
});
