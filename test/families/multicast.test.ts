// Multicast and broadcast, on loopback only: IP_ADD_MEMBERSHIP /
// IP_DROP_MEMBERSHIP with packIpMreq/packIpMreqn, IP_MULTICAST_IF 127.0.0.1
// with loop on, IP_MULTICAST_TTL/LOOP round trips, IPV6_JOIN_GROUP on lo,
// SO_BROADCAST to lo's broadcast address. What loopback cannot carry (IPv6
// multicast, the limited broadcast '<broadcast>') runs, when privileged, in
// a child process inside a private network namespace with a veth pair the
// test creates itself: nothing leaves the machine.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import * as socket from 'berkeley';
import { bounded, hasLoopbackIPv6, packageRoot } from '../support/index.js';

const { AF_INET, AF_INET6, SOCK_DGRAM, SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6 } = socket;
const run = promisify(execFile);
const lo = socket.ifNametoindex('lo');
// Administratively scoped (239/8) and site-local IPv6 (ff15::) groups: never routed off the machine here anyway.
const GROUP = '239.255.77.1';
const GROUP6 = 'ff15::7777';

/** A UDP socket on 0.0.0.0 (multicast and broadcast reach wildcard binds), Sync calls bounded. */
function receiver(family: number = AF_INET): socket.Socket {
  const s = socket.socket(family, SOCK_DGRAM);
  s.bind([family === AF_INET6 ? '::' : '0.0.0.0', 0]);
  s.settimeout(5);
  return s;
}

const portOf = (s: socket.Socket): number => (s.getsockname() as [string, number])[1];

/** A multicast sender on lo: IP_MULTICAST_IF 127.0.0.1, loop on, TTL 1. */
function sender(): socket.Socket {
  const s = socket.socket(AF_INET, SOCK_DGRAM);
  s.setsockopt(IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inetAton('127.0.0.1'));
  s.setsockopt(IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1);
  s.setsockopt(IPPROTO_IP, socket.IP_MULTICAST_TTL, 1);
  return s;
}

/**
 * What rx receives next, after a unicast "fence" datagram sent after
 * whatever was sent before: loopback delivers in order, so if the earlier
 * datagram was not delivered the fence comes first. No timing involved.
 */
async function nextAfterFence(rx: socket.Socket, tx: socket.Socket): Promise<string> {
  tx.sendtoSync('fence', ['127.0.0.1', portOf(rx)]);
  const [data] = await bounded(rx.recvfrom(100));
  return data.toString();
}

describe('IPv4 multicast on loopback', () => {
  test('IP_MULTICAST_IF/LOOP/TTL round trips', () => {
    using tx = sender();
    assert.deepEqual(tx.getsockopt(IPPROTO_IP, socket.IP_MULTICAST_IF, 4), socket.inetAton('127.0.0.1'));
    assert.equal(tx.getsockopt(IPPROTO_IP, socket.IP_MULTICAST_LOOP), 1);
    assert.equal(tx.getsockopt(IPPROTO_IP, socket.IP_MULTICAST_TTL), 1);
    tx.setsockopt(IPPROTO_IP, socket.IP_MULTICAST_TTL, 0);
    assert.equal(tx.getsockopt(IPPROTO_IP, socket.IP_MULTICAST_TTL), 0);
    tx.setsockopt(IPPROTO_IP, socket.IP_MULTICAST_LOOP, false);
    assert.equal(tx.getsockopt(IPPROTO_IP, socket.IP_MULTICAST_LOOP), 0);
    assert.throws(() => tx.setsockopt(IPPROTO_IP, socket.IP_MULTICAST_TTL, 256), socket.SocketError); // EINVAL
  });

  test('IP_ADD_MEMBERSHIP (packIpMreq) delivers; IP_DROP_MEMBERSHIP stops it (async)', async () => {
    using rx = receiver();
    using tx = sender();
    const mreq = socket.packIpMreq(GROUP, '127.0.0.1');
    assert.equal(mreq.length, 8);
    rx.setsockopt(IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq);
    await tx.sendto('to the group', [GROUP, portOf(rx)]);
    const [data, from] = await bounded(rx.recvfrom(100));
    assert.equal(data.toString(), 'to the group');
    assert.equal((from as [string, number])[1], portOf(tx));
    // Joining twice is EADDRINUSE; dropping works once, then EADDRNOTAVAIL.
    assert.throws(() => rx.setsockopt(IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq), (e: socket.SocketError) => e.errno === socket.errno.EADDRINUSE);
    rx.setsockopt(IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, mreq);
    assert.throws(() => rx.setsockopt(IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, mreq), (e: socket.SocketError) => e.errno === socket.errno.EADDRNOTAVAIL);
    await tx.sendto('after the drop', [GROUP, portOf(rx)]);
    assert.equal(await nextAfterFence(rx, tx), 'fence');
  });

  test('packIpMreqn with lo\'s index; IP_MULTICAST_IF by struct ip_mreqn (Sync)', () => {
    using rx = receiver();
    using tx = socket.socket(AF_INET, SOCK_DGRAM);
    tx.setsockopt(IPPROTO_IP, socket.IP_MULTICAST_IF, socket.packIpMreqn('0.0.0.0', '0.0.0.0', lo));
    tx.setsockopt(IPPROTO_IP, socket.IP_MULTICAST_LOOP, true);
    const mreqn = socket.packIpMreqn(GROUP, '0.0.0.0', lo);
    assert.equal(mreqn.length, 12);
    rx.setsockopt(IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqn);
    tx.sendtoSync('by index', [GROUP, portOf(rx)]);
    assert.equal(rx.recvfromSync(100)[0].toString(), 'by index');
    rx.setsockopt(IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, mreqn);
  });

  test('two members on one port (SO_REUSEADDR) each get a copy; a non-member does not', async () => {
    const members = [0, 1].map(() => socket.socket(AF_INET, SOCK_DGRAM));
    using other = receiver();
    using tx = sender();
    try {
      members[0]!.setsockopt(SOL_SOCKET, socket.SO_REUSEADDR, 1);
      members[0]!.bind(['0.0.0.0', 0]);
      const port = portOf(members[0]!);
      members[1]!.setsockopt(SOL_SOCKET, socket.SO_REUSEADDR, 1);
      members[1]!.bind(['0.0.0.0', port]);
      for (const m of members) {
        m.setsockopt(IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.packIpMreq(GROUP, '127.0.0.1'));
        // Only this socket's groups, not every group the host joined (Linux's default is all).
        if (socket.IP_MULTICAST_ALL !== undefined) m.setsockopt(IPPROTO_IP, socket.IP_MULTICAST_ALL, 0);
      }
      await tx.sendto('both', [GROUP, port]);
      for (const m of members) assert.equal((await bounded(m.recvfrom(100)))[0].toString(), 'both');
      // `other` is on another port and in no group: with IP_MULTICAST_ALL off
      // (it is on by default: every group any socket joined) the fence comes first.
      if (socket.IP_MULTICAST_ALL !== undefined) other.setsockopt(IPPROTO_IP, socket.IP_MULTICAST_ALL, 0);
      await tx.sendto('not for other', [GROUP, portOf(other)]);
      assert.equal(await nextAfterFence(other, tx), 'fence');
    } finally {
      for (const m of members) m.close();
    }
  });

  test('bad membership structs are the kernel\'s EINVAL; bad helper input is a RangeError', () => {
    using rx = receiver();
    assert.throws(() => rx.setsockopt(IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, Buffer.alloc(3)), socket.SocketError);
    assert.throws(() => socket.packIpMreq('not an address'), (e: Error) => e instanceof RangeError || e instanceof socket.SocketError);
    assert.throws(() => socket.packIpMreqn(GROUP, '0.0.0.0', -1), RangeError);
  });
});

describe('IPv6 multicast options on lo', { skip: !hasLoopbackIPv6() && 'no IPv6 here' }, () => {
  test('IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP with packIpv6Mreq on lo; IPV6_MULTICAST_IF/LOOP/HOPS round trips', () => {
    using rx = receiver(AF_INET6);
    const mreq = socket.packIpv6Mreq(GROUP6, lo);
    assert.equal(mreq.length, 20);
    rx.setsockopt(IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq);
    assert.throws(() => rx.setsockopt(IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq), (e: socket.SocketError) => e.errno === socket.errno.EADDRINUSE);
    rx.setsockopt(IPPROTO_IPV6, socket.IPV6_LEAVE_GROUP, mreq);
    assert.throws(() => rx.setsockopt(IPPROTO_IPV6, socket.IPV6_LEAVE_GROUP, mreq), (e: socket.SocketError) => e.errno === socket.errno.EADDRNOTAVAIL);
    using tx = socket.socket(AF_INET6, SOCK_DGRAM);
    tx.setsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, lo);
    assert.equal(tx.getsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_IF), lo);
    tx.setsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 1);
    assert.equal(tx.getsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP), 1);
    tx.setsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 5);
    assert.equal(tx.getsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS), 5);
  });
});

describe('SO_BROADCAST on loopback', () => {
  test('without it a broadcast is refused (PermissionError, EACCES): lo\'s 127.255.255.255 and \'<broadcast>\'', async () => {
    using rx = receiver();
    using tx = socket.socket(AF_INET, SOCK_DGRAM);
    assert.equal(tx.getsockopt(SOL_SOCKET, socket.SO_BROADCAST), 0);
    assert.throws(() => tx.sendtoSync('x', ['127.255.255.255', portOf(rx)]), (e: socket.SocketError) => e instanceof socket.PermissionError && e.errno === socket.errno.EACCES);
    // Refused before anything is sent: the limited broadcast never leaves.
    await assert.rejects(tx.sendto('x', ['<broadcast>', portOf(rx)]), socket.PermissionError);
  });

  test('with it, a datagram to 127.255.255.255 reaches a socket bound to 0.0.0.0 (async and Sync)', async () => {
    using rx = receiver();
    using tx = socket.socket(AF_INET, SOCK_DGRAM);
    tx.setsockopt(SOL_SOCKET, socket.SO_BROADCAST, true);
    assert.equal(tx.getsockopt(SOL_SOCKET, socket.SO_BROADCAST), 1);
    await tx.sendto('broadcast', ['127.255.255.255', portOf(rx)]);
    assert.equal((await bounded(rx.recvfrom(100)))[0].toString(), 'broadcast');
    tx.sendtoSync('again', ['127.255.255.255', portOf(rx)]);
    assert.equal(rx.recvfromSync(100)[0].toString(), 'again');
  });
});

// ---- in a private network namespace (privileged) ---------------------------

const netns: true | string = (() => {
  if (process.getuid!() !== 0) return 'needs root for a private network namespace';
  try {
    execFileSync('unshare', ['-n', 'ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'], { stdio: 'ignore', timeout: 10000 });
    return true;
  } catch (error) {
    return `no private network namespace with veth here (${(error as Error).message.split('\n')[0]})`;
  }
})();

// The namespace: lo up, a veth pair v0 (10.77.0.1) <-> v1 (10.77.0.2), no DAD
// (so IPv6 link-local addresses are usable at once), and a default route via
// v0 for the limited broadcast. The namespace dies with the child.
const SETUP = [
  'sysctl -qw net.ipv6.conf.all.accept_dad=0',
  'sysctl -qw net.ipv6.conf.default.accept_dad=0',
  'ip link set lo up',
  'ip link add v0 type veth peer name v1',
  'ip addr add 10.77.0.1/24 dev v0',
  'ip addr add 10.77.0.2/24 dev v1',
  'ip link set v0 up',
  'ip link set v1 up',
  'ip route add default dev v0',
  // 10.77.0.1 arriving on v1 is a local source: accept it.
  'sysctl -qw net.ipv4.conf.all.rp_filter=0',
  'sysctl -qw net.ipv4.conf.v1.rp_filter=0',
  'sysctl -qw net.ipv4.conf.all.accept_local=1',
  'sysctl -qw net.ipv4.conf.v1.accept_local=1',
].join(' && ');

/** Runs ES module code in a child node inside a fresh namespace; returns its stdout lines. */
async function inNamespace(code: string): Promise<string[]> {
  const { stdout } = await bounded(
    run('unshare', ['-n', 'sh', '-c', `${SETUP} && exec "$@"`, 'sh', process.execPath, '--input-type=module', '-e', code], { cwd: packageRoot, timeout: 20000 }),
    25000,
    'child in a network namespace',
  );
  return stdout.trim().split('\n');
}

describe('in a private network namespace with a veth pair', { skip: netns !== true && netns }, () => {
  test('IPv6 multicast: IPV6_JOIN_GROUP on v1, IPV6_MULTICAST_IF v0, the datagram crosses the pair', async () => {
    const lines = await inNamespace(`
      import * as socket from 'berkeley';
      const v0 = socket.ifNametoindex('v0'), v1 = socket.ifNametoindex('v1');
      const rx = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
      rx.bind(['::', 0]);
      rx.settimeout(5);
      rx.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.packIpv6Mreq('${GROUP6}', v1));
      const tx = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
      tx.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, v0);
      tx.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 1);
      await tx.sendto('six', ['${GROUP6}', rx.getsockname()[1]]);
      const [data, from] = await rx.recvfrom(100);
      console.log(data.toString());
      console.log(JSON.stringify([from[0].startsWith('fe80:'), from[3] === v1]));
      rx.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_LEAVE_GROUP, socket.packIpv6Mreq('${GROUP6}', v1));
      console.log('left');
    `);
    assert.deepEqual(lines, ['six', '[true,true]', 'left']);
  });

  test('IPv4 multicast across the pair: IP_ADD_MEMBERSHIP on v1 by index (ip_mreqn), IP_MULTICAST_IF v0', async () => {
    const lines = await inNamespace(`
      import * as socket from 'berkeley';
      const v1 = socket.ifNametoindex('v1');
      const rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      rx.bind(['0.0.0.0', 0]);
      rx.settimeout(5);
      rx.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.packIpMreqn('${GROUP}', '0.0.0.0', v1));
      const tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inetAton('10.77.0.1'));
      tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0);
      const [data, from] = (await Promise.all([rx.recvfrom(100), tx.sendto('four', ['${GROUP}', rx.getsockname()[1]])]))[0];
      console.log(data.toString(), from[0]);
    `);
    assert.deepEqual(lines, ['four 10.77.0.1']);
  });

  test("the limited broadcast '<broadcast>' with SO_BROADCAST (and SO_BINDTODEVICE v0)", async () => {
    const lines = await inNamespace(`
      import * as socket from 'berkeley';
      const rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      rx.bind(['', 0]);
      rx.settimeout(5);
      const tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      tx.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, Buffer.from('v0'));
      try { tx.sendtoSync('no', ['<broadcast>', rx.getsockname()[1]]); } catch (e) { console.log(e.constructor.name); }
      tx.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1);
      tx.sendtoSync('everyone', ['<broadcast>', rx.getsockname()[1]]);
      const [data, from] = rx.recvfromSync(100);
      console.log(data.toString(), from[0]);
    `);
    assert.deepEqual(lines, ['PermissionError', 'everyone 10.77.0.1']);
  });
});
