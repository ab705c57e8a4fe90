// berkeley/ssl in blocking mode on the main thread, as the plain socket's
// (contracts/modes-blocking): a wrapped socket's Sync calls wait in the
// system call itself (SSL_read in recv(2), no poll(2) first), the fd in
// blocking mode while they run and non-blocking again for any other call,
// unless its fd was given out before wrapping; a handled signal during the
// wait is waited through; and a read that takes a whole record waits for
// that one only, never for the next. Each scenario that would hang if the
// fd's mode were wrong runs in a child process with a time limit, against a
// python3 TLS server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Peer, runNode, TestCertificates } from '../support/index.js';

const certificates = new TestCertificates();
before(() => certificates.make());
after(() => certificates.cleanup());
const { file, needs } = certificates;

const modules = `
  const socket = await import(${JSON.stringify(import.meta.resolve('berkeley'))});
  const ssl = await import(${JSON.stringify(import.meta.resolve('berkeley/ssl'))});`;

// A TLS server for one connection after another: each byte comes back,
// but 'R' is answered with one whole record (16384 bytes).
const ECHO_SERVER = `
  import ssl
  ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
  ctx.load_cert_chain(sys.argv[1], sys.argv[2])
  srv = socket.create_server(('127.0.0.1', 0))
  out(srv.getsockname()[1])
  while True:
      conn, _ = srv.accept()
      conn.settimeout(20)
      try:
          with ctx.wrap_socket(conn, server_side=True) as s:
              while True:
                  b = s.recv(1)
                  if not b:
                      break
                  s.sendall(b'r' * 16384 if b == b'R' else b)
      except OSError:
          pass
`;

async function echoServer(t: Parameters<typeof needs>[0]): Promise<number> {
  const peer = new Peer(t, ECHO_SERVER, [file('server.pem'), file('server.key')]);
  return peer.json<number>();
}

/** Runs a child script (after the modules and a client context trusting the CA) whose last stdout line is returned. */
async function lastLine(script: string, ms = 20_000): Promise<string> {
  const context = `const context = ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: ${JSON.stringify(file('ca.pem'))} });`;
  const result = await runNode(`${modules}\n${context}\n${script}`, { ms });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim().split('\n').at(-1)!;
}

// Whether the fd of the TCP socket bound to local port is non-blocking now,
// found through /proc (asking the SSLSocket for its fileno() would give it
// out, which keeps it non-blocking from then on).
const NON_BLOCKING = `
  const { readFileSync, readdirSync, readlinkSync } = await import('node:fs');
  function nonBlocking(port) {
    const hex = ':' + port.toString(16).toUpperCase().padStart(4, '0');
    const row = readFileSync('/proc/net/tcp', 'utf8').split('\\n').map((l) => l.trim().split(/\\s+/)).find((f) => f[1]?.endsWith(hex));
    for (const fd of readdirSync('/proc/self/fd')) {
      let link = '';
      try { link = readlinkSync('/proc/self/fd/' + fd); } catch {}
      if (link !== 'socket:[' + row[9] + ']') continue;
      const flags = parseInt(/flags:\\s+(\\d+)/.exec(readFileSync('/proc/self/fdinfo/' + fd, 'utf8'))[1], 8);
      return (flags & 0o4000) !== 0;
    }
    throw new Error('no fd for port ' + port);
  }`;

test('Sync calls on a wrapped socket in blocking mode make the fd blocking; async calls make it non-blocking again; an fd given out first stays non-blocking', async (t) => {
  if (!needs(t, true) || process.platform !== 'linux') return;
  const port = await echoServer(t);
  const line = await lastLine(`
    ${NON_BLOCKING}
    const seen = [];
    for (const giveOut of [false, true]) {
      const raw = socket.createConnectionSync(['127.0.0.1', ${port}]);
      if (giveOut) raw.fileno();
      const tls = context.wrapSocketSync(raw, { serverHostname: 'localhost' });
      const local = tls.getsockname()[1];
      tls.sendallSync('1');
      let got = tls.recvSync(1).toString();
      seen.push(nonBlocking(local));
      await tls.sendall('2');
      got += (await tls.recv(1)).toString();
      seen.push(nonBlocking(local));
      tls.sendallSync('3');
      got += tls.recvSync(1).toString();
      seen.push(got);
      tls.close();
    }
    console.log(JSON.stringify(seen));`);
  assert.deepEqual(JSON.parse(line), [false, true, '123', true, true, '123']);
});

test('a blocking recvSync that reads a whole record returns it at once, without waiting for a next one', async (t) => {
  if (!needs(t, true)) return;
  const port = await echoServer(t);
  // Were the read to wait after the first record, the server (waiting for
  // our next byte) would end the connection after its 20 s, and no 'x' come.
  const line = await lastLine(`
    const tls = context.wrapSocketSync(socket.createConnectionSync(['127.0.0.1', ${port}]), { serverHostname: 'localhost' });
    tls.sendallSync('R');
    const into = Buffer.alloc(65536);
    const n = tls.recvIntoSync(into);
    let rest = n;
    while (rest < 16384) rest += tls.recvIntoSync(into);
    tls.sendallSync('x');
    console.log(n > 0 && rest === 16384, tls.recvSync(1).toString());`, 40_000);
  assert.equal(line, 'true x');
});

// The python3 server reads the child's pid, waits until the child's main
// thread waits in recvfrom(2) itself (its /proc syscall number: it did not
// poll first), sends it SIGUSR1, waits until the kernel has delivered it
// and the thread waits in recvfrom(2) again, then sends the byte that ends
// the wait.
const SIGNALLING_SERVER = `
  import ctypes, platform, signal, ssl, time
  recvfrom = {'x86_64': 45, 'aarch64': 207}[platform.machine()]
  tgkill = {'x86_64': 234, 'aarch64': 131}[platform.machine()]
  ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
  ctx.load_cert_chain(sys.argv[1], sys.argv[2])
  srv = socket.create_server(('127.0.0.1', 0))
  out(srv.getsockname()[1])
  conn, _ = srv.accept()
  s = ctx.wrap_socket(conn, server_side=True)
  pid = int(s.recv(100).decode())
  def waiting():
      with open(f'/proc/{pid}/syscall') as f:
          nr = f.read().split()[0]
      return nr.isdigit() and int(nr) == recvfrom
  def delivered():
      with open(f'/proc/{pid}/status') as f:
          pending = next(l for l in f if l.startswith('SigPnd:')).split()[1]
      return not int(pending, 16) & (1 << (signal.SIGUSR1 - 1))
  deadline = time.monotonic() + 10
  for condition, failure in [(waiting, 'never in recvfrom'), (None, ''), (delivered, 'the signal was never delivered'), (waiting, 'not in recvfrom after the signal')]:
      if condition is None:
          if ctypes.CDLL(None, use_errno=True).syscall(tgkill, pid, pid, signal.SIGUSR1) != 0:
              raise OSError(ctypes.get_errno(), 'tgkill')
          continue
      while not condition():
          if time.monotonic() > deadline:
              raise SystemExit(failure)
          time.sleep(0.001)
  s.sendall(b'x')
  s.close()
  out('sent')
`;

test('recvSync on a wrapped socket in blocking mode waits in recv(2) itself, and a handled signal during it is waited through', async (t) => {
  if (!needs(t, true) || process.platform !== 'linux') return;
  const peer = new Peer(t, SIGNALLING_SERVER, [file('server.pem'), file('server.key')]);
  const port = await peer.json<number>();
  const line = await lastLine(`
    const { once } = await import('node:events');
    const signalled = once(process, 'SIGUSR1');
    const tls = context.wrapSocketSync(socket.createConnectionSync(['127.0.0.1', ${port}]), { serverHostname: 'localhost' });
    tls.sendallSync(String(process.pid));
    const data = tls.recvSync(1).toString();
    // The handler runs once the loop turns; a timer keeps it turning until then.
    const alive = setTimeout(() => {}, 10_000);
    await signalled;
    clearTimeout(alive);
    console.log('got', data);`);
  assert.equal(line, 'got x');
  assert.equal(await peer.json(), 'sent');
  await peer.done();
});
