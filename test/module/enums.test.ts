// Python's enums of the socket module's numbers (AddressFamily, SocketKind,
// MsgFlag, AddressInfo) against python3's: every member python3 has, its
// value and the canonical name of each value; the names berkeley has
// beyond them; MsgFlag.format/AddressInfo.format against python3's names
// of flag combinations; the socket's repr naming from the same table; and
// SocketType, Python's name for the socket class.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import { isErrorNaming, pythonJson, unixPair } from '../support/index.js';

const ENUMS = { AddressFamily: 'AF_', SocketKind: 'SOCK_', MsgFlag: 'MSG_', AddressInfo: 'AI_' } as const;
type EnumName = keyof typeof ENUMS;
const tables = socket as unknown as Record<EnumName, Record<string | number, string | number | undefined>>;

/** Each of python3's enums: its members, aliases included, as `[name, value, the value's canonical name]`. */
const python = pythonJson(`
import json, socket
print(json.dumps({E.__name__: [[n, int(v), v.name] for n, v in E.__members__.items()]
    for E in (socket.AddressFamily, socket.SocketKind, socket.MsgFlag, socket.AddressInfo)}))
`) as Record<EnumName, [string, number, string][]>;

// Flag sets whose every named bit python3 and berkeley both name: Python
// names them lowest bit first, then the unnamed bits as one number (and a
// set of unnamed bits alone has no name: its number, then).
const FLAG_SETS: Record<'MsgFlag' | 'AddressInfo', number[]> = {
  MsgFlag: [1, 2, 34, 8 | 32, (1 << 30) | 64 | 1, (3 << 20) | 2, 1 << 20],
  AddressInfo: [1, 3, 1 | 4 | 1024, 1 | (1 << 20)],
};

describe('the enums against python3', () => {
  for (const [name, prefix] of Object.entries(ENUMS) as [EnumName, string][]) {
    const table = tables[name];

    test(`${name}: every member python3 has, with its value; each value named as python3 names it`, () => {
      for (const [member, value, canonical] of python[name]) {
        assert.equal(table[member], value, `${name}.${member}`);
        assert.equal(table[value], canonical, `${name}[${value}]`);
      }
    });

    test(`${name}: the members are this platform's upper-case ${prefix} constants, and a value of no member has no name`, () => {
      const constants = Object.entries(socket).filter(([key, value]) => key.startsWith(prefix) && key === key.toUpperCase() && typeof value === 'number');
      const names = Object.keys(table).filter((key) => !/^\d+$/.test(key));
      assert.deepEqual(names.sort(), constants.map(([key]) => key).sort());
      for (const [key, value] of constants) assert.equal(table[key], value);
      for (const value of Object.keys(table).filter((key) => /^\d+$/.test(key))) assert.equal(table[table[value]!], Number(value));
      assert.equal(table[123456789], undefined);
      assert.ok(Object.isFrozen(table));
    });
  }

  for (const name of ['MsgFlag', 'AddressInfo'] as const) {
    test(`${name}.format names flag sets as python3 does`, () => {
      const names = pythonJson(`
import json, socket
print(json.dumps([socket.${name}(v).name or str(v) for v in ${JSON.stringify(FLAG_SETS[name])}]))
`) as string[];
      assert.deepEqual(FLAG_SETS[name].map((flags) => socket[name].format(flags)), names);
    });
  }

  test('format: no flags is "0"; the number must be an int', () => {
    assert.equal(socket.MsgFlag.format(0), '0');
    assert.equal(socket.AddressInfo.format(0), '0');
    assert.throws(() => socket.MsgFlag.format('2' as never), isErrorNaming(TypeError, 'flags'));
    assert.throws(() => socket.MsgFlag.format(1.5), isErrorNaming(RangeError, 'flags'));
    assert.ok(!Object.keys(socket.MsgFlag).includes('format'), 'format is not one of the keys');
  });
});

describe('what the enums give', () => {
  test('the usual names, and aliases that are members but never the name of their value', () => {
    assert.equal(socket.AddressFamily.AF_INET, socket.AF_INET);
    assert.equal(socket.AddressFamily[socket.AF_INET6], 'AF_INET6');
    assert.equal(socket.SocketKind[socket.SOCK_DGRAM], 'SOCK_DGRAM');
    assert.equal(socket.MsgFlag[socket.MSG_PEEK], 'MSG_PEEK');
    // AF_LOCAL and AF_FILE are glibc's synonyms of AF_UNIX, which Python lacks: AF_UNIX names 1.
    assert.equal(socket.AddressFamily.AF_LOCAL, socket.AF_UNIX);
    assert.equal(socket.AddressFamily[socket.AF_UNIX], 'AF_UNIX');
    // As in Python, a name with lower-case letters is no member.
    assert.equal((socket.AddressFamily as Record<string, unknown>).AF_DECnet, undefined);
  });

  test('typed both ways: known names are keys, a reverse look-up may be undefined', () => {
    type Name = (typeof socket.AddressFamily)[number];
    const family: number = socket.AddressFamily.AF_INET;
    const maybe: number | undefined = socket.AddressFamily.AF_CAN;
    const named: Name = socket.AddressFamily[family];
    // @ts-expect-error: a reverse look-up may be undefined, so it is no plain string
    const plain: string = socket.AddressFamily[family];
    // @ts-expect-error: AF_NOPE is no name of the enum
    const wrong: Name = 'AF_NOPE';
    // @ts-expect-error: not a member name
    assert.equal(socket.SocketKind.SOCK_NOPE, undefined);
    assert.equal(maybe, socket.AF_CAN);
    assert.deepEqual([named, plain, wrong], ['AF_INET', 'AF_INET', 'AF_NOPE']);
  });

  test("a socket's repr names its family and type from the same tables", () => {
    const [a, b] = unixPair(socket.SOCK_SEQPACKET);
    using _a = a;
    using _b = b;
    assert.match(String(a), /family=AF_UNIX, type=SOCK_SEQPACKET,/);
    assert.equal(socket.AddressFamily[a.family], 'AF_UNIX');
    assert.equal(socket.SocketKind[a.type], 'SOCK_SEQPACKET');
  });

  test('SocketType is the Socket class (Python\'s socket.SocketType), as a value and a type', () => {
    using s = socket.socket();
    const typed: socket.SocketType = s;
    assert.equal(socket.SocketType, socket.Socket);
    assert.ok(typed instanceof socket.SocketType);
  });
});
