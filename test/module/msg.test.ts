// sendmsg/recvmsg: scatter/gather, msgFlags (MSG_TRUNC, MSG_CTRUNC),
// CMSG_LEN/CMSG_SPACE against python3, datagram addresses, and the
// ancillary data Linux gives: SCM_RIGHTS, SCM_CREDENTIALS, IP_PKTINFO,
// IPV6_PKTINFO, IP_TTL/IP_TOS, SO_TIMESTAMP/SO_TIMESTAMPNS.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import * as socket from 'berkeley';
import { bounded, hasLoopbackIPv6, openFds, tempDir, udpSocket, unixPair } from '../support/index.js';

const { AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, SOL_SOCKET, MSG_TRUNC, MSG_CTRUNC } = socket;

/** The first ancillary item of that level and type (asserting there is one). */
function item(ancdata: socket.Ancillary[], level: number, type: number): Buffer {
  const found = ancdata.find(([l, t]) => l === level && t === type);
  assert.ok(found, `no ancillary item ${level}/${type} in ${JSON.stringify(ancdata.map(([l, t, d]) => [l, t, d.length]))}`);
  return found[2];
}

/** A pipe (a FIFO, unlinked once open): [read end, write end]; close both. */
function pipe(): [number, number] {
  const dir = tempDir();
  try {
    execFileSync('mkfifo', [dir.path('fifo')]);
    const read = openSync(dir.path('fifo'), 'r+');
    const write = openSync(dir.path('fifo'), 'w');
    return [read, write];
  } finally {
    dir.cleanup();
  }
}

describe('sendmsg/recvmsg basics', () => {
  test('scatter/gather: several buffers (bytes, strings, views) go out as one message (async)', async () => {
    const [a, b] = unixPair(SOCK_DGRAM);
    using _a = a;
    using _b = b;
    const n = await bounded(a.sendmsg([Buffer.from('ab'), 'cd', new Uint8Array([0x65, 0x66]), new Uint16Array([0x6867])]));
    assert.equal(n, 8);
    const [data, ancdata, msgFlags] = await bounded(b.recvmsg(100));
    assert.equal(data.toString(), 'abcdefgh');
    assert.deepEqual(ancdata, []);
    assert.equal(msgFlags & (MSG_TRUNC | MSG_CTRUNC), 0);
  });

  test('scatter/gather (Sync) over a stream socket', () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    assert.equal(a.sendmsgSync(['hello', ', ', 'world']), 12);
    const [data, ancdata, msgFlags, address] = b.recvmsgSync(100);
    assert.equal(data.toString(), 'hello, world');
    assert.deepEqual(ancdata, []);
    assert.equal(msgFlags, 0);
    // An unnamed AF_UNIX peer has no address: None in Python, null here.
    assert.equal(address, null);
  });

  test('an empty buffer list sends an empty datagram', async () => {
    const [a, b] = unixPair(SOCK_DGRAM);
    using _a = a;
    using _b = b;
    assert.equal(a.sendmsgSync([]), 0);
    const [data] = await bounded(b.recvmsg(10));
    assert.equal(data.length, 0);
  });

  test('MSG_TRUNC: a datagram longer than bufsize is cut and flagged (async and Sync)', async () => {
    using rx = udpSocket();
    using tx = udpSocket();
    rx.settimeout(5);
    const to = rx.getsockname() as [string, number];
    tx.sendtoSync('0123456789', to);
    tx.sendtoSync('abcdefghij', to);
    const [first, , flags1, from1] = await bounded(rx.recvmsg(4));
    assert.equal(first.toString(), '0123');
    assert.ok(flags1 & MSG_TRUNC, `msgFlags ${flags1} has MSG_TRUNC`);
    assert.deepEqual(from1, tx.getsockname());
    const [second, , flags2] = rx.recvmsgSync(4);
    assert.equal(second.toString(), 'abcd');
    assert.ok(flags2 & MSG_TRUNC);
    tx.sendtoSync('xy', to);
    const [third, , flags3] = rx.recvmsgSync(4);
    assert.equal(third.toString(), 'xy');
    assert.equal(flags3 & MSG_TRUNC, 0);
  });

  test('the address of a datagram: UDP sender, and sendmsg to an address (IPv4, Unix)', async () => {
    using rx = udpSocket();
    using tx = socket.socket(AF_INET, SOCK_DGRAM);
    rx.settimeout(5);
    tx.settimeout(5);
    await bounded(tx.sendmsg(['to ', 'rx'], [], 0, rx.getsockname() as [string, number]));
    const [data, , , address] = await bounded(rx.recvmsg(64));
    assert.equal(data.toString(), 'to rx');
    // tx was bound implicitly (to 0.0.0.0): the datagram came from 127.0.0.1, its port.
    assert.deepEqual(address, ['127.0.0.1', (tx.getsockname() as [string, number])[1]]);
    // And back, Sync, to the address recvmsg gave.
    rx.sendmsgSync(['back'], undefined, 0, address as [string, number]);
    const [reply, , , replyFrom] = tx.recvmsgSync(64);
    assert.equal(reply.toString(), 'back');
    assert.deepEqual(replyFrom, rx.getsockname());

    const dir = tempDir();
    try {
      using ux = socket.socket(AF_UNIX, SOCK_DGRAM);
      using uy = socket.socket(AF_UNIX, SOCK_DGRAM);
      ux.bind(dir.path('x'));
      uy.bind(dir.path('y'));
      uy.settimeout(5);
      ux.sendmsgSync(['unix'], [], 0, dir.path('y'));
      const [udata, , , ufrom] = uy.recvmsgSync(64);
      assert.equal(udata.toString(), 'unix');
      assert.equal(ufrom, dir.path('x'));
    } finally {
      dir.cleanup();
    }
  });

  test('IPv6 datagram address has four fields', { skip: !hasLoopbackIPv6() && 'no ::1 here' }, async () => {
    using rx = udpSocket(AF_INET6);
    using tx = udpSocket(AF_INET6);
    await bounded(tx.sendmsg(['six'], [], 0, rx.getsockname() as [string, number]));
    const [data, , , address] = await bounded(rx.recvmsg(64));
    assert.equal(data.toString(), 'six');
    assert.deepEqual(address, tx.getsockname());
    assert.equal((address as unknown[]).length, 4);
  });

  test('recvmsg waits (async) and honours the timeout (Sync)', async () => {
    const [a, b] = unixPair(SOCK_DGRAM);
    using _a = a;
    using _b = b;
    const pending = b.recvmsg(10);
    setImmediate(() => a.sendmsgSync(['later']));
    const [data] = await bounded(pending);
    assert.equal(data.toString(), 'later');
    b.settimeout(0.05);
    assert.throws(() => b.recvmsgSync(10), socket.TimeoutError);
    b.settimeout(0);
    assert.throws(() => b.recvmsgSync(10), socket.BlockingIOError);
    await assert.rejects(b.recvmsg(10), socket.BlockingIOError);
  });

  test('bad arguments: TypeError/RangeError, never a crash', async () => {
    const [a, b] = unixPair(SOCK_DGRAM);
    using _a = a;
    using _b = b;
    assert.throws(() => a.sendmsgSync('abc' as never), TypeError);
    assert.throws(() => a.sendmsgSync([1 as never]), TypeError);
    assert.throws(() => a.sendmsgSync(['x'], [[SOL_SOCKET, 1] as never]), TypeError);
    assert.throws(() => a.sendmsgSync(['x'], [[SOL_SOCKET, 'a', Buffer.alloc(4)] as never]), TypeError);
    await assert.rejects(a.sendmsg(null as never), TypeError);
    assert.throws(() => b.recvmsgSync(-1), RangeError);
    assert.throws(() => b.recvmsgSync(10, -1), RangeError);
    await assert.rejects(b.recvmsg(-1), RangeError);
    // Unknown ancillary data is the kernel's to refuse: EINVAL, a SocketError.
    assert.throws(() => a.sendmsgSync(['x'], [[SOL_SOCKET, 12345, Buffer.alloc(4)]]), socket.SocketError);
    a.close();
    assert.throws(() => a.sendmsgSync(['x']), (e: socket.SocketError) => e.errno === socket.errno.EBADF);
    await assert.rejects(a.recvmsg(1), (e: socket.SocketError) => e.errno === socket.errno.EBADF);
  });
});

describe('CMSG_LEN / CMSG_SPACE', () => {
  test('the same values as python3', () => {
    const sizes = [0, 1, 2, 3, 4, 7, 8, 12, 16, 20, 24, 100, 253 * 4, 4096, 65536];
    const python = JSON.parse(execFileSync('python3', ['-c', `import json, socket; print(json.dumps([[socket.CMSG_LEN(n), socket.CMSG_SPACE(n)] for n in ${JSON.stringify(sizes)}]))`], { encoding: 'utf8', timeout: 10000 })) as [number, number][];
    assert.deepEqual(sizes.map((n) => [socket.CMSG_LEN(n), socket.CMSG_SPACE(n)]), python);
    assert.equal(socket.CMSG_LEN(4), 20);
    assert.equal(socket.CMSG_SPACE(4), 24);
  });

  test('bad lengths', () => {
    assert.throws(() => socket.CMSG_LEN(-1), RangeError);
    assert.throws(() => socket.CMSG_SPACE(-1), RangeError);
    assert.throws(() => socket.CMSG_LEN(2 ** 40), RangeError);
    assert.throws(() => socket.CMSG_SPACE('4' as never), TypeError);
  });
});

describe('SCM_RIGHTS', () => {
  test('passes fds (pipe ends) with sendmsg/recvmsg; they are new fds for the same files (async)', async () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    const [r, w] = pipe();
    try {
      const fds = Int32Array.of(r, w);
      await bounded(a.sendmsg(['fds'], [[SOL_SOCKET, socket.SCM_RIGHTS, fds]]));
      const [data, ancdata, msgFlags] = await bounded(b.recvmsg(16, socket.CMSG_SPACE(2 * 4)));
      assert.equal(data.toString(), 'fds');
      assert.equal(msgFlags & MSG_CTRUNC, 0);
      const payload = item(ancdata, SOL_SOCKET, socket.SCM_RIGHTS);
      assert.equal(payload.length, 8);
      const [r2, w2] = [payload.readInt32LE(0), payload.readInt32LE(4)];
      try {
        assert.notEqual(r2, r);
        assert.equal(fstatSync(r2).ino, fstatSync(r).ino);
        writeSync(w2, 'through the copy');
        const out = Buffer.alloc(64);
        assert.equal(out.subarray(0, readSync(r, out)).toString(), 'through the copy');
      } finally {
        closeSync(r2);
        closeSync(w2);
      }
    } finally {
      closeSync(r);
      closeSync(w);
    }
  });

  test('MSG_CTRUNC: a control buffer too small for the fds is flagged (Sync)', () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    const [r, w] = pipe();
    try {
      a.sendmsgSync(['x'], [[SOL_SOCKET, socket.SCM_RIGHTS, Int32Array.of(r, w, r)]]);
      const before = openFds();
      // Room for one fd: the kernel installs what fits and flags the rest.
      const [data, ancdata, msgFlags] = b.recvmsgSync(16, socket.CMSG_LEN(4));
      assert.equal(data.toString(), 'x');
      assert.ok(msgFlags & MSG_CTRUNC, `msgFlags ${msgFlags} has MSG_CTRUNC`);
      // recvmsg gives what arrived (as Python's does); the caller owns it.
      const arrived: number[] = [];
      for (const [level, type, payload] of ancdata) {
        if (level === SOL_SOCKET && type === socket.SCM_RIGHTS) for (let k = 0; k + 4 <= payload.length; k += 4) arrived.push(payload.readInt32LE(k));
      }
      assert.equal(arrived.length, 1);
      assert.equal(openFds(), before + 1);
      for (const fd of arrived) closeSync(fd);
      assert.equal(openFds(), before);
    } finally {
      closeSync(r);
      closeSync(w);
    }
  });

  test('no control buffer at all: MSG_CTRUNC, nothing installed', () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    const [r, w] = pipe();
    try {
      a.sendmsgSync(['y'], [[SOL_SOCKET, socket.SCM_RIGHTS, Int32Array.of(r)]]);
      const before = openFds();
      const [data, ancdata, msgFlags] = b.recvmsgSync(16);
      assert.equal(data.toString(), 'y');
      assert.deepEqual(ancdata, []);
      assert.ok(msgFlags & MSG_CTRUNC);
      assert.equal(openFds(), before);
    } finally {
      closeSync(r);
      closeSync(w);
    }
  });
});

describe('SCM_CREDENTIALS', () => {
  test('with SO_PASSCRED the receiver learns the sender (pid === process.pid), decoded with unpackUcred', async () => {
    const [a, b] = unixPair(SOCK_DGRAM);
    using _a = a;
    using _b = b;
    b.setsockopt(SOL_SOCKET, socket.SO_PASSCRED!, true);
    assert.equal(b.getsockopt(SOL_SOCKET, socket.SO_PASSCRED!), 1);
    a.sendmsgSync(['who']);
    const [data, ancdata] = await bounded(b.recvmsg(16, socket.CMSG_SPACE(12)));
    assert.equal(data.toString(), 'who');
    const cred = socket.unpackUcred(item(ancdata, SOL_SOCKET, socket.SCM_CREDENTIALS!));
    assert.deepEqual(cred, { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
  });

  test('explicit credentials sent with sendmsg (packUcred), Sync', () => {
    const [a, b] = unixPair(SOCK_DGRAM);
    using _a = a;
    using _b = b;
    b.setsockopt(SOL_SOCKET, socket.SO_PASSCRED!, 1);
    const mine = { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() };
    a.sendmsgSync(['me'], [[SOL_SOCKET, socket.SCM_CREDENTIALS!, socket.packUcred(mine)]]);
    const [, ancdata] = b.recvmsgSync(16, socket.CMSG_SPACE(12));
    assert.deepEqual(socket.unpackUcred(item(ancdata, SOL_SOCKET, socket.SCM_CREDENTIALS!)), mine);
  });

  test('a pid that is not ours is refused unless privileged (EPERM) — or accepted as root', { skip: process.getuid!() !== 0 && 'checks the root case only' }, () => {
    const [a, b] = unixPair(SOCK_DGRAM);
    using _a = a;
    using _b = b;
    b.setsockopt(SOL_SOCKET, socket.SO_PASSCRED!, 1);
    // pid 1 exists in every pid namespace; root (CAP_SYS_ADMIN) may claim it.
    const claimed = { pid: 1, uid: 0, gid: 0 };
    try {
      a.sendmsgSync(['claim'], [[SOL_SOCKET, socket.SCM_CREDENTIALS!, socket.packUcred(claimed)]]);
    } catch (error) {
      assert.ok(error instanceof socket.PermissionError, String(error));
      return;
    }
    const [, ancdata] = b.recvmsgSync(16, socket.CMSG_SPACE(12));
    assert.deepEqual(socket.unpackUcred(item(ancdata, SOL_SOCKET, socket.SCM_CREDENTIALS!)), claimed);
  });
});

describe('IP-level ancillary data', () => {
  test('IP_PKTINFO: the destination address and interface of a UDP datagram', async () => {
    using rx = socket.socket(AF_INET, SOCK_DGRAM);
    rx.bind(['0.0.0.0', 0]);
    rx.setsockopt(socket.IPPROTO_IP, socket.IP_PKTINFO!, 1);
    const port = (rx.getsockname() as [string, number])[1];
    using tx = udpSocket();
    // 127.0.0.2 is loopback too: the destination is what IP_PKTINFO reports.
    for (const destination of ['127.0.0.1', '127.0.0.2']) {
      tx.sendtoSync('pkt', [destination, port]);
      const [data, ancdata] = await bounded(rx.recvmsg(16, 256));
      assert.equal(data.toString(), 'pkt');
      // struct in_pktinfo { int ipi_ifindex; in_addr ipi_spec_dst; in_addr ipi_addr; }
      const info = item(ancdata, socket.IPPROTO_IP, socket.IP_PKTINFO!);
      assert.equal(info.length, 12);
      assert.equal(info.readInt32LE(0), socket.ifNametoindex('lo'));
      assert.equal(socket.inetNtoa(info.subarray(8, 12)), destination);
    }
  });

  test('IPV6_RECVPKTINFO: the destination address of a UDP datagram over ::1 (Sync)', { skip: !hasLoopbackIPv6() && 'no ::1 here' }, () => {
    using rx = socket.socket(AF_INET6, SOCK_DGRAM);
    rx.bind(['::', 0]);
    rx.settimeout(5);
    rx.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO!, 1);
    using tx = udpSocket(AF_INET6);
    tx.sendtoSync('pkt6', ['::1', rx.getsockname()[1]]);
    const [data, ancdata] = rx.recvmsgSync(16, 256);
    assert.equal(data.toString(), 'pkt6');
    // struct in6_pktinfo { in6_addr ipi6_addr; unsigned ipi6_ifindex; }
    const info = item(ancdata, socket.IPPROTO_IPV6, socket.IPV6_PKTINFO!);
    assert.equal(info.length, 20);
    assert.equal(socket.inetNtop(AF_INET6, info.subarray(0, 16)), '::1');
    assert.equal(info.readUInt32LE(16), socket.ifNametoindex('lo'));
  });

  test('IP_RECVTTL and IP_RECVTOS report the sender\'s IP_TTL and IP_TOS', async () => {
    using rx = udpSocket();
    rx.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTTL!, 1);
    rx.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTOS!, 1);
    using tx = udpSocket();
    tx.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 42);
    tx.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0x10);
    assert.equal(tx.getsockopt(socket.IPPROTO_IP, socket.IP_TTL), 42);
    tx.sendtoSync('ttl', rx.getsockname() as [string, number]);
    const [, ancdata] = await bounded(rx.recvmsg(16, socket.CMSG_SPACE(4) * 2));
    assert.equal(item(ancdata, socket.IPPROTO_IP, socket.IP_TTL).readInt32LE(0), 42);
    assert.equal(item(ancdata, socket.IPPROTO_IP, socket.IP_TOS)[0], 0x10);
  });

  test('IPV6_RECVHOPLIMIT reports the sender\'s IPV6_UNICAST_HOPS', { skip: (!hasLoopbackIPv6() && 'no ::1 here') || (socket.IPV6_RECVHOPLIMIT === undefined && 'no IPV6_RECVHOPLIMIT') }, async () => {
    using rx = udpSocket(AF_INET6);
    rx.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT!, 1);
    using tx = udpSocket(AF_INET6);
    tx.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS!, 7);
    tx.sendtoSync('hops', rx.getsockname() as [string, number]);
    const [, ancdata] = await bounded(rx.recvmsg(16, 64));
    assert.equal(item(ancdata, socket.IPPROTO_IPV6, socket.IPV6_HOPLIMIT!).readInt32LE(0), 7);
  });

  test('sending IP_PKTINFO as ancillary data picks the source address', async () => {
    using rx = socket.socket(AF_INET, SOCK_DGRAM);
    rx.bind(['127.0.0.1', 0]);
    using tx = socket.socket(AF_INET, SOCK_DGRAM);
    tx.bind(['0.0.0.0', 0]);
    const pktinfo = Buffer.alloc(12);
    socket.inetAton('127.0.0.3').copy(pktinfo, 4); // ipi_spec_dst: the source to use
    await bounded(tx.sendmsg(['src'], [[socket.IPPROTO_IP, socket.IP_PKTINFO!, pktinfo]], 0, rx.getsockname() as [string, number]));
    const [data, address] = await bounded(rx.recvfrom(16));
    assert.equal(data.toString(), 'src');
    assert.equal((address as [string, number])[0], '127.0.0.3');
  });
});

describe('timestamps', () => {
  // Only causality (sent after `before`, read before `after`), with a
  // second of slack for clock granularity: no timing thresholds.
  test('SO_TIMESTAMP: struct timeval of arrival (SCM_TIMESTAMP)', async () => {
    using rx = udpSocket();
    rx.setsockopt(SOL_SOCKET, socket.SO_TIMESTAMP!, 1);
    using tx = udpSocket();
    const before = Date.now();
    tx.sendtoSync('t', rx.getsockname() as [string, number]);
    const [, ancdata] = await bounded(rx.recvmsg(16, 64));
    const after = Date.now();
    const tv = item(ancdata, SOL_SOCKET, socket.SCM_TIMESTAMP!);
    assert.equal(tv.length, 16);
    const ms = Number(tv.readBigInt64LE(0)) * 1000 + Number(tv.readBigInt64LE(8)) / 1000;
    assert.ok(tv.readBigInt64LE(8) >= 0n && tv.readBigInt64LE(8) < 1_000_000n);
    assert.ok(ms >= before - 1000 && ms <= after + 1000, `${ms} within [${before}, ${after}]`);
  });

  test('SO_TIMESTAMPNS: struct timespec of arrival (SCM_TIMESTAMPNS), Sync', () => {
    using rx = udpSocket();
    rx.settimeout(5);
    rx.setsockopt(SOL_SOCKET, socket.SO_TIMESTAMPNS!, 1);
    using tx = udpSocket();
    const before = Date.now();
    tx.sendtoSync('t', rx.getsockname() as [string, number]);
    const [, ancdata] = rx.recvmsgSync(16, 64);
    const after = Date.now();
    const ts = item(ancdata, SOL_SOCKET, socket.SCM_TIMESTAMPNS!);
    assert.equal(ts.length, 16);
    const nanos = ts.readBigInt64LE(8);
    assert.ok(nanos >= 0n && nanos < 1_000_000_000n);
    const ms = Number(ts.readBigInt64LE(0)) * 1000 + Number(nanos) / 1e6;
    assert.ok(ms >= before - 1000 && ms <= after + 1000, `${ms} within [${before}, ${after}]`);
  });

  test('several items in one control buffer: timestamp, TTL and PKTINFO together', async () => {
    using rx = udpSocket();
    rx.setsockopt(SOL_SOCKET, socket.SO_TIMESTAMPNS!, 1);
    rx.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTTL!, 1);
    rx.setsockopt(socket.IPPROTO_IP, socket.IP_PKTINFO!, 1);
    using tx = udpSocket();
    tx.sendtoSync('all', rx.getsockname() as [string, number]);
    const [, ancdata, msgFlags] = await bounded(rx.recvmsg(16, socket.CMSG_SPACE(16) + socket.CMSG_SPACE(4) + socket.CMSG_SPACE(12)));
    assert.equal(msgFlags & MSG_CTRUNC, 0);
    item(ancdata, SOL_SOCKET, socket.SCM_TIMESTAMPNS!);
    item(ancdata, socket.IPPROTO_IP, socket.IP_TTL);
    item(ancdata, socket.IPPROTO_IP, socket.IP_PKTINFO!);
    assert.equal(ancdata.length, 3);
    // Too small a buffer for all three: MSG_CTRUNC.
    tx.sendtoSync('all', rx.getsockname() as [string, number]);
    const [, some, truncated] = await bounded(rx.recvmsg(16, socket.CMSG_SPACE(16)));
    assert.ok(truncated & MSG_CTRUNC);
    assert.ok(some.length >= 1);
  });
});
