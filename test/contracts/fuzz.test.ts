// Never a crash: every public function of the berkeley module and every
// Socket method is called with a table of odd values in every argument
// position (the other arguments valid), on sockets of every kind. Each call
// must return/resolve or throw/reject an Error — never throw a non-Error,
// never hang, never kill the process, never leak an fd.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { inspect } from 'node:util';
import * as socket from 'berkeley';
import { argumentLists, attempt, bounded, ODD, openFds, type SocketKind, socketOf, tempDir, type Value } from '../support/index.js';

// Odd values inside address tuples. Host strings other than '' and ones with
// a NUL are left out: they would be resolved, and the tests stay off the network.
const hostSafe = ODD.filter(([, v]) => typeof v !== 'string' || v === '' || v.includes('\0'));
const ODD_ADDRESSES: Value[] = [
  ...hostSafe.map(([l, v]): Value => [`[${l}, 0]`, [v, 0]]),
  ...ODD.map(([l, v]): Value => [`['127.0.0.1', ${l}]`, ['127.0.0.1', v]]),
  ...ODD.map(([l, v]): Value => [`['::1', 0, ${l}]`, ['::1', 0, v]]),
  ...ODD.map(([l, v]): Value => [`['::1', 0, 0, ${l}]`, ['::1', 0, 0, v]]),
  ['5-tuple', ['::1', 0, 0, 0, 0]],
];

type Kind = Exclude<SocketKind, 'udp6'> | 'pair';
const KINDS: Kind[] = ['tcp', 'tcp6', 'udp', 'unix', 'unixdgram', 'pair'];

let tmp: ReturnType<typeof tempDir>;
let cwd: string;
let listener: socket.Socket;
let sink: socket.Socket;
let unixSink: socket.Socket;
let anchor: socket.Socket;
let refuser: socket.Socket;
let dataFile: number;
let fdsBefore: number;
const problems: string[] = [];
const stray: unknown[] = [];
const onStray = (e: unknown): void => void stray.push(e);

before(() => {
  tmp = tempDir();
  // Odd strings ('x', 'a\0b', …) are valid relative AF_UNIX paths: keep them out of the repository.
  cwd = process.cwd();
  process.chdir(tmp.dir);
  fdsBefore = openFds();
  listener = socket.socket();
  listener.bind(['127.0.0.1', 0]);
  listener.listen(4);
  sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  sink.bind(['127.0.0.1', 0]);
  unixSink = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  unixSink.bind(tmp.path('sink'));
  anchor = socket.socket();
  refuser = socket.socket();
  refuser.bind(['127.0.0.1', 0]);
  dataFile = openSync(tmp.path('data'), 'w+');
  writeSync(dataFile, 'file data for sendfile');
  process.on('uncaughtException', onStray);
  process.on('unhandledRejection', onStray);
});

after(() => {
  // Debugging aid: FUZZ_PROBLEMS=file gets every problem found, untruncated.
  if (process.env.FUZZ_PROBLEMS) writeFileSync(process.env.FUZZ_PROBLEMS, problems.join('\n'));
  process.off('uncaughtException', onStray);
  process.off('unhandledRejection', onStray);
  for (const s of [listener, sink, unixSink, anchor, refuser]) s.close();
  closeSync(dataFile);
  process.chdir(cwd);
  tmp.cleanup();
});

/** A fresh socket of a kind (non-blocking, so no call can wait), and what to close afterwards. */
function make(kind: Kind): { sock: socket.Socket; extra: socket.Socket[] } {
  let sock: socket.Socket;
  const extra: socket.Socket[] = [];
  if (kind === 'pair') {
    const [a, b] = socket.socketpair();
    b.sendSync('waiting data');
    sock = a;
    extra.push(b);
  } else {
    sock = socketOf(kind);
  }
  sock.settimeout(0);
  return { sock, extra };
}

function validAddress(kind: Kind): unknown {
  switch (kind) {
    case 'tcp': return listener.getsockname();
    case 'udp': return sink.getsockname();
    case 'tcp6': return ['::1', 0];
    case 'unix': case 'pair': return tmp.path('no-listener');
    case 'unixdgram': return tmp.path('sink');
  }
}

function bindAddress(kind: Kind): unknown {
  if (kind === 'tcp' || kind === 'udp') return ['127.0.0.1', 0];
  if (kind === 'tcp6') return ['::1', 0];
  return '';
}

/** Valid arguments for each method; the fuzz replaces one position at a time. */
function baseArguments(method: string, kind: Kind): unknown[][] {
  const name = method.replace(/Sync$/, '');
  switch (name) {
    case 'bind': return [[bindAddress(kind)]];
    case 'listen': return [[1]];
    case 'connect': case 'connectEx': return [[validAddress(kind)]];
    case 'recv': case 'recvfrom': return [[16, 0]];
    case 'recvInto': case 'recvfromInto': return [[Buffer.alloc(16), 8, 0]];
    case 'send': case 'sendall': return [['data', 0]];
    case 'sendto': return [['data', validAddress(kind)], ['data', 0, validAddress(kind)]];
    case 'shutdown': return [[socket.SHUT_RDWR]];
    case 'setsockopt': return [[socket.SOL_SOCKET, socket.SO_REUSEADDR, 1], [socket.SOL_SOCKET, socket.SO_RCVBUF, null, 4], [socket.SOL_SOCKET, socket.SO_LINGER, Buffer.alloc(8)]];
    case 'getsockopt': return [[socket.SOL_SOCKET, socket.SO_TYPE], [socket.SOL_SOCKET, socket.SO_TYPE, 4]];
    case 'settimeout': return [[1]];
    case 'setblocking': return [[false]];
    case 'setInheritable': return [[false]];
    case 'sendmsg': return [[['data']], [['da', 'ta'], [], 0, validAddress(kind)]];
    case 'recvmsg': return [[16, 64, 0]];
    case 'recvmsgInto': return [[[Buffer.alloc(8), new Uint16Array(4)], 64, 0]];
    case 'recvmmsg': return [[4, 16, 0]];
    case 'recvmmsgInto': return [[[Buffer.alloc(8), new Uint16Array(4)], 0]];
    case 'sendmmsg': return [[[['data']]], [[['da', validAddress(kind)], ['ta', validAddress(kind)]], 0]];
    case 'sendfile': return [[dataFile, 0, 4]];
    default: return [[]];
  }
}

/** Where the address is in a base argument list, if it has one. */
function addressPosition(method: string, base: unknown[]): number | undefined {
  const name = method.replace(/Sync$/, '');
  if (name === 'bind' || name === 'connect' || name === 'connectEx') return 0;
  if (name === 'sendto') return base.length - 1;
  if (name === 'sendmsg' && base.length === 4) return 3;
  return undefined;
}

// Methods only (not accessors such as `closed`), found on the prototype so that new ones are fuzzed too.
const isMethod = (key: string | symbol): boolean => typeof Object.getOwnPropertyDescriptor(socket.Socket.prototype, key)?.value === 'function';
const methods = Object.getOwnPropertyNames(socket.Socket.prototype).filter((name) => name !== 'constructor' && isMethod(name));
const symbolMethods = Object.getOwnPropertySymbols(socket.Socket.prototype).filter(isMethod);

describe('fuzz: Socket methods with odd arguments', () => {
  it('finds the Socket methods to fuzz', () => {
    for (const name of ['bind', 'recv', 'recvSync', 'sendto', 'sendtoSync', 'setsockopt', 'getsockopt', 'settimeout']) assert.ok(methods.includes(name), name);
  });

  for (const kind of KINDS) {
    it(`${kind}: every method, every position, every odd value`, async () => {
      const start = problems.length;
      let calls = 0;
      for (const method of methods) {
        const fn = (socket.Socket.prototype as unknown as Record<string, unknown>)[method];
        if (typeof fn !== 'function') continue;
        for (const base of baseArguments(method, kind)) {
          for (const [label, args] of argumentLists(base, fn.length, addressPosition(method, base), ODD, ODD_ADDRESSES)) {
            let made: ReturnType<typeof make>;
            try {
              made = make(kind);
            } catch (error) {
              // tcp6 where the kernel has no IPv6: nothing to fuzz.
              assert.equal(kind, 'tcp6', inspect(error));
              return;
            }
            try {
              calls++;
              await attempt(problems, `${kind}.${method}(${label})`, () => (fn as (...a: unknown[]) => unknown).apply(made.sock, args), method);
            } finally {
              made.sock.close();
              for (const s of made.extra) s.close();
            }
          }
        }
      }
      for (const symbol of symbolMethods) {
        const fn = (socket.Socket.prototype as unknown as Record<symbol, unknown>)[symbol];
        if (typeof fn !== 'function') continue;
        for (const [label, value] of ODD) {
          const made = make(kind);
          try {
            calls++;
            await attempt(problems, `${kind}[${String(symbol)}](${label})`, () => (fn as (...a: unknown[]) => unknown).call(made.sock, value, value, value));
          } finally {
            made.sock.close();
            for (const s of made.extra) s.close();
          }
        }
      }
      assert.ok(calls > 1000, `only ${calls} calls`);
      assert.deepEqual(problems.slice(start), []);
    });
  }

  it('a method called on a non-Socket `this` throws an Error', async () => {
    const start = problems.length;
    for (const method of methods) {
      const fn = (socket.Socket.prototype as unknown as Record<string, unknown>)[method];
      if (typeof fn !== 'function') continue;
      for (const [label, value] of [['{}', {}], ['null', null], ['a plain object posing as a socket', { fileno: () => 0 }]] as Value[]) {
        await attempt(problems, `Socket.prototype.${method}.call(${label})`, () => (fn as (...a: unknown[]) => unknown).call(value, 16));
      }
    }
    assert.deepEqual(problems.slice(start), []);
  });
});

describe('fuzz: module functions with odd arguments', () => {
  const exported = Object.entries(socket).filter(([, v]) => typeof v === 'function') as [string, (...a: unknown[]) => unknown][];

  function moduleBase(name: string): unknown[][] {
    switch (name) {
      case 'socket': case 'Socket': return [[socket.AF_INET, socket.SOCK_STREAM, 0], [socket.AF_INET, socket.SOCK_STREAM, 0, null]];
      case 'socketpair': return [[socket.AF_UNIX, socket.SOCK_STREAM, 0]];
      case 'fromfd': return [[anchor.fileno(), socket.AF_INET, socket.SOCK_STREAM, 0]];
      // An fd number no one has: a valid call fails with EBADF and closes nothing.
      case 'close': case 'dup': return [[2 ** 30]];
      case 'setdefaulttimeout': return [[null]];
      // Numeric hosts and flags only: nothing is looked up beyond the machine.
      // A bound port nobody listens on: every connection is refused at once,
      // so a Sync call cannot block whatever timeout the fuzz gives it.
      case 'createConnection': case 'createConnectionSync': return [[refuser.getsockname(), 5]];
      case 'createServer': return [[['127.0.0.1', 0]]];
      case 'getaddrinfo': case 'getaddrinfoSync': return [[null, 80, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST]];
      case 'getnameinfo': case 'getnameinfoSync': return [[['127.0.0.1', 80], socket.NI_NUMERICHOST | socket.NI_NUMERICSERV]];
      default: return [[]];
    }
  }

  // Left out: sethostname would rename this machine (the tests may run as
  // root), and getfqdn resolves the machine's own name by default.
  const EXCLUDED = new Set(['sethostname', 'getfqdn', 'getfqdnSync']);
  // Functions that resolve names get no strings or bytes (a host name would
  // be looked up, and the tests stay off the network).
  const RESOLVES = /^(getaddrinfo|getnameinfo|gethostby|createConnection|createServer)/;
  const isName = (v: unknown): boolean => {
    try {
      return typeof v === 'string' || ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof SharedArrayBuffer;
    } catch {
      return false; // a revoked Proxy
    }
  };
  const noNames = ODD.filter(([, v]) => !isName(v));

  it('finds the functions to fuzz', () => {
    for (const name of ['socket', 'socketpair', 'fromfd', 'close', 'dup', 'setdefaulttimeout', 'getdefaulttimeout', 'Socket', 'SocketError']) {
      assert.ok(exported.some(([n]) => n === name), name);
    }
  });

  it('every function and class, every position, every odd value', async () => {
    const start = problems.length;
    const timeout = socket.getdefaulttimeout();
    let calls = 0;
    for (const [name, fn] of exported) {
      if (EXCLUDED.has(name)) continue;
      const values = RESOLVES.test(name) ? noNames : ODD;
      const isClass = /^class\b/.test(Function.prototype.toString.call(fn));
      for (const base of moduleBase(name)) {
        for (const [label, args] of argumentLists(base, fn.length, undefined, values)) {
          calls++;
          try {
            await attempt(problems, `${name}(${label})`, () => (isClass ? Reflect.construct(fn, args) : fn(...args)));
            if (isClass) await attempt(problems, `${name}(${label}) without new`, () => fn(...args));
          } finally {
            socket.setdefaulttimeout(timeout);
          }
        }
      }
    }
    assert.ok(calls > 500, `only ${calls} calls`);
    assert.deepEqual(problems.slice(start), []);
  });
});

describe('after the fuzz', () => {
  it('nothing escaped as an uncaught exception or unhandled rejection', () => {
    assert.deepEqual(stray.map((e) => inspect(e)), []);
  });

  it('no fd leaked', () => {
    // The fixtures made in before() are still open; everything else is closed.
    assert.equal(openFds(), fdsBefore + 6);
  });

  it('the fixtures still work', async () => {
    // Drain what the fuzz sent (the sink's buffer may be full), then send and receive one more.
    sink.settimeout(0);
    for (;;) {
      try {
        sink.recvfromSync(1 << 16);
      } catch (error) {
        assert.ok(error instanceof socket.BlockingIOError, inspect(error));
        break;
      }
    }
    using client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    await client.sendto('still alive', sink.getsockname() as [string, number]);
    sink.settimeout(5);
    const [data] = await bounded(sink.recvfrom(100), 5000);
    assert.equal(data.toString(), 'still alive');
  });
});

it('the error classes construct like Python\'s, or name the bad argument', () => {
  for (const make of [() => new socket.SocketError(undefined as unknown as number), () => new socket.TimeoutError('timed out' as unknown as number), () => new socket.GaiError({} as unknown as number)]) {
    try {
      assert.ok(make() instanceof socket.SocketError);
    } catch (error) {
      assert.ok(error instanceof TypeError && /"errno"|"code"/.test(error.message), inspect(error));
    }
  }
});
