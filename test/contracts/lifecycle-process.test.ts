// A socket and its process: inheritance by a child (set and default),
// toString/inspect as Python's repr, ref/unref of the event loop, and the GC
// of an unclosed socket (its fd closed, a ResourceWarning, and where the
// socket was made when warnings are traced).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import * as socket from 'berkeley';
import { bounded, hasLoopbackIPv6, runNode, tempDir } from '../support/index.js';

const { AF_INET, AF_INET6, AF_UNIX, SOCK_STREAM, SOCK_DGRAM } = socket;

describe('inheritance', () => {
  test('sockets are not inheritable by default (close-on-exec), and it can be changed', () => {
    using s = socket.socket();
    assert.equal(s.getInheritable(), false);
    s.setInheritable(true);
    assert.equal(s.getInheritable(), true);
    s.setInheritable(false);
    assert.equal(s.getInheritable(), false);
  });

  test('accepted, dup\'d and socketpair sockets are not inheritable', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    assert.equal(a.getInheritable(), false);
    assert.equal(b.getInheritable(), false);
    using d = a.dup();
    assert.equal(d.getInheritable(), false);
    using listener = socket.socket();
    listener.bind(['127.0.0.1', 0]);
    listener.listen();
    using client = socket.socket();
    const [[conn]] = await bounded(Promise.all([listener.accept(), client.connect(listener.getsockname() as [string, number])]));
    using _conn = conn;
    assert.equal(conn.getInheritable(), false);
  });

  test('an inheritable socket fd is seen by a child process, a default one is not', async () => {
    using s = socket.socket();
    using inherited = socket.socket();
    inherited.setInheritable(true);
    const { spawnSync } = await import('node:child_process');
    // /proc/self/fd of the child (ls) shows what it inherited.
    const listing = spawnSync('sh', ['-c', `ls /proc/$$/fd`], { encoding: 'utf8', timeout: 5000 });
    assert.equal(listing.status, 0, listing.stderr);
    const fds = listing.stdout.split(/\s+/).filter(Boolean).map(Number);
    assert.ok(fds.includes(inherited.fileno()), `inheritable fd ${inherited.fileno()} missing in ${fds.join(' ')}`);
    assert.ok(!fds.includes(s.fileno()), `close-on-exec fd ${s.fileno()} leaked into ${fds.join(' ')}`);
  });
});

describe('toString and inspect', () => {
  test('a bound TCP socket', () => {
    using s = socket.socket();
    s.bind(['127.0.0.1', 0]);
    const port = (s.getsockname() as [string, number])[1];
    const expected = `<berkeley.Socket fd=${s.fileno()}, family=AF_INET, type=SOCK_STREAM, proto=0, laddr=['127.0.0.1', ${port}]>`;
    assert.equal(s.toString(), expected);
    assert.equal(String(s), expected);
    // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- what is tested is a Socket in a template literal
    assert.equal(`${s}`, expected);
    assert.equal(inspect(s), expected);
  });

  test('an unbound socket has no laddr; a connected one has raddr', async () => {
    using listener = socket.socket();
    listener.bind(['127.0.0.1', 0]);
    listener.listen();
    const lport = (listener.getsockname() as [string, number])[1];
    using client = socket.socket();
    // As in Python: an unbound internet socket's name is the any address, port 0.
    assert.equal(String(client), `<berkeley.Socket fd=${client.fileno()}, family=AF_INET, type=SOCK_STREAM, proto=0, laddr=['0.0.0.0', 0]>`);
    await bounded(client.connect(['127.0.0.1', lport]));
    const cport = (client.getsockname() as [string, number])[1];
    assert.equal(
      String(client),
      `<berkeley.Socket fd=${client.fileno()}, family=AF_INET, type=SOCK_STREAM, proto=0, laddr=['127.0.0.1', ${cport}], raddr=['127.0.0.1', ${lport}]>`,
    );
    const [conn] = await bounded(listener.accept());
    conn.close();
  });

  test('UDP, Unix and closed sockets', () => {
    const t = tempDir();
    try {
      using u = socket.socket(AF_INET, SOCK_DGRAM);
      assert.equal(String(u), `<berkeley.Socket fd=${u.fileno()}, family=AF_INET, type=SOCK_DGRAM, proto=0, laddr=['0.0.0.0', 0]>`);
      using x = socket.socket(AF_UNIX, SOCK_STREAM);
      x.bind(t.path('sock'));
      assert.equal(String(x), `<berkeley.Socket fd=${x.fileno()}, family=AF_UNIX, type=SOCK_STREAM, proto=0, laddr=${t.path('sock')}>`);
      using a = socket.socket(AF_UNIX, SOCK_DGRAM);
      a.bind(Buffer.from(`\0berkeley-inspect-${process.pid}`));
      assert.equal(String(a), `<berkeley.Socket fd=${a.fileno()}, family=AF_UNIX, type=SOCK_DGRAM, proto=0, laddr=b'\\x00berkeley-inspect-${process.pid}'>`);
      const c = socket.socket();
      c.close();
      assert.equal(String(c), '<berkeley.Socket [closed] fd=-1, family=AF_INET, type=SOCK_STREAM, proto=0>');
    } finally {
      t.cleanup();
    }
  });

  test('an unnamed Unix socket shows no laddr (its name is \'\', left out as in Python)', () => {
    using x = socket.socket(AF_UNIX, SOCK_STREAM);
    assert.equal(String(x), `<berkeley.Socket fd=${x.fileno()}, family=AF_UNIX, type=SOCK_STREAM, proto=0>`);
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    assert.equal(String(a), `<berkeley.Socket fd=${a.fileno()}, family=AF_UNIX, type=SOCK_STREAM, proto=0>`);
  });

  test('IPv6 shows the 4-tuple', (t) => {
    if (!hasLoopbackIPv6()) return t.skip('no IPv6 loopback');
    using s = socket.socket(AF_INET6, SOCK_STREAM);
    s.bind(['::1', 0]);
    const [, port] = s.getsockname();
    assert.equal(String(s), `<berkeley.Socket fd=${s.fileno()}, family=AF_INET6, type=SOCK_STREAM, proto=0, laddr=['::1', ${port}, 0, 0]>`);
  });
});

describe('ref/unref and GC', () => {
  test('ref() and unref() return the socket', () => {
    using s = socket.socket();
    assert.equal(s.unref(), s);
    assert.equal(s.ref(), s);
  });

  test('the GC of an unclosed socket closes its fd and emits a ResourceWarning', async () => {
    const r = await runNode(`
      import * as socket from 'berkeley';
      import { existsSync } from 'node:fs';
      const warnings = [];
      process.on('warning', (w) => warnings.push(w));
      let fd;
      (() => { const s = socket.socket(); s.bind(['127.0.0.1', 0]); fd = s.fileno(); })();
      if (!existsSync('/proc/self/fd/' + fd)) throw new Error('fd not open before GC');
      for (let i = 0; i < 200 && warnings.length === 0; i++) {
        globalThis.gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      const w = warnings[0];
      console.log(JSON.stringify({ name: w?.name, message: w?.message, open: existsSync('/proc/self/fd/' + fd) }));
    `, { args: ['--expose-gc', '--no-warnings'] });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { name?: string; message?: string; open: boolean };
    assert.equal(result.name, 'ResourceWarning');
    assert.match(result.message ?? '', /unclosed/);
    assert.match(result.message ?? '', /berkeley\.Socket/);
    assert.equal(result.open, false);
  });

  // A child that leaves a socket made in a named function to the GC, and prints the warning's detail once it came.
  const UNCLOSED = `
    import * as socket from 'berkeley';
    let detail;
    process.on('warning', (w) => { if (w.name === 'ResourceWarning') detail = String(w.detail); });
    function makeUnclosedSocket() { socket.socket().bind(['127.0.0.1', 0]); }
    makeUnclosedSocket();
    for (let i = 0; i < 200 && detail === undefined; i++) {
      globalThis.gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    console.log(JSON.stringify(detail));
  `;

  const traced: [string, Parameters<typeof runNode>[1]][] = [
    ['node --trace-warnings', { args: ['--expose-gc', '--trace-warnings'] }],
    ['NODE_OPTIONS=--trace-warnings', { args: ['--expose-gc'], env: { NODE_OPTIONS: '--trace-warnings' } }],
  ];
  for (const [how, options] of traced) {
    test(`with ${how}, the warning says where the socket was made, from the caller's frame`, async () => {
      const r = await runNode(UNCLOSED, options);
      assert.equal(r.code, 0, r.stderr);
      const detail = JSON.parse(r.stdout) as string;
      // The first frame is the caller's: berkeley's own (socket(), the constructor) are left out.
      assert.match(detail, /^Socket created at:\n +at makeUnclosedSocket \(/);
      assert.ok(!detail.includes('/dist/'), detail);
      assert.match(r.stderr, /ResourceWarning: unclosed <berkeley\.Socket[^\n]*>\n[^]*Socket created at:\n +at makeUnclosedSocket /);
    });
  }

  test('without --trace-warnings, no site is recorded: the warning alone, and Node\'s hint', async () => {
    const r = await runNode(UNCLOSED, { args: ['--expose-gc'] });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout), 'undefined');
    assert.match(r.stderr, /ResourceWarning: unclosed <berkeley\.Socket/);
    assert.match(r.stderr, /--trace-warnings/);
    assert.ok(!r.stderr.includes('makeUnclosedSocket'), r.stderr);
  });

  test('a closed socket that is collected emits no warning', async () => {
    const r = await runNode(`
      import * as socket from 'berkeley';
      const warnings = [];
      process.on('warning', (w) => warnings.push(w));
      (() => { const s = socket.socket(); s.close(); })();
      (() => { const s = socket.socket(); socket.close(s.detach()); })();
      // A marker object proves collection happened.
      let collected = false;
      const registry = new FinalizationRegistry(() => { collected = true; });
      (() => { registry.register({}, 0); })();
      for (let i = 0; i < 200 && !collected; i++) {
        globalThis.gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      console.log(JSON.stringify({ collected, warnings: warnings.map((w) => w.name) }));
    `, { args: ['--expose-gc', '--no-warnings'] });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { collected: true, warnings: [] });
  });
});
