// createConnection (+Sync), createServer, hasIpv6 / hasDualstackIpv6, compared
// with python3's socket.create_connection / create_server on this machine.
// Loopback only; the multi-address cases run in a private mount namespace
// whose /etc/hosts gives 'localhost' both ::1 and 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import { assertSameOutcome, berkeleyCall, bounded, hasLoopbackIPv6, openFds, type Outcome, privateNamespaces, pythonCalls, pythonJson, runCommand, withPrivateFiles } from '../support/index.js';

const { AF_INET, AF_INET6, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, SO_REUSEPORT, SO_ACCEPTCONN, IPPROTO_IPV6, IPV6_V6ONLY } = socket;
const ipv6 = hasLoopbackIPv6();
const noIpv6 = ipv6 ? false : 'no IPv6 loopback here';

function python(code: string): unknown {
  return pythonJson(`import json, socket\n${code}`, 20000);
}

type Mode = 'listen' | 'refuse' | 'blackhole';

/**
 * A TCP port with, for each family given, a socket on its loopback address:
 * 'listen' accepts, 'refuse' is bound but not listening (a connect is refused),
 * 'blackhole' is a listener whose backlog is full (a connect waits until its timeout).
 */
class PortSetup {
  readonly sockets: socket.Socket[] = [];
  port = 0;

  static async make(modes: Partial<Record<number, Mode>>): Promise<PortSetup> {
    for (let tries = 0; tries < 20; tries++) {
      const setup = new PortSetup();
      try {
        for (const [family, mode] of Object.entries(modes) as [string, Mode][]) await setup.add(Number(family), mode);
        return setup;
      } catch (error) {
        setup.close();
        if (!(error instanceof socket.SocketError && error.errno === socket.errno.EADDRINUSE)) throw error;
      }
    }
    throw new Error('no port free on both loopback addresses');
  }

  async add(family: number, mode: Mode): Promise<void> {
    const host = family === AF_INET6 ? '::1' : '127.0.0.1';
    const s = socket.socket(family, SOCK_STREAM);
    this.sockets.push(s);
    s.bind([host, this.port]);
    this.port = (s.getsockname() as [string, number])[1];
    if (mode === 'refuse') return;
    s.listen(mode === 'blackhole' ? 0 : undefined);
    if (mode === 'listen') return;
    // Fill the accept queue until a connect no longer completes: further SYNs are dropped.
    for (let k = 0; k < 8; k++) {
      const filler = socket.socket(family, SOCK_STREAM);
      this.sockets.push(filler);
      filler.settimeout(0.3);
      try {
        await bounded(filler.connect([host, this.port]), 5000);
      } catch (error) {
        if (error instanceof socket.TimeoutError) return;
        throw error;
      }
    }
    throw new Error('could not fill the listen backlog');
  }

  close(): void {
    for (const s of this.sockets) s.close();
  }
}

const sockaddr = (s: socket.Socket): [string, number] => (s.getsockname() as [string, number]).slice(0, 2) as [string, number];

// ---- createConnection ------------------------------------------------------------------

test('createConnection connects to a server (async and Sync); the peers see each other', async () => {
  using server = socket.createServer(['127.0.0.1', 0]);
  const address = sockaddr(server);
  for (const sync of [false, true]) {
    using client = sync ? socket.createConnectionSync(address) : await bounded(socket.createConnection(address));
    const [conn, peer] = await bounded(server.accept());
    using _conn = conn;
    assert.equal(client.family, AF_INET);
    assert.equal(client.type, SOCK_STREAM);
    assert.deepEqual(client.getpeername(), address);
    assert.deepEqual(peer, client.getsockname());
    await client.sendall('hello');
    assert.equal((await bounded(conn.recv(5))).toString(), 'hello');
  }
});

test("createConnection to 'localhost' tries each address in order: a server on only the last family still gets the connection", async () => {
  const candidates = socket.getaddrinfoSync('localhost', 0, 0, SOCK_STREAM);
  const families = [...new Set(candidates.map(([family]) => family))];
  const modes: Partial<Record<number, Mode>> = {};
  for (const family of families) modes[family] = family === families.at(-1) ? 'listen' : 'refuse';
  const setup = await PortSetup.make(modes);
  try {
    for (const sync of [false, true]) {
      using client = sync ? socket.createConnectionSync(['localhost', setup.port]) : await bounded(socket.createConnection(['localhost', setup.port]));
      assert.equal(client.family, families.at(-1));
      assert.equal((client.getpeername() as [string, number])[1], setup.port);
    }
  } finally {
    setup.close();
  }
});

test('createConnection: the timeout is set on the socket (default: getdefaulttimeout())', async () => {
  using server = socket.createServer(['127.0.0.1', 0]);
  const address = sockaddr(server);
  {
    using a = await bounded(socket.createConnection(address, 2.5));
    assert.equal(a.gettimeout(), 2.5);
    using b = socket.createConnectionSync(address, 3.5);
    assert.equal(b.gettimeout(), 3.5);
    using c = socket.createConnectionSync(address, null);
    assert.equal(c.gettimeout(), null);
    using d = socket.createConnectionSync(address);
    assert.equal(d.gettimeout(), null);
  }
  socket.setdefaulttimeout(7);
  try {
    using e = await bounded(socket.createConnection(address));
    assert.equal(e.gettimeout(), 7);
    using f = socket.createConnectionSync(address, null);
    assert.equal(f.gettimeout(), null);
  } finally {
    socket.setdefaulttimeout(null);
  }
});

test('createConnection: a connect that does not complete times out (TimeoutError), per attempt', async () => {
  const setup = await PortSetup.make({ [AF_INET]: 'blackhole' });
  try {
    const address: [string, number] = ['127.0.0.1', setup.port];
    await assert.rejects(bounded(socket.createConnection(address, 0.2)), socket.TimeoutError);
    assert.throws(() => socket.createConnectionSync(address, 0.2), socket.TimeoutError);
    await assert.rejects(bounded(socket.createConnection(address, 0.2, undefined, { allErrors: true })), (error: unknown) => {
      assert.ok(error instanceof AggregateError);
      assert.equal(error.errors.length, 1);
      assert.ok(error.errors[0] instanceof socket.TimeoutError);
      return true;
    });
  } finally {
    setup.close();
  }
});

test('createConnection binds sourceAddress before connecting', async () => {
  using server = socket.createServer(['127.0.0.1', 0]);
  const address = sockaddr(server);
  // 127.0.0.2 is on lo wherever 127/8 is; else 127.0.0.1.
  let source = '127.0.0.2';
  try {
    using probe = socket.socket();
    probe.bind([source, 0]);
  } catch {
    source = '127.0.0.1';
  }
  for (const sync of [false, true]) {
    using client = sync ? socket.createConnectionSync(address, 5, [source, 0]) : await bounded(socket.createConnection(address, 5, [source, 0]));
    const [conn, peer] = await bounded(server.accept());
    conn.close();
    assert.equal(sockaddr(client)[0], source);
    assert.deepEqual(peer, client.getsockname());
  }
  // A given source port too.
  const free = socket.socket();
  free.bind([source, 0]);
  const port = sockaddr(free)[1];
  free.close();
  using client = await bounded(socket.createConnection(address, null, [source, port]));
  assert.deepEqual(sockaddr(client), [source, port]);
  (await bounded(server.accept()))[0].close();
});

test('createConnection: a sourceAddress that cannot be bound fails as python (EADDRNOTAVAIL), no fd leaks', async () => {
  using server = socket.createServer(['127.0.0.1', 0]);
  const address = sockaddr(server);
  const source: [string, number] = ['203.0.113.7', 0]; // TEST-NET-3: not an address of this machine
  const [expected] = pythonCalls([['createConnection', [address, 5, source]]]);
  assert.ok('error' in expected, JSON.stringify(expected));
  const before = openFds();
  assertSameOutcome(await berkeleyCall(['createConnection', [address, 5, source]]), expected, 'createConnectionSync(source 203.0.113.7)');
  assertSameOutcome(await berkeleyCall(['createConnection', [address, 5, source]], true), expected, 'createConnection(source 203.0.113.7)');
  assert.equal(openFds(), before);
});

test('createConnection: refused is ConnectionRefusedError, as python; allErrors gives an AggregateError', async () => {
  const setup = await PortSetup.make({ [AF_INET]: 'refuse' });
  try {
    const address: [string, number] = ['127.0.0.1', setup.port];
    const [expected] = pythonCalls([['createConnection', [address]]]);
    assert.ok('error' in expected && expected.error === 'ConnectionRefusedError', JSON.stringify(expected));
    const before = openFds();
    assertSameOutcome(await berkeleyCall(['createConnection', [address]]), expected, 'createConnectionSync');
    assertSameOutcome(await bounded(berkeleyCall(['createConnection', [address]], true)), expected, 'createConnection');
    const check = (error: unknown): boolean => {
      assert.ok(error instanceof AggregateError, String(error));
      assert.equal(error.errors.length, 1);
      assert.ok(error.errors[0] instanceof socket.ConnectionRefusedError);
      assert.equal(error.errors[0].errno, socket.errno.ECONNREFUSED);
      return true;
    };
    await assert.rejects(bounded(socket.createConnection(address, null, undefined, { allErrors: true })), check);
    assert.throws(() => socket.createConnectionSync(address, 1, undefined, { allErrors: true }), check);
    await assert.rejects(bounded(socket.createConnection(address, null, undefined, { allErrors: false })), socket.ConnectionRefusedError);
    assert.equal(openFds(), before, 'every failed attempt closed its socket');
  } finally {
    setup.close();
  }
});

test('createConnection: a name that does not resolve is a GaiError; bad arguments TypeError / RangeError', async () => {
  await assert.rejects(bounded(socket.createConnection(['', 80])), socket.GaiError);
  assert.throws(() => socket.createConnectionSync(['1.2.3.4.5.6.7', 80]), (e: unknown) => e instanceof socket.GaiError || e instanceof socket.SocketError);
  const bad: [unknown[], typeof TypeError | typeof RangeError][] = [
    [['127.0.0.1:80'], TypeError],
    [[['127.0.0.1']], TypeError],
    [[[80, '127.0.0.1']], TypeError],
    [[['127.0.0.1', '80']], TypeError],
    // Python hands 70000 to getaddrinfo, which wraps it to port 4464; a bad port is a RangeError here (API.md).
    [[['127.0.0.1', 70000]], RangeError],
    [[['127.0.0.1', -1]], RangeError],
    [[['127.0.0.1', 80], -1], RangeError],
    [[['127.0.0.1', 80], NaN], RangeError],
    [[['127.0.0.1', 80], '5'], TypeError],
    [[['127.0.0.1', 80], 5, undefined, { allErrors: 'yes' }], TypeError],
  ];
  for (const [args, Class] of bad) {
    assert.throws(() => (socket.createConnectionSync as (...a: unknown[]) => unknown)(...args), Class, JSON.stringify(args));
    await assert.rejects((socket.createConnection as (...a: unknown[]) => Promise<unknown>)(...args), Class, JSON.stringify(args));
  }
});

// ---- several addresses: a private /etc/hosts with localhost on ::1 and 127.0.0.1 -------------

const MULTI_HOSTS = '::1 localhost\n127.0.0.1 localhost\n';
const LOOPBACK_RESOLV = 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n';

const NODE_CONNECT = String.raw`
import * as socket from 'berkeley';
const cases = JSON.parse(process.env.BERKELEY_CASES);
const describe = (e) => e instanceof AggregateError ? { aggregate: e.errors.map((x) => x.constructor.name) } : { error: e.constructor.name, errno: e.errno ?? null };
const out = [];
for (const { port, timeout, allErrors, sync } of cases) {
  try {
    const s = sync ? socket.createConnectionSync(['localhost', port], timeout, undefined, { allErrors })
                   : await socket.createConnection(['localhost', port], timeout, undefined, { allErrors });
    out.push({ ok: [s.family, s.getpeername().slice(0, 2), s.gettimeout()] });
    s.close();
  } catch (e) { out.push(describe(e)); }
}
out.push({ order: socket.getaddrinfoSync('localhost', 0, 0, socket.SOCK_STREAM).map((a) => a[0]) });
console.log(JSON.stringify(out));
`;
const PYTHON_CONNECT = String.raw`
import json, os, socket
cases = json.loads(os.environ['BERKELEY_CASES'])
out = []
for c in cases:
    try:
        kw = {'all_errors': True} if c['allErrors'] else {}
        s = socket.create_connection(('localhost', c['port']), c['timeout'], **kw)
        out.append({'ok': [int(s.family), list(s.getpeername()[:2]), s.gettimeout()]}); s.close()
    except ExceptionGroup as e:
        out.append({'aggregate': [type(x).__name__ for x in e.exceptions]})
    except Exception as e:
        out.append({'error': type(e).__name__, 'errno': getattr(e, 'errno', None)})
out.append({'order': [int(a[0]) for a in socket.getaddrinfo('localhost', 0, 0, socket.SOCK_STREAM)]})
print(json.dumps(out))
`;

async function runUnder(prefix: string[], argv: string[], env: Record<string, string>): Promise<unknown[]> {
  const r = await runCommand([...prefix, ...argv], { env, ms: 30000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return JSON.parse(r.stdout) as unknown[];
}

test("createConnection with 'localhost' on ::1 and 127.0.0.1: every address in order, as python", { skip: privateNamespaces !== true ? privateNamespaces : noIpv6 }, async () => {
  const { prefix, cleanup } = withPrivateFiles({ '/etc/hosts': MULTI_HOSTS, '/etc/resolv.conf': LOOPBACK_RESOLV });
  const setups: PortSetup[] = [];
  try {
    const v4Only = await PortSetup.make({ [AF_INET6]: 'refuse', [AF_INET]: 'listen' });
    const v6Only = await PortSetup.make({ [AF_INET]: 'refuse', [AF_INET6]: 'listen' });
    const neither = await PortSetup.make({ [AF_INET6]: 'refuse', [AF_INET]: 'refuse' });
    const v6Silent = await PortSetup.make({ [AF_INET6]: 'blackhole', [AF_INET]: 'listen' });
    const v4Silent = await PortSetup.make({ [AF_INET]: 'blackhole', [AF_INET6]: 'listen' });
    const bothSilent = await PortSetup.make({ [AF_INET6]: 'blackhole', [AF_INET]: 'blackhole' });
    setups.push(v4Only, v6Only, neither, v6Silent, v4Silent, bothSilent);
    const cases = [];
    for (const sync of [false, true]) {
      cases.push(
        { port: v4Only.port, timeout: 5, allErrors: false, sync },
        { port: v6Only.port, timeout: 5, allErrors: false, sync },
        { port: neither.port, timeout: 5, allErrors: false, sync },
        { port: neither.port, timeout: 5, allErrors: true, sync },
        // A timeout on one address moves on to the next, which gets a timeout of its own.
        { port: v6Silent.port, timeout: 0.3, allErrors: false, sync },
        { port: v4Silent.port, timeout: 0.3, allErrors: false, sync },
        { port: bothSilent.port, timeout: 0.3, allErrors: true, sync },
      );
    }
    const env = { BERKELEY_CASES: JSON.stringify(cases) };
    const ours = await runUnder(prefix, [process.execPath, '--input-type=module', '-e', NODE_CONNECT], env);
    const theirs = await runUnder(prefix, ['python3', '-c', PYTHON_CONNECT], env);
    const order = (theirs.at(-1) as { order: number[] }).order;
    assert.deepEqual(new Set(order), new Set([AF_INET, AF_INET6]), 'localhost has both families in the private /etc/hosts');
    assert.deepEqual(ours.at(-1), theirs.at(-1), 'the same getaddrinfo order');
    // All cases at once, so that a failure shows every difference (async cases first, then Sync).
    assert.deepEqual(ours, theirs, `cases: ${JSON.stringify(cases)}`);
    // And what that is: each connects to its one listening family; refused twice / timed out twice.
    const v4 = ['127.0.0.1', v4Only.port];
    assert.deepEqual(ours[0], { ok: [AF_INET, v4, 5] });
    assert.deepEqual(ours[1], { ok: [AF_INET6, ['::1', v6Only.port], 5] });
    assert.deepEqual(ours[2], { error: 'ConnectionRefusedError', errno: socket.errno.ECONNREFUSED });
    assert.deepEqual(ours[3], { aggregate: ['ConnectionRefusedError', 'ConnectionRefusedError'] });
    assert.deepEqual(ours[4], { ok: [AF_INET, ['127.0.0.1', v6Silent.port], 0.3] });
    assert.deepEqual(ours[5], { ok: [AF_INET6, ['::1', v4Silent.port], 0.3] });
    assert.deepEqual(ours[6], { aggregate: ['TimeoutError', 'TimeoutError'] });
  } finally {
    for (const setup of setups) setup.close();
    cleanup();
  }
});

// ---- createServer ---------------------------------------------------------------------------

interface ServerOptions {
  family: number;
  reuse: number;
  reusePort: number;
  listening: number;
  v6only: number | null;
}

function options(s: socket.Socket): ServerOptions {
  return {
    family: s.family,
    reuse: s.getsockopt(SOL_SOCKET, SO_REUSEADDR) as number,
    reusePort: s.getsockopt(SOL_SOCKET, SO_REUSEPORT) as number,
    listening: s.getsockopt(SOL_SOCKET, SO_ACCEPTCONN) as number,
    v6only: s.family === AF_INET6 ? (s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY) as number) : null,
  };
}

const PYTHON_SERVER = `
def options(s):
    v6 = s.family == socket.AF_INET6
    return {'family': int(s.family), 'reuse': s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR),
            'reusePort': s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT),
            'listening': s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN),
            'v6only': s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) if v6 else None}
`;

test('createServer (AF_INET): SO_REUSEADDR set and listening, SO_REUSEPORT only when asked, as python', () => {
  const theirs = python(`${PYTHON_SERVER}
print(json.dumps([options(socket.create_server(('127.0.0.1', 0))), options(socket.create_server(('127.0.0.1', 0), reuse_port=True))]))`) as ServerOptions[];
  using plain = socket.createServer(['127.0.0.1', 0]);
  using reusing = socket.createServer(['127.0.0.1', 0], { reusePort: true });
  assert.deepEqual([options(plain), options(reusing)], theirs);
  assert.deepEqual(options(plain), { family: AF_INET, reuse: 1, reusePort: 0, listening: 1, v6only: null });
  assert.equal(options(reusing).reusePort, 1);
  assert.equal(plain.type, SOCK_STREAM);
  // reusePort: a second server on the same port.
  using second = socket.createServer(sockaddr(reusing), { reusePort: true, backlog: 3 });
  assert.deepEqual(sockaddr(second), sockaddr(reusing));
});

test('createServer (AF_INET6): IPV6_V6ONLY on unless dualstackIpv6, as python', { skip: noIpv6 }, async () => {
  const dual = socket.hasDualstackIpv6();
  const theirs = python(`${PYTHON_SERVER}
out = [options(socket.create_server(('::1', 0), family=socket.AF_INET6))]
if socket.has_dualstack_ipv6(): out.append(options(socket.create_server(('::', 0), family=socket.AF_INET6, dualstack_ipv6=True)))
print(json.dumps(out))`) as ServerOptions[];
  using v6 = socket.createServer(['::1', 0], { family: AF_INET6 });
  assert.deepEqual(options(v6), theirs[0]);
  assert.deepEqual(options(v6), { family: AF_INET6, reuse: 1, reusePort: 0, listening: 1, v6only: 1 });
  // An IPv4 client cannot reach a V6ONLY server.
  if (!dual) return;
  using both = socket.createServer(['::', 0], { family: AF_INET6, dualstackIpv6: true });
  assert.deepEqual(options(both), theirs[1]);
  assert.equal(options(both).v6only, 0);
  const port = sockaddr(both)[1];
  using client4 = await bounded(socket.createConnection(['127.0.0.1', port]));
  const [conn4, peer4] = await bounded(both.accept());
  conn4.close();
  assert.equal(peer4[0], '::ffff:127.0.0.1');
  assert.equal(peer4[1], sockaddr(client4)[1]);
  using client6 = socket.createConnectionSync(['::1', port]);
  const [conn6, peer6] = await bounded(both.accept());
  conn6.close();
  assert.deepEqual(peer6.slice(0, 2), sockaddr(client6));
});

test('createServer: dualstackIpv6 with AF_INET is a RangeError (python: ValueError); bad options TypeError', () => {
  const theirs = python(`
try:
    socket.create_server(('127.0.0.1', 0), dualstack_ipv6=True); print(json.dumps('ok'))
except Exception as e:
    print(json.dumps(type(e).__name__))`);
  assert.equal(theirs, 'ValueError');
  const before = openFds();
  assert.throws(() => socket.createServer(['127.0.0.1', 0], { dualstackIpv6: true }), RangeError);
  assert.throws(() => socket.createServer(['127.0.0.1', 0], { family: AF_INET, dualstackIpv6: true }), RangeError);
  assert.throws(() => socket.createServer(['127.0.0.1', 0], { reusePort: 1 as never }), TypeError);
  assert.throws(() => socket.createServer(['127.0.0.1', 0], { dualstackIpv6: 'yes' as never }), TypeError);
  assert.throws(() => socket.createServer<number>(['127.0.0.1', 0], { family: 'AF_INET' as never }), TypeError);
  assert.equal(openFds(), before);
});

test('createServer: a bind failure is the errno python gives, with the address in the message; nothing leaks', () => {
  using taken = socket.createServer(['127.0.0.1', 0]);
  const address = sockaddr(taken);
  const [theirs] = pythonCalls([['createServer', [address]]]);
  assert.ok('error' in theirs && theirs.error === 'OSError' && theirs.errno === socket.errno.EADDRINUSE, JSON.stringify(theirs));
  assert.match(theirs.message, new RegExp(`127\\.0\\.0\\.1.*${address[1]}`));
  const before = openFds();
  assert.throws(
    () => socket.createServer(address),
    (error: unknown) => {
      assert.ok(error instanceof socket.SocketError, String(error));
      assert.equal(error.errno, theirs.errno);
      assert.equal(error.syscall, 'bind');
      assert.match(error.message, /Address already in use/);
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1.*${address[1]}`));
      return true;
    },
  );
  // An address that is not this machine's: EADDRNOTAVAIL, with the address too.
  const [python2] = pythonCalls([['createServer', [['203.0.113.7', 0]]]]);
  assert.throws(
    () => socket.createServer(['203.0.113.7', 0]),
    (error: unknown) => error instanceof socket.SocketError && error.errno === (python2 as Outcome & { errno: number }).errno && /203\.0\.113\.7/.test(error.message),
  );
  assert.equal(openFds(), before);
});

test('hasIpv6 and hasDualstackIpv6() agree with python', () => {
  const theirs = python('print(json.dumps([socket.has_ipv6, socket.has_dualstack_ipv6()]))') as [boolean, boolean];
  assert.equal(typeof socket.hasIpv6, 'boolean');
  assert.deepEqual([socket.hasIpv6, socket.hasDualstackIpv6()], theirs);
});
