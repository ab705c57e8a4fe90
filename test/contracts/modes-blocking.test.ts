// Blocking mode as CPython has it: a Sync call that may wait without limit
// on the main thread makes the blocking system call itself (the fd's
// O_NONBLOCK cleared lazily), and every other call finds the fd
// non-blocking again. The flag belongs to the file description, shared by
// every dup: once the fd is given out (fileno(), dup(), toNetSocket, a
// Socket made on a given fd) it is never cleared. Each scenario that would
// hang if the flag were wrong runs in a child process with a time limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants, readFileSync } from 'node:fs';
import * as socket from 'berkeley';
import { bounded, runNode } from '../support/index.js';

const berkeley = JSON.stringify(import.meta.resolve('berkeley'));

/** Runs a child script whose last stdout line is checked. */
async function lastLine(script: string): Promise<string> {
  const result = await runNode(`const socket = await import(${berkeley});\n${script}`, { ms: 15_000 });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim().split('\n').at(-1)!;
}

test('a blocking socket used by Sync calls, then by async calls: they never block the event loop', async () => {
  const line = await lastLine(`
    const [a, b] = socket.socketpair();
    b.sendSync('x');
    const first = a.recvSync(1).toString();
    // Nothing has arrived: the call waits, and the loop runs on meanwhile.
    const pending = a.recv(1);
    await new Promise((resolve) => setImmediate(resolve));
    b.sendSync('y');
    console.log(first + (await pending).toString());`);
  assert.equal(line, 'xy');
});

test('a blocking socket used by Sync calls, then given a timeout or made non-blocking: the calls time out or fail at once', async () => {
  const line = await lastLine(`
    const [a, b] = socket.socketpair();
    b.sendSync('x');
    a.recvSync(1);
    a.settimeout(0.05);
    let timeout, nonblocking;
    try { a.recvSync(1); } catch (error) { timeout = error.name; }
    a.setblocking(false);
    try { a.recvSync(1); } catch (error) { nonblocking = error.name; }
    a.setblocking(true);
    b.sendSync('z');
    console.log(timeout, nonblocking, a.recvSync(1).toString());`);
  assert.equal(line, 'TimeoutError BlockingIOError z');
});

// If the description's O_NONBLOCK were cleared under node:net, libuv's read
// (it reads until EAGAIN) would block the whole process.
for (const [what, share] of [
  ['toNetSocket', 'const net = b.toNetSocket();'],
  ['dup() then toNetSocket', 'const copy = b.dup(); const net = copy.toNetSocket(); copy.close();'],
  ['fromfd(fileno()) then toNetSocket', 'const copy = socket.fromfd(b.fileno(), b.family, b.type); const net = copy.toNetSocket(); copy.close();'],
] as const) {
  test(`a socket whose Sync calls blocked, shared by ${what}: node:net keeps working, and so do the Sync calls`, async () => {
    const line = await lastLine(`
      const { once } = await import('node:events');
      const [a, b] = socket.socketpair();
      a.sendSync('1');
      const got = [b.recvSync(1).toString()];
      ${share}
      // Sync calls in blocking mode after the fd was shared: they must leave it non-blocking.
      b.sendSync('2');
      got.push(a.recvSync(1).toString());
      const data = once(net, 'data');
      a.sendSync('3');
      got.push((await data)[0].toString());
      const more = once(net, 'data');
      a.sendSync('4');
      got.push((await more)[0].toString());
      net.write('5');
      got.push(a.recvSync(1).toString());
      net.destroy();
      console.log(got.join(''));`);
    assert.equal(line, '12345');
  });
}

test('a dup of a socket: both keep working with Sync and async calls, in either order', async () => {
  const [a, b] = socket.socketpair();
  using _a = a;
  using _b = b;
  using c = b.dup();
  await a.sendall('p');
  assert.equal(c.recvSync(1).toString(), 'p');
  const pending = b.recv(1);
  a.sendSync('q');
  assert.equal((await bounded(pending)).toString(), 'q');
  b.sendSync('r');
  c.sendSync('s');
  assert.equal(a.recvSync(2).toString().length, 2);
});

// The signal comes from python3 once the child's main thread waits in
// recvfrom(2) itself (its /proc syscall number), which shows the call did
// not poll first; python3 then waits until the kernel has delivered the
// signal (no longer pending for the thread), checks that the thread waits in
// recvfrom(2) again, and sends the byte that ends the wait.
function signalThenSend(pid: number, port: number): Promise<unknown> {
  const sender = spawn('python3', ['-c', `
import ctypes, platform, signal, socket, time
recvfrom = {'x86_64': 45, 'aarch64': 207}[platform.machine()]
tgkill = {'x86_64': 234, 'aarch64': 131}[platform.machine()]
def waiting():
    with open('/proc/${pid}/syscall') as f:
        nr = f.read().split()[0]
    return nr.isdigit() and int(nr) == recvfrom
conn = socket.create_connection(('127.0.0.1', ${port}))
deadline = time.monotonic() + 10
while not waiting():
    if time.monotonic() > deadline:
        raise SystemExit('never in recvfrom')
    time.sleep(0.001)
if ctypes.CDLL(None, use_errno=True).syscall(tgkill, ${pid}, ${pid}, signal.SIGUSR1) != 0:
    raise OSError(ctypes.get_errno(), 'tgkill')
def delivered():
    with open('/proc/${pid}/status') as f:
        pending = next(l for l in f if l.startswith('SigPnd:')).split()[1]
    return not int(pending, 16) & (1 << (signal.SIGUSR1 - 1))
deadline = time.monotonic() + 10
while not delivered():
    if time.monotonic() > deadline:
        raise SystemExit('the signal was never delivered')
    time.sleep(0.001)
while not waiting():
    if time.monotonic() > deadline:
        raise SystemExit('not waiting in recvfrom after the signal')
    time.sleep(0.001)
conn.sendall(b'x')
conn.close()
`], { stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  sender.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return once(sender, 'close').then(([code]) => assert.equal(code, 0, stderr));
}

test('recvSync in blocking mode waits in recv(2) itself, and a handled signal during it is waited through (PEP 475)', async () => {
  const script = `
    const { once } = await import('node:events');
    const socket = await import(${berkeley});
    const signalled = once(process, 'SIGUSR1');
    const server = socket.socket();
    server.bind(['127.0.0.1', 0]);
    server.listen();
    console.log('ready', server.getsockname()[1]);
    const [conn] = server.acceptSync();
    const data = conn.recvSync(1).toString();
    // The handler runs once the loop turns; a timer keeps the loop turning until then.
    const alive = setTimeout(() => {}, 10_000);
    await signalled;
    clearTimeout(alive);
    console.log('got', data);`;
  let sent: Promise<unknown> | undefined;
  const result = await runNode(script, {
    ms: 20_000,
    onLine: (line, child) => void (line.startsWith('ready ') && (sent = signalThenSend(child.pid!, Number(line.split(' ')[1])))),
  });
  await sent;
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim().split('\n').at(-1), 'got x');
});

test('async calls after one that waited: data that is already there is read, in order, however many calls', async () => {
  const [a, b] = socket.socketpair();
  using _a = a;
  using _b = b;
  const first = a.recv(1);
  await b.sendall('0');
  assert.equal((await bounded(first)).toString(), '0');
  const text = Array.from({ length: 100 }, (_, k) => String(k % 10)).join('');
  await b.sendall(text);
  let got = '';
  for (let k = 0; k < 100; k++) got += (await bounded(a.recv(1))).toString();
  assert.equal(got, text);
});

/** Whether the fd's file description has O_NONBLOCK, as the kernel reports it. */
function nonblocking(fd: number): boolean {
  const flags = /^flags:\s+(\d+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!;
  return (parseInt(flags, 8) & constants.O_NONBLOCK) !== 0;
}

test('detach() after Sync calls blocked: the fd is handed over non-blocking, and a Socket made on it works both ways', async () => {
  const [c, d] = socket.socketpair();
  using _d = d;
  d.sendSync('y');
  assert.equal(c.recvSync(1).toString(), 'y');
  // The Sync call waited in recv(2) itself: the flag stays clear until another call needs it.
  const given = Number(/fd=(\d+)/.exec(String(c))![1]);
  assert.equal(nonblocking(given), false);
  const fd = c.detach();
  assert.equal(fd, given);
  assert.equal(nonblocking(fd), true);
  using e = new socket.Socket(undefined, undefined, undefined, fd);
  const pending = e.recv(1);
  d.sendSync('z');
  assert.equal((await bounded(pending)).toString(), 'z');
  d.sendSync('w');
  assert.equal(e.recvSync(1).toString(), 'w');
  assert.equal(nonblocking(fd), true, 'a Socket made on a given fd never clears the flag');
});

test('Sockets used only by Sync calls can be collected before the job that made them ends', async () => {
  // A WeakRef keeps its target alive until the job ends, and a loop of Sync
  // calls may never end its job: such sockets make none.
  const result = await runNode(`
    const socket = await import(${berkeley});
    let collected = 0;
    const registry = new FinalizationRegistry(() => collected++);
    (function churn() {
      for (let k = 0; k < 20; k++) {
        const [a, b] = socket.socketpair();
        a.sendSync('x');
        b.recvSync(1);
        registry.register(a, k);
        registry.register(b, k);
        a.close();
        b.close();
      }
    })();
    globalThis.gc();
    for (let turn = 0; turn < 1000 && collected < 40; turn++) await new Promise((resolve) => setImmediate(resolve));
    console.log(collected);`, { args: ['--expose-gc'], ms: 15_000 });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim(), '40');
});
