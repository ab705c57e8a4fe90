// Packers and decoders for the option structs Python users build with the
// struct module: ip_mreq/ip_mreqn/ipv6_mreq (multicast), linger, ucred
// (SO_PEERCRED) and tcp_info (TCP_INFO). Layouts are Linux's.
import { AF_INET, AF_INET6 } from '../core/constants.js';
import { inetPton } from './convert.js';
import { checkBoolean, checkInt } from '../core/validate.js';

/** struct ip_mreq for IP_ADD_MEMBERSHIP/IP_DROP_MEMBERSHIP: group and local interface address. */
export function packIpMreq(group: string, iface = '0.0.0.0'): Buffer {
  return Buffer.concat([inetPton(AF_INET, group), inetPton(AF_INET, iface)]);
}

/** struct ip_mreqn: group, local address and interface index (0: any). */
export function packIpMreqn(group: string, address = '0.0.0.0', ifindex = 0): Buffer {
  const index = Buffer.alloc(4);
  index.writeInt32LE(checkInt(ifindex, 'ifindex', 0));
  return Buffer.concat([inetPton(AF_INET, group), inetPton(AF_INET, address), index]);
}

/** struct ipv6_mreq for IPV6_JOIN_GROUP/IPV6_LEAVE_GROUP: group and interface index. */
export function packIpv6Mreq(group: string, ifindex = 0): Buffer {
  const index = Buffer.alloc(4);
  index.writeUInt32LE(checkInt(ifindex, 'ifindex', 0, 0xffffffff));
  return Buffer.concat([inetPton(AF_INET6, group), index]);
}

/** struct linger for SO_LINGER. */
/** SO_LINGER's value: whether close() lingers, and for how many seconds. */
export interface Linger {
  /** Whether close() lingers (l_onoff). */
  onoff: boolean;
  /** Seconds close() waits for unsent data when onoff. */
  linger: number;
}

/** SO_LINGER's `struct linger`, for setsockopt. */
export function packLinger(onoff: boolean, seconds = 0): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeInt32LE(checkBoolean(onoff, 'onoff') ? 1 : 0, 0);
  buffer.writeInt32LE(checkInt(seconds, 'seconds', 0), 4);
  return buffer;
}

/** A `struct linger` from getsockopt(SOL_SOCKET, SO_LINGER, 8). */
export function unpackLinger(buffer: Buffer): Linger {
  return { onoff: buffer.readInt32LE(0) !== 0, linger: buffer.readInt32LE(4) };
}

/** struct ucred, as SO_PEERCRED (getsockopt with buflen 12) and SCM_CREDENTIALS carry it. */
/** A process's credentials (SO_PEERCRED, SCM_CREDENTIALS). */
export interface Ucred {
  /** The process ID. */
  pid: number;
  /** The user ID. */
  uid: number;
  /** The group ID. */
  gid: number;
}

/** A `struct ucred`, for SCM_CREDENTIALS ancillary data. */
export function packUcred({ pid, uid, gid }: Ucred): Buffer {
  const buffer = Buffer.alloc(12);
  buffer.writeInt32LE(checkInt(pid, 'pid'), 0);
  buffer.writeUInt32LE(checkInt(uid, 'uid', 0, 0xffffffff), 4);
  buffer.writeUInt32LE(checkInt(gid, 'gid', 0, 0xffffffff), 8);
  return buffer;
}

/** A `struct ucred` from SO_PEERCRED or SCM_CREDENTIALS. */
export function unpackUcred(buffer: Buffer): Ucred {
  return { pid: buffer.readInt32LE(0), uid: buffer.readUInt32LE(4), gid: buffer.readUInt32LE(8) };
}

/** The size to ask of getsockopt(IPPROTO_TCP, TCP_INFO, …); older kernels return less. */
export const TCP_INFO_SIZE = 232;

// struct tcp_info after its first 8 bytes of u8 fields: [name, offset, bytes].
const tcpInfoFields: [string, number, 4 | 8][] = [
  ['rto', 8, 4], ['ato', 12, 4], ['sndMss', 16, 4], ['rcvMss', 20, 4], ['unacked', 24, 4], ['sacked', 28, 4],
  ['lost', 32, 4], ['retrans', 36, 4], ['fackets', 40, 4], ['lastDataSent', 44, 4], ['lastAckSent', 48, 4],
  ['lastDataRecv', 52, 4], ['lastAckRecv', 56, 4], ['pmtu', 60, 4], ['rcvSsthresh', 64, 4], ['rtt', 68, 4],
  ['rttvar', 72, 4], ['sndSsthresh', 76, 4], ['sndCwnd', 80, 4], ['advmss', 84, 4], ['reordering', 88, 4],
  ['rcvRtt', 92, 4], ['rcvSpace', 96, 4], ['totalRetrans', 100, 4], ['pacingRate', 104, 8],
  ['maxPacingRate', 112, 8], ['bytesAcked', 120, 8], ['bytesReceived', 128, 8], ['segsOut', 136, 4],
  ['segsIn', 140, 4], ['notsentBytes', 144, 4], ['minRtt', 148, 4], ['dataSegsIn', 152, 4],
  ['dataSegsOut', 156, 4], ['deliveryRate', 160, 8], ['busyTime', 168, 8], ['rwndLimited', 176, 8],
  ['sndbufLimited', 184, 8], ['delivered', 192, 4], ['deliveredCe', 196, 4], ['bytesSent', 200, 8],
  ['bytesRetrans', 208, 8], ['dsackDups', 216, 4], ['reordSeen', 220, 4], ['rcvOoopack', 224, 4], ['sndWnd', 228, 4],
];

/** TCP_INFO decoded: times in microseconds, as the kernel gives them; 64-bit counters as numbers. */
export type TcpInfo = {
  /** The connection's TCP state (TCP_ESTABLISHED, TCP_LISTEN, …). */
  state: number;
  /** The congestion-avoidance state (TCP_CA_Open, TCP_CA_Loss, …). */
  caState: number;
  /** Retransmissions of the current segment not yet acknowledged. */
  retransmits: number;
  /** Probes sent without an answer (zero-window or keepalive). */
  probes: number;
  /** The retransmission timer's current back-off exponent. */
  backoff: number;
  /** The TCP options the handshake agreed on, as the kernel's TCPI_OPT_* bits. */
  options: number;
  /** The send window's scale shift. */
  sndWscale: number;
  /** The receive window's scale shift. */
  rcvWscale: number;
} & Record<string, number>;

/** Decodes the fields present in a TCP_INFO buffer (as many as the kernel filled). */
export function unpackTcpInfo(buffer: Buffer): TcpInfo {
  const info: Record<string, number> = {
    state: buffer[0]!, caState: buffer[1]!, retransmits: buffer[2]!, probes: buffer[3]!,
    backoff: buffer[4]!, options: buffer[5]!, sndWscale: buffer[6]! & 0x0f, rcvWscale: buffer[6]! >> 4,
  };
  for (const [name, offset, size] of tcpInfoFields) {
    if (offset + size > buffer.length) break;
    info[name] = size === 4 ? buffer.readUInt32LE(offset) : Number(buffer.readBigUInt64LE(offset));
  }
  return info as TcpInfo;
}
