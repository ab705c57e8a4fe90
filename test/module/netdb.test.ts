// Name resolution and the classic look-ups, compared with python3's own
// socket module on this machine for the same inputs. No query leaves the
// machine: only localhost, numeric hosts, /etc/hosts names and
// AI_NUMERICHOST here; the cases that need a miss (herror, NI_NAMEREQD
// failures, aliases) run in a private mount namespace whose resolv.conf
// points at 127.0.0.1 and whose /etc/hosts is the test's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import * as socket from 'berkeley';
import { assertSameOutcome, berkeleyCall, bounded, type Call, callLabel, compareWithPython, decodeArgument, encodeValue, errorOutcome, type Outcome, privateNamespaces, pythonCalls, runCommand, type RunResult, withPrivateFiles } from '../support/index.js';

/** The functions that can wait: compared in both their async and Sync forms. */
const WAITING = new Set(['getaddrinfo', 'getnameinfo', 'gethostbyname', 'gethostbynameEx', 'gethostbyaddr', 'getfqdn']);

// ---- the inputs ------------------------------------------------------------------

/** Names of /etc/hosts with an IPv4 address (resolved by the files backend, never by DNS). */
const hostsNames: string[] = readFileSync('/etc/hosts', 'utf8')
  .split('\n')
  .map((line) => line.replace(/#.*/, '').trim().split(/\s+/))
  .filter((fields) => fields.length >= 2 && /^\d+\.\d+\.\d+\.\d+$/.test(fields[0]!))
  .flatMap((fields) => fields.slice(1));
const hostsName = hostsNames.find((name) => name !== 'localhost') ?? 'localhost';
const hostname = socket.gethostname();
/** getfqdn('') and friends resolve this host's name: only safe when /etc/hosts has it. */
const hostnameInHosts = hostsNames.includes(hostname);

const {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  SOCK_STREAM,
  SOCK_DGRAM,
  IPPROTO_TCP,
  IPPROTO_UDP,
  AI_PASSIVE,
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_NUMERICSERV,
  AI_ADDRCONFIG,
  AI_V4MAPPED,
  AI_ALL,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  NI_NAMEREQD,
  NI_DGRAM,
  NI_NOFQDN,
} = socket;

// ---- constants -----------------------------------------------------------------------

test('AI_*, NI_*, EAI_* constants have the values of python3 on this machine', () => {
  const names = Object.keys(socket).filter((k) => /^(AI|NI|EAI)_/.test(k));
  const python = JSON.parse(
    execFileSync('python3', ['-c', 'import json, socket, sys; print(json.dumps({k: int(getattr(socket, k)) for k in sys.argv[1:] if hasattr(socket, k)}))', ...names], { encoding: 'utf8' }),
  ) as Record<string, number>;
  for (const [name, value] of Object.entries(python)) assert.equal((socket as unknown as Record<string, number>)[name], value, name);
  for (const name of ['AI_PASSIVE', 'AI_CANONNAME', 'AI_NUMERICHOST', 'AI_NUMERICSERV', 'AI_ADDRCONFIG', 'AI_V4MAPPED', 'AI_ALL', 'NI_NUMERICHOST', 'NI_NUMERICSERV', 'NI_NAMEREQD', 'NI_DGRAM', 'NI_NOFQDN', 'EAI_NONAME', 'EAI_SERVICE', 'EAI_FAMILY', 'EAI_SOCKTYPE', 'EAI_BADFLAGS']) {
    assert.equal(typeof (socket as unknown as Record<string, number>)[name], 'number', name);
  }
});

// ---- getaddrinfo ---------------------------------------------------------------------

test('getaddrinfo: hosts, numeric forms, /etc/hosts names and services match python', async (t) => {
  const calls: Call[] = [];
  for (const host of ['localhost', '127.0.0.1', '::1', '127.1', '0x7f.1', '0177.0.0.1', '2130706433', hostsName]) {
    calls.push(['getaddrinfo', [host, null]]);
    calls.push(['getaddrinfo', [host, 80, AF_UNSPEC, SOCK_STREAM]]);
  }
  for (const port of [80, '80', 'http', 'ssh', 'domain', null, 0, 65535, 70000, -1, 'nosuchservice', '  80']) {
    calls.push(['getaddrinfo', ['127.0.0.1', port]]);
    calls.push(['getaddrinfo', ['localhost', port, AF_INET, SOCK_DGRAM]]);
  }
  calls.push(
    ['getaddrinfo', ['localhost', 'http', AF_INET, SOCK_STREAM, IPPROTO_TCP]],
    ['getaddrinfo', ['localhost', 'domain', AF_INET, 0, IPPROTO_UDP]],
    ['getaddrinfo', ['::1', 'ssh', AF_INET6, SOCK_STREAM]],
    ['getaddrinfo', ['127.0.0.1', 'ssh', AF_INET]],
    ['getaddrinfo', ['127.0.0.1', 22, AF_INET6]], // EAI_ADDRFAMILY (numeric: no look-up)
    ['getaddrinfo', ['::1', 22, AF_INET]], // EAI_ADDRFAMILY
    ['getaddrinfo', ['127.0.0.1', 80, 12345]], // EAI_FAMILY
    ['getaddrinfo', ['127.0.0.1', 80, AF_INET, 999]], // EAI_SOCKTYPE
    ['getaddrinfo', ['127.0.0.1', 80, AF_INET, SOCK_STREAM, IPPROTO_UDP]], // EAI_SERVICE/SOCKTYPE
    ['getaddrinfo', ['127.0.0.1', 80, 0, 0, 0, 0xffff]], // EAI_BADFLAGS
    ['getaddrinfo', [null, null]], // EAI_NONAME
  );
  await compareWithPython(t, calls, WAITING);
});

test('getaddrinfo: every AI_* flag matches python', async (t) => {
  const calls: Call[] = [
    // AI_PASSIVE: the wildcard for a null host, ignored with a host.
    ['getaddrinfo', [null, 8080, AF_UNSPEC, SOCK_STREAM, 0, AI_PASSIVE]],
    ['getaddrinfo', [null, 8080, AF_INET, SOCK_STREAM, 0, AI_PASSIVE]],
    ['getaddrinfo', [null, 8080, AF_INET6, SOCK_DGRAM, 0, AI_PASSIVE]],
    ['getaddrinfo', [null, 8080, AF_UNSPEC, SOCK_STREAM, 0, 0]], // loopback without it
    ['getaddrinfo', [null, 'http', AF_UNSPEC, 0, 0, AI_PASSIVE]],
    ['getaddrinfo', ['localhost', 8080, AF_UNSPEC, SOCK_STREAM, 0, AI_PASSIVE]],
    // AI_CANONNAME: the canonical name in the first entry only.
    ['getaddrinfo', ['localhost', 80, AF_UNSPEC, SOCK_STREAM, 0, AI_CANONNAME]],
    ['getaddrinfo', [hostsName, 80, AF_UNSPEC, 0, 0, AI_CANONNAME]],
    ['getaddrinfo', ['127.0.0.1', 80, AF_UNSPEC, 0, 0, AI_CANONNAME]],
    ['getaddrinfo', ['::1', null, AF_UNSPEC, 0, 0, AI_CANONNAME | AI_NUMERICHOST]],
    // AI_NUMERICHOST: numbers only; names fail with EAI_NONAME.
    ['getaddrinfo', ['127.0.0.1', 80, AF_UNSPEC, SOCK_STREAM, 0, AI_NUMERICHOST]],
    ['getaddrinfo', ['::1', 80, AF_UNSPEC, SOCK_STREAM, 0, AI_NUMERICHOST]],
    ['getaddrinfo', ['127.1', 80, AF_UNSPEC, SOCK_STREAM, 0, AI_NUMERICHOST]],
    ['getaddrinfo', ['0x7f.1', 80, AF_UNSPEC, SOCK_STREAM, 0, AI_NUMERICHOST]],
    ['getaddrinfo', ['::ffff:127.0.0.1', 80, AF_UNSPEC, SOCK_STREAM, 0, AI_NUMERICHOST]],
    ['getaddrinfo', ['fe80::1%lo', 80, AF_UNSPEC, SOCK_STREAM, 0, AI_NUMERICHOST]],
    ['getaddrinfo', ['fe80::1%1', 80, AF_INET6, SOCK_STREAM, 0, AI_NUMERICHOST]],
    ['getaddrinfo', ['localhost', 80, AF_UNSPEC, 0, 0, AI_NUMERICHOST]],
    ['getaddrinfo', [hostsName, 80, AF_UNSPEC, 0, 0, AI_NUMERICHOST]],
    ['getaddrinfo', ['not a host', 80, AF_UNSPEC, 0, 0, AI_NUMERICHOST]],
    ['getaddrinfo', ['1.2.3.4.5', 80, AF_UNSPEC, 0, 0, AI_NUMERICHOST]],
    ['getaddrinfo', ['256.1.1.1', 80, AF_UNSPEC, 0, 0, AI_NUMERICHOST]],
    ['getaddrinfo', ['::1::2', 80, AF_UNSPEC, 0, 0, AI_NUMERICHOST]],
    ['getaddrinfo', ['', 80, AF_UNSPEC, 0, 0, AI_NUMERICHOST]],
    ['getaddrinfo', ['example.invalid', null, AF_UNSPEC, 0, 0, AI_NUMERICHOST]],
    ['getaddrinfo', ['bücher.invalid', 80, AF_UNSPEC, 0, 0, AI_NUMERICHOST]],
    // AI_NUMERICSERV: numeric ports only.
    ['getaddrinfo', ['127.0.0.1', 80, AF_INET, SOCK_STREAM, 0, AI_NUMERICSERV]],
    ['getaddrinfo', ['127.0.0.1', '443', AF_INET, SOCK_STREAM, 0, AI_NUMERICSERV]],
    ['getaddrinfo', ['127.0.0.1', 'http', AF_INET, SOCK_STREAM, 0, AI_NUMERICSERV]],
    ['getaddrinfo', ['localhost', 'ssh', AF_UNSPEC, 0, 0, AI_NUMERICSERV | AI_NUMERICHOST]],
    // AI_ADDRCONFIG: only families configured here.
    ['getaddrinfo', ['localhost', 80, AF_UNSPEC, SOCK_STREAM, 0, AI_ADDRCONFIG]],
    ['getaddrinfo', [null, 80, AF_UNSPEC, SOCK_STREAM, 0, AI_ADDRCONFIG]],
    ['getaddrinfo', [null, 80, AF_UNSPEC, SOCK_STREAM, 0, AI_ADDRCONFIG | AI_PASSIVE]],
    ['getaddrinfo', ['::1', 80, AF_UNSPEC, SOCK_STREAM, 0, AI_ADDRCONFIG]],
    // AI_V4MAPPED / AI_ALL: IPv4 as ::ffff:a.b.c.d for AF_INET6.
    ['getaddrinfo', ['127.0.0.1', 80, AF_INET6, SOCK_STREAM, 0, AI_V4MAPPED]],
    ['getaddrinfo', ['127.0.0.1', 80, AF_INET6, SOCK_STREAM, 0, AI_V4MAPPED | AI_ALL]],
    ['getaddrinfo', ['127.0.0.1', 80, AF_INET6, SOCK_STREAM, 0, AI_ALL]],
    ['getaddrinfo', ['::1', 80, AF_INET6, SOCK_STREAM, 0, AI_V4MAPPED]],
    ['getaddrinfo', ['127.0.0.1', 80, AF_UNSPEC, SOCK_STREAM, 0, AI_V4MAPPED]],
    ['getaddrinfo', ['localhost', 80, AF_UNSPEC, SOCK_STREAM, 0, AI_ALL]],
    ['getaddrinfo', ['localhost', 80, AF_INET, SOCK_STREAM, 0, AI_V4MAPPED | AI_ALL | AI_ADDRCONFIG | AI_CANONNAME]],
  ];
  await compareWithPython(t, calls, WAITING);
});

test('getaddrinfo: a bad name with AI_NUMERICHOST is a GaiError EAI_NONAME with the system message', async () => {
  const [python] = pythonCalls([['getaddrinfo', ['no.such.host', 80, 0, 0, 0, AI_NUMERICHOST]]]);
  assert.ok('error' in python && python.error === 'gaierror');
  const check = (error: unknown): boolean => {
    assert.ok(error instanceof socket.GaiError, String(error));
    assert.ok(error instanceof socket.SocketError);
    assert.equal(error.errno, socket.EAI_NONAME);
    assert.equal(error.errno, python.errno);
    assert.equal(error.code, 'EAI_NONAME');
    assert.equal(error.strerror, python.strerror);
    assert.match(error.message, new RegExp(python.strerror!));
    return true;
  };
  assert.throws(() => socket.getaddrinfoSync('no.such.host', 80, 0, 0, 0, AI_NUMERICHOST), check);
  await assert.rejects(bounded(socket.getaddrinfo('no.such.host', 80, 0, 0, 0, AI_NUMERICHOST)), check);
});

test('getaddrinfo: wrong argument types are TypeError / RangeError, in both forms', async () => {
  const bad: [unknown[], typeof TypeError | typeof RangeError][] = [
    [[42, 80], TypeError],
    [['127.0.0.1', {}], TypeError],
    [['127.0.0.1', 80, '2'], TypeError],
    [['127.0.0.1', 80, 1.5], RangeError],
    [['127.0.0.1', 80, 0, 0, 0, NaN], RangeError],
    [['127.0.0.1', 1.5], RangeError],
  ];
  for (const [args, Class] of bad) {
    assert.throws(() => (socket.getaddrinfoSync as (...a: unknown[]) => unknown)(...args), Class, JSON.stringify(args));
    await assert.rejects((socket.getaddrinfo as (...a: unknown[]) => Promise<unknown>)(...args), Class, JSON.stringify(args));
  }
});

test('getaddrinfo never blocks the event loop: it returns a Promise at once', async () => {
  const pending = socket.getaddrinfo('localhost', 80);
  assert.ok(pending instanceof Promise);
  const list = await bounded(pending);
  assert.ok(list.length > 0);
});

// ---- getnameinfo ---------------------------------------------------------------------

test('getnameinfo with NI_* flags matches python', async (t) => {
  const calls: Call[] = [
    ['getnameinfo', [['127.0.0.1', 80], 0]],
    ['getnameinfo', [['127.0.0.1', 80], NI_NUMERICHOST]],
    ['getnameinfo', [['127.0.0.1', 80], NI_NUMERICSERV]],
    ['getnameinfo', [['127.0.0.1', 80], NI_NUMERICHOST | NI_NUMERICSERV]],
    ['getnameinfo', [['127.0.0.1', 80], NI_NAMEREQD]],
    ['getnameinfo', [['127.0.0.1', 80], NI_NOFQDN]],
    ['getnameinfo', [['127.0.0.1', 53], NI_DGRAM]],
    ['getnameinfo', [['127.0.0.1', 512], NI_NUMERICHOST]], // exec/tcp
    ['getnameinfo', [['127.0.0.1', 512], NI_NUMERICHOST | NI_DGRAM]], // biff/udp
    ['getnameinfo', [['127.0.0.1', 0], NI_NUMERICHOST]],
    ['getnameinfo', [['127.0.0.1', 65000], NI_NUMERICHOST]],
    ['getnameinfo', [['127.1', 22], NI_NUMERICHOST]],
    ['getnameinfo', [['::1', 22], NI_NUMERICHOST]],
    ['getnameinfo', [['::1', 22, 0, 0], NI_NUMERICHOST | NI_NUMERICSERV]],
    ['getnameinfo', [['::1', 53, 0, 0], NI_NUMERICHOST | NI_DGRAM]],
    ['getnameinfo', [['::ffff:127.0.0.1', 80, 0, 0], NI_NUMERICHOST]],
    ['getnameinfo', [['fe80::1', 80, 0, 1], NI_NUMERICHOST]],
    ['getnameinfo', [['fe80::1%lo', 80, 0, 0], NI_NUMERICHOST]],
    ['getnameinfo', [['fe80::1%lo', 80, 0, 1], NI_NUMERICHOST]],
    ['getnameinfo', [['::1', 80, 5, 0], NI_NUMERICHOST]],
    ['getnameinfo', [['localhost', 80], 0]], // the host must be numeric: EAI_NONAME
    ['getnameinfo', [['1.2.3.4.5', 80], 0]],
    ['getnameinfo', [['::1', 0, 0x100000, 0], NI_NUMERICHOST]], // flowinfo too big
  ];
  await compareWithPython(t, calls, WAITING);
});

test('getnameinfo: a 4-tuple for IPv4, and non-tuples, are refused', async () => {
  // Python raises OSError('IPv4 sockaddr must be 2 tuple'); API.md: a wrong address shape is a RangeError.
  assert.throws(() => socket.getnameinfoSync(['127.0.0.1', 80, 0, 0], 0), RangeError);
  await assert.rejects(socket.getnameinfo(['127.0.0.1', 80, 0, 0], 0), RangeError);
  assert.throws(() => socket.getnameinfoSync('127.0.0.1' as never, 0), TypeError);
  // Python: TypeError('getnameinfo(): illegal sockaddr argument'); a wrong tuple length is a bad value here.
  assert.throws(() => socket.getnameinfoSync(['127.0.0.1'] as never, 0), RangeError);
  assert.throws(() => socket.getnameinfoSync(['127.0.0.1', 70000], 0), RangeError);
  assert.throws(() => socket.getnameinfoSync(['127.0.0.1', 80], 'x' as never), TypeError);
});

// ---- the legacy look-ups -----------------------------------------------------------------

test('gethostname matches python', () => {
  const [python] = pythonCalls([['gethostname', []]]);
  assertSameOutcome({ ok: socket.gethostname() }, python!, 'gethostname()');
});

test('gethostbyname / gethostbynameEx / gethostbyaddr / getfqdn match python', async (t) => {
  const calls: Call[] = [];
  // gethostbyname_ex asks the resolver for names that are not digits and dots:
  // the others ('', '<broadcast>', '0x7f.1') are in the private-resolver test.
  const local = ['localhost', '127.0.0.1', '127.1', '010.0.0.1', '255.255.255.255', '0.0.0.0', hostsName, ...(hostnameInHosts ? [hostname] : [])];
  for (const host of [...local, '0x7f.1', '', '<broadcast>', '127.0.0.1\u0000junk']) calls.push(['gethostbyname', [host]]);
  for (const host of local) calls.push(['gethostbynameEx', [host]]);
  // No look-up needed to fail: a numeric IPv6 address for an IPv4 call (EAI_ADDRFAMILY).
  calls.push(['gethostbyname', ['::1']], ['gethostbynameEx', ['::1']]);
  for (const ip of ['127.0.0.1', 'localhost', hostsName, '127.1']) calls.push(['gethostbyaddr', [ip]]);
  for (const name of ['localhost', '127.0.0.1', '  localhost  ', hostsName, ...(hostnameInHosts ? ['', '0.0.0.0', '::'] : [])]) calls.push(['getfqdn', [name]]);
  await compareWithPython(t, calls, WAITING);
});

test('the legacy look-ups: wrong types are TypeError', async () => {
  assert.throws(() => socket.gethostbynameSync(1 as never), TypeError);
  await assert.rejects(socket.gethostbyname(null as never), TypeError);
  assert.throws(() => socket.gethostbynameExSync(undefined as never), TypeError);
  assert.throws(() => socket.gethostbyaddrSync({} as never), TypeError);
  await assert.rejects(socket.gethostbyaddr(7 as never), TypeError);
});

test('getfqdn() with no argument is python\'s getfqdn()', { skip: hostnameInHosts ? false : `this host's name (${hostname}) is not in /etc/hosts: resolving it could leave the machine` }, async () => {
  const [python] = pythonCalls([['getfqdn', []]]);
  assertSameOutcome({ ok: socket.getfqdnSync() }, python!, 'getfqdnSync()');
  assertSameOutcome({ ok: await bounded(socket.getfqdn()) }, python!, 'getfqdn()');
});

// ---- services, protocols, interfaces --------------------------------------------------------

test('getservbyname / getservbyport / getprotobyname match python', async (t) => {
  const calls: Call[] = [];
  for (const name of ['http', 'ssh', 'domain', 'https', 'www', 'biff', 'exec', 'HTTP', 'nosuchservice', '', 'http\u0000junk']) {
    calls.push(['getservbyname', [name]], ['getservbyname', [name, 'tcp']], ['getservbyname', [name, 'udp']]);
  }
  calls.push(['getservbyname', ['http', 'nosuchproto']]);
  for (const port of [80, 22, 53, 443, 512, 0, 65000, 65535, 70000, -1]) {
    calls.push(['getservbyport', [port]], ['getservbyport', [port, 'tcp']], ['getservbyport', [port, 'udp']]);
  }
  for (const name of ['tcp', 'udp', 'icmp', 'ipv6-icmp', 'ip', 'sctp', 'TCP', 'nosuchproto', '', 'tcp\u0000junk']) calls.push(['getprotobyname', [name]]);
  await compareWithPython(t, calls, WAITING);
});

test('getservby*/getprotobyname: wrong types are TypeError, bad ports RangeError', () => {
  assert.throws(() => socket.getservbyname(80 as never), TypeError);
  assert.throws(() => socket.getservbyname('http', 6 as never), TypeError);
  assert.throws(() => socket.getservbyport('80' as never), TypeError);
  assert.throws(() => socket.getservbyport(80.5), RangeError);
  assert.throws(() => socket.getprotobyname(6 as never), TypeError);
});

test('ifNameindex / ifNametoindex / ifIndextoname match python', async (t) => {
  const [python] = pythonCalls([['ifNameindex', []]]);
  assertSameOutcome({ ok: socket.ifNameindex() }, python!, 'ifNameindex()');
  const list = socket.ifNameindex();
  assert.ok(list.some(([, name]) => name === 'lo'));
  const calls: Call[] = [];
  for (const [index, name] of list) calls.push(['ifNametoindex', [name]], ['ifIndextoname', [index]]);
  calls.push(
    ['ifNametoindex', ['nosuchif0']],
    ['ifNametoindex', ['']],
    ['ifNametoindex', ['x'.repeat(40)]],
    ['ifNametoindex', ['lo\u0000junk']],
    ['ifIndextoname', [0]],
    ['ifIndextoname', [999999]],
    ['ifIndextoname', [-1]],
  );
  await compareWithPython(t, calls, WAITING);
  assert.throws(() => socket.ifNametoindex(1 as never), TypeError);
  assert.throws(() => socket.ifIndextoname('1' as never), TypeError);
  // Python truncates 2**32 to 0 (OSError ENXIO); an index that does not fit is a RangeError here.
  assert.throws(() => socket.ifIndextoname(2 ** 32), RangeError);
  assert.throws(() => socket.ifIndextoname(1.5), RangeError);
});

// ---- sethostname ------------------------------------------------------------------------

/** Runs a command in a private UTS namespace (whatever it does to the host name stays there). */
async function inPrivateUts(argv: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return runCommand(['unshare', '--uts', ...argv], { env, ms: 20000 });
}

// Each child refuses to touch the host name unless its UTS namespace is not ours.
const OWN_UTS = readlinkSync('/proc/self/ns/uts');
const NODE_SETHOSTNAME = String.raw`
import { readlinkSync } from 'node:fs';
import * as socket from 'berkeley';
if (readlinkSync('/proc/self/ns/uts') === process.env.BERKELEY_PARENT_UTS) { console.log(JSON.stringify({ refused: 'same UTS namespace' })); process.exit(3); }
const out = [];
for (const name of JSON.parse(process.env.BERKELEY_NAMES)) {
  try { socket.sethostname(typeof name === 'string' ? name : Buffer.from(name.hex, 'hex')); out.push({ ok: socket.gethostname() }); }
  catch (e) { out.push({ error: e.constructor.name, errno: e.errno ?? null, strerror: e.strerror ?? null, message: e.message }); }
}
console.log(JSON.stringify(out));
`;
const PYTHON_SETHOSTNAME = String.raw`
import json, os, socket, sys
if os.readlink('/proc/self/ns/uts') == os.environ['BERKELEY_PARENT_UTS']:
    print(json.dumps({'refused': 'same UTS namespace'})); sys.exit(3)
out = []
for name in json.loads(os.environ['BERKELEY_NAMES']):
    try:
        socket.sethostname(name if isinstance(name, str) else bytes.fromhex(name['hex'])); out.append({'ok': socket.gethostname()})
    except Exception as e:
        out.append({'error': type(e).__name__, 'errno': getattr(e, 'errno', None), 'strerror': getattr(e, 'strerror', None), 'message': str(e)})
print(json.dumps(out))
`;
const SETHOSTNAME_NAMES = ['berkeley-uts-test', { hex: Buffer.from('berkeley-bytes').toString('hex') }, 'x'.repeat(100), ''];

const isRoot = process.getuid?.() === 0;
const hasSetpriv = (() => {
  try {
    execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

test('sethostname without privilege is a PermissionError (EPERM), as python', { skip: !isRoot ? false : privateNamespaces !== true ? privateNamespaces : hasSetpriv ? false : 'no setpriv(1) to drop privilege' }, async () => {
  if (!isRoot) {
    const [python] = pythonCalls([['sethostname', ['berkeley-denied']]]);
    let ours: Outcome;
    try {
      socket.sethostname('berkeley-denied');
      ours = { ok: socket.gethostname() };
    } catch (error) {
      ours = errorOutcome(error);
    }
    assert.ok('error' in python && python.error === 'PermissionError', JSON.stringify(python));
    assertSameOutcome(ours, python, 'sethostname(unprivileged)');
    assert.ok('error' in ours && ours.errno === socket.errno.EPERM);
    return;
  }
  // Root: drop CAP_SYS_ADMIN inside a private UTS namespace, so that even a success could not touch the real name.
  const env = { BERKELEY_PARENT_UTS: OWN_UTS, BERKELEY_NAMES: JSON.stringify(['berkeley-denied']) };
  const drop = ['setpriv', '--inh-caps=-sys_admin', '--bounding-set=-sys_admin'];
  const node = await inPrivateUts([...drop, process.execPath, '--input-type=module', '-e', NODE_SETHOSTNAME], env);
  const python = await inPrivateUts([...drop, 'python3', '-c', PYTHON_SETHOSTNAME], env);
  assert.equal(node.code, 0, node.stdout + node.stderr);
  assert.equal(python.code, 0, python.stdout + python.stderr);
  const [ours] = JSON.parse(node.stdout) as Outcome[];
  const [theirs] = JSON.parse(python.stdout) as Outcome[];
  assert.ok('error' in theirs && theirs.error === 'PermissionError', python.stdout);
  assertSameOutcome(ours!, theirs, 'sethostname(unprivileged)');
  assert.ok('error' in ours && ours.errno === socket.errno.EPERM);
  assert.equal(socket.gethostname(), hostname);
});

test('sethostname as root, only ever inside a private UTS namespace, matches python', { skip: !isRoot ? 'not root' : privateNamespaces === true ? false : privateNamespaces }, async () => {
  const env = { BERKELEY_PARENT_UTS: OWN_UTS, BERKELEY_NAMES: JSON.stringify(SETHOSTNAME_NAMES) };
  const node = await inPrivateUts([process.execPath, '--input-type=module', '-e', NODE_SETHOSTNAME], env);
  const python = await inPrivateUts(['python3', '-c', PYTHON_SETHOSTNAME], env);
  assert.equal(node.code, 0, node.stdout + node.stderr);
  assert.equal(python.code, 0, python.stdout + python.stderr);
  const ours = JSON.parse(node.stdout) as Outcome[];
  const theirs = JSON.parse(python.stdout) as Outcome[];
  assert.deepEqual((theirs[0] as { ok: string }).ok, 'berkeley-uts-test');
  for (const [k, name] of SETHOSTNAME_NAMES.entries()) assertSameOutcome(ours[k]!, theirs[k]!, `sethostname(${JSON.stringify(name)})`);
  assert.equal(socket.gethostname(), hostname, 'the real host name is untouched');
});

test('sethostname: wrong types are TypeError (never reaching the system call)', () => {
  assert.throws(() => socket.sethostname(42 as never), TypeError);
  assert.throws(() => socket.sethostname(null as never), TypeError);
  assert.equal(socket.gethostname(), hostname);
});

// ---- misses, herror and aliases in a private resolver configuration ---------------------------

/**
 * The private configuration: our own /etc/hosts (aliases, a name with both
 * families) and a resolv.conf whose only server is 127.0.0.1 (so a miss stays on
 * the machine and fails at once).
 */
const PRIVATE_HOSTS = [
  '127.0.0.1 localhost',
  '::1 localhost ip6-localhost',
  '127.0.0.1 berkeley-v4 berkeley-v4.example.test berkeley-alias',
  '127.0.0.3 berkeley-three',
  '::1 berkeley-v6',
  `127.0.0.1 ${hostname}`,
  '',
].join('\n');
const PRIVATE_RESOLV = 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n';

const NODE_CALLS = `
import * as socket from 'berkeley';
${encodeValue.toString()}
${decodeArgument.toString()}
${errorOutcome.toString()}
${berkeleyCall.toString()}
let input = '';
for await (const chunk of process.stdin) input += chunk;
const out = [];
for (const call of JSON.parse(input)) out.push({ sync: await berkeleyCall(call), async: ${JSON.stringify([...WAITING])}.includes(call[0]) ? await berkeleyCall(call, true) : null });
console.log(JSON.stringify(out));
`;

/** Runs calls in berkeley in a child under prefix (bounded); `{sync, async}` outcomes. */
async function berkeleyCallsUnder(prefix: string[], calls: Call[]): Promise<{ sync: Outcome; async: Outcome | null }[]> {
  const r = await runCommand([...prefix, process.execPath, '--input-type=module', '-e', NODE_CALLS], { input: JSON.stringify(calls), ms: 30000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { sync: Outcome; async: Outcome | null }[];
}

test('with a private /etc/hosts and a loopback-only resolver: misses, herror, aliases match python', { skip: privateNamespaces === true ? false : privateNamespaces }, async (t) => {
  const { prefix, cleanup } = withPrivateFiles({ '/etc/hosts': PRIVATE_HOSTS, '/etc/resolv.conf': PRIVATE_RESOLV });
  try {
    const calls: Call[] = [
      ['getaddrinfo', ['localhost', 80, AF_UNSPEC, SOCK_STREAM]],
      ['getaddrinfo', ['localhost', 80, AF_INET6, SOCK_STREAM]],
      ['getaddrinfo', ['localhost', 80, AF_UNSPEC, SOCK_STREAM, 0, AI_CANONNAME]],
      ['getaddrinfo', ['berkeley-alias', 80, AF_UNSPEC, SOCK_STREAM, 0, AI_CANONNAME]],
      ['getaddrinfo', ['berkeley-v6', 80, AF_INET6, SOCK_STREAM, 0, AI_V4MAPPED]],
      ['getaddrinfo', ['berkeley-v4', 80, AF_INET6, SOCK_STREAM, 0, AI_V4MAPPED]],
      ['getaddrinfo', ['berkeley-v4', 80, AF_INET6, SOCK_STREAM, 0, AI_V4MAPPED | AI_ALL]],
      ['getaddrinfo', ['no-such-name.invalid', 80]],
      ['getaddrinfo', ['no-such-name.invalid', 80, AF_INET, SOCK_STREAM, 0, AI_CANONNAME]],
      ['gethostbyname', ['berkeley-alias']],
      ['gethostbyname', ['berkeley-v6']],
      ['gethostbyname', ['no-such-name.invalid']],
      ['gethostbynameEx', ['']],
      ['gethostbynameEx', ['<broadcast>']],
      ['gethostbynameEx', ['0x7f.1']],
      ['gethostbynameEx', ['berkeley-v4']],
      ['gethostbynameEx', ['berkeley-alias']],
      ['gethostbynameEx', ['localhost']],
      ['gethostbynameEx', ['no-such-name.invalid']],
      ['gethostbyaddr', ['127.0.0.1']],
      ['gethostbyaddr', ['127.0.0.3']],
      ['gethostbyaddr', ['::1']],
      ['gethostbyaddr', ['berkeley-v6']],
      ['gethostbyaddr', ['127.0.0.2']], // herror
      ['gethostbyaddr', ['::2']], // herror
      ['gethostbyaddr', ['no-such-name.invalid']], // gaierror
      ['getfqdn', ['berkeley-v4']],
      ['getfqdn', ['berkeley-three']],
      ['getfqdn', ['127.0.0.2']],
      ['getfqdn', ['no-such-name.invalid']],
      ['getfqdn', []],
      ['getnameinfo', [['127.0.0.1', 80], 0]],
      ['getnameinfo', [['127.0.0.3', 22], 0]],
      ['getnameinfo', [['::1', 22, 0, 0], 0]],
      ['getnameinfo', [['127.0.0.2', 80], 0]], // numeric fallback
      ['getnameinfo', [['127.0.0.2', 80], NI_NAMEREQD]], // a GaiError
      ['getnameinfo', [['::2', 80, 0, 0], NI_NAMEREQD]],
    ];
    const expected = pythonCalls(calls, prefix);
    // Python reports the thread's global h_errno after gethostbyname_r(), not the call's own
    // *h_errnop: for '<broadcast>' glibc leaves h_errno as an earlier call set it (0 or stale)
    // and says HOST_NOT_FOUND through h_errnop, which is what berkeley reports.
    const broadcast = calls.findIndex(([name, args]) => name === 'gethostbynameEx' && args[0] === '<broadcast>');
    assert.ok(broadcast >= 0 && 'error' in expected[broadcast]! && expected[broadcast]!.error === 'herror');
    expected[broadcast] = { error: 'herror', errno: 1, strerror: 'Unknown host', message: '[Errno 1] Unknown host' };
    const actual = await berkeleyCallsUnder(prefix, calls);
    for (const [k, call] of calls.entries()) {
      await t.test(callLabel(call), () => {
        assertSameOutcome(actual[k]!.sync, expected[k]!, `${callLabel(call)} [Sync]`);
        if (actual[k]!.async) assertSameOutcome(actual[k]!.async!, expected[k]!, `${callLabel(call)} [async]`);
      });
    }
  } finally {
    cleanup();
  }
});
