// The error hierarchy, errno/code/strerror/syscall, socket.errno and the
// platform constants, each checked against python3's own modules; EPIPE
// without SIGPIPE and ECONNRESET from a linger-0 close.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import * as socket from 'berkeley';
import { bounded, loopTurns, packageRoot, pythonJson, tcpPair } from '../support/index.js';

const PREFIXES = ['AF_', 'PF_', 'SOCK_', 'SOL_', 'SO_', 'IPPROTO_', 'IP_', 'IPV6_', 'TCP_', 'UDPLITE_', 'MSG_', 'SHUT_', 'AI_', 'NI_', 'EAI_', 'SCM_', 'INADDR_', 'CAN_', 'J1939_', 'VMADDR_', 'TIPC_', 'NETLINK_', 'ALG_'];

const exported = socket as unknown as Record<string, unknown>;

describe('the error hierarchy', () => {
  const chains: [string, string[]][] = [
    ['SocketError', ['Error']],
    ['BlockingIOError', ['SocketError', 'Error']],
    ['TimeoutError', ['SocketError', 'Error']],
    ['InterruptedError', ['SocketError', 'Error']],
    ['PermissionError', ['SocketError', 'Error']],
    ['FileNotFoundError', ['SocketError', 'Error']],
    ['ConnectionError', ['SocketError', 'Error']],
    ['BrokenPipeError', ['ConnectionError', 'SocketError', 'Error']],
    ['ConnectionAbortedError', ['ConnectionError', 'SocketError', 'Error']],
    ['ConnectionRefusedError', ['ConnectionError', 'SocketError', 'Error']],
    ['ConnectionResetError', ['ConnectionError', 'SocketError', 'Error']],
    ['GaiError', ['SocketError', 'Error']],
    ['HostError', ['SocketError', 'Error']],
  ];
  for (const [name, parents] of chains) {
    test(`${name} -> ${parents.join(' -> ')}`, () => {
      const Class = exported[name] as new (...args: unknown[]) => socket.SocketError;
      assert.equal(typeof Class, 'function', `${name} is not exported`);
      const error = name === 'GaiError' ? new Class(socket.EAI_NONAME) : new Class(socket.errno.EIO, undefined, 'test');
      assert.ok(error instanceof Class);
      for (const parent of parents) {
        const Parent = parent === 'Error' ? Error : (exported[parent] as new () => Error);
        assert.ok(error instanceof Parent, `${name} is not a ${parent}`);
      }
      assert.equal(error.name, name);
      assert.equal(typeof error.stack, 'string');
      // Siblings are not confused.
      if (name !== 'ConnectionError' && parents[0] === 'ConnectionError') {
        for (const other of ['BrokenPipeError', 'ConnectionAbortedError', 'ConnectionRefusedError', 'ConnectionResetError']) {
          if (other !== name) assert.ok(!(error instanceof (exported[other] as new () => Error)), `${name} is a ${other}`);
        }
      }
      assert.ok(!(error instanceof socket.TimeoutError) || name === 'TimeoutError');
    });
  }

  test('fields: errno, code, strerror, syscall (from a real refused connect)', async () => {
    using holder = socket.socket();
    holder.bind(['127.0.0.1', 0]);
    using s = socket.socket();
    const error = await s.connect(holder.getsockname() as [string, number]).then(() => assert.fail('connected'), (e: unknown) => e);
    assert.ok(error instanceof socket.ConnectionRefusedError);
    const expected = pythonJson('import errno, os, json; print(json.dumps({"errno": errno.ECONNREFUSED, "strerror": os.strerror(errno.ECONNREFUSED)}))') as { errno: number; strerror: string };
    assert.equal(error.errno, expected.errno);
    assert.equal(typeof error.errno, 'number');
    assert.equal(error.code, 'ECONNREFUSED');
    assert.equal(error.strerror, expected.strerror);
    assert.equal(error.syscall, 'connect');
    assert.ok(error.message.includes(`[Errno ${expected.errno}] ${expected.strerror}`), error.message);
  });

  test('the subclass for each errno a socket call can produce matches Python\'s PEP 3151 mapping', async () => {
    const names = ['EAGAIN', 'EWOULDBLOCK', 'EINPROGRESS', 'EALREADY', 'ETIMEDOUT', 'EINTR', 'EACCES', 'EPERM', 'ENOENT', 'EPIPE', 'ESHUTDOWN', 'ECONNABORTED', 'ECONNREFUSED', 'ECONNRESET', 'EBADF', 'EADDRINUSE', 'ENOTCONN', 'EEXIST', 'EISDIR', 'ENOTDIR', 'ESRCH', 'ECHILD'];
    const pythonClass = pythonJson(
      `import errno, json; print(json.dumps({n: type(OSError(getattr(errno, n), 'x')).__name__ for n in ${JSON.stringify(names)}}))`,
    ) as Record<string, string>;
    // Reach each errno through the library's own error path: a real
    // failure where one is at hand, else the same class map via a fd call.
    const real: Partial<Record<socket.ErrnoName, socket.SocketError>> = {};
    {
      using holder = socket.socket();
      holder.bind(['127.0.0.1', 0]);
      using s = socket.socket();
      real.ECONNREFUSED = await s.connect(holder.getsockname() as [string, number]).then(() => assert.fail(), (e: unknown) => e as socket.SocketError);
      using t = socket.socket();
      real.EADDRINUSE = (() => { try { t.bind(holder.getsockname() as [string, number]); } catch (e) { return e as socket.SocketError; } return assert.fail(); })();
      using u = socket.socket();
      real.ENOTCONN = (() => { try { u.getpeername(); } catch (e) { return e as socket.SocketError; } return assert.fail(); })();
      u.setblocking(false);
      real.EINPROGRESS = await u.connect(['127.0.0.1', (holder.getsockname() as [string, number])[1]]).then(() => assert.fail(), (e: unknown) => e as socket.SocketError);
      using l = socket.socket();
      l.bind(['127.0.0.1', 0]);
      l.listen();
      l.setblocking(false);
      real.EAGAIN = await l.accept().then(() => assert.fail(), (e: unknown) => e as socket.SocketError);
      using x = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
      real.ENOENT = await x.connect('/nonexistent-berkeley-dir/sock').then(() => assert.fail(), (e: unknown) => e as socket.SocketError);
      using b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      real.EACCES = await b.sendto('x', ['255.255.255.255', 9]).then(() => assert.fail(), (e: unknown) => e as socket.SocketError);
      const [p, q] = socket.socketpair();
      q.close();
      real.EPIPE = await p.send('x').then(() => assert.fail(), (e: unknown) => e as socket.SocketError);
      p.close();
      const closed = socket.socket();
      closed.close();
      real.EBADF = (() => { try { closed.getsockname(); } catch (e) { return e as socket.SocketError; } return assert.fail(); })();
      l.settimeout(0.01);
      real.ETIMEDOUT = await l.accept().then(() => assert.fail(), (e: unknown) => e as socket.SocketError);
    }
    for (const [name, error] of Object.entries(real) as [socket.ErrnoName, socket.SocketError][]) {
      assert.equal(error.code, name, `expected ${name}, got ${error.code}`);
      assert.equal(error.errno, socket.errno[name]);
      const expected = pythonClass[name] === 'OSError' ? 'SocketError' : pythonClass[name]!;
      assert.equal(error.constructor.name, expected, `${name}: ${error.constructor.name} vs Python's ${pythonClass[name]}`);
      assert.ok(error instanceof (exported[expected] as new () => Error));
    }
  });

  test('GaiError carries an EAI_* errno and code; HostError is a SocketError', () => {
    const gai = new socket.GaiError(socket.EAI_NONAME);
    assert.equal(gai.errno, socket.EAI_NONAME);
    assert.equal(gai.code, 'EAI_NONAME');
    assert.equal(typeof gai.strerror, 'string');
    assert.ok(gai.strerror.length > 0);
    assert.ok(gai instanceof socket.SocketError);
    const expected = pythonJson('import socket, json; print(json.dumps({"errno": int(socket.EAI_NONAME)}))') as { errno: number };
    assert.equal(gai.errno, expected.errno);
    const host = new socket.HostError(1, 'Unknown host', 'gethostbyaddr');
    assert.ok(host instanceof socket.SocketError);
    assert.ok(!(host instanceof socket.GaiError));
    assert.equal(host.strerror, 'Unknown host');
  });
});

describe('socket.errno', () => {
  test('every E* name Python\'s errno module has, with the same value', () => {
    const py = pythonJson('import errno, json; print(json.dumps({n: getattr(errno, n) for n in dir(errno) if n.startswith("E")}))') as Record<string, number>;
    assert.ok(Object.keys(py).length > 100);
    const missing = Object.keys(py).filter((name) => !(name in socket.errno));
    assert.deepEqual(missing, [], `missing from socket.errno: ${missing.join(' ')}`);
    const byName: Readonly<Record<string, number | undefined>> = socket.errno;
    for (const [name, value] of Object.entries(py)) assert.equal(byName[name], value, name);
  });

  test('the well-known names, and only E* names mapping to numbers', () => {
    for (const name of ['EAGAIN', 'EWOULDBLOCK', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EBADF', 'EINPROGRESS', 'ETIMEDOUT', 'EADDRINUSE', 'EINTR', 'ENOTCONN', 'EISCONN'] as const) {
      assert.equal(typeof socket.errno[name], 'number', name);
    }
    for (const [name, value] of Object.entries(socket.errno)) {
      assert.match(name, /^E[A-Z0-9]+$/);
      assert.ok(Number.isInteger(value) && value > 0, `${name}=${value}`);
    }
    assert.equal(socket.errno.EWOULDBLOCK, socket.errno.EAGAIN);
  });
});

describe('constants', () => {
  const py = pythonJson(
    `import socket, json; P = tuple(${JSON.stringify(PREFIXES)}); print(json.dumps({n: int(getattr(socket, n)) for n in dir(socket) if (n.startswith(P) or n == "SOMAXCONN") and isinstance(getattr(socket, n), int)}))`,
  ) as Record<string, number>;
  // Python also has UDP-Lite names these headers lack (it hardcodes them),
  // and ones newer than these headers (ALG_OP_SIGN, ALG_OP_VERIFY, ALG_SET_PUBKEY…).
  const optional = /^(UDPLITE_|ALG_OP_(SIGN|VERIFY)$|ALG_SET_PUBKEY$|J1939_EE_INFO_RX_|J1939_NLA_(?!PAD$|BYTES_ACKED$))/;

  test('every constant Python\'s socket module has with these prefixes, with the same value', () => {
    assert.ok(Object.keys(py).length > 150);
    const missing: string[] = [];
    const different: string[] = [];
    for (const [name, value] of Object.entries(py)) {
      const ours = exported[name];
      if (ours === undefined) {
        if (!optional.test(name)) missing.push(name);
      } else if (ours !== value) {
        different.push(`${name}: python ${value}, berkeley ${inspect(ours)}`);
      }
    }
    assert.deepEqual(different, []);
    assert.deepEqual(missing, [], `missing: ${missing.join(' ')}`);
  });

  test('the well-known constants exist as numbers', () => {
    const wellKnown = [
      'AF_INET', 'AF_INET6', 'AF_UNIX', 'AF_UNSPEC', 'AF_PACKET', 'AF_NETLINK',
      'SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_RAW', 'SOCK_SEQPACKET', 'SOCK_NONBLOCK', 'SOCK_CLOEXEC',
      'SOL_SOCKET', 'SOL_TCP', 'SOL_UDP', 'SOL_IP',
      'SO_REUSEADDR', 'SO_REUSEPORT', 'SO_KEEPALIVE', 'SO_BROADCAST', 'SO_LINGER', 'SO_RCVBUF', 'SO_SNDBUF', 'SO_ERROR', 'SO_TYPE', 'SO_RCVTIMEO', 'SO_SNDTIMEO', 'SO_BINDTODEVICE', 'SO_PEERCRED', 'SO_ACCEPTCONN', 'SO_DOMAIN', 'SO_PROTOCOL',
      'IPPROTO_TCP', 'IPPROTO_UDP', 'IPPROTO_IP', 'IPPROTO_IPV6', 'IPPROTO_ICMP', 'IPPROTO_ICMPV6', 'IPPROTO_RAW',
      'IP_TTL', 'IP_TOS', 'IP_MULTICAST_TTL', 'IP_MULTICAST_LOOP', 'IP_ADD_MEMBERSHIP', 'IP_HDRINCL',
      'IPV6_V6ONLY', 'IPV6_UNICAST_HOPS', 'IPV6_JOIN_GROUP',
      'TCP_NODELAY', 'TCP_MAXSEG', 'TCP_KEEPIDLE', 'TCP_KEEPINTVL', 'TCP_KEEPCNT', 'TCP_INFO', 'TCP_CORK', 'TCP_QUICKACK',
      'MSG_PEEK', 'MSG_WAITALL', 'MSG_DONTWAIT', 'MSG_TRUNC', 'MSG_OOB', 'MSG_NOSIGNAL', 'MSG_CTRUNC', 'MSG_DONTROUTE', 'MSG_EOR',
      'SHUT_RD', 'SHUT_WR', 'SHUT_RDWR',
      'AI_PASSIVE', 'AI_CANONNAME', 'AI_NUMERICHOST', 'AI_NUMERICSERV', 'AI_ADDRCONFIG', 'AI_V4MAPPED', 'AI_ALL',
      'NI_NUMERICHOST', 'NI_NUMERICSERV', 'NI_NAMEREQD', 'NI_DGRAM', 'NI_NOFQDN', 'NI_MAXHOST', 'NI_MAXSERV',
      'EAI_NONAME', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_FAMILY', 'EAI_SERVICE', 'EAI_SOCKTYPE', 'EAI_SYSTEM', 'EAI_BADFLAGS', 'EAI_MEMORY',
      'SCM_RIGHTS', 'SCM_CREDENTIALS',
      'INADDR_ANY', 'INADDR_LOOPBACK', 'INADDR_BROADCAST', 'INADDR_NONE',
      'SOMAXCONN',
    ];
    const absent = wellKnown.filter((name) => typeof exported[name] !== 'number');
    assert.deepEqual(absent, []);
  });

  test('values that are the same on every Linux', () => {
    assert.equal(socket.AF_UNIX, 1);
    assert.equal(socket.AF_INET, 2);
    assert.equal(socket.AF_INET6, 10);
    assert.equal(socket.SOCK_STREAM, 1);
    assert.equal(socket.SOCK_DGRAM, 2);
    assert.equal(socket.SHUT_RD, 0);
    assert.equal(socket.SHUT_WR, 1);
    assert.equal(socket.SHUT_RDWR, 2);
    assert.equal(socket.INADDR_LOOPBACK, 0x7f000001);
    assert.equal(socket.SOL_SOCKET, 1);
  });

  test('a constant is undefined exactly where this machine\'s headers do not #define it', () => {
    const root = pathToFileURL(packageRoot);
    const macros = execFileSync('cc', ['-D_GNU_SOURCE', '-E', '-dM', '-I', new URL('native', root).pathname, '-x', 'c', '-'], { input: '#include "constants_headers.h"\n#include <errno.h>\n', encoding: 'utf8' });
    const defined = new Set([...macros.matchAll(/^#define (\w+) /gm)].map((m) => m[1]));
    // TCP_INFO_SIZE is berkeley's own (the size of struct tcp_info it reads);
    // the enum members of native/constants_enums.h are no macros.
    const enums = new Set([...readFileSync(new URL('native/constants_enums.h', root), 'utf8').matchAll(/^ALIAS\((\w+),/gm)].map((m) => m[1]));
    const family = (name: string): boolean => (PREFIXES.some((p) => name.startsWith(p)) || name === 'SOMAXCONN') && name !== 'TCP_INFO_SIZE' && !enums.has(name);
    const wrong = Object.entries(exported)
      .filter(([name, value]) => family(name) && (value === undefined) === defined.has(name))
      .map(([name, value]) => `${name}: ${String(value)}`);
    assert.deepEqual(wrong, []);
  });
});

describe('OS errors from real sockets', () => {
  test('EPIPE on send after the peer closed: BrokenPipeError, never SIGPIPE (async and Sync)', async () => {
    let sigpipes = 0;
    const onSigpipe = (): void => {
      sigpipes++;
    };
    process.on('SIGPIPE', onSigpipe);
    try {
      const [a, b] = socket.socketpair();
      using _a = a;
      b.close();
      await assert.rejects(a.send('into the void'), (e: unknown) => {
        assert.ok(e instanceof socket.BrokenPipeError);
        assert.ok(e instanceof socket.ConnectionError);
        assert.equal(e.code, 'EPIPE');
        assert.equal(e.errno, socket.errno.EPIPE);
        assert.equal(e.syscall, 'send');
        return true;
      });
      await assert.rejects(a.sendall('again'), socket.BrokenPipeError);
      assert.throws(() => a.sendSync('sync'), socket.BrokenPipeError);
      assert.throws(() => a.sendallSync('sync'), socket.BrokenPipeError);
      // TCP: our own SHUT_WR, then send.
      const [c, d] = await tcpPair();
      using _c = c;
      using _d = d;
      c.shutdown(socket.SHUT_WR);
      assert.throws(() => c.sendSync('x'), socket.BrokenPipeError);
      await assert.rejects(c.sendall('x'), socket.BrokenPipeError);
      // A SIGPIPE would be delivered through the loop: give it two turns.
      await loopTurns(2);
      assert.equal(sigpipes, 0, 'SIGPIPE was raised');
    } finally {
      process.off('SIGPIPE', onSigpipe);
    }
  });

  test('ECONNRESET via SO_LINGER 0: ConnectionResetError (async)', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    b.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, new Int32Array([1, 0]));
    const pending = a.recv(10);
    b.close();
    await assert.rejects(bounded(pending), (e: unknown) => {
      assert.ok(e instanceof socket.ConnectionResetError, String(e));
      assert.ok(e instanceof socket.ConnectionError);
      assert.equal(e.code, 'ECONNRESET');
      assert.equal(e.errno, socket.errno.ECONNRESET);
      assert.equal(e.syscall, 'recv');
      return true;
    });
  });

  test('ECONNRESET via SO_LINGER 0: ConnectionResetError (Sync)', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    const linger = Buffer.alloc(8);
    linger.writeInt32LE(1, 0);
    linger.writeInt32LE(0, 4);
    b.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger);
    b.close();
    a.settimeout(5);
    assert.throws(() => a.recvSync(10), socket.ConnectionResetError);
  });

  test('after a reset, sending is an error too (EPIPE or ECONNRESET), never a signal', async () => {
    const [a, b] = await tcpPair();
    using _a = a;
    b.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, new Int32Array([1, 0]));
    b.close();
    a.settimeout(5);
    assert.throws(() => a.recvSync(10), socket.ConnectionResetError);
    assert.throws(() => a.sendSync('x'), (e: unknown) => e instanceof socket.BrokenPipeError || e instanceof socket.ConnectionResetError);
  });
});
