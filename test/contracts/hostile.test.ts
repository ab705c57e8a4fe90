// Hostile endings: worker threads that end, exit or are terminated in the
// middle of calls, unclosed sockets in a worker (and where they were made,
// when warnings are traced), Sync waits that a signal
// interrupts. Each scenario runs in a child process of its own, so that a
// crash or a hang shows as that child's exit status, not as this runner's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as socket from 'berkeley';
import { bounded, recvExactly, runNode, signalWhenPolling } from '../support/index.js';

const berkeley = JSON.stringify(import.meta.resolve('berkeley'));
// For a child script: whether the thread whose /proc folder is given is in poll(2) or ppoll(2) (x86_64: 7, 271; arm64: 73).
const POLLING = "const polling = (dir) => { try { return [7, 271, 73].includes(Number(readFileSync(dir + '/syscall', 'utf8').split(' ')[0])); } catch { return false; } };";
const selectors = JSON.stringify(import.meta.resolve('berkeley/selectors'));

// A worker whose berkeley made a watcher (an async call that waited), then ends as told.
// Worker code imports dynamically: it runs as ESM (runNode's --input-type is inherited) or CommonJS.
const workerScript = (ending: string): string => `
  Promise.all([import('node:worker_threads'), import(${berkeley})]).then(async ([{ parentPort }, socket]) => {
    const [a, b] = socket.socketpair();
    const waited = a.recv(1);
    await b.sendall('x');
    await waited;
    const pending = a.recv(1);
    ${ending}
  });`;

for (const [how, inWorker, inMain] of [
  ['ends on its own (its sockets left open)', 'pending.catch(() => {}); a.unref();', ''],
  ['calls process.exit() with a recv() pending', 'process.exit(0);', ''],
  ['is terminated with a recv() pending', "parentPort.postMessage('ready');", "await once(worker, 'message'); await worker.terminate();"],
] as const) {
  test(`a worker that used an async call and ${how}: the process lives on (the main thread never imported berkeley)`, async () => {
    const script = `
      import { Worker } from 'node:worker_threads';
      import { once } from 'node:events';
      for (let k = 0; k < 3; k++) {
        const worker = new Worker(${JSON.stringify(workerScript(inWorker))}, { eval: true });
        const exited = once(worker, 'exit');
        ${inMain}
        await exited;
      }
      console.log('alive');`;
    const result = await runNode(script, { ms: 20_000 });
    assert.deepEqual({ code: result.code, signal: result.signal, stdout: result.stdout.trim() }, { code: 0, signal: null, stdout: 'alive' }, result.stderr);
  });
}

test('10 workers x 10 socketpairs that end without close(): every fd is closed, each with a ResourceWarning', async () => {
  const script = `
    import { Worker } from 'node:worker_threads';
    import { once } from 'node:events';
    import { readdirSync } from 'node:fs';
    const count = () => readdirSync('/proc/self/fd').length;
    // A first worker, so that what Node keeps open after one is counted before.
    await once(new Worker('import(${berkeley})', { eval: true }), 'exit');
    const before = count();
    await Promise.all(Array.from({ length: 10 }, async () => {
      const worker = new Worker(\`import(${berkeley.replaceAll('"', '\\"')}).then((socket) => {
        globalThis.kept = Array.from({ length: 10 }, () => socket.socketpair());
      });\`, { eval: true });
      await once(worker, 'exit');
    }));
    console.log(before, count());`;
  const result = await runNode(script, { ms: 20_000 });
  assert.equal(result.code, 0, result.stderr);
  const [before, after] = result.stdout.trim().split(' ').map(Number);
  assert.equal(after, before);
  assert.equal(result.stderr.match(/ResourceWarning: unclosed socket/g)?.length, 200);
});

test('with --trace-warnings, the warning for each socket a worker left open says where it was made; a closed one has none', async () => {
  const script = `
    import { Worker } from 'node:worker_threads';
    import { once } from 'node:events';
    await once(new Worker(\`import(${berkeley.replaceAll('"', '\\"')}).then((socket) => {
      function leaveSocketsOpen() { globalThis.kept = socket.socketpair(); }
      function closeOne() { socket.socket().close(); }
      leaveSocketsOpen();
      closeOne();
    });\`, { eval: true }), 'exit');`;
  const result = await runNode(script, { args: ['--trace-warnings'], ms: 20_000 });
  assert.equal(result.code, 0, result.stderr);
  const traced = /ResourceWarning: unclosed socket \(fd \d+\), closed as its worker thread ended\nSocket created at:\n +at leaveSocketsOpen /g;
  assert.equal(result.stderr.match(traced)?.length, 2, result.stderr);
  assert.equal(result.stderr.match(/ResourceWarning/g)?.length, 2, result.stderr);
});

for (const [call, block] of [
  ['recvSync(1)', 'a.recvSync(1);'],
  ['recvmmsgSync(4, 16)', 'a.recvmmsgSync(4, 16);'],
  ['acceptSync()', "const l = socket.createServer(['127.0.0.1', 0]); l.acceptSync();"],
  ['selectSync', `const sel = await import(${selectors}); sel.selectSync([a], [], [], null);`],
  ['epoll().pollSync', `const sel = await import(${selectors}); const ep = sel.epoll(); ep.register(a, sel.EPOLLIN); ep.pollSync();`],
] as const) {
  test(`worker.terminate() ends a worker blocked in ${call}, and process.exit() does not hang on one`, async () => {
    const worker = `
      Promise.all([import('node:worker_threads'), import(${berkeley})]).then(async ([{ parentPort }, socket]) => {
        const [a, b] = socket.socketpair();
        ${block}
      });`;
    const script = `
      import { Worker } from 'node:worker_threads';
      import { once } from 'node:events';
      import { readdirSync, readFileSync } from 'node:fs';
      ${POLLING}
      // Once one of this process's threads is in poll(2): the worker, blocked.
      const blocked = async () => { while (!readdirSync('/proc/self/task').some((t) => polling('/proc/self/task/' + t))) await new Promise((r) => setTimeout(r, 1)); };
      const first = new Worker(${JSON.stringify(worker)}, { eval: true });
      await blocked();
      await first.terminate();
      console.log('terminated');
      const second = new Worker(${JSON.stringify(worker)}, { eval: true });
      await blocked();
      process.exit(7);`;
    const result = await runNode(script, { ms: 15_000 });
    assert.deepEqual({ code: result.code, stdout: result.stdout.trim() }, { code: 7, stdout: 'terminated' }, result.stderr);
  });
}

for (const [what, code, expected] of [
  ['selectors.selectSync', `const sel = await import(${selectors}); out = sel.selectSync([a], [], [], 0.5);`, '[[],[],[]]'],
  ['DefaultSelector.selectSync', `const sel = await import(${selectors}); const s = new sel.DefaultSelector(); s.register(a, sel.EVENT_READ); out = s.selectSync(0.5);`, '[]'],
  ['PollSelector.selectSync', `const sel = await import(${selectors}); const s = new sel.PollSelector(); s.register(a, sel.EVENT_READ); out = s.selectSync(0.5);`, '[]'],
  ['poll().pollSync', `const sel = await import(${selectors}); const p = sel.poll(); p.register(a, sel.POLLIN); out = p.pollSync(500);`, '[]'],
  ['epoll().pollSync', `const sel = await import(${selectors}); const ep = sel.epoll(); ep.register(a, sel.EPOLLIN); out = ep.pollSync(0.5);`, '[]'],
  ['recvSync with a timeout', "a.settimeout(0.5); try { a.recvSync(1); } catch (e) { out = e.name; }", '"TimeoutError"'],
  ['recvmsgIntoSync with a timeout', "a.settimeout(0.5); try { a.recvmsgIntoSync([Buffer.alloc(1)]); } catch (e) { out = e.name; }", '"TimeoutError"'],
  ['recvmmsgSync with a timeout', "a.settimeout(0.5); try { a.recvmmsgSync(4, 8); } catch (e) { out = e.name; }", '"TimeoutError"'],
] as const) {
  test(`${what}: a handled signal during the wait is waited through, with the time that remains (PEP 475)`, async () => {
    const script = `
      const socket = await import(${berkeley});
      process.on('SIGUSR1', () => {});
      const [a, b] = socket.socketpair();
      console.log('ready');
      let out;
      const started = performance.now();
      ${code}
      console.log(JSON.stringify(out), performance.now() - started >= 450);`;
    let sent: Promise<unknown> | undefined;
    const result = await runNode(script, { onLine: (line, child) => void (line === 'ready' && (sent = signalWhenPolling(child.pid!, 'SIGUSR1'))) });
    await sent;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim().split('\n').at(-1), `${expected} true`);
  });
}

test('connectSync interrupted by a handled signal never reports a connection still in progress as made', async () => {
  // A full accept queue on 127.0.0.1 drops the next SYN, so the connect stays in progress.
  const script = `
    const socket = await import(${berkeley});
    process.on('SIGUSR1', () => {});
    const server = socket.socket();
    server.bind(['127.0.0.1', 0]);
    server.listen(0);
    const fill = [];
    for (let k = 0; k < 8; k++) { const c = socket.socket(); c.setblocking(false); await c.connectEx(server.getsockname()); fill.push(c); }
    const s = socket.socket();
    s.settimeout(0.7);
    console.log('ready');
    let outcome;
    try { s.connectSync(server.getsockname()); outcome = 'connected:' + JSON.stringify(s.getpeername()); }
    catch (e) { outcome = e.name; }
    console.log(outcome);`;
  let sent: Promise<unknown> | undefined;
  const result = await runNode(script, { onLine: (line, child) => void (line === 'ready' && (sent = signalWhenPolling(child.pid!, 'SIGUSR1'))) });
  await sent;
  assert.equal(result.code, 0, result.stderr);
  const outcome = result.stdout.trim().split('\n').at(-1)!;
  // Either the kernel let it through (then there is a peer) or the timeout
  // came: never "connected" without a peer.
  assert.ok(outcome === 'TimeoutError' || outcome.startsWith('connected:["127.0.0.1"'), outcome);
});

test('sendfileSync and sendfile to a closed peer with SIGPIPE at its default disposition: BrokenPipeError, and the process lives', async () => {
  const script = `
    import { openSync, writeFileSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    const socket = await import(${berkeley});
    // Adding then removing a listener puts SIGPIPE back at its default (terminate).
    const listener = () => {};
    process.on('SIGPIPE', listener);
    process.off('SIGPIPE', listener);
    const path = join(tmpdir(), 'berkeley-sigpipe-' + process.pid);
    writeFileSync(path, Buffer.alloc(1 << 20, 7));
    const outcomes = [];
    for (const form of ['sync', 'async']) {
      const [a, b] = socket.socketpair();
      b.close();
      const file = openSync(path, 'r');
      try { form === 'sync' ? a.sendfileSync(file) : await a.sendfile(file); outcomes.push('sent'); }
      catch (e) { outcomes.push(e.name); }
      a.close();
    }
    console.log(outcomes.join(' '));`;
  const result = await runNode(script);
  assert.deepEqual({ code: result.code, signal: result.signal, stdout: result.stdout.trim() }, { code: 0, signal: null, stdout: 'BrokenPipeError BrokenPipeError' }, result.stderr);
});

test('async select() on an fd that Node itself watches (a net.Server) rejects with a clear FileExistsError, and the loop runs on; the epoll selector waits on its own fd', async () => {
  const net = await import('node:net');
  const sel = await import('berkeley/selectors');
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
    // Before, the refused watcher retried in microtasks forever: no timer, no I/O, 100% CPU.
    await assert.rejects(bounded(sel.select([fd], [], [], null)), (e: unknown) => e instanceof socket.FileExistsError && /already watches this fd/.test(e.message));
    // DefaultSelector (epoll) waits on its epoll fd's readability, not on
    // the fd's own watcher: its wait runs out with nothing ready. (Node
    // accepts any connection first, so none can be shown ready here.)
    using selector = new sel.DefaultSelector();
    selector.register(fd, sel.EVENT_READ);
    assert.deepEqual(await bounded(selector.select(0.02)), []);
  } finally {
    server.close();
  }
});

// Runs an echo server (script: prints its port, echoes lines, reports
// EMFILE on stderr, prints 'stopped' on SIGTERM) with 64 fds; 80 clients
// exhaust them; once they close, the server must serve a new client.
async function exhaustFds(script: string): Promise<void> {
  const child = spawn('prlimit', ['--nofile=64:64', process.execPath, '--input-type=module', '-e', script], { stdio: 'pipe' });
  let stderr = '';
  let reported: () => void;
  const emfile = new Promise<void>((resolve) => (reported = resolve));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (stderr.includes('Too many open files')) reported();
  });
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) (waiters.shift() ?? ((l: string) => lines.push(l)))(line);
  });
  const line = (): Promise<string> => bounded(lines.length ? Promise.resolve(lines.shift()!) : new Promise((resolve) => waiters.push(resolve)), 20_000, () => `a line from the server (stderr: ${stderr})`);
  const exited = once(child, 'close');
  try {
    const port = Number(await line());
    const clients = await Promise.all(Array.from({ length: 80 }, async () => {
      const c = socket.socket();
      await bounded(c.connect(['127.0.0.1', port]), 20_000);
      await c.sendall('hi\n');
      return c;
    }));
    // 80 open connections cannot all fit in 64 fds: the server meets EMFILE.
    await bounded(emfile, 20_000, () => `EMFILE at the server (stderr: ${stderr})`);
    for (const c of clients) c.close();
    // Once the handlers of the closed clients have ended, fds are free again.
    const again = socket.socket();
    again.settimeout(20);
    await bounded(again.connect(['127.0.0.1', port]), 20_000);
    await again.sendall('served again\n');
    assert.equal((await recvExactly(again, 13, 20_000)).toString(), 'served again\n');
    again.close();
    const reports = stderr.match(/Too many open files/g)?.length ?? 0;
    assert.ok(reports >= 1 && reports <= 5, `EMFILE reported ${reports} times: ${stderr.slice(0, 2000)}`);
    child.kill('SIGTERM');
    assert.equal(await line(), 'stopped');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  }
}

test('fd exhaustion (prlimit --nofile=64): a ThreadingTCPServer reports EMFILE once per episode, keeps its loop running, and serves again once fds are free', () =>
  exhaustFds(`
    const socketserver = await import(${JSON.stringify(import.meta.resolve('berkeley/socketserver'))});
    class Echo extends socketserver.StreamRequestHandler {
      async handle() { for await (const line of this.rfile) await this.wfile.write(line); }
    }
    class Server extends socketserver.ThreadingMixIn(socketserver.TCPServer) {}
    Server.requestQueueSize = 128;
    const server = new Server(['127.0.0.1', 0], Echo);
    console.log(server.serverAddress[1]);
    process.once('SIGTERM', () => void server.shutdown());
    await server.serveForever();
    await server.serverClose();
    console.log('stopped');`));

test('fd exhaustion: a plain accept() loop that retries at once on EMFILE still lets its handlers run, and serves again', () =>
  exhaustFds(`
    const socket = await import(${berkeley});
    const server = socket.createServer(['127.0.0.1', 0], { backlog: 128 });
    console.log(server.getsockname()[1]);
    process.once('SIGTERM', () => { console.log('stopped'); process.exit(0); });
    let reported = false;
    for (;;) {
      let conn;
      try {
        [conn] = await server.accept();
      } catch (e) {
        if (e.code !== 'EMFILE') throw e;
        if (!reported) console.error('accept: Too many open files');
        reported = true;
        continue;
      }
      reported = false;
      (async () => {
        for (let data = await conn.recv(1024); data.length > 0; data = await conn.recv(1024)) await conn.sendall(data);
      })().catch(() => {}).finally(() => conn.close());
    }`));
