// Linux socket extras, on loopback: SO_REUSEPORT load spreading, TCP_INFO
// decoded, TCP_CONGESTION, SO_BINDTODEVICE, TCP_FASTOPEN, SO_MARK,
// IP_TRANSPARENT, TCP_KEEPIDLE/INTVL/CNT, SO_LINGER (packLinger/unpackLinger),
// and SO_PEERCRED/SO_PEERSEC through examples/peercred.ts. Privileged tests
// check their privilege first and skip with the reason otherwise.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import * as socket from 'berkeley';
import { peerCredentials, peerSecurityContext, identifyPeer } from '../../examples/peercred.js';
import { bounded, packageRoot, PythonPeer, recvExactly, tcpPair, tempDir } from '../support/index.js';

const { AF_UNIX, SOCK_STREAM, SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP } = socket;
const TCP_ESTABLISHED = 1;
const TCP_CLOSE_WAIT = 8;
const TCP_LISTEN = 10;

const sysctl = (name: string): string => {
  try {
    return readFileSync(`/proc/sys/${name.replaceAll('.', '/')}`, 'utf8').trim();
  } catch {
    return '';
  }
};

/** true, or why this process may not set a privileged option (the skip message). */
function privileged(level: number, option: number, value: number | Buffer): true | string {
  using s = socket.socket();
  try {
    s.setsockopt(level, option, value);
    return true;
  } catch (error) {
    if (error instanceof socket.PermissionError) return `needs CAP_NET_ADMIN/CAP_NET_RAW (${error.message})`;
    throw error;
  }
}

const run = promisify(execFile);

/** true, or why a private network namespace cannot be made here. */
const netns: true | string = (() => {
  if (process.getuid!() !== 0) return 'needs root for a private network namespace';
  try {
    execFileSync('unshare', ['-n', 'true'], { stdio: 'ignore', timeout: 10000 });
    return true;
  } catch (error) {
    return `no private network namespace here (${(error as Error).message.split('\n')[0]})`;
  }
})();

/** A NUL-terminated option string (TCP_CONGESTION, SO_BINDTODEVICE) as text. */
const cString = (b: Buffer): string => b.subarray(0, b.indexOf(0) < 0 ? b.length : b.indexOf(0)).toString();

describe('SO_REUSEPORT', () => {
  test('two listening sockets on one port share the connections: both get some', async () => {
    const listeners = [0, 1].map(() => socket.socket());
    const clients: socket.Socket[] = [];
    try {
      for (const l of listeners) l.setsockopt(SOL_SOCKET, socket.SO_REUSEPORT, 1);
      listeners[0]!.bind(['127.0.0.1', 0]);
      const address = listeners[0]!.getsockname() as [string, number];
      listeners[1]!.bind(address);
      for (const l of listeners) l.listen(128);
      assert.equal(listeners[1]!.getsockopt(SOL_SOCKET, socket.SO_REUSEPORT), 1);
      // The kernel picks a listener by a hash of the 4-tuple: 64 connections
      // from 64 source ports all landing on one of two has odds of 2^-63.
      const N = 64;
      const counts = [0, 0];
      let accepted = 0;
      let finish!: () => void;
      const allAccepted = new Promise<void>((resolve) => (finish = resolve));
      const serving = listeners.map(async (l, i) => {
        while (accepted < N) {
          const [conn] = await l.accept();
          conn.close();
          counts[i]!++;
          if (++accepted === N) finish();
        }
      });
      for (let k = 0; k < N; k++) {
        const c = socket.socket();
        clients.push(c);
        await bounded(c.connect(address));
      }
      await bounded(allAccepted, 10000, `${N} accepts`);
      assert.equal(counts[0]! + counts[1]!, N);
      assert.ok(counts[0]! > 0 && counts[1]! > 0, `both listeners got connections: ${counts.join(' + ')}`);
      for (const l of listeners) l.close(); // the still-waiting accept rejects with EBADF
      await Promise.allSettled(serving);
    } finally {
      for (const s of [...listeners, ...clients]) s.close();
    }
  });

  test('without SO_REUSEPORT the second bind is EADDRINUSE', () => {
    using a = socket.socket();
    using b = socket.socket();
    a.bind(['127.0.0.1', 0]);
    a.listen();
    assert.throws(() => b.bind(a.getsockname() as [string, number]), (e: socket.SocketError) => e.errno === socket.errno.EADDRINUSE);
  });
});

describe('TCP_INFO', () => {
  test('decoded with unpackTcpInfo: ESTABLISHED, rtt and mss known, byte counters match the traffic', async () => {
    const [client, server] = await tcpPair();
    using _client = client;
    using _server = server;
    await client.sendall(Buffer.alloc(1000, 1));
    await recvExactly(server, 1000);
    await server.sendall('ack');
    await recvExactly(client, 3);
    const raw = client.getsockopt(IPPROTO_TCP, socket.TCP_INFO!, socket.TCP_INFO_SIZE);
    assert.ok(raw.length >= 104 && raw.length <= socket.TCP_INFO_SIZE, `TCP_INFO gave ${raw.length} bytes`);
    const info = socket.unpackTcpInfo(raw);
    assert.equal(info.state, TCP_ESTABLISHED);
    assert.ok(info.rtt > 0, `rtt ${info.rtt} µs`); // measured from the exchange: known, not fast
    assert.ok(info.sndMss > 0 && info.rcvMss > 0);
    assert.ok(info.sndCwnd > 0);
    if ('bytesAcked' in info) assert.equal(info.bytesAcked, 1000 + 1); // + the SYN
    if ('bytesReceived' in info) assert.equal(info.bytesReceived, 3);
    if ('segsOut' in info) assert.ok(info.segsOut >= 2);
    // The other side's view of the same connection.
    const peer = socket.unpackTcpInfo(server.getsockopt(IPPROTO_TCP, socket.TCP_INFO!, socket.TCP_INFO_SIZE));
    assert.equal(peer.state, TCP_ESTABLISHED);
    if ('bytesReceived' in peer) assert.equal(peer.bytesReceived, 1000);
    // After the peer closes: CLOSE_WAIT.
    server.close();
    assert.equal((await bounded(client.recv(10))).length, 0);
    assert.equal(socket.unpackTcpInfo(client.getsockopt(IPPROTO_TCP, socket.TCP_INFO!, socket.TCP_INFO_SIZE)).state, TCP_CLOSE_WAIT);
  });

  test('a listening socket is in state LISTEN; a short buffer decodes only what it holds', () => {
    using l = socket.socket();
    l.bind(['127.0.0.1', 0]);
    l.listen();
    const info = socket.unpackTcpInfo(l.getsockopt(IPPROTO_TCP, socket.TCP_INFO!, socket.TCP_INFO_SIZE));
    assert.equal(info.state, TCP_LISTEN);
    const short = socket.unpackTcpInfo(l.getsockopt(IPPROTO_TCP, socket.TCP_INFO!, 16));
    assert.equal(short.state, TCP_LISTEN);
    assert.equal('rtt' in short, false);
  });
});

describe('TCP_CONGESTION', () => {
  const available = sysctl('net.ipv4.tcp_available_congestion_control').split(/\s+/);
  const allowed = process.getuid!() === 0 ? available : sysctl('net.ipv4.tcp_allowed_congestion_control').split(/\s+/);
  const choice = ['reno', 'cubic'].find((name) => allowed.includes(name));

  test('get as bytes (the default algorithm); set reno or cubic; get it back', { skip: choice === undefined && `neither reno nor cubic allowed here (${allowed.join(' ')})` }, () => {
    using s = socket.socket();
    const current = cString(s.getsockopt(IPPROTO_TCP, socket.TCP_CONGESTION!, 16));
    assert.equal(current, sysctl('net.ipv4.tcp_congestion_control'));
    s.setsockopt(IPPROTO_TCP, socket.TCP_CONGESTION!, Buffer.from(choice!));
    assert.equal(cString(s.getsockopt(IPPROTO_TCP, socket.TCP_CONGESTION!, 16)), choice);
    // An unknown algorithm: ENOENT (FileNotFoundError, as in Python).
    assert.throws(() => s.setsockopt(IPPROTO_TCP, socket.TCP_CONGESTION!, Buffer.from('no-such-cc')), (e: socket.SocketError) => e.errno === socket.errno.ENOENT);
  });

  test('a connection with the chosen algorithm carries data', { skip: choice === undefined && 'no algorithm to choose' }, async () => {
    const [client, server] = await tcpPair();
    using _client = client;
    using _server = server;
    client.setsockopt(IPPROTO_TCP, socket.TCP_CONGESTION!, Buffer.from(choice!));
    await client.sendall(Buffer.alloc(100_000, 7));
    assert.equal((await recvExactly(server, 100_000)).length, 100_000);
    assert.equal(cString(client.getsockopt(IPPROTO_TCP, socket.TCP_CONGESTION!, 16)), choice);
  });
});

describe('TCP keepalive and SO_LINGER', () => {
  test('SO_KEEPALIVE and TCP_KEEPIDLE/TCP_KEEPINTVL/TCP_KEEPCNT round trips', () => {
    using s = socket.socket();
    s.setsockopt(SOL_SOCKET, socket.SO_KEEPALIVE, true);
    assert.equal(s.getsockopt(SOL_SOCKET, socket.SO_KEEPALIVE), 1);
    for (const [option, value] of [[socket.TCP_KEEPIDLE, 30], [socket.TCP_KEEPINTVL, 7], [socket.TCP_KEEPCNT, 4]] as [number, number][]) {
      s.setsockopt(IPPROTO_TCP, option, value);
      assert.equal(s.getsockopt(IPPROTO_TCP, option), value);
    }
    assert.throws(() => s.setsockopt(IPPROTO_TCP, socket.TCP_KEEPIDLE!, 0), (e: socket.SocketError) => e.errno === socket.errno.EINVAL);
  });

  test('SO_LINGER with packLinger/unpackLinger round trips', () => {
    using s = socket.socket();
    assert.deepEqual(socket.unpackLinger(s.getsockopt(SOL_SOCKET, socket.SO_LINGER, 8)), { onoff: false, linger: 0 });
    s.setsockopt(SOL_SOCKET, socket.SO_LINGER, socket.packLinger(true, 5));
    assert.deepEqual(socket.unpackLinger(s.getsockopt(SOL_SOCKET, socket.SO_LINGER, 8)), { onoff: true, linger: 5 });
    s.setsockopt(SOL_SOCKET, socket.SO_LINGER, socket.packLinger(false));
    assert.equal(socket.unpackLinger(s.getsockopt(SOL_SOCKET, socket.SO_LINGER, 8)).onoff, false);
    assert.throws(() => socket.packLinger(true, -1), RangeError);
    assert.throws(() => socket.packLinger(1 as never), TypeError);
  });

  test('linger on with 0 seconds: close() resets the connection; the peer sees ConnectionResetError', async () => {
    const [client, server] = await tcpPair();
    using _server = server;
    client.setsockopt(SOL_SOCKET, socket.SO_LINGER, socket.packLinger(true, 0));
    client.close();
    await assert.rejects(bounded(server.recv(10)), socket.ConnectionResetError);
  });
});

describe('TCP_FASTOPEN', { skip: socket.TCP_FASTOPEN === undefined && 'no TCP_FASTOPEN' }, () => {
  test('server queue length and client TCP_FASTOPEN_CONNECT round trip; connections carry data', async () => {
    using l = socket.socket();
    l.bind(['127.0.0.1', 0]);
    l.setsockopt(IPPROTO_TCP, socket.TCP_FASTOPEN!, 16);
    assert.equal(l.getsockopt(IPPROTO_TCP, socket.TCP_FASTOPEN!), 16);
    l.listen();
    // Twice: the first connection fetches a cookie, the second may put data in its SYN.
    for (const round of [1, 2]) {
      using c = socket.socket();
      if (socket.TCP_FASTOPEN_CONNECT !== undefined) {
        c.setsockopt(IPPROTO_TCP, socket.TCP_FASTOPEN_CONNECT, 1);
        assert.equal(c.getsockopt(IPPROTO_TCP, socket.TCP_FASTOPEN_CONNECT), 1);
      }
      const [[conn]] = await bounded(Promise.all([l.accept(), c.connect(l.getsockname() as [string, number])]));
      using _conn = conn;
      await c.sendall(`round ${round}`);
      assert.equal((await recvExactly(conn, 7)).toString(), `round ${round}`);
    }
  });

  // The sysctl net.ipv4.tcp_fastopen is per network namespace: set it to
  // client + server (3) in a private one, never on the machine's own.
  test('data in the SYN (TCPI_OPT_SYN_DATA) once the client has a cookie: in a private network namespace with tcp_fastopen=3', { skip: netns !== true && netns }, async () => {
    const code = `import * as socket from 'berkeley';
      const l = socket.socket();
      l.bind(['127.0.0.1', 0]);
      l.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 16);
      l.listen();
      const seen = [];
      for (let round = 0; round < 3; round++) {
        const c = socket.socket();
        c.settimeout(5);
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN_CONNECT, 1);
        const [[conn]] = await Promise.all([l.accept(), c.connect(l.getsockname()).then(() => c.sendall('syn data'))]);
        const got = await conn.recv(8);
        const info = socket.unpackTcpInfo(c.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, socket.TCP_INFO_SIZE));
        seen.push([got.toString(), (info.options & 32) !== 0]);
        conn.close();
        c.close();
      }
      console.log(JSON.stringify(seen));`;
    const { stdout } = await bounded(
      run('unshare', ['-n', 'sh', '-c', 'ip link set lo up && sysctl -qw net.ipv4.tcp_fastopen=3 && exec "$@"', 'sh', process.execPath, '--input-type=module', '-e', code], { cwd: packageRoot, timeout: 20000 }),
      25000,
      'TFO child',
    );
    // The first connection fetches the cookie; the later ones carry their data in the SYN.
    assert.deepEqual(JSON.parse(stdout), [['syn data', false], ['syn data', true], ['syn data', true]]);
  });
});

describe('privileged options', () => {
  const bindToDevice = socket.SO_BINDTODEVICE === undefined ? 'no SO_BINDTODEVICE' : privileged(SOL_SOCKET, socket.SO_BINDTODEVICE, Buffer.from('lo'));
  const mark = socket.SO_MARK === undefined ? 'no SO_MARK' : privileged(SOL_SOCKET, socket.SO_MARK, 1);
  const transparent = socket.IP_TRANSPARENT === undefined ? 'no IP_TRANSPARENT' : privileged(IPPROTO_IP, socket.IP_TRANSPARENT, 1);

  test("SO_BINDTODEVICE to 'lo': read back, and a connection over it works", { skip: bindToDevice !== true && bindToDevice }, async () => {
    using l = socket.socket();
    l.setsockopt(SOL_SOCKET, socket.SO_BINDTODEVICE!, Buffer.from('lo'));
    assert.equal(cString(l.getsockopt(SOL_SOCKET, socket.SO_BINDTODEVICE!, 16)), 'lo');
    l.bind(['127.0.0.1', 0]);
    l.listen();
    using c = socket.socket();
    c.setsockopt(SOL_SOCKET, socket.SO_BINDTODEVICE!, Buffer.from('lo'));
    const [[conn]] = await bounded(Promise.all([l.accept(), c.connect(l.getsockname() as [string, number])]));
    conn.close();
    if (socket.SO_BINDTOIFINDEX !== undefined) assert.equal(c.getsockopt(SOL_SOCKET, socket.SO_BINDTOIFINDEX), socket.ifNametoindex('lo'));
    // An empty name unbinds.
    c.setsockopt(SOL_SOCKET, socket.SO_BINDTODEVICE!, Buffer.alloc(0));
    assert.equal(cString(c.getsockopt(SOL_SOCKET, socket.SO_BINDTODEVICE!, 16)), '');
    assert.throws(() => c.setsockopt(SOL_SOCKET, socket.SO_BINDTODEVICE!, Buffer.from('no-such-if0')), (e: socket.SocketError) => e.errno === socket.errno.ENODEV);
  });

  test('SO_MARK round trip', { skip: mark !== true && mark }, () => {
    using s = socket.socket();
    s.setsockopt(SOL_SOCKET, socket.SO_MARK!, 0x2a);
    assert.equal(s.getsockopt(SOL_SOCKET, socket.SO_MARK!), 0x2a);
    // The int form is a C int, as in Python: 0xffffffff is -1 (its bits), or the 4 bytes.
    assert.throws(() => s.setsockopt(SOL_SOCKET, socket.SO_MARK!, 0xffffffff), RangeError);
    s.setsockopt(SOL_SOCKET, socket.SO_MARK!, -1);
    assert.equal(s.getsockopt(SOL_SOCKET, socket.SO_MARK!) >>> 0, 0xffffffff);
  });

  test('IP_TRANSPARENT: round trip, and it lets a socket bind a non-local address (nothing is sent)', { skip: transparent !== true && transparent }, () => {
    using plain = socket.socket();
    assert.throws(() => plain.bind(['192.0.2.1', 0]), (e: socket.SocketError) => e.errno === socket.errno.EADDRNOTAVAIL);
    using s = socket.socket();
    s.setsockopt(IPPROTO_IP, socket.IP_TRANSPARENT!, true);
    assert.equal(s.getsockopt(IPPROTO_IP, socket.IP_TRANSPARENT!), 1);
    s.bind(['192.0.2.1', 0]); // TEST-NET-1: documentation only
    assert.equal((s.getsockname() as [string, number])[0], '192.0.2.1');
  });

  test('unprivileged, these are PermissionError', { skip: process.getuid!() === 0 && 'running as root (the tests above ran)' }, () => {
    using s = socket.socket();
    if (socket.SO_MARK !== undefined) assert.throws(() => s.setsockopt(SOL_SOCKET, socket.SO_MARK!, 1), socket.PermissionError);
    if (socket.IP_TRANSPARENT !== undefined) assert.throws(() => s.setsockopt(IPPROTO_IP, socket.IP_TRANSPARENT!, 1), socket.PermissionError);
  });
});

describe('peer credentials (examples/peercred.ts)', () => {
  test('SO_PEERCRED of a socketpair is this process', () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    assert.deepEqual(peerCredentials(a), { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
  });

  test('SO_PEERCRED of a python3 client over a Unix path is that process; SO_PEERSEC is a label or null', async () => {
    const dir = tempDir();
    using server = socket.socket(AF_UNIX, SOCK_STREAM);
    server.bind(dir.path('sock'));
    server.listen();
    const peer = new PythonPeer(`import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
print(os.getpid(), os.getuid(), os.getgid())
s.recv(1)`, [dir.path('sock')]);
    try {
      const { cred, label } = await bounded(identifyPeer(server), 10000, 'python3 connects');
      const [pid, uid, gid] = (await peer.line(10000)).split(' ').map(Number);
      assert.deepEqual(cred, { pid, uid, gid });
      assert.equal(pid, peer.child.pid);
      assert.ok(label === null || typeof label === 'string');
      assert.equal(await peer.exit(10000), 0);
    } finally {
      peer.kill();
      dir.cleanup();
    }
  });

  test('SO_PEERSEC: a label, or null where the kernel answers ENOPROTOOPT (no security module)', { skip: socket.SO_PEERSEC === undefined && 'no SO_PEERSEC' }, () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    const label = peerSecurityContext(a);
    assert.ok(label === null || label.length > 0);
  });
});
