// Bad-argument tables for the functions of the berkeley module that make or
// take sockets (socket, new Socket, socketpair, fromfd, dup, close,
// setdefaulttimeout): a wrong type is a TypeError, a bad value a RangeError,
// each with a message naming the argument; values the OS refuses are
// SocketErrors (EAFNOSUPPORT, EINVAL, EOPNOTSUPP, EBADF, ENOTSOCK), and a
// failed call leaks no fd.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { inspect } from 'node:util';
import * as socket from 'berkeley';
import { type ErrorClass, isErrorNaming, openFds, showArguments, socketOf, tempDir } from '../support/index.js';

const tmp = tempDir();
process.on('exit', () => tmp.cleanup());

describe('module functions: bad arguments', () => {
  const fn = socket as unknown as Record<string, (...a: unknown[]) => unknown>;
  const cases: [string, unknown[], ErrorClass, string][] = [
    ['socket', ['x'], TypeError, 'family'],
    ['socket', [null], TypeError, 'family'],
    ['socket', [1.5], RangeError, 'family'],
    ['socket', [2 ** 31], RangeError, 'family'],
    ['socket', [socket.AF_INET, 'x'], TypeError, 'type'],
    ['socket', [socket.AF_INET, NaN], RangeError, 'type'],
    ['socket', [socket.AF_INET, socket.SOCK_STREAM, 'x'], TypeError, 'proto'],
    ['socket', [socket.AF_INET, socket.SOCK_STREAM, 2 ** 53], RangeError, 'proto'],
    ['socket', [socket.AF_INET, socket.SOCK_STREAM, 0, -1], RangeError, 'fileno'],
    ['socket', [socket.AF_INET, socket.SOCK_STREAM, 0, 1.5], RangeError, 'fileno'],
    ['socket', [socket.AF_INET, socket.SOCK_STREAM, 0, 'x'], TypeError, 'fileno'],
    ['socket', [socket.AF_INET, socket.SOCK_STREAM, 0, {}], TypeError, 'fileno'],
    ['socketpair', ['x'], TypeError, 'family'],
    ['socketpair', [socket.AF_UNIX, {}], TypeError, 'type'],
    ['socketpair', [socket.AF_UNIX, socket.SOCK_STREAM, 1.5], RangeError, 'proto'],
    ['fromfd', ['x', socket.AF_INET, socket.SOCK_STREAM], TypeError, 'fd'],
    ['fromfd', [-1, socket.AF_INET, socket.SOCK_STREAM], RangeError, 'fd'],
    ['fromfd', [2 ** 31, socket.AF_INET, socket.SOCK_STREAM], RangeError, 'fd'],
    ['close', [], TypeError, 'fd'],
    ['close', ['3'], TypeError, 'fd'],
    ['close', [-1], RangeError, 'fd'],
    ['close', [1.5], RangeError, 'fd'],
    ['close', [2 ** 31], RangeError, 'fd'],
    ['dup', [undefined], TypeError, 'fd'],
    ['dup', [-1], RangeError, 'fd'],
    ['dup', [Infinity], RangeError, 'fd'],
    ['setdefaulttimeout', ['x'], TypeError, 'timeout'],
    ['setdefaulttimeout', [-1], RangeError, 'timeout'],
    ['setdefaulttimeout', [NaN], RangeError, 'timeout'],
  ];
  for (const [name, args, error, arg] of cases) {
    it(`${name}(${showArguments(args)}) -> ${error.name} naming "${arg}"`, () => {
      const before = socket.getdefaulttimeout();
      try {
        assert.throws(() => fn[name]!(...args), isErrorNaming(error, arg));
      } finally {
        socket.setdefaulttimeout(before);
      }
      assert.equal(socket.getdefaulttimeout(), before);
    });
  }

  it('new Socket() checks the same way as socket()', () => {
    assert.throws(() => new socket.Socket('x' as unknown as number), isErrorNaming(TypeError, 'family'));
    assert.throws(() => new socket.Socket(socket.AF_INET, socket.SOCK_STREAM, 0, -5), isErrorNaming(RangeError, 'fileno'));
  });

  it('fromfd with a bad family, type or proto closes its dup', () => {
    using s = socketOf('tcp');
    const before = openFds();
    assert.throws(() => socket.fromfd(s.fileno(), 'x' as unknown as number, socket.SOCK_STREAM), isErrorNaming(TypeError, 'family'));
    assert.throws(() => socket.fromfd(s.fileno(), socket.AF_INET, 1.5), isErrorNaming(RangeError, 'type'));
    assert.throws(() => socket.fromfd(s.fileno(), socket.AF_INET, socket.SOCK_STREAM, 'x' as unknown as number), isErrorNaming(TypeError, 'proto'));
    assert.equal(openFds(), before);
  });

  it('values the OS refuses are SocketErrors with the right code', () => {
    const code = (c: string) => (e: unknown): boolean => {
      assert.ok(e instanceof socket.SocketError, inspect(e));
      assert.equal(e.code, c);
      return true;
    };
    assert.throws(() => socket.socket(99999), code('EAFNOSUPPORT'));
    assert.throws(() => socket.socket(socket.AF_INET, 99999), code('EINVAL'));
    assert.throws(() => socket.socketpair(socket.AF_INET), code('EOPNOTSUPP'));
    // An fd number far above any open one.
    assert.throws(() => socket.close(2 ** 30), code('EBADF'));
    assert.throws(() => socket.dup(2 ** 30), code('EBADF'));
    assert.throws(() => socket.fromfd(2 ** 30, socket.AF_INET, socket.SOCK_STREAM), code('EBADF'));
    assert.throws(() => new socket.Socket(socket.AF_INET, socket.SOCK_STREAM, 0, 2 ** 30), code('EBADF'));
  });

  it('wrapping an fd that is not a socket is ENOTSOCK, and the fd stays the caller\'s', () => {
    const fd = openSync(tmp.path('plain-file'), 'w');
    try {
      for (const wrap of [() => socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fd), () => socket.socket(undefined, undefined, undefined, fd), () => socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM)]) {
        assert.throws(wrap, (e: unknown) => e instanceof socket.SocketError && e.code === 'ENOTSOCK');
        assert.ok(fstatSync(fd).isFile(), 'the fd is still open');
      }
    } finally {
      closeSync(fd);
    }
  });
});
