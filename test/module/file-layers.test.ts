// makefile()'s file objects as Python's io has them: readinto, readinto1,
// read1 and peek (async and Sync), readable/writable/seekable/isatty, name,
// mode, the text attributes (encoding, errors, newlines, lineBuffering,
// writeThrough), and the layers: a text file's `buffer`, a binary file's
// `raw`, detach(). Sequences of calls on data queued before the first read
// are compared, value for value, with python3's own makefile(); what berkeley
// does beyond Python (layers that share their buffers) is asserted alone,
// and every method takes odd arguments without a crash, hang or fd leak.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as socket from 'berkeley';
import { bounded, dedent, detachedBuffer, openFds, pythonJson, unixPair } from '../support/index.js';

type Op = [target: 'file' | 'raw', name: string, arg: number];

interface Case {
  mode: string;
  data: string; // latin-1: one character per byte
  buffering?: number;
  newline?: string | null;
  ops: Op[];
}

const CASES: Case[] = [
  {
    mode: 'rb',
    data: 'hello world\nsecond line\nthird',
    ops: [
      ['file', 'peek', 0],
      ['file', 'read1', 3],
      ['file', 'peek', 2],
      ['file', 'readinto', 4],
      ['file', 'readline', -1],
      ['file', 'readinto1', 100],
      ['file', 'read1', -1],
      ['file', 'read1', 5],
      ['file', 'peek', 0],
      ['file', 'readinto', 3],
      ['file', 'read', 2],
    ],
  },
  { mode: 'rb', data: 'abcdefgh', ops: [['raw', 'read', 3], ['file', 'read', 2], ['file', 'read', -1]] },
  { mode: 'rb', data: 'abc\ndef', buffering: 0, ops: [['file', 'readinto', 2], ['file', 'readline', -1], ['file', 'read', 5], ['file', 'read', 5]] },
  { mode: 'rwb', data: 'xyz', ops: [['file', 'read1', 1], ['file', 'readinto1', 8], ['file', 'peek', 1]] },
  ...[null, '', '\n'].map((newline): Case => ({
    mode: 'r',
    data: 'a\r\nb\nc\rd',
    newline,
    ops: [['file', 'newlines', 0], ['file', 'readline', -1], ['file', 'newlines', 0], ['file', 'readline', -1], ['file', 'readline', -1], ['file', 'readline', -1], ['file', 'newlines', 0]],
  })),
];

/** What python3's makefile() gives for each case: per call, a result, [count, bytes] for readinto, or {error}. */
function pythonResults(cases: Case[]): unknown {
  return pythonJson(
    dedent(`
      import json, socket
      def run(case):
          a, b = socket.socketpair()
          b.sendall(case['data'].encode('latin-1'))
          b.shutdown(socket.SHUT_WR)
          f = a.makefile(case['mode'], buffering=case.get('buffering'), newline=case.get('newline'))
          out = []
          for target, op, arg in case['ops']:
              obj = f.raw if target == 'raw' else f
              if op == 'newlines':
                  out.append(f.newlines)
              elif op in ('readinto', 'readinto1'):
                  buf = bytearray(arg)
                  n = getattr(obj, op)(buf)
                  out.append([n, buf[:n].decode('latin-1')])
              else:
                  r = getattr(obj, op)(arg)
                  out.append(r.decode('latin-1') if isinstance(r, bytes) else r)
          return out
      print(json.dumps([run(case) for case in json.loads(${JSON.stringify(JSON.stringify(cases))})]))
    `),
  );
}

/** The same calls on berkeley's makefile(), in the async or the Sync forms. */
async function berkeleyResults(c: Case, sync: boolean): Promise<unknown[]> {
  const [a, b] = unixPair();
  using _b = b;
  b.sendallSync(Buffer.from(c.data, 'latin1'));
  b.shutdown(socket.SHUT_WR);
  const options: socket.MakefileOptions = { buffering: c.buffering ?? null };
  if (c.newline !== undefined) options.newline = c.newline;
  const f = a.makefile(c.mode, options);
  a.close();
  const text = (r: unknown): unknown => (Buffer.isBuffer(r) ? r.toString('latin1') : r);
  const out: unknown[] = [];
  for (const [target, op, arg] of c.ops) {
    const file = (target === 'raw' ? (f.raw as socket.SocketFile) : f) as socket.SocketFile<Buffer>;
    if (op === 'newlines') {
      out.push(f.newlines);
    } else if (op === 'readinto' || op === 'readinto1') {
      const into = Buffer.alloc(arg);
      const n = sync ? (op === 'readinto' ? file.readintoSync(into) : file.readinto1Sync(into)) : await bounded(op === 'readinto' ? file.readinto(into) : file.readinto1(into));
      out.push([n, into.subarray(0, n).toString('latin1')]);
    } else {
      const calls: Record<string, () => unknown> = sync
        ? { read: () => file.readSync(arg), read1: () => file.read1Sync(arg), peek: () => file.peekSync(arg), readline: () => file.readlineSync(arg) }
        : { read: () => file.read(arg), read1: () => file.read1(arg), peek: () => file.peek(arg), readline: () => file.readline(arg) };
      out.push(text(await bounded(Promise.resolve(calls[op]!()))));
    }
  }
  await f.close();
  return out;
}

describe('compared with python3\'s makefile()', () => {
  test('readinto, readinto1, read1, peek, raw and newlines: the same results, async and Sync', async () => {
    const expected = pythonResults(CASES) as unknown[][];
    for (const [k, c] of CASES.entries()) {
      for (const sync of [false, true]) {
        assert.deepEqual(await berkeleyResults(c, sync), expected[k], `${c.mode} ${JSON.stringify(c.ops)} (${sync ? 'Sync' : 'async'})`);
      }
    }
  });

  test('readable, writable, seekable, isatty, name, mode and the text attributes, in every mode', () => {
    const modes: [string, number | null][] = [['r', null], ['w', null], ['rw', null], ['rb', null], ['wb', null], ['rwb', null], ['rb', 0], ['rwb', 0]];
    const expected = pythonJson(
      dedent(`
        import json, socket
        a, b = socket.socketpair()
        MISSING = '<missing>'
        def attrs(mode, buffering):
            f = a.makefile(mode, buffering=buffering, encoding=None if 'b' in mode else 'latin-1')
            got = {}
            for name in ('readable', 'writable', 'seekable', 'isatty'):
                got[name] = getattr(f, name)()
            for name, key in (('mode', 'mode'), ('encoding', 'encoding'), ('errors', 'errors'), ('newlines', 'newlines'), ('line_buffering', 'lineBuffering')):
                got[key] = getattr(f, name, MISSING)
            got['name'] = MISSING if getattr(f, 'name', MISSING) == MISSING else f.name == a.fileno()
            return got
        print(json.dumps([attrs(mode, buffering) for mode, buffering in json.loads(${JSON.stringify(JSON.stringify(modes))})]))
      `),
    ) as Record<string, unknown>[];
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    for (const [k, [mode, buffering]] of modes.entries()) {
      const f = a.makefile(mode, mode.includes('b') ? { buffering } : { buffering, encoding: 'latin-1' });
      const ours: Record<string, unknown> = {
        readable: f.readable(),
        writable: f.writable(),
        seekable: f.seekable(),
        isatty: f.isatty(),
        mode: f.mode,
        encoding: f.encoding,
        errors: f.errors,
        newlines: f.newlines,
        lineBuffering: f.lineBuffering,
        name: f.name === a.fileno(),
      };
      for (const [key, value] of Object.entries(expected[k]!)) {
        // Python's object lacks it: berkeley's text attributes are null in binary modes.
        if (value === '<missing>') {
          if (['encoding', 'errors', 'newlines', 'lineBuffering'].includes(key)) assert.equal(ours[key], null, `${mode}: ${key}`);
        } else {
          assert.deepEqual(ours[key], value, `${mode} (buffering ${buffering}): ${key}`);
        }
      }
      f.closeSync();
    }
  });

  test('a detached file fails as Python\'s does', async () => {
    const expected = pythonJson(
      dedent(`
        import json, socket
        a, b = socket.socketpair()
        out = []
        for mode in ('r', 'rb'):
            f = a.makefile(mode)
            f.detach()
            try:
                f.readline()
            except ValueError as e:
                out.append(str(e))
        print(json.dumps(out))
      `),
    ) as string[];
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    for (const [k, mode] of ['r', 'rb'].entries()) {
      const f = a.makefile(mode);
      const below = f.detach();
      await assert.rejects(f.readline(), (e: unknown) => e instanceof socket.SocketError && e.code === 'EBADF' && e.message.includes(expected[k]!));
      assert.equal(f.closed, true);
      await below.close();
    }
  });
});

describe('layers that share their buffers', () => {
  test('text, buffer and raw writes go out in the order they were made; closing one closes them all', async () => {
    const [a, b] = unixPair();
    using _b = b;
    const t = a.makefile('w');
    a.close();
    const fd = t.fileno();
    await t.write('text ');
    await t.buffer.write('buffer ');
    assert.equal(await t.buffer.raw?.write('raw'), 3);
    assert.equal(b.recvSync(100).toString(), 'text buffer raw', 'raw sends at once, after what the buffer held');
    assert.equal(t.buffer.raw, t.buffer.raw, 'one raw');
    assert.equal(t.buffer, t.buffer, 'one buffer');
    assert.deepEqual([t.writeThrough, t.lineBuffering, t.buffer.writeThrough], [true, false, null]);
    await t.buffer.close();
    assert.deepEqual([t.closed, t.buffer.closed, t.name], [true, true, -1]);
    assert.equal(existsSync(`/proc/self/fd/${fd}`), false, 'the socket and its only file are closed');
  });

  test('detach() keeps what was buffered: a binary file\'s peeked bytes are the raw file\'s to read', async () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    b.sendallSync('abc\ndef');
    const f = a.makefile('rb');
    assert.equal((await f.peek()).toString(), 'abc\ndef');
    const raw = f.detach();
    assert.equal(raw.raw, null, 'nothing below raw');
    assert.equal((await raw.readline()).toString(), 'abc\n');
    assert.equal(raw.read1Sync(100).toString(), 'def');
    await f.close(); // nothing: the raw file has the socket now
    assert.equal(raw.closed, false);
    assert.throws(() => raw.detach(), (e: unknown) => e instanceof socket.SocketError && e.code === 'EBADF' && /unbuffered/.test(e.message));
    await raw.close();
  });

  test('a text file\'s buffer reads on from where the text stopped; raw reads no further than asked', async () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    const t = a.makefile('rw');
    await t.buffer.write('x');
    await t.flush();
    assert.equal(b.recvSync(10).toString(), 'x');
    b.sendallSync('bytes first\n');
    assert.equal((await t.buffer.peek()).toString(), 'bytes first\n');
    assert.equal(await t.readline(), 'bytes first\n', 'the text decodes what its buffer holds');
    const r = a.makefile('rb');
    b.sendallSync('abcdef');
    assert.equal((await r.raw!.read(2)).toString(), 'ab');
    assert.equal(a.recvSync(10).toString(), 'cdef', 'raw left the rest in the socket');
    await Promise.all([t.close(), r.close()]);
  });

  test('the binary reads refuse text files and write-only files; bad arguments are TypeErrors', async () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    const t = a.makefile('r');
    const w = a.makefile('wb');
    const r = a.makefile('rb');
    const ebadf = (pattern: RegExp) => (e: unknown) => e instanceof socket.SocketError && e.code === 'EBADF' && pattern.test(e.message);
    const text = t as unknown as socket.SocketFile<Buffer>;
    await assert.rejects(text.readinto(Buffer.alloc(1)), ebadf(/binary/));
    await assert.rejects(text.read1(), ebadf(/binary/));
    assert.throws(() => text.peekSync(), ebadf(/binary/));
    await assert.rejects(w.readinto1(Buffer.alloc(1)), ebadf(/not open for reading/));
    await assert.rejects(r.readinto('x' as unknown as Buffer), { name: 'TypeError', message: /"buffer"/ });
    await assert.rejects(r.read1('1' as unknown as number), { name: 'TypeError', message: /"size"/ });
    assert.deepEqual([t.raw, r.buffer, t.buffer.buffer, w.encoding], [null, null, null, null]);
    await Promise.all([t.close(), w.close(), r.close()]);
    for (const check of [() => r.readable(), () => r.seekable(), () => t.isatty(), () => w.writable(), () => r.detach()]) {
      assert.throws(check, ebadf(/closed file/));
    }
  });
});

describe('odd arguments', () => {
  const ODD: unknown[] = [undefined, null, NaN, -1, 1.5, 2 ** 53, true, {}, [], 'x', Symbol('odd'), () => {}, Buffer.alloc(0), detachedBuffer(), { signal: 'x' }, { signal: AbortSignal.abort() }];
  const isMethod = (key: string): boolean => typeof Object.getOwnPropertyDescriptor(socket.SocketFile.prototype, key)?.value === 'function';
  const methods = Object.getOwnPropertyNames(socket.SocketFile.prototype).filter((name) => name !== 'constructor' && isMethod(name));

  test('every SocketFile method, in every mode, with an odd value in each of its first two places: a result or an Error', async () => {
    assert.ok(['readinto', 'peekSync', 'detach', 'writelines'].every((name) => methods.includes(name)));
    const fds = openFds();
    for (const [mode, buffering] of [['rb', -1], ['rwb', 0], ['r', -1], ['w', -1]] as const) {
      for (const method of methods) {
        for (const [k, odd] of ODD.entries()) {
          for (const position of [0, 1]) {
            const [a, b] = unixPair();
            a.setblocking(false); // what would wait fails at once instead
            const f = a.makefile(mode, { buffering });
            a.close();
            const args: unknown[] = [method.startsWith('readinto') ? Buffer.alloc(4) : 1, undefined];
            args[position] = odd;
            const what = `${mode} ${method}(${position}: ODD[${k}])`;
            try {
              let result: unknown = (f as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args);
              if (result instanceof Promise) result = await bounded(result, 5000, what);
              if (result instanceof socket.SocketFile) result.closeSync(); // detach()'s layer has the socket now
            } catch (error) {
              assert.ok(error instanceof Error, `${what}: threw a non-Error`);
              assert.doesNotMatch(error.message, /did not finish/, what);
            }
            f.closeSync();
            b.close();
          }
        }
      }
    }
    assert.equal(openFds(), fds, 'no fd leaked');
  });
});
