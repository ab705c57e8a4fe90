// ICMP and ICMPv6 echoes for ping: the socket (SOCK_RAW, or Linux's ICMP
// datagram socket where raw ones are refused), the request, and the reply
// matched among whatever else the socket receives.
import * as socket from '../index.js';

/** An open ICMP socket and which kind it is. */
export interface IcmpSocket {
  sock: socket.Socket;
  /** SOCK_RAW (root, or CAP_NET_RAW) or SOCK_DGRAM (a group in net.ipv4.ping_group_range). */
  kind: number;
}

/** A reply to one of our echoes. */
export interface EchoReply {
  seq: number;
  /** ICMP bytes (header and payload), as ping counts them. */
  bytes: number;
  /** TTL (IPv4) or hop limit (IPv6), when the kernel told it. */
  ttl: number | undefined;
}

const ECHO_REQUEST: Record<number, number> = { [socket.AF_INET]: 8, [socket.AF_INET6]: 128 };
const ECHO_REPLY: Record<number, number> = { [socket.AF_INET]: 0, [socket.AF_INET6]: 129 };

/** What to say when neither kind of ICMP socket may be opened. */
export const PRIVILEGE_HINT =
  'ping needs raw sockets (root, or CAP_NET_RAW: sudo setcap cap_net_raw+ep "$(command -v node)"), or a group in sysctl net.ipv4.ping_group_range for ICMP datagram sockets';

/**
 * Opens an ICMP socket for family: SOCK_RAW if allowed, else an ICMP datagram
 * socket (as iputils ping does); PermissionError of SOCK_RAW when neither is.
 */
export function openIcmp(family: number): IcmpSocket {
  const proto = family === socket.AF_INET6 ? socket.IPPROTO_ICMPV6 : socket.IPPROTO_ICMP;
  let refusal: socket.PermissionError | undefined;
  for (const kind of [socket.SOCK_RAW, socket.SOCK_DGRAM]) {
    try {
      const sock = socket.socket(family, kind, proto);
      // The TTL (hop limit) of each reply, in recvmsg's ancillary data.
      if (family === socket.AF_INET) sock.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTTL!, 1);
      else sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT!, 1);
      return { sock, kind };
    } catch (error) {
      if (!(error instanceof socket.PermissionError)) throw error;
      refusal ??= error;
    }
  }
  throw refusal!;
}

/** The Internet checksum (RFC 1071). */
function checksum(data: Uint8Array): number {
  let sum = 0;
  for (let k = 0; k + 1 < data.length; k += 2) sum += (data[k]! << 8) | data[k + 1]!;
  if (data.length % 2) sum += data[data.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An echo request; ICMPv6's checksum (over a pseudo-header) and a datagram socket's id are the kernel's to fill. */
export function echoRequest(family: number, id: number, seq: number, size: number): Buffer {
  const packet = Buffer.alloc(8 + size);
  packet[0] = ECHO_REQUEST[family]!;
  packet.writeUInt16BE(id, 4);
  packet.writeUInt16BE(seq & 0xffff, 6);
  for (let k = 8; k < packet.length; k++) packet[k] = k & 0xff;
  if (family === socket.AF_INET) packet.writeUInt16BE(checksum(packet), 2);
  return packet;
}

/** The reply to one of our echoes in a received packet, or null for other traffic (our own requests on loopback, others' pings). */
export function echoReply(icmpSocket: IcmpSocket, family: number, id: number, packet: Buffer, ancdata: socket.Ancillary[]): EchoReply | null {
  let icmp = packet;
  // A raw IPv4 socket receives the IP header too (its length in the first byte's low half).
  if (family === socket.AF_INET && icmpSocket.kind === socket.SOCK_RAW) icmp = packet.subarray((packet[0]! & 0x0f) * 4);
  if (icmp.length < 8 || icmp[0] !== ECHO_REPLY[family]) return null;
  // A datagram socket's id is the kernel's (it only gives us our own replies).
  if (icmpSocket.kind === socket.SOCK_RAW && icmp.readUInt16BE(4) !== id) return null;
  return { seq: icmp.readUInt16BE(6), bytes: icmp.length, ttl: ttlOf(family, ancdata) };
}

function ttlOf(family: number, ancdata: socket.Ancillary[]): number | undefined {
  const [level, type] = family === socket.AF_INET ? [socket.IPPROTO_IP, socket.IP_TTL] : [socket.IPPROTO_IPV6, socket.IPV6_HOPLIMIT];
  const found = ancdata.find(([l, t, data]) => l === level && t === type && data.length >= 4);
  return found?.[2].readInt32LE(0);
}
