// fd passing: sendFds/recvFds (Python's send_fds/recv_fds), close-on-exec
// on arrival, wrapping a received socket, MSG_CTRUNC closing what arrived,
// and a round trip with python3's own socket.send_fds/recv_fds.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import * as socket from 'berkeley';
import { bounded, openFds, PythonPeer, recvExactly, tcpListener, tempDir, unixPair } from '../support/index.js';

const { AF_UNIX, AF_INET, SOCK_STREAM, SOCK_DGRAM, MSG_CTRUNC } = socket;
const O_CLOEXEC = 0o2000000;

/** The fd's open flags, from /proc (Node has no fcntl). */
function fdFlags(fd: number): number {
  const line = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').find((l) => l.startsWith('flags:'));
  return parseInt(line!.split(/\s+/)[1]!, 8);
}

describe('sendFds / recvFds', () => {
  test('async: data and fds arrive; the fds are new, close-on-exec, and refer to the same files', async () => {
    const dir = tempDir();
    const [a, b] = unixPair();
    try {
      writeFileSync(dir.path('f'), 'file contents');
      const file = openSync(dir.path('f'), 'r');
      using sock = tcpListener();
      try {
        assert.equal(await bounded(socket.sendFds(a, [Buffer.from('two '), 'fds'], [file, sock.fileno()])), 7);
        const [data, fds, msgFlags, address] = await bounded(socket.recvFds(b, 64, 4));
        assert.equal(data.toString(), 'two fds');
        assert.equal(msgFlags & MSG_CTRUNC, 0);
        assert.equal(address, null);
        assert.equal(fds.length, 2);
        try {
          for (const fd of fds) assert.ok(fdFlags(fd) & O_CLOEXEC, `fd ${fd} is close-on-exec`);
          assert.equal(fstatSync(fds[0]!).ino, fstatSync(file).ino);
          const text = Buffer.alloc(64);
          assert.equal(text.subarray(0, readSync(fds[0]!, text, 0, 64, 0)).toString(), 'file contents');
        } finally {
          for (const fd of fds) closeSync(fd);
        }
      } finally {
        closeSync(file);
      }
    } finally {
      a.close();
      b.close();
      dir.cleanup();
    }
  });

  test('Sync, over SOCK_DGRAM with an address: recvFds gives the sender\'s address', () => {
    const dir = tempDir();
    try {
      using x = socket.socket(AF_UNIX, SOCK_DGRAM);
      using y = socket.socket(AF_UNIX, SOCK_DGRAM);
      x.bind(dir.path('x'));
      y.bind(dir.path('y'));
      y.settimeout(5);
      using sock = tcpListener();
      assert.equal(socket.sendFdsSync(x, ['dgram'], [sock.fileno()], 0, dir.path('y')), 5);
      const [data, fds, msgFlags, address] = socket.recvFdsSync(y, 64, 1);
      assert.equal(data.toString(), 'dgram');
      assert.equal(msgFlags & MSG_CTRUNC, 0);
      assert.equal(address, dir.path('x'));
      assert.equal(fds.length, 1);
      socket.close(fds[0]!);
    } finally {
      dir.cleanup();
    }
  });

  test('new Socket(undefined, undefined, undefined, fd) detects family, type and proto (AF_UNIX fd)', () => {
    const [a, b] = unixPair(SOCK_DGRAM);
    using _b = b;
    using wrapped = new socket.Socket(undefined, undefined, undefined, a.detach());
    assert.equal(wrapped.family, AF_UNIX);
    assert.equal(wrapped.type, SOCK_DGRAM);
    assert.equal(wrapped.proto, 0);
  });

  test('a received socket fd works wrapped with fromfd and with new Socket(…, fileno)', async () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    using server = tcpListener();
    const address = server.getsockname() as [string, number];
    socket.sendFdsSync(a, ['s'], [server.fileno(), server.fileno()]);
    const [, [fd1, fd2]] = await bounded(socket.recvFds(b, 1, 2));
    // fromfd dups: the original stays ours to close.
    using viaFromfd = socket.fromfd(fd1!, AF_INET, SOCK_STREAM);
    socket.close(fd1!);
    assert.equal(viaFromfd.getInheritable(), false);
    // new Socket(undefined…, fileno) takes ownership and reads family/type/proto from the fd.
    using viaConstructor = new socket.Socket(undefined, undefined, undefined, fd2);
    assert.equal(viaConstructor.fileno(), fd2);
    assert.equal(viaConstructor.family, AF_INET);
    assert.equal(viaConstructor.type, SOCK_STREAM);
    assert.equal(viaConstructor.proto, socket.IPPROTO_TCP);
    assert.deepEqual(viaConstructor.getsockname(), address);
    assert.equal(viaConstructor.getInheritable(), false);
    // Both copies accept connections made to the original's address.
    for (const wrapped of [viaFromfd, viaConstructor]) {
      using client = socket.socket();
      const [[conn]] = await bounded(Promise.all([wrapped.accept(), client.connect(address)]));
      using _conn = conn;
      await client.sendall('through a passed listener');
      assert.equal((await recvExactly(conn, 25)).toString(), 'through a passed listener');
    }
  });

  test('MSG_CTRUNC: more fds than maxfds — what arrived is closed, none returned, nothing leaks (async and Sync)', async () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    using sock = tcpListener();
    const fd = sock.fileno();
    const before = openFds();
    socket.sendFdsSync(a, ['A'], [fd, fd, fd, fd]);
    const [data, fds, msgFlags] = await bounded(socket.recvFds(b, 1, 2));
    assert.equal(data.toString(), 'A');
    assert.deepEqual(fds, []);
    assert.ok(msgFlags & MSG_CTRUNC, `msgFlags ${msgFlags} has MSG_CTRUNC`);
    assert.equal(openFds(), before);
    socket.sendFdsSync(a, ['B'], [fd, fd, fd]);
    const [data2, fds2, msgFlags2] = socket.recvFdsSync(b, 1, 1);
    assert.equal(data2.toString(), 'B');
    assert.deepEqual(fds2, []);
    assert.ok(msgFlags2 & MSG_CTRUNC);
    assert.equal(openFds(), before);
  });

  test('many round trips leak no fd', async () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    using sock = tcpListener();
    const before = openFds();
    for (let k = 0; k < 200; k++) {
      await socket.sendFds(a, ['x'], [sock.fileno(), 0, 1]);
      const [, fds] = k % 2 ? await bounded(socket.recvFds(b, 1, 3)) : socket.recvFdsSync(b, 1, 3);
      assert.equal(fds.length, 3);
      for (const fd of fds) socket.close(fd);
    }
    assert.equal(openFds(), before);
  });

  test('a message without fds gives an empty list', async () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    a.sendallSync('plain');
    const [data, fds, msgFlags] = await bounded(socket.recvFds(b, 64, 3));
    assert.equal(data.toString(), 'plain');
    assert.deepEqual(fds, []);
    assert.equal(msgFlags & MSG_CTRUNC, 0);
  });

  test('bad arguments and bad fds', async () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    assert.throws(() => socket.sendFdsSync(a, ['x'], [-1]), RangeError);
    assert.throws(() => socket.sendFdsSync(a, ['x'], ['3' as never]), TypeError);
    assert.throws(() => socket.sendFdsSync(a, ['x'], 3 as never), TypeError);
    await assert.rejects(socket.sendFds(a, ['x'], null as never), TypeError);
    assert.throws(() => socket.recvFdsSync(b, 1, 0), RangeError);
    await assert.rejects(socket.recvFds(b, -1, 1), RangeError);
    // A closed fd is the kernel's EBADF.
    const dead = socket.dup(0);
    socket.close(dead);
    assert.throws(() => socket.sendFdsSync(a, ['x'], [dead]), (e: socket.SocketError) => e.errno === socket.errno.EBADF);
  });
});

// python3's send_fds gives berkeley a listening socket and a file, then
// closes its own copies; berkeley uses both and sends them back; python3's
// recv_fds takes them and uses them in turn.
const PY_PEER = String.raw`
import os, socket, sys
path, filepath = sys.argv[1], sys.argv[2]
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.settimeout(10)
c.connect(path)
lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lst.bind(('127.0.0.1', 0))
lst.listen()
port = lst.getsockname()[1]
f = open(filepath, 'rb')
socket.send_fds(c, [b'from python'], [lst.fileno(), f.fileno()])
lst.close()
f.close()
print(port)
data, fds, flags, addr = socket.recv_fds(c, 64, 4)
assert len(fds) == 2, fds
back = socket.socket(fileno=fds[0])
back.settimeout(10)
assert back.getsockname()[1] == port, back.getsockname()
k = socket.create_connection(('127.0.0.1', port), timeout=10)
conn, _ = back.accept()
k.sendall(b'python uses it')
got = conn.recv(64)
print(data.decode(), got.decode(), os.pread(fds[1], 64, 0).decode(), sep='|')
`;

describe('interop with python3', () => {
  test('python3 send_fds → berkeley recvFds → berkeley sendFds → python3 recv_fds', async () => {
    const dir = tempDir();
    let peer: PythonPeer | undefined;
    try {
      writeFileSync(dir.path('file'), 'shared file');
      using control = socket.socket(AF_UNIX, SOCK_STREAM);
      control.bind(dir.path('ctl'));
      control.listen();
      peer = new PythonPeer(PY_PEER, [dir.path('ctl'), dir.path('file')]);
      const [conn] = await bounded(control.accept(), 10000, 'python connects');
      using _conn = conn;
      const [data, fds, msgFlags] = await bounded(socket.recvFds(conn, 64, 4), 10000, 'recvFds from python');
      assert.equal(data.toString(), 'from python');
      assert.equal(msgFlags & MSG_CTRUNC, 0);
      assert.equal(fds.length, 2);
      const port = Number(await peer.line(10000).catch((error: unknown) => `${(error as Error).message}; python's stderr: ${peer!.stderr}`));
      assert.ok(port > 0, String(port));
      const [sockFd, fileFd] = fds as [number, number];
      assert.ok(fdFlags(sockFd) & O_CLOEXEC);
      assert.ok(fdFlags(fileFd) & O_CLOEXEC);
      // berkeley uses what it got: the listener (python closed its copy) and the file.
      {
        using passed = new socket.Socket(undefined, undefined, undefined, socket.dup(sockFd));
        assert.equal(passed.family, AF_INET);
        assert.deepEqual(passed.getsockname(), ['127.0.0.1', port]);
        using client = socket.socket();
        const [[accepted]] = await bounded(Promise.all([passed.accept(), client.connect(['127.0.0.1', port])]));
        using _accepted = accepted;
        await client.sendall('berkeley uses it');
        assert.equal((await recvExactly(accepted, 16)).toString(), 'berkeley uses it');
        const text = Buffer.alloc(64);
        assert.equal(text.subarray(0, readSync(fileFd, text, 0, 64, 0)).toString(), 'shared file');
      }
      // …and sends both back, then closes its own copies.
      await bounded(socket.sendFds(conn, ['from berkeley'], fds));
      for (const fd of fds) socket.close(fd);
      const last = await peer.line(10000).catch((error: unknown) => `${(error as Error).message}; python's stderr: ${peer!.stderr}`);
      assert.equal(last, 'from berkeley|python uses it|shared file');
      assert.equal(await peer.exit(10000), 0, peer.stderr);
    } finally {
      peer?.kill();
      dir.cleanup();
    }
  });
});
