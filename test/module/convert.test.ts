// Address and byte-order conversions (inetAton, inetNtoa, inetPton, inetNtop,
// htons, ntohs, htonl, ntohl), each a table of good and bad inputs compared
// with python3's own socket module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endianness } from 'node:os';
import { inspect } from 'node:util';
import * as socket from 'berkeley';
import { type Call, compareWithPython } from '../support/index.js';

const { AF_INET, AF_INET6, AF_UNIX } = socket;
const hex = (text: string): { hex: string } => ({ hex: text });
const bytes = (...values: number[]): { hex: string } => ({ hex: Buffer.from(values).toString('hex') });

// ---- inetAton / inetNtoa ---------------------------------------------------------------

test('inetAton: the legacy forms of inet_aton(3) and bad inputs match python', async (t) => {
  const good = [
    '127.0.0.1', '0.0.0.0', '255.255.255.255', '1.2.3.4',
    '127.1', '0x7f.1', '127.0.1', '1.2.65535', '1.0x10000', '0x7f000001', '2130706433', '4294967295', '0xffffffff',
    '0177.0.0.1', '010.0.0.1', '0x1.0x2.0x3.0x4', '00000000001', '0', '0x0',
    '1.2.3.4 ', '1.2.3.4\t', '1.2.3.4 junk', '1.2.3.4\nx',
  ];
  const bad = [
    '', 'x', 'localhost', '1.2.3.4.5', '256.0.0.1', '1.2.3.256', '1.2.256.4', '4294967296', '0x100000000',
    '1.2.3.-4', '-1', '08.1.1.1', '1.2.3.4.', '.1.2.3', '1..2', ' 1.2.3.4', '1.2.3.4x', '::1', '0x',
    'é.1.1.1', '1'.repeat(100), '1.2.3.4\u0000junk',
  ];
  await compareWithPython(t, [...good, ...bad].map((s): Call => ['inetAton', [s]]));
});

test('inetAton: wrong types are TypeError', () => {
  for (const value of [undefined, null, 2130706433, Buffer.from('127.0.0.1'), ['127.0.0.1']]) {
    assert.throws(() => socket.inetAton(value as never), TypeError, String(value));
  }
});

test('inetNtoa: 4 bytes to dotted quad, as python; other lengths refused', async (t) => {
  await compareWithPython(t, [
    ['inetNtoa', [bytes(127, 0, 0, 1)]],
    ['inetNtoa', [bytes(0, 0, 0, 0)]],
    ['inetNtoa', [bytes(255, 255, 255, 255)]],
    ['inetNtoa', [bytes(1, 2, 3, 4)]],
    ['inetNtoa', [hex('31323334')]],
  ]);
  // Python: OSError('packed IP wrong length for inet_ntoa'); a wrong length is a bad value (RangeError) here.
  for (const length of [0, 3, 5, 16]) assert.throws(() => socket.inetNtoa(Buffer.alloc(length)), RangeError, `${length} bytes`);
  // Any ArrayBufferView is bytes.
  assert.equal(socket.inetNtoa(new Uint8Array([10, 0, 0, 1])), '10.0.0.1');
  assert.equal(socket.inetNtoa(new DataView(new Uint8Array([9, 8, 7, 6]).buffer)), '9.8.7.6');
  assert.equal(socket.inetNtoa(Buffer.from([0, 1, 2, 3, 4, 5]).subarray(1, 5)), '1.2.3.4');
  for (const value of ['127.0.0.1', 2130706433, null, [127, 0, 0, 1]]) assert.throws(() => socket.inetNtoa(value as never), TypeError, String(value));
});

test('inetAton and inetNtoa round-trip', () => {
  for (const text of ['0.0.0.0', '127.0.0.1', '192.168.254.1', '255.255.255.255']) assert.equal(socket.inetNtoa(socket.inetAton(text)), text);
});

// ---- inetPton / inetNtop -----------------------------------------------------------------

test('inetPton for AF_INET and AF_INET6 (scope forms refused, as python) matches python', async (t) => {
  const v4 = ['127.0.0.1', '0.0.0.0', '255.255.255.255', '1.2.3.4', '127.1', '0x7f.0.0.1', '01.2.3.4', '1.2.3.4 ', ' 1.2.3.4', '256.1.1.1', '1.2.3', '1.2.3.4.5', '', 'localhost', '::1', '1.2.3.4\u0000junk'];
  const v6 = [
    '::1', '::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', 'fe80::1', 'FE80::A', '2001:db8::ff00:42:8329',
    '::ffff:1.2.3.4', '::1.2.3.4', '1:2:3:4:5:6:1.2.3.4', '0:0:0:0:0:0:0:1',
    'fe80::1%lo', 'fe80::1%1', 'fe80::1%', '1:2:3:4:5:6:7:8:9', '1::2::3', ':::', '12345::', '::ffff:1.2.3', 'g::1', '',
    '127.0.0.1', ' ::1', '::1 ', 'x'.repeat(100), '::1\u0000junk',
  ];
  await compareWithPython(t, [
    ...v4.map((s): Call => ['inetPton', [AF_INET, s]]),
    ...v6.map((s): Call => ['inetPton', [AF_INET6, s]]),
    ['inetPton', [AF_UNIX, '1.2.3.4']],
    ['inetPton', [99, '1.2.3.4']],
    ['inetPton', [-1, '::1']],
  ]);
});

test('inetPton: wrong types are TypeError, bad family numbers RangeError', () => {
  assert.throws(() => socket.inetPton('AF_INET' as never, '1.2.3.4'), TypeError);
  assert.throws(() => socket.inetPton(AF_INET, 0x01020304 as never), TypeError);
  assert.throws(() => socket.inetPton(AF_INET, null as never), TypeError);
  assert.throws(() => socket.inetPton(2.5, '1.2.3.4'), RangeError);
});

test('inetNtop for AF_INET and AF_INET6 matches python; wrong lengths and families refused', async (t) => {
  const v6 = [
    '00000000000000000000000000000001', '00000000000000000000000000000000', '00000000000000000000ffff7f000001',
    '00000000000000000000000001020304', 'fe800000000000000000000000000001', '20010db8000000000000ff0000428329',
    '00010002000300040005000600070008', '00010000000000000000000000000001', '00010000000100000000000000000001',
    'ffffffffffffffffffffffffffffffff', '00000000000000000001000000000000',
  ];
  await compareWithPython(t, [
    ['inetNtop', [AF_INET, bytes(127, 0, 0, 1)]],
    ['inetNtop', [AF_INET, bytes(0, 0, 0, 0)]],
    ['inetNtop', [AF_INET, bytes(255, 255, 255, 255)]],
    ...v6.map((h): Call => ['inetNtop', [AF_INET6, hex(h)]]),
    // bad lengths and families: python's ValueError, a RangeError here
    ['inetNtop', [AF_INET, hex('')]],
    ['inetNtop', [AF_INET, bytes(1, 2, 3)]],
    ['inetNtop', [AF_INET, bytes(1, 2, 3, 4, 5)]],
    ['inetNtop', [AF_INET, hex('00000000000000000000000000000001')]],
    ['inetNtop', [AF_INET6, bytes(1, 2, 3, 4)]],
    ['inetNtop', [AF_INET6, hex('000000000000000000000000000000')]],
    ['inetNtop', [AF_INET6, hex('0000000000000000000000000000000001')]],
    ['inetNtop', [AF_UNIX, bytes(1, 2, 3, 4)]],
    ['inetNtop', [99, bytes(1, 2, 3, 4)]],
  ]);
  assert.throws(() => socket.inetNtop(AF_INET, '1.2.3.4' as never), TypeError);
  assert.throws(() => socket.inetNtop('2' as never, Buffer.alloc(4)), TypeError);
  assert.equal(socket.inetNtop(AF_INET, new Uint8Array([10, 1, 2, 3])), '10.1.2.3');
  assert.equal(socket.inetNtop(AF_INET6, new Uint16Array(8)), '::');
});

test('inetPton and inetNtop round-trip for both families', () => {
  for (const text of ['1.2.3.4', '255.0.255.0']) assert.equal(socket.inetNtop(AF_INET, socket.inetPton(AF_INET, text)), text);
  for (const text of ['::1', '::', 'fe80::1', '2001:db8::1', '::ffff:10.0.0.1', '1:2:3:4:5:6:7:8']) assert.equal(socket.inetNtop(AF_INET6, socket.inetPton(AF_INET6, text)), text);
  const packed = socket.inetPton(AF_INET6, '::1');
  assert.ok(Buffer.isBuffer(packed));
  assert.equal(packed.length, 16);
  assert.equal(socket.inetPton(AF_INET, '1.2.3.4').length, 4);
});

// ---- htons / ntohs / htonl / ntohl ---------------------------------------------------------

test('htons / ntohs / htonl / ntohl: good and out-of-range inputs match python', async (t) => {
  const calls: Call[] = [];
  for (const name of ['htons', 'ntohs']) {
    for (const x of [0, 1, 0x12, 0x1234, 0xff00, 0x00ff, 0x7fff, 0x8000, 0xfffe, 0xffff, -1, 0x10000, 0x7fffffff, -0x80000000, 2 ** 32, 2 ** 53]) calls.push([name, [x]]);
  }
  for (const name of ['htonl', 'ntohl']) {
    for (const x of [0, 1, 0x12, 0x1234, 0x123456, 0x12345678, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xff000000, -1, 2 ** 32, -0x80000000, 2 ** 53]) calls.push([name, [x]]);
  }
  await compareWithPython(t, calls);
});

test('htons / ntohs / htonl / ntohl: out of range is RangeError, not a number TypeError', () => {
  for (const fn of [socket.htons, socket.ntohs, socket.htonl, socket.ntohl]) {
    for (const x of [-1, 2 ** 32, 1.5, NaN, Infinity, -Infinity]) assert.throws(() => fn(x), RangeError, `${fn.name}(${x})`);
    for (const x of ['1', null, undefined, 1n, {}, [1]]) assert.throws(() => fn(x as never), TypeError, `${fn.name}(${inspect(x)})`);
  }
  assert.throws(() => socket.htons(0x10000), RangeError);
  assert.throws(() => socket.ntohs(0x10000), RangeError);
});

test('the byte-order functions are inverses, and swap on little-endian hosts', () => {
  for (const x of [0, 1, 0x1234, 0xabcd, 0xffff]) {
    assert.equal(socket.ntohs(socket.htons(x)), x);
    assert.equal(socket.htons(socket.ntohs(x)), x);
  }
  for (const x of [0, 1, 0x12345678, 0x80000000, 0xdeadbeef, 0xffffffff]) {
    assert.equal(socket.ntohl(socket.htonl(x)), x);
    assert.ok(socket.htonl(x) >= 0, 'unsigned');
  }
  const littleEndian = endianness() === 'LE';
  assert.equal(socket.htonl(0x01020304), littleEndian ? 0x04030201 : 0x01020304);
  assert.equal(socket.htons(0x0102), littleEndian ? 0x0201 : 0x0102);
});
