// makefile(): SocketFile's reads, writes, modes, text decoding and newlines,
// the Sync forms, timeouts, Python's reference rule, O(n) buffering, and a
// python3 peer speaking a line protocol through its own makefile().
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as socket from 'berkeley';
import { bounded, PythonPeer, recvExactly, runNode, tcpPair } from '../support/index.js';

/** A connected AF_UNIX pair: [a, b]; close both. */
const pair = (): [socket.Socket, socket.Socket] => socket.socketpair();

/** Sends data from b, then EOF. */
async function feed(b: socket.Socket, data: string | Buffer): Promise<void> {
  await b.sendall(data);
  b.shutdown(socket.SHUT_WR);
}

/**
 * A FileSocket over a real socket whose receives return at most `cap`
 * bytes each (1: a stream of 1-byte segments), counting the receives.
 */
function capped(s: socket.Socket, cap: number) {
  const wrapper = {
    calls: 0,
    recvInto: (b: Uint8Array) => (wrapper.calls++, s.recvInto(b, Math.min(cap, b.length))),
    recvIntoSync: (b: Uint8Array) => (wrapper.calls++, s.recvIntoSync(b, Math.min(cap, b.length))),
    sendall: (d: Uint8Array) => s.sendall(d),
    fileno: () => s.fileno(),
  };
  return wrapper;
}

/** An in-memory FileSocket delivering `data` as fast as the file's buffer takes it (one segment), counting receives. */
function memory(data: Buffer) {
  let at = 0;
  const source = {
    calls: 0,
    recvInto(b: Uint8Array): Promise<number> {
      source.calls++;
      const n = Math.min(b.length, data.length - at);
      b.set(data.subarray(at, at + n));
      at += n;
      return Promise.resolve(n);
    },
    sendall: () => Promise.resolve(),
    fileno: () => -1,
  };
  return source;
}

const fdOpen = (fd: number): boolean => existsSync(`/proc/self/fd/${fd}`);

describe('binary modes', () => {
  test('read(-1), read(n), readline, readline(limit), readlines and EOF', async () => {
    const [a, b] = pair();
    using _b = b;
    const f = a.makefile('rb');
    a.close();
    assert.equal(f.mode, 'rb');
    await feed(b, 'one\ntwo\nthree\nfour\nfive');
    assert.deepEqual(await bounded(f.read(2)), Buffer.from('on'));
    assert.deepEqual(await bounded(f.readline()), Buffer.from('e\n'));
    assert.deepEqual(await bounded(f.readline(2)), Buffer.from('tw'));
    assert.deepEqual(await bounded(f.readline(10)), Buffer.from('o\n'));
    assert.deepEqual(await bounded(f.readline(0)), Buffer.alloc(0));
    assert.deepEqual(await bounded(f.readlines(3)), [Buffer.from('three\n')]);
    assert.deepEqual(await bounded(f.readlines()), [Buffer.from('four\n'), Buffer.from('five')]);
    assert.deepEqual(await bounded(f.readline()), Buffer.alloc(0));
    assert.deepEqual(await bounded(f.read()), Buffer.alloc(0));
    assert.deepEqual(await bounded(f.read(5)), Buffer.alloc(0));
    await f.close();
    assert.equal(f.closed, true);
    assert.equal(a.fileno(), -1);
  });

  test('read(n) waits for n bytes across segments; read() to EOF', async () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    await using f = a.makefile('rb');
    const reading = f.read(10);
    await b.sendall('12345');
    await b.sendall('67');
    await b.sendall('890abc');
    assert.deepEqual(await bounded(reading), Buffer.from('1234567890'));
    const data = randomBytes(3 << 20);
    const rest = f.read();
    await feed(b, data);
    assert.deepEqual(await bounded(rest, 10000), Buffer.concat([Buffer.from('abc'), data]));
  });

  test('readExactly: n bytes, or IncompleteReadError carrying the partial data', async () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    await using f = a.makefile('rb');
    await feed(b, 'abcdefgh');
    assert.deepEqual(await bounded(f.readExactly(3)), Buffer.from('abc'));
    assert.deepEqual(await bounded(f.readExactly(0)), Buffer.alloc(0));
    const error = await bounded(f.readExactly(10)).then(() => assert.fail('resolved'), (e: unknown) => e);
    assert.ok(error instanceof socket.IncompleteReadError);
    assert.deepEqual(error.partial, Buffer.from('defgh'));
    assert.equal(error.expected, 10);
    assert.equal(error.name, 'IncompleteReadError');
  });

  test('readUntil: up to and including the separator, across segments; IncompleteReadError at EOF', async () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    await using f = a.makefile('rb');
    const first = f.readUntil('\r\n\r\n');
    await b.sendall('HTTP/1.0 200 OK\r\nA: b\r');
    await b.sendall('\n');
    await b.sendall('\r\nbody--');
    assert.deepEqual(await bounded(first), Buffer.from('HTTP/1.0 200 OK\r\nA: b\r\n\r\n'));
    assert.deepEqual(await bounded(f.readUntil(Buffer.from('--'))), Buffer.from('body--'));
    await feed(b, 'tail');
    await assert.rejects(bounded(f.readUntil('X')), (e: unknown) => e instanceof socket.IncompleteReadError && e.expected === null && (e.partial as string | Buffer).toString() === 'tail');
    await assert.rejects(f.readUntil(''), RangeError);
  });

  test('write buffers until flush, a full buffer or close; writelines; large writes pass through whole', async () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    const f = a.makefile('wb', { buffering: 16 });
    assert.equal(await f.write('abc'), 3);
    assert.equal(await f.write(new Uint16Array([0x6564])), 2); // any ArrayBufferView: 'de'
    b.setblocking(false);
    assert.throws(() => b.recvSync(10), socket.BlockingIOError); // still buffered
    b.setblocking(true);
    await f.flush();
    assert.equal((await bounded(b.recv(10))).toString(), 'abcde');
    await f.writelines(['x', Buffer.from('y'), 'z']);
    const big = randomBytes(1 << 20);
    const writing = f.write(big);
    const received = recvExactly(b, 3 + big.length);
    assert.equal(await bounded(writing), big.length);
    assert.deepEqual(await received, Buffer.concat([Buffer.from('xyz'), big]));
    await f.write('last');
    await f.close();
    assert.equal((await bounded(b.recv(10))).toString(), 'last');
  });

  test('unbuffered (buffering 0): readline reads no further than the line; writes go out at once', async () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    await using r = a.makefile('rb', { buffering: 0 });
    await using w = a.makefile('wb', { buffering: 0 });
    await b.sendall('line\nrest');
    assert.deepEqual(await bounded(r.readline()), Buffer.from('line\n'));
    assert.equal((await bounded(a.recv(10))).toString(), 'rest');
    await w.write('now');
    assert.equal((await bounded(b.recv(10))).toString(), 'now');
  });

  test('concurrent reads are served in call order', async () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    await using f = a.makefile('rb');
    const reads = [f.readline(), f.read(3), f.readExactly(2), f.readline()];
    await b.sendall('first\n');
    await b.sendall('abcde');
    await feed(b, 'second\n');
    assert.deepEqual((await bounded(Promise.all(reads))).map(String), ['first\n', 'abc', 'de', 'second\n']);
  });
});

describe('text modes', () => {
  test('UTF-8 by default, decoded across segment boundaries', async () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    await using f = a.makefile('r');
    const text = 'héllo wörld ✓ 🐍\nsecond ✓\n';
    const bytes = Buffer.from(text);
    const reading = f.readlines();
    for (let i = 0; i < bytes.length; i++) await b.sendall(bytes.subarray(i, i + 1));
    b.shutdown(socket.SHUT_WR);
    assert.deepEqual(await bounded(reading), ['héllo wörld ✓ 🐍\n', 'second ✓\n']);
  });

  test('read(n) counts characters; readExactly/readUntil in text', async () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    await using f = a.makefile('r');
    await feed(b, 'ñañaña;end');
    assert.equal(await bounded(f.read(3)), 'ñañ');
    assert.equal(await bounded(f.readExactly(2)), 'añ');
    assert.equal(await bounded(f.readUntil(';')), 'a;');
    await assert.rejects(bounded(f.readExactly(5)), (e: unknown) => e instanceof socket.IncompleteReadError && e.partial === 'end');
  });

  test('newline modes read as Python\'s TextIOWrapper', async () => {
    const input = 'a\nb\r\nc\rd\r\n\re';
    const expected: [string | null, string[]][] = [
      [null, ['a\n', 'b\n', 'c\n', 'd\n', '\n', 'e']],
      ['', ['a\n', 'b\r\n', 'c\r', 'd\r\n', '\r', 'e']],
      ['\n', ['a\n', 'b\r\n', 'c\rd\r\n', '\re']],
      ['\r', ['a\nb\r', '\nc\r', 'd\r', '\n\r', 'e']],
      ['\r\n', ['a\nb\r\n', 'c\rd\r\n', '\re']],
    ];
    for (const [newline, lines] of expected) {
      const [a, b] = pair();
      using _a = a;
      using _b = b;
      await using f = a.makefile('r', { newline });
      // One character per segment: every '\r' arrives before what follows it.
      const reading = f.readlines();
      for (const c of input) await b.sendall(c);
      b.shutdown(socket.SHUT_WR);
      assert.deepEqual(await bounded(reading), lines, `newline ${JSON.stringify(newline)}`);
    }
  });

  test('newline on write: \\n becomes \\r\\n or \\r; encodings; write counts characters', async () => {
    const cases: [string, socket.MakefileOptions, Buffer][] = [
      ['a\nb', {}, Buffer.from('a\nb')],
      ['a\nb', { newline: '\r\n' }, Buffer.from('a\r\nb')],
      ['a\nb', { newline: '\r' }, Buffer.from('a\rb')],
      ['é✓', { encoding: 'utf-16-le' }, Buffer.from('é✓', 'utf16le')],
      ['é', { encoding: 'latin-1' }, Buffer.from([0xe9])],
    ];
    for (const [text, options, bytes] of cases) {
      const [a, b] = pair();
      using _a = a;
      using _b = b;
      const f = a.makefile('w', options);
      assert.equal(await f.write(text), text.length);
      await f.close();
      a.close();
      assert.deepEqual(await recvExactly(b, Infinity), bytes, JSON.stringify(options));
    }
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    await using f = a.makefile('r', { encoding: 'utf16le' });
    await feed(b, Buffer.from('ä\nö', 'utf16le'));
    assert.deepEqual(await bounded(f.readlines()), ['ä\n', 'ö']);
    const [c, d] = pair();
    using _c = c;
    using _d = d;
    await using g = c.makefile('r', { errors: 'replace' });
    await feed(d, Buffer.from('ä\nö').subarray(0, 4));
    assert.deepEqual(await bounded(g.readlines()), ['ä\n', '\ufffd']); // a character cut by EOF
    const [e, h] = pair();
    using _e = e;
    using _h = h;
    await using strict = e.makefile('r');
    await feed(h, Buffer.from('ä\nö').subarray(0, 4));
    assert.equal(await bounded(strict.readline()), 'ä\n');
    await assert.rejects(bounded(strict.readline()), (err: NodeJS.ErrnoException) => err instanceof TypeError && err.code === 'ERR_ENCODING_INVALID_ENCODED_DATA');
  });

  test('async and Sync iteration over lines', async () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    await using f = a.makefile('r');
    await feed(b, 'x\ny\nz');
    const lines: string[] = [];
    for await (const line of f) lines.push(line);
    assert.deepEqual(lines, ['x\n', 'y\n', 'z']);
    const [c, d] = pair();
    using _c = c;
    using _d = d;
    using g = c.makefile('rb');
    await feed(d, '1\n2\n');
    c.settimeout(5);
    assert.deepEqual([...g].map(String), ['1\n', '2\n']);
  });
});

describe('Sync forms', () => {
  test('readSync, readlineSync, readlinesSync, readExactlySync, readUntilSync, writeSync, writelinesSync, flushSync, closeSync', () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    a.settimeout(5);
    b.settimeout(5);
    const f = a.makefile('rwb');
    b.sendallSync('head:12345\nline\nab');
    b.shutdown(socket.SHUT_WR);
    assert.deepEqual(f.readUntilSync(':'), Buffer.from('head:'));
    assert.deepEqual(f.readExactlySync(5), Buffer.from('12345'));
    assert.deepEqual(f.readlineSync(), Buffer.from('\n'));
    assert.deepEqual(f.readlinesSync(), [Buffer.from('line\n'), Buffer.from('ab')]);
    assert.deepEqual(f.readSync(), Buffer.alloc(0));
    assert.throws(() => f.readExactlySync(1), socket.IncompleteReadError);
    assert.equal(f.writeSync('x'), 1);
    f.writelinesSync(['y', 'z']);
    f.flushSync();
    assert.equal(b.recvSync(10).toString(), 'xyz');
    f.writeSync('end');
    f.closeSync();
    f.closeSync();
    assert.equal(b.recvSync(10).toString(), 'end');
  });

  test('a Sync read refuses to run while async reads are pending; a socket without Sync calls refuses them', async () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    await using f = a.makefile('rb');
    const pending = f.readline();
    assert.throws(() => f.readlineSync(), /pending/);
    await feed(b, 'ok\n');
    assert.deepEqual(await bounded(pending), Buffer.from('ok\n'));
    const asyncOnly = new socket.SocketFile(memory(Buffer.from('x')), 'rb');
    assert.throws(() => asyncOnly.readSync(), TypeError);
  });
});

describe('errors', () => {
  test('close() left unawaited when the final flush fails does not end the process (an awaiting caller gets the error)', async () => {
    const { code, stdout, stderr } = await runNode(`
      import * as socket from 'berkeley';
      const [a, b] = socket.socketpair();
      b.close();
      const f = a.makefile('wb', { buffering: 4096 });
      await f.write('x'.repeat(100));
      f.close(); // as Python code often does: not awaited
      const g = a.makefile('wb', { buffering: 4096 });
      await g.write('y');
      console.log(await g.close().then(() => 'no error', (e) => e.code));
      a.close();
    `);
    assert.equal(code, 0, stderr);
    assert.equal(stdout.trim(), 'EPIPE');
  });

  test('argument checks', () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    for (const mode of ['', 'b', 'x', 'rr', 'rt', 'r+']) assert.throws(() => a.makefile(mode), RangeError, mode);
    assert.throws(() => a.makefile(1 as unknown as 'r'), TypeError);
    assert.throws(() => a.makefile('r', { buffering: 0 }), RangeError);
    assert.throws(() => a.makefile('r', { encoding: 'klingon' }), RangeError);
    assert.throws(() => a.makefile('r', { newline: 'x' }), RangeError);
    assert.throws(() => a.makefile('r', { buffering: 1.5 }), RangeError);
    for (const mode of ['wr', 'br', 'wrb'] as const) a.makefile(mode).closeSync();
    using f = a.makefile('wbr');
    assert.equal(f.mode, 'rwb');
  });

  test('wrong direction, wrong data type, closed file', async () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    const r = a.makefile('r');
    const w = a.makefile('w');
    await assert.rejects(w.read(), (e: unknown) => e instanceof socket.SocketError && e.code === 'EBADF' && /not open for reading/.test(e.message));
    await assert.rejects(r.write('x'), (e: unknown) => e instanceof socket.SocketError && /not open for writing/.test(e.message));
    await assert.rejects(w.write(Buffer.from('x') as unknown as string), TypeError);
    await assert.rejects(r.readline(-1.5), RangeError);
    await r.close();
    await w.close();
    await assert.rejects(r.readline(), (e: unknown) => e instanceof socket.SocketError && e.code === 'EBADF' && /closed file/.test(e.message));
    assert.throws(() => w.writeSync('x'), /closed file/);
    assert.throws(() => r.fileno(), (e: unknown) => e instanceof socket.SocketError && e.code === 'EBADF' && /closed file/.test(e.message));
  });

  test('the socket\'s timeout applies, and data read before a timeout is kept', async () => {
    const [a, b] = pair();
    using _a = a;
    using _b = b;
    a.settimeout(0.05);
    await using f = a.makefile('r');
    await b.sendall('par');
    await assert.rejects(bounded(f.readline()), socket.TimeoutError);
    await b.sendall('tial\n');
    assert.equal(await bounded(f.readline()), 'partial\n');
    a.setblocking(false);
    await assert.rejects(f.readline(), socket.BlockingIOError);
  });

  test('an OS error reaches the reader as its SocketError', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    await using f = a.makefile('rb');
    b.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
    b.close(); // RST
    await assert.rejects(bounded(f.read()), socket.ConnectionResetError);
  });
});

describe('reference rule', () => {
  test('the fd closes only when the socket and every file made from it are closed', async () => {
    const [a, b] = pair();
    using _b = b;
    const fd = a.fileno();
    const r = a.makefile('rb');
    const w = a.makefile('wb');
    a.close();
    assert.equal(a.closed, true);
    assert.ok(fdOpen(fd));
    await w.write('still works');
    await w.close();
    assert.ok(fdOpen(fd));
    assert.equal((await bounded(b.recv(20))).toString(), 'still works');
    await b.sendall('and reads\n');
    assert.deepEqual(await bounded(r.readline()), Buffer.from('and reads\n'));
    await r.close();
    assert.equal(a.fileno(), -1);
    assert.equal((await bounded(b.recv(10))).length, 0); // the peer sees EOF only now
  });

  test('closing the files first leaves the socket open until it is closed', async () => {
    const [a, b] = pair();
    using _b = b;
    const f = a.makefile('rwb');
    f.closeSync();
    assert.equal(a.closed, false);
    await a.sendall('ok');
    assert.equal((await bounded(b.recv(10))).toString(), 'ok');
    a.close();
    assert.equal(a.fileno(), -1);
    assert.throws(() => a.makefile('r'), (e: unknown) => e instanceof socket.SocketError && e.code === 'EBADF');
  });
});

describe('buffering costs O(n)', () => {
  test('readline over a stream of 1-byte segments (binary and text)', async () => {
    const n = 256 * 1024;
    for (const mode of ['rb', 'r'] as const) {
      const [a, b] = pair();
      using _a = a;
      using _b = b;
      const source = capped(a, 1);
      await using f = new socket.SocketFile(source, mode);
      const line = Buffer.alloc(n, 'x');
      line[n - 1] = 0x0a;
      const sending = feed(b, Buffer.concat([line, Buffer.from('next')]));
      const got = await bounded(f.readline(), 60_000, `${mode} readline over 1-byte segments`);
      await bounded(sending);
      assert.equal(got.length, n);
      assert.equal(source.calls, n);
      assert.equal(String(await bounded(f.read())), 'next');
    }
  });

  test('readline, readUntil and read over one 4 MiB segment', async () => {
    const n = 4 << 20;
    const data = Buffer.alloc(n + 5, 'y');
    data[n - 1] = 0x0a;
    data.write('tail', n);
    const source = memory(data);
    await using f = new socket.SocketFile(source, 'rb');
    assert.equal((await bounded(f.readline())).length, n);
    // The buffer doubles instead of creeping: a handful of receives, not n / 8192.
    assert.ok(source.calls < 32, `${source.calls} receives`);
    assert.equal((await bounded(f.readUntil('l'))).toString(), 'tail');
    const text = new socket.SocketFile(memory(data), 'r');
    assert.equal((await bounded(text.readUntil('\n'))).length, n);
    assert.equal(await bounded(text.read()), 'taily');
  });
});

describe('interop', () => {
  test('a line protocol against python3 using its own makefile()', async (t) => {
    using server = socket.createServer(['127.0.0.1', 0]);
    const port = (server.getsockname() as [string, number])[1];
    const peer = new PythonPeer(`
import socket, sys
with socket.create_connection(('127.0.0.1', int(sys.argv[1]))) as s, s.makefile('rw', encoding='utf-8', newline='\\r\\n') as f:
    f.write('HELLO ✓\\n'); f.flush()
    for line in f:
        if line == 'QUIT\\r\\n':
            break
        f.write(line.rstrip('\\r\\n').upper() + '\\n'); f.flush()
    f.write('BYE\\n'); f.flush()
`, [String(port)]);
    t.after(() => peer.kill());
    const [conn] = await bounded(server.accept(), 20_000);
    using _conn = conn;
    await using f = conn.makefile('rw', { newline: '\r\n' });
    assert.equal(await bounded(f.readline(), 20_000), 'HELLO ✓\r\n');
    for (const word of ['abc', 'ünïcødé']) {
      await f.write(`${word}\n`);
      await f.flush();
      assert.equal(await bounded(f.readline()), `${word.toUpperCase()}\r\n`);
    }
    await f.write('QUIT\n');
    await f.flush();
    assert.equal(await bounded(f.readline()), 'BYE\r\n');
    assert.equal(await bounded(f.readline()), '');
    assert.equal(await peer.exit(20_000), 0, peer.stderr);
  });
});
