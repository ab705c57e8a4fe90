// Raw sockets: examples/ping.ts over SOCK_RAW (privileged) and ICMP datagram
// sockets (in a private network namespace where ping_group_range allows
// them), a clear PermissionError without privilege, IP_HDRINCL round trips
// on loopback, and AF_PACKET frames from `lo`. Every privileged test checks
// its privilege first and skips with the reason otherwise.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as socket from 'berkeley';
import { checksum, echoRequest, formatReply, openPingSocket, ping } from '../../examples/ping.js';
import { bounded, hasLoopbackIPv6, packageRoot, rawPrivilege, udpSocket } from '../support/index.js';

const { AF_INET, AF_INET6, SOCK_RAW, SOCK_DGRAM, IPPROTO_IP } = socket;
const run = promisify(execFile);
const pingScript = fileURLToPath(new URL('../../examples/ping.js', import.meta.url));
const ETH_P_ALL = socket.ETH_P_ALL; // <linux/if_ether.h>, as Python's socket.ETH_P_ALL
const ETH_P_IP = socket.ETH_P_IP;
const IPPROTO_EXPERIMENT = 253; // RFC 3692: for experimentation

const raw = rawPrivilege();
const ipv6 = hasLoopbackIPv6() || 'no ::1 here';

/** Whether gid is in net.ipv4.ping_group_range (ICMP datagram sockets allowed). */
function pingGroupAllows(gid: number): boolean {
  const [low, high] = readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim().split(/\s+/).map(Number) as [number, number];
  return low <= gid && gid <= high;
}

/** true, or why a private network namespace cannot be made (unshare -n with `ip`). */
const netns: true | string = (() => {
  if (raw !== true) return 'needs root for a private network namespace';
  try {
    execFileSync('unshare', ['-n', 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'ignore', timeout: 10000 });
    return true;
  } catch (error) {
    return `no private network namespace here (unshare -n: ${(error as Error).message.split('\n')[0]})`;
  }
})();

describe('ping helpers', () => {
  test('checksum: RFC 1071\'s example, and a packet with its checksum sums to 0', () => {
    assert.equal(checksum(Buffer.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7])), 0x220d);
    assert.equal(checksum(Buffer.from([0x01])), 0xfeff);
    const packet = echoRequest(AF_INET, 0x1234, 7, Buffer.from('payload!'));
    assert.equal(packet[0], 8);
    assert.equal(packet.readUInt16BE(4), 0x1234);
    assert.equal(packet.readUInt16BE(6), 7);
    assert.equal(checksum(packet), 0);
    assert.equal(echoRequest(AF_INET6, 1, 1, Buffer.alloc(0))[0], 128);
  });

  test('formatReply looks like ping(8)', () => {
    assert.equal(formatReply({ host: '127.0.0.1', seq: 2, bytes: 64, ttl: 64, rtt: 0.0421, kind: 'raw' }), '64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.042 ms (SOCK_RAW)');
  });
});

describe('ping over SOCK_RAW', () => {
  test('127.0.0.1: every echo answered, in order, with the TTL from ancillary data', { skip: raw !== true && raw }, async () => {
    const replies = await bounded(ping('127.0.0.1', { count: 3, timeout: 5 }), 20000, 'ping 127.0.0.1');
    const ttl = Number(readFileSync('/proc/sys/net/ipv4/ip_default_ttl', 'utf8'));
    assert.deepEqual(replies.map((r) => [r.host, r.seq, r.bytes, r.ttl, r.kind]), [1, 2, 3].map((seq) => ['127.0.0.1', seq, 64, ttl, 'raw']));
    for (const r of replies) assert.ok(r.rtt >= 0 && Number.isFinite(r.rtt));
  });

  test('::1 over ICMPv6 (the kernel computes the checksum), hop limit from ancillary data', { skip: (raw !== true && raw) || (ipv6 !== true && ipv6) }, async () => {
    const replies = await bounded(ping('::1', { count: 2, timeout: 5, size: 100 }), 20000, 'ping ::1');
    assert.deepEqual(replies.map((r) => [r.host, r.seq, r.bytes, r.kind]), [['::1', 1, 108, 'raw'], ['::1', 2, 108, 'raw']]);
    for (const r of replies) assert.ok(typeof r.ttl === 'number' && r.ttl > 0);
  });

  test('the example program pings 127.0.0.1 and ::1 and prints RTTs', { skip: raw !== true && raw }, async () => {
    const { stdout } = await bounded(run(process.execPath, [pingScript, '-c', '2'], { cwd: packageRoot, timeout: 20000 }), 25000, 'ping.js');
    const replies = stdout.split('\n').filter((line) => / bytes from /.test(line));
    assert.equal(replies.length, ipv6 === true ? 4 : 2, stdout);
    for (const line of replies) assert.match(line, /^64 bytes from (127\.0\.0\.1|::1): icmp_seq=\d ttl=\d+ time=\d+\.\d{3} ms \(SOCK_RAW\)$/);
    assert.match(stdout, /rtt min\/avg\/max = [\d.]+\/[\d.]+\/[\d.]+ ms/);
  });
});

describe('ping over ICMP datagram sockets', () => {
  test('here, when net.ipv4.ping_group_range has our group', { skip: !pingGroupAllows(process.getgid!()) && `gid ${process.getgid!()} not in net.ipv4.ping_group_range (the namespace test below covers it)` }, async () => {
    const replies = await bounded(ping('127.0.0.1', { count: 2, timeout: 5, kind: 'dgram' }), 20000);
    assert.deepEqual(replies.map((r) => [r.seq, r.kind]), [[1, 'dgram'], [2, 'dgram']]);
  });

  test('in a private network namespace whose ping_group_range allows everyone (IPv4 and IPv6)', { skip: netns !== true && netns }, async () => {
    const script = 'ip link set lo up && sysctl -qw net.ipv4.ping_group_range="0 2147483647" && exec "$@"';
    const { stdout } = await bounded(
      run('unshare', ['-n', 'sh', '-c', script, 'sh', process.execPath, pingScript, '--dgram', '-c', '2'], { cwd: packageRoot, timeout: 20000 }),
      25000,
      'ping.js --dgram in a namespace',
    );
    const replies = stdout.split('\n').filter((line) => / bytes from /.test(line));
    assert.equal(replies.length, 4, stdout);
    for (const line of replies) assert.match(line, /icmp_seq=\d ttl=\d+ time=[\d.]+ ms \(SOCK_DGRAM\)$/);
  });
});

describe('without privilege', () => {
  const nobody = 65534;
  const canDrop = process.getuid!() === 0 || `needs root to run a child as uid ${nobody}`;
  const expectRefusal = !pingGroupAllows(nobody) || `gid ${nobody} is in net.ipv4.ping_group_range: ping works unprivileged here`;

  test('this process, when unprivileged: SOCK_RAW is a PermissionError', { skip: raw === true && 'privileged (the child-process test covers it)' }, () => {
    assert.throws(() => socket.socket(AF_INET, SOCK_RAW, socket.IPPROTO_ICMP), socket.PermissionError);
  });

  test('SOCK_RAW as uid nobody: PermissionError (EPERM); the example explains what is missing', { skip: (canDrop !== true && canDrop) || (expectRefusal !== true && expectRefusal) }, async () => {
    const code = `import * as socket from 'berkeley';
      try { socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); console.log('opened'); }
      catch (e) { console.log(e.constructor.name, e.errno === socket.errno.EPERM, e instanceof socket.SocketError); }`;
    const direct = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: packageRoot, uid: nobody, gid: nobody, timeout: 10000 });
    assert.equal(direct.stdout.trim(), 'PermissionError true true');
    const error = await run(process.execPath, [pingScript, '-c', '1', '127.0.0.1'], { cwd: packageRoot, uid: nobody, gid: nobody, timeout: 10000 }).then(
      () => assert.fail('ping.js succeeded as nobody'),
      (e: unknown) => e as { code: number; stderr: string },
    );
    assert.equal(error.code, 1);
    assert.match(error.stderr, /^ping: PermissionError: \[Errno 1\] ping needs CAP_NET_RAW .*ping_group_range.*SOCK_RAW: Operation not permitted; SOCK_DGRAM: Permission denied/);
  });

  test('openPingSocket forced to a kind this process may not open: PermissionError naming what is missing', () => {
    const refused = raw !== true ? 'raw' : !pingGroupAllows(process.getgid!()) ? 'dgram' : undefined;
    if (refused === undefined) return; // allowed both ways here: nothing to refuse
    assert.throws(() => openPingSocket(AF_INET, refused), (e: socket.PermissionError) => e instanceof socket.PermissionError && /CAP_NET_RAW/.test(e.message) && /ping_group_range/.test(e.message));
  });
});

/** An IPv4 header (20 bytes, no options) with its checksum. */
function ipv4Header(fields: { id: number; ttl: number; protocol: number; src: string; dst: string; payloadLength: number }): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45; // version 4, IHL 5
  h.writeUInt16BE(20 + fields.payloadLength, 2);
  h.writeUInt16BE(fields.id, 4);
  h[8] = fields.ttl;
  h[9] = fields.protocol;
  socket.inetAton(fields.src).copy(h, 12);
  socket.inetAton(fields.dst).copy(h, 16);
  h.writeUInt16BE(checksum(h), 10);
  return h;
}

describe('IP_HDRINCL', () => {
  test('IPPROTO_RAW (implies IP_HDRINCL): a hand-made UDP datagram from 127.0.0.9:4242 reaches a UDP socket', { skip: raw !== true && raw }, async () => {
    using rx = udpSocket();
    const port = (rx.getsockname() as [string, number])[1];
    using tx = socket.socket(AF_INET, SOCK_RAW, socket.IPPROTO_RAW);
    assert.equal(tx.getsockopt(IPPROTO_IP, socket.IP_HDRINCL), 1);
    const payload = Buffer.from('crafted by hand');
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(4242, 0);
    udp.writeUInt16BE(port, 2);
    udp.writeUInt16BE(8 + payload.length, 4); // checksum 0: none (allowed over IPv4)
    const header = ipv4Header({ id: 0x1234, ttl: 64, protocol: socket.IPPROTO_UDP, src: '127.0.0.9', dst: '127.0.0.1', payloadLength: udp.length + payload.length });
    assert.equal(await bounded(tx.sendmsg([header, udp, payload], [], 0, ['127.0.0.1', 0])), 20 + 8 + payload.length);
    const [data, from] = await bounded(rx.recvfrom(100));
    assert.equal(data.toString(), 'crafted by hand');
    assert.deepEqual(from, ['127.0.0.9', 4242]);
  });

  test('setsockopt(IP_HDRINCL) on a raw socket of another protocol: the receiver sees our header as sent (Sync)', { skip: raw !== true && raw }, () => {
    using rx = socket.socket(AF_INET, SOCK_RAW, IPPROTO_EXPERIMENT);
    rx.settimeout(5);
    rx.bind(['127.0.0.1', 0]);
    using tx = socket.socket(AF_INET, SOCK_RAW, IPPROTO_EXPERIMENT);
    assert.equal(tx.getsockopt(IPPROTO_IP, socket.IP_HDRINCL), 0);
    tx.setsockopt(IPPROTO_IP, socket.IP_HDRINCL, true);
    assert.equal(tx.getsockopt(IPPROTO_IP, socket.IP_HDRINCL), 1);
    const payload = Buffer.from('raw protocol 253');
    const header = ipv4Header({ id: 0xbeef, ttl: 33, protocol: IPPROTO_EXPERIMENT, src: '127.0.0.7', dst: '127.0.0.1', payloadLength: payload.length });
    tx.sendtoSync(Buffer.concat([header, payload]), ['127.0.0.1', 0]);
    const [packet, from] = rx.recvfromSync(1500);
    assert.deepEqual(from, ['127.0.0.7', 0]);
    assert.equal(packet.length, 20 + payload.length);
    assert.equal(packet[0], 0x45);
    assert.equal(packet.readUInt16BE(4), 0xbeef);
    assert.equal(packet[8], 33);
    assert.equal(packet[9], IPPROTO_EXPERIMENT);
    assert.equal(socket.inetNtoa(packet.subarray(12, 16)), '127.0.0.7');
    assert.equal(checksum(packet.subarray(0, 20)), 0);
    assert.deepEqual(packet.subarray(20), payload);
  });
});

describe('AF_PACKET', { skip: socket.AF_PACKET === undefined && 'no AF_PACKET on this platform' }, () => {
  const packetPrivilege = ((): true | string => {
    try {
      socket.socket(socket.AF_PACKET, SOCK_RAW, socket.htons(ETH_P_ALL!)).close();
      return true;
    } catch (error) {
      if (error instanceof socket.PermissionError) return `needs CAP_NET_RAW for AF_PACKET (${error.message})`;
      throw error;
    }
  })();

  test('SOCK_RAW, ETH_P_ALL: a UDP datagram on lo arrives as an Ethernet frame (no bind)', { skip: packetPrivilege !== true && packetPrivilege }, async () => {
    using sniffer = socket.socket(socket.AF_PACKET, SOCK_RAW, socket.htons(ETH_P_ALL!));
    assert.equal(sniffer.family, socket.AF_PACKET);
    // Room for whatever else the machine is doing meanwhile, so our frame is not dropped.
    sniffer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUFFORCE ?? socket.SO_RCVBUF, 16 << 20);
    const lo = socket.ifNametoindex('lo');
    using u = udpSocket();
    const marker = Buffer.from(`berkeley-frame-${process.pid}-${Date.now()}`);
    await u.sendto(marker, u.getsockname() as [string, number]);
    // Other traffic may come first: read until our frame, bounded.
    type PacketAddress = [string, number, number, number, Buffer];
    const find = async (): Promise<[Buffer, PacketAddress]> => {
      for (;;) {
        const [frame, address] = await sniffer.recvfrom(65535);
        if (frame.includes(marker)) return [frame, address as PacketAddress];
      }
    };
    const [frame, [ifname, proto, pkttype, hatype, hwaddr]] = await bounded(find(), 10000, 'our frame on lo');
    assert.equal(frame.readUInt16BE(12), ETH_P_IP); // Ethernet header: zero MACs on lo, then the EtherType
    assert.deepEqual(frame.subarray(0, 12), Buffer.alloc(12));
    assert.equal(frame[14]! >> 4, 4); // an IPv4 packet follows
    // Python's AF_PACKET address: (ifname, proto, pkttype, hatype, addr).
    assert.equal(ifname, 'lo');
    assert.equal(socket.ifNametoindex(ifname), lo);
    assert.equal(proto, ETH_P_IP);
    assert.ok([socket.PACKET_HOST, socket.PACKET_OUTGOING].includes(pkttype), `pkttype ${pkttype}`);
    assert.equal(hatype, 772); // ARPHRD_LOOPBACK
    assert.deepEqual(hwaddr, Buffer.alloc(6));
  });

  test('SOCK_DGRAM (cooked): the same datagram without the link-layer header', { skip: packetPrivilege !== true && packetPrivilege }, async () => {
    using sniffer = socket.socket(socket.AF_PACKET, SOCK_DGRAM, socket.htons(ETH_P_IP!));
    sniffer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUFFORCE ?? socket.SO_RCVBUF, 16 << 20);
    using u = udpSocket();
    const marker = Buffer.from(`berkeley-cooked-${process.pid}-${Date.now()}`);
    u.sendtoSync(marker, u.getsockname() as [string, number]);
    const find = async (): Promise<Buffer> => {
      for (;;) {
        const [packet] = await sniffer.recvfrom(65535);
        if (packet.includes(marker)) return packet;
      }
    };
    const packet = await bounded(find(), 10000, 'our packet on lo');
    assert.equal(packet[0], 0x45);
    assert.equal(packet[9], socket.IPPROTO_UDP);
    assert.deepEqual(packet.subarray(28), marker);
  });

  test('bind to lo with Python\'s (ifname, proto) address', { skip: packetPrivilege !== true && packetPrivilege }, () => {
    using s = socket.socket(socket.AF_PACKET, SOCK_RAW, socket.htons(ETH_P_ALL!));
    s.bind(['lo', ETH_P_ALL!]);
    const [ifname, proto] = s.getsockname() as [string, number, number, number, Buffer];
    assert.equal(ifname, 'lo');
    assert.equal(proto, ETH_P_ALL);
    assert.throws(() => s.bind(['no-such-if0', ETH_P_ALL!]), (e: unknown) => e instanceof socket.SocketError && e.code === 'ENODEV');
    assert.throws(() => s.bind(['lo'] as never), RangeError);
  });
});
