// The package's types as its users compile them: test/types/consumer.ts (the
// typed address flows, and `@ts-expect-error` lines asserting that a misspelt
// errno name or constant and an address of the wrong shape do not compile)
// against the package's dist/ types, under each module and moduleResolution
// setting a project may use, with esModuleInterop off and the package's own
// .d.ts files checked (skipLibCheck off). Then the run-time side of the
// types: inetAddress() and the errno names.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as socket from 'berkeley';
import { bounded, hasLoopbackIPv6, packageRoot, runCommand, tempDir } from '../support/index.js';

/** One consumer project: its package.json `type` and the compiler options that differ. */
interface Setting {
  name: string;
  type: 'module' | 'commonjs';
  options: Record<string, string>;
}

const SETTINGS: Setting[] = [
  { name: 'nodenext, an ES module', type: 'module', options: { module: 'nodenext', moduleResolution: 'nodenext' } },
  // TypeScript 5.8+ lets a CommonJS module import an ES module under nodenext (Node's require(esm)).
  { name: 'nodenext, a CommonJS module', type: 'commonjs', options: { module: 'nodenext', moduleResolution: 'nodenext' } },
  { name: 'node16, an ES module', type: 'module', options: { module: 'node16', moduleResolution: 'node16' } },
  { name: 'bundler', type: 'module', options: { module: 'esnext', moduleResolution: 'bundler' } },
  { name: 'preserve', type: 'module', options: { module: 'preserve' } },
  // node10 knows no "exports": the subpaths resolve through "typesVersions".
  { name: 'commonjs with node10 resolution', type: 'commonjs', options: { module: 'commonjs', moduleResolution: 'node10' } },
];

const tsc = join(packageRoot, 'node_modules/typescript/bin/tsc');

/** A project holding only the consumer, with berkeley and @types/node installed as links. */
function consumerProject(dir: string, setting: Setting): void {
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(packageRoot, join(dir, 'node_modules/berkeley'), 'dir');
  symlinkSync(join(packageRoot, 'node_modules/@types'), join(dir, 'node_modules/@types'), 'dir');
  copyFileSync(join(packageRoot, 'test/types/consumer.ts'), join(dir, 'consumer.ts'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: setting.type }));
  const compilerOptions = { ...setting.options, target: 'ES2022', lib: ['ES2022'], types: ['node'], strict: true, esModuleInterop: false, skipLibCheck: false, noEmit: true };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
}

describe('the shipped types compile in a consumer project', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  for (const [i, setting] of SETTINGS.entries()) {
    test(setting.name, async () => {
      const dir = tmp.path(String(i));
      mkdirSync(dir);
      consumerProject(dir, setting);
      const { code, stdout, stderr } = await runCommand([process.execPath, tsc, '-p', dir], { ms: 120_000 });
      assert.equal(stdout + stderr, '', `tsc under ${JSON.stringify(setting.options)} reported the above`);
      assert.equal(code, 0);
    });
  }
});

describe('inetAddress(): the [host, port] of an address whose family the type checker does not know', () => {
  test('an AF_INET address, and an AF_INET6 one without flowinfo and scope id', (t) => {
    using v4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    v4.bind(['127.0.0.1', 0]);
    const wide: socket.SocketAddress = v4.getsockname();
    assert.deepEqual(socket.inetAddress(wide), v4.getsockname());
    assert.deepEqual(socket.inetAddress(['::1', 80, 5, 1]), ['::1', 80]);
    assert.deepEqual(socket.inetAddress(['localhost', 0]), ['localhost', 0]);
    if (!hasLoopbackIPv6()) return t.skip('no IPv6 loopback');
    using v6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
    v6.bind(['::1', 0]);
    assert.deepEqual(socket.inetAddress(v6.getsockname()), v6.getsockname().slice(0, 2));
  });

  test('the pair connects a socket of either family', async (t) => {
    for (const [family, host] of [[socket.AF_INET, '127.0.0.1'], [socket.AF_INET6, '::1']] as const) {
      if (family === socket.AF_INET6 && !hasLoopbackIPv6()) return t.skip('no IPv6 loopback');
      const listener: socket.Socket = socket.createServer([host, 0], { family });
      using _listener = listener;
      using client = socket.socket(family, socket.SOCK_STREAM);
      await bounded(client.connect(socket.inetAddress(listener.getsockname())), 5000, 'connect');
      const [conn] = await bounded(listener.accept(), 5000, 'accept');
      conn.close();
    }
  });

  test('any other address is a TypeError naming the argument; a port out of range a RangeError', () => {
    const wrong: unknown[] = [null, undefined, '/tmp/x.sock', Buffer.from('\0abstract'), {}, [], ['host'], [1, 2], ['host', '80'], ['host', 80, '0'], ['eth0', 0x0800, 0, 1, Buffer.alloc(6)], [2, Buffer.alloc(4)]];
    for (const address of wrong) {
      assert.throws(() => socket.inetAddress(address as socket.Address), { name: 'TypeError', message: /"address"/ }, String(address));
    }
    for (const port of [70000, -1, 1.5]) {
      assert.throws(() => socket.inetAddress(['127.0.0.1', port]), { name: 'RangeError', message: /"address\[1\]"/ }, String(port));
    }
  });
});

test('every errno name the ErrnoName type lists is a number at run time', () => {
  const listed = [...readFileSync(join(packageRoot, 'native/errno_list.h'), 'utf8').matchAll(/^ERRNO\((\w+)\)$/gm)].map((m) => m[1]!);
  assert.ok(listed.length > 100);
  const byName: Readonly<Record<string, number | undefined>> = socket.errno;
  assert.deepEqual(listed.filter((name) => typeof byName[name] !== 'number'), []);
  assert.deepEqual(Object.keys(socket.errno).sort(), [...listed].sort());
});
