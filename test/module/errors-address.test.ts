// The address in OS errors: a failed connect, bind, sendto or sendmsg says
// Python's text first, then the call and the address it was given, as
// Node's errors do (`[Errno 111] Connection refused (connect 127.0.0.1:1)`),
// and carries `address` and `port` as Node's do. Python's text is python3's
// own; the properties are compared with node:net's for the same failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import * as socket from 'berkeley';
import { bounded, hasLoopbackIPv6, pythonJson, tempDir } from '../support/index.js';

/** A bound, not listening socket: connecting to its address is refused. */
function refusing(family: number = socket.AF_INET, host = '127.0.0.1'): [socket.Socket, number] {
  const holder = socket.socket(family);
  holder.bind([host, 0]);
  return [holder, socket.inetAddress(holder.getsockname())[1]];
}

/** What python3 says of the same refused connect: str() of its error. */
function pythonRefused(host: string, port: number): string {
  return pythonJson(`import json, socket
try:
    socket.create_connection((${JSON.stringify(host)}, ${port}))
except OSError as e:
    print(json.dumps(str(e)))`) as string;
}

/** node:net's error for a connect to the same place. */
function nodeError(options: net.NetConnectOpts): Promise<NodeJS.ErrnoException & { address?: string; port?: number }> {
  return bounded(new Promise((resolve) => net.connect(options).on('error', resolve)), 5000, 'node:net connect');
}

/** A SocketError of Class whose message is `${python} (${call} ${place})`, with address and port. */
function isAbout(Class: typeof socket.SocketError, python: string, call: string, place: string, address: string | Buffer, port?: number) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof Class, `expected ${Class.name}, got ${String(error)}`);
    assert.equal(error.message, `${python} (${call} ${place})`);
    assert.equal(error.syscall, call);
    assert.deepEqual(error.address, address);
    assert.equal(error.port, port);
    if (port === undefined) assert.ok(!('port' in error));
    assert.ok((error.stack ?? '').startsWith(`${error.name}: ${error.message}`));
    return true;
  };
}

test('a refused connect to 127.0.0.1: Python\'s text, then the address; address and port as node:net has them', async () => {
  const [holder, port] = refusing();
  using _holder = holder;
  const python = pythonRefused('127.0.0.1', port);
  assert.equal(python, `[Errno ${socket.errno.ECONNREFUSED}] Connection refused`);
  const theirs = await nodeError({ host: '127.0.0.1', port });
  assert.equal(theirs.message, `connect ECONNREFUSED 127.0.0.1:${port}`);
  const check = isAbout(socket.ConnectionRefusedError, python, 'connect', `127.0.0.1:${port}`, theirs.address!, theirs.port);
  {
    using s = socket.socket();
    await assert.rejects(bounded(s.connect(['127.0.0.1', port])), check);
  }
  {
    using s = socket.socket();
    assert.throws(() => s.connectSync(['127.0.0.1', port]), check);
  }
  // A host name: the address is the one it resolved to, as Node's.
  {
    using s = socket.socket();
    await assert.rejects(bounded(s.connect(['localhost', port])), check);
  }
  await assert.rejects(bounded(socket.createConnection(['127.0.0.1', port])), check);
  assert.throws(() => socket.createConnectionSync(['127.0.0.1', port]), check);
  await assert.rejects(bounded(socket.createConnection(['127.0.0.1', port], undefined, undefined, { allErrors: true })), (error: unknown) => {
    assert.ok(error instanceof AggregateError);
    assert.equal(error.errors.length, 1);
    return check(error.errors[0]);
  });
});

test('a refused connect to ::1: the host in brackets before the port', async (t) => {
  if (!hasLoopbackIPv6()) return t.skip('::1 cannot be bound here');
  const [holder, port] = refusing(socket.AF_INET6, '::1');
  using _holder = holder;
  const theirs = await nodeError({ host: '::1', port });
  const check = isAbout(socket.ConnectionRefusedError, pythonRefused('::1', port), 'connect', `[::1]:${port}`, theirs.address!, theirs.port);
  using s = socket.socket(socket.AF_INET6);
  await assert.rejects(bounded(s.connect(['::1', port, 0, 0])), check);
});

test('bind to an address in use: EADDRINUSE names it; createServer\'s too', () => {
  using taken = socket.createServer(['127.0.0.1', 0]);
  const [, port] = taken.getsockname();
  const python = pythonJson(`import json, socket
s = socket.socket()
try:
    s.bind(('127.0.0.1', ${port}))
except OSError as e:
    print(json.dumps(str(e)))`) as string;
  const check = isAbout(socket.SocketError, python, 'bind', `127.0.0.1:${port}`, '127.0.0.1', port);
  using s = socket.socket();
  assert.throws(() => s.bind(['127.0.0.1', port]), (error: unknown) => check(error) && (error as socket.SocketError).code === 'EADDRINUSE');
  assert.throws(() => socket.createServer(['127.0.0.1', port]), check);
});

test('AF_UNIX: a connect to a missing path is FileNotFoundError with the path; a refused abstract name is shown as @name', async () => {
  const dir = tempDir();
  try {
    const path = dir.path('missing.sock');
    const python = pythonJson(`import json, socket
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(${JSON.stringify(path)})
except OSError as e:
    print(json.dumps(str(e)))`) as string;
    const theirs = await nodeError({ path });
    assert.equal(theirs.address, path);
    const check = isAbout(socket.FileNotFoundError, python, 'connect', path, path);
    using s = socket.socket(socket.AF_UNIX);
    await assert.rejects(bounded(s.connect(path)), check);
    assert.throws(() => s.connectSync(path), check);
    // A datagram to a missing path: sendto and sendmsg name it too.
    using d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
    assert.throws(() => d.sendtoSync(Buffer.from('x'), path), isAbout(socket.FileNotFoundError, python, 'sendto', path, path));
    await assert.rejects(bounded(d.sendmsg([Buffer.from('x')], [], 0, path)), isAbout(socket.FileNotFoundError, python, 'sendmsg', path, path));
  } finally {
    dir.cleanup();
  }
  const abstract = Buffer.from(`\0berkeley-test-${process.pid}-missing`);
  using s = socket.socket(socket.AF_UNIX);
  await assert.rejects(
    bounded(s.connect(abstract)),
    isAbout(socket.ConnectionRefusedError, `[Errno ${socket.errno.ECONNREFUSED}] Connection refused`, 'connect', `@berkeley-test-${process.pid}-missing`, abstract),
  );
});

test('errors of calls without an address have none', async () => {
  const [a, b] = socket.socketpair();
  using _a = a;
  using _b = b;
  a.settimeout(0.01);
  await assert.rejects(bounded(a.recv(1)), (error: unknown) => {
    assert.ok(error instanceof socket.TimeoutError);
    assert.equal(error.message, `[Errno ${socket.errno.ETIMEDOUT}] timed out (recv)`);
    assert.ok(!('address' in error) && !('port' in error));
    return true;
  });
  const made = new socket.SocketError(socket.errno.EIO, undefined, 'test');
  assert.equal(made.address, undefined);
  assert.equal(made.message, `[Errno ${socket.errno.EIO}] Input/output error (test)`);
});
