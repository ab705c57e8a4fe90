// Never a crash, in berkeley/ssl too: every method and setter of SSLContext,
// SSLSocket (on a connected TLS pair), SSLObject and MemoryBIO, and every
// function of the module, called with the odd values of support/fuzz.ts in
// every argument position (the others valid). Each call must return/resolve
// or throw/reject an Error: never a non-Error, a hang, a dead process or a
// leaked fd. Sockets are non-blocking between calls, so no call can wait.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import * as socket from 'berkeley';
import * as ssl from 'berkeley/ssl';
import { argumentLists, attempt, ODD, openFds, tempDir, TestCertificates, tlsPair } from '../support/index.js';

const certificates = new TestCertificates();
const { file, needs, serverContext, clientContext } = certificates;
let tmp: ReturnType<typeof tempDir>;
let cwd: string;
let refuser: socket.Socket;
let fdsBefore: number;
const problems: string[] = [];
const stray: unknown[] = [];
const onStray = (e: unknown): void => void stray.push(e);

before(() => {
  certificates.make();
  tmp = tempDir();
  // Odd strings ('x', …) are valid relative paths (keylogFilename writes one): keep them out of the repository.
  cwd = process.cwd();
  process.chdir(tmp.dir);
  fdsBefore = openFds();
  refuser = socket.socket();
  refuser.bind(['127.0.0.1', 0]);
  process.on('uncaughtException', onStray);
  process.on('unhandledRejection', onStray);
});

after(() => {
  process.off('uncaughtException', onStray);
  process.off('unhandledRejection', onStray);
  refuser.close();
  process.chdir(cwd);
  tmp.cleanup();
  certificates.cleanup();
});

/** The methods (and, separately, the setters) of an object's class chain, below Object. */
function members(prototype: object): { methods: string[]; setters: string[] } {
  const methods = new Set<string>();
  const setters = new Set<string>();
  for (let p: object | null = prototype; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const name of Object.getOwnPropertyNames(p)) {
      const descriptor = Object.getOwnPropertyDescriptor(p, name)!;
      if (name !== 'constructor' && typeof descriptor.value === 'function') methods.add(name);
      if (descriptor.set !== undefined) setters.add(name);
    }
  }
  return { methods: [...methods], setters: [...setters] };
}

/** Valid arguments of each method; the fuzz replaces one position at a time. */
function baseArguments(name: string): unknown[][] {
  switch (name.replace(/Sync$/, '')) {
    case 'recv': return [[16, 0]];
    case 'recvInto': return [[Buffer.alloc(16), 8, 0]];
    case 'send': case 'sendall': case 'write': return [['data', 0]];
    case 'read': return [[16], [16, Buffer.alloc(16)]];
    case 'shutdown': return [[socket.SHUT_WR]];
    case 'settimeout': return [[0]];
    case 'setblocking': return [[false]];
    case 'setsockopt': return [[socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1]];
    case 'getsockopt': return [[socket.SOL_SOCKET, socket.SO_TYPE]];
    case 'makefile': return [['rb']];
    case 'getpeercert': return [[false]];
    case 'getChannelBinding': return [['tls-unique']];
    case 'loadCertChain': return [[file('server.pem'), file('server.key')]];
    case 'loadVerifyLocations': return [[{ cafile: file('ca.pem') }]];
    case 'setAlpnProtocols': return [[['h2']]];
    case 'setCiphers': return [['ECDHE+AESGCM']];
    case 'setEcdhCurve': return [['prime256v1']];
    case 'getCaCerts': return [[false]];
    case 'DERCertToPEMCert': return [[ssl.PEMCertToDERCert(readFileSync(file('ca.pem'), 'utf8'))]];
    case 'PEMCertToDERCert': return [[readFileSync(file('ca.pem'), 'utf8')]];
    case 'certTimeToSeconds': return [['Jan  5 09:34:43 2018 GMT']];
    case 'RAND_bytes': return [[16]];
    case 'RAND_add': return [['seed', 1]];
    case 'createDefaultContext': return [[ssl.Purpose.SERVER_AUTH, {}]];
    case 'SSLContext': return [[ssl.PROTOCOL_TLS_CLIENT]];
    // A bound port nobody listens on: refused at once, nothing looked up.
    case 'getServerCertificate': return [[refuser.getsockname(), { timeout: 5 }]];
    default: return [[]];
  }
}

/** Runs every argument list of every method on a fresh target each (closed afterwards). */
async function fuzzMethods(label: string, prototype: object, fresh: () => Promise<{ target: object; done: () => void }>, names: string[]): Promise<number> {
  let calls = 0;
  for (const name of names) {
    const fn = (prototype as Record<string, unknown>)[name];
    if (typeof fn !== 'function') continue;
    for (const base of baseArguments(name)) {
      for (const [where, args] of argumentLists(base, fn.length)) {
        const { target, done } = await fresh();
        try {
          calls++;
          await attempt(problems, `${label}.${name}(${where})`, () => (fn as (...a: unknown[]) => unknown).apply(target, args), name);
        } finally {
          done();
        }
      }
    }
  }
  return calls;
}

/** Sets every setter to every odd value, on a fresh target each. */
async function fuzzSetters(label: string, fresh: () => Promise<{ target: object; done: () => void }>, names: string[]): Promise<number> {
  let calls = 0;
  for (const name of names) {
    for (const [where, value] of ODD) {
      const { target, done } = await fresh();
      try {
        calls++;
        await attempt(problems, `${label}.${name} = ${where}`, () => ((target as Record<string, unknown>)[name] = value));
      } finally {
        done();
      }
    }
  }
  return calls;
}

/** A connected TLS pair whose client is the target, both non-blocking so that no call waits. */
async function freshPair(): Promise<{ target: ssl.SSLSocket; done: () => void }> {
  const [c, s] = await tlsPair(clientContext(), serverContext());
  await s.sendall('waiting data');
  c.settimeout(0);
  return {
    target: c,
    done: () => {
      c.close();
      s.close();
    },
  };
}

async function freshContext(): Promise<{ target: ssl.SSLContext; done: () => void }> {
  const context = clientContext();
  // A key log file stays open as long as its context: closed here rather than whenever the GC runs.
  return Promise.resolve({ target: context, done: () => void (context.keylogFilename = null) });
}

async function freshObject(): Promise<{ target: ssl.SSLObject; done: () => void }> {
  return Promise.resolve({ target: clientContext().wrapBio(new ssl.MemoryBIO(), new ssl.MemoryBIO(), false, 'localhost'), done: () => undefined });
}

async function freshBio(): Promise<{ target: ssl.MemoryBIO; done: () => void }> {
  const bio = new ssl.MemoryBIO();
  bio.write('some bytes');
  return Promise.resolve({ target: bio, done: () => undefined });
}

describe('fuzz: berkeley/ssl with odd arguments', () => {
  it('SSLSocket: every method and setter, every position, every odd value', async (t) => {
    if (!needs(t)) return;
    const start = problems.length;
    const { methods, setters } = members(ssl.SSLSocket.prototype);
    for (const name of ['recv', 'recvSync', 'sendall', 'unwrap', 'doHandshake', 'getpeercert']) assert.ok(methods.includes(name), name);
    // close/detach are fuzzed too; so are the waiting calls: the sockets are non-blocking.
    const calls = (await fuzzMethods('SSLSocket', ssl.SSLSocket.prototype, freshPair, methods)) + (await fuzzSetters('SSLSocket', freshPair, setters));
    assert.ok(calls > 1000, `only ${calls} calls`);
    assert.deepEqual(problems.slice(start), []);
  });

  it('SSLContext, SSLObject and MemoryBIO: every method and setter, every position, every odd value', async (t) => {
    if (!needs(t)) return;
    const start = problems.length;
    let calls = 0;
    for (const [label, prototype, fresh] of [
      ['SSLContext', ssl.SSLContext.prototype, freshContext],
      ['SSLObject', ssl.SSLObject.prototype, freshObject],
      ['MemoryBIO', ssl.MemoryBIO.prototype, freshBio],
    ] as const) {
      const { methods, setters } = members(prototype);
      calls += await fuzzMethods(label, prototype, fresh, methods);
      calls += await fuzzSetters(label, fresh, setters);
    }
    assert.ok(calls > 2000, `only ${calls} calls`);
    assert.deepEqual(problems.slice(start), []);
  });

  it('the module: every function and class, every position, every odd value', async (t) => {
    if (!needs(t)) return;
    const start = problems.length;
    // getServerCertificate gets no strings or bytes in its address: a host name would be looked up.
    const isName = (v: unknown): boolean => typeof v === 'string' || ArrayBuffer.isView(v);
    let calls = 0;
    for (const [name, fn] of Object.entries(ssl)) {
      if (typeof fn !== 'function') continue;
      const isClass = /^class\b/.test(Function.prototype.toString.call(fn));
      const values = name.startsWith('getServerCertificate') ? ODD.filter(([, v]) => !isName(v)) : ODD;
      for (const base of baseArguments(name)) {
        for (const [where, args] of argumentLists(base, fn.length, undefined, values)) {
          calls++;
          const call = isClass ? (): unknown => Reflect.construct(fn as new (...a: unknown[]) => unknown, args) : (): unknown => (fn as (...a: unknown[]) => unknown)(...args);
          await attempt(problems, `${name}(${where})`, call, name);
        }
      }
    }
    assert.ok(calls > 500, `only ${calls} calls`);
    assert.deepEqual(problems.slice(start), []);
  });

  it('nothing escaped, no fd leaked', () => {
    assert.deepEqual(stray.map((e) => inspect(e)), []);
    assert.equal(openFds(), fdsBefore + 1, 'only the refusing fixture is open');
  });
});
