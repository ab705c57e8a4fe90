// ping: ICMP echo over a raw socket, which Node's net and dgram cannot open.
//
//   node out/examples/ping.js [HOST...] [-c COUNT] [--raw | --dgram]
//
// Pings each HOST (default: 127.0.0.1 and ::1) COUNT times (default 3) and
// prints one line per reply with its round-trip time, like ping(8).
// It uses SOCK_RAW with IPPROTO_ICMP/IPPROTO_ICMPV6 when the process may
// (root, or CAP_NET_RAW), else an ICMP datagram socket (SOCK_DGRAM with
// IPPROTO_ICMP/IPPROTO_ICMPV6: no privilege needed when the process's group
// is in the sysctl net.ipv4.ping_group_range). With neither it fails with
// a PermissionError that says so. --raw or --dgram forces one kind.
//
// The TTL (hop limit) of each reply comes from recvmsg's ancillary data
// (IP_RECVTTL / IPV6_RECVHOPLIMIT), the same way for both kinds of socket.
//
// The Python original (raw, IPv4, one echo):
//
//   s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
//   s.sendto(packet, (host, 0))
//   reply, addr = s.recvfrom(1500)      # with the IP header in front
import * as socket from 'berkeley';
import { isMain, usage } from './shared.js';

/** Which socket carries the echoes: SOCK_RAW, or an ICMP datagram socket. */
export type PingKind = 'raw' | 'dgram';

export interface PingReply {
  host: string;
  seq: number;
  /** ICMP bytes of the reply (header + payload), as ping(8) counts them. */
  bytes: number;
  /** The reply's TTL (IPv4) or hop limit (IPv6). */
  ttl: number | undefined;
  /** Round-trip time in milliseconds. */
  rtt: number;
  kind: PingKind;
}

export interface PingOptions {
  /** Echoes to send (default 3). */
  count?: number;
  /** Seconds to wait for each reply (default 2). */
  timeout?: number;
  /** Payload bytes per echo (default 56, as ping(8)). */
  size?: number;
  /** Force SOCK_RAW or the ICMP datagram socket (default: raw, else dgram). */
  kind?: PingKind;
}

const ECHO_REQUEST = { [socket.AF_INET]: 8, [socket.AF_INET6]: 128 } as Record<number, number>;
const ECHO_REPLY = { [socket.AF_INET]: 0, [socket.AF_INET6]: 129 } as Record<number, number>;

/** The Internet checksum (RFC 1071) of data. */
export function checksum(data: Uint8Array): number {
  let sum = 0;
  for (let k = 0; k + 1 < data.length; k += 2) sum += (data[k]! << 8) | data[k + 1]!;
  if (data.length % 2) sum += data[data.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An ICMP (or ICMPv6) echo request. ICMPv6's checksum covers a pseudo-header: the kernel fills it. */
export function echoRequest(family: number, id: number, seq: number, payload: Uint8Array): Buffer {
  const packet = Buffer.alloc(8 + payload.length);
  packet[0] = ECHO_REQUEST[family]!;
  packet.writeUInt16BE(id & 0xffff, 4);
  packet.writeUInt16BE(seq & 0xffff, 6);
  packet.set(payload, 8);
  if (family === socket.AF_INET) packet.writeUInt16BE(checksum(packet), 2);
  return packet;
}

/**
 * Opens the socket for ICMP echoes to family: SOCK_RAW if allowed, else an
 * ICMP datagram socket; PermissionError (with what to do) when neither is.
 */
export function openPingSocket(family: number, kind?: PingKind): { sock: socket.Socket; kind: PingKind } {
  const proto = family === socket.AF_INET6 ? socket.IPPROTO_ICMPV6 : socket.IPPROTO_ICMP;
  const kinds: PingKind[] = kind ? [kind] : ['raw', 'dgram'];
  const refused: string[] = [];
  for (const k of kinds) {
    try {
      const sock = socket.socket(family, k === 'raw' ? socket.SOCK_RAW : socket.SOCK_DGRAM, proto);
      return { sock, kind: k };
    } catch (error) {
      if (!(error instanceof socket.PermissionError)) throw error;
      refused.push(`${k === 'raw' ? 'SOCK_RAW' : 'SOCK_DGRAM'}: ${error.strerror}`);
    }
  }
  throw new socket.PermissionError(
    socket.errno.EPERM!,
    `ping needs CAP_NET_RAW (run as root) for SOCK_RAW, or a group in sysctl net.ipv4.ping_group_range for ICMP datagram sockets (${refused.join('; ')})`,
    'socket',
  );
}

/** Whether a received packet is the echo reply to (id, seq): its ICMP part, or null. */
function matchReply(family: number, kind: PingKind, packet: Buffer, id: number, seq: number): Buffer | null {
  let icmp = packet;
  // A raw IPv4 socket gets the IP header too (its length is in the first byte); IPv6 and datagram sockets do not.
  if (family === socket.AF_INET && kind === 'raw') icmp = packet.subarray((packet[0]! & 0x0f) * 4);
  if (icmp.length < 8 || icmp[0] !== ECHO_REPLY[family] || icmp.readUInt16BE(6) !== seq) return null;
  // An ICMP datagram socket's id is its own (the kernel sets and checks it).
  if (kind === 'raw' && icmp.readUInt16BE(4) !== id) return null;
  return icmp;
}

/** The TTL / hop limit from recvmsg's ancillary data. */
function ttlOf(family: number, ancdata: socket.Ancillary[]): number | undefined {
  for (const [level, type, data] of ancdata) {
    if (data.length < 4) continue;
    if (family === socket.AF_INET && level === socket.IPPROTO_IP && type === socket.IP_TTL) return data.readInt32LE(0);
    if (family === socket.AF_INET6 && level === socket.IPPROTO_IPV6 && type === socket.IPV6_HOPLIMIT) return data.readInt32LE(0);
  }
  return undefined;
}

/** Resolves host to [family, numeric address]. */
async function target(host: string): Promise<[number, string]> {
  const [first] = await socket.getaddrinfo(host, null, socket.AF_UNSPEC, socket.SOCK_RAW);
  return [first![0], first![4][0]];
}

let nextId = (process.pid & 0xffff) ^ 0x4242;

/** Pings host count times; resolves with the replies (a lost echo rejects with TimeoutError). */
export async function ping(host: string, options: PingOptions = {}): Promise<PingReply[]> {
  const { count = 3, timeout = 2, size = 56 } = options;
  const [family, address] = await target(host);
  const { sock, kind } = openPingSocket(family, options.kind);
  using _sock = sock;
  if (family === socket.AF_INET) sock.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTTL!, 1);
  else sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT!, 1);
  sock.settimeout(timeout);
  const id = nextId++ & 0xffff;
  const payload = Buffer.alloc(size, 0x61);
  const replies: PingReply[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const sent = performance.now();
    await sock.sendto(echoRequest(family, id, seq, payload), [address, 0]);
    // Other ICMP traffic (our own request on loopback, other pings) is skipped.
    for (;;) {
      const [packet, ancdata] = await sock.recvmsg(65535, 256);
      const icmp = matchReply(family, kind, packet, id, seq);
      if (icmp === null) continue;
      replies.push({ host: address, seq, bytes: icmp.length, ttl: ttlOf(family, ancdata), rtt: performance.now() - sent, kind });
      break;
    }
  }
  return replies;
}

/** One line per reply, as ping(8) prints them. */
export function formatReply(r: PingReply): string {
  const ttl = r.ttl === undefined ? '' : ` ttl=${r.ttl}`;
  return `${r.bytes} bytes from ${r.host}: icmp_seq=${r.seq}${ttl} time=${r.rtt.toFixed(3)} ms (${r.kind === 'raw' ? 'SOCK_RAW' : 'SOCK_DGRAM'})`;
}

// Run as a program.
if (isMain(import.meta.url)) {
  const USAGE = 'ping.js [HOST...] [-c COUNT] [--raw | --dgram]';
  const args = process.argv.slice(2);
  let count = 3;
  let kind: PingKind | undefined;
  const hosts: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (arg === '-c') {
      count = Number(args[++k]);
      if (!Number.isInteger(count) || count < 1) usage(USAGE);
    } else if (arg === '--raw' || arg === '--dgram') {
      kind = arg === '--raw' ? 'raw' : 'dgram';
    } else if (arg.startsWith('-')) {
      usage(USAGE);
    } else {
      hosts.push(arg);
    }
  }
  // berkeley is always built with AF_INET6 (socket.hasIpv6 is the constant true).
  if (hosts.length === 0) hosts.push('127.0.0.1', '::1');
  try {
    for (const host of hosts) {
      console.log(`PING ${host}`);
      const replies = await ping(host, { count, kind });
      for (const reply of replies) console.log(formatReply(reply));
      const rtts = replies.map((r) => r.rtt);
      console.log(`rtt min/avg/max = ${Math.min(...rtts).toFixed(3)}/${(rtts.reduce((a, b) => a + b, 0) / rtts.length).toFixed(3)}/${Math.max(...rtts).toFixed(3)} ms`);
    }
  } catch (error) {
    const e = error as Error;
    console.error(`ping: ${e.constructor.name}: ${e.message}`);
    process.exitCode = 1;
  }
}
