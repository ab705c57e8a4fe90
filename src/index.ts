/**
 * The entry point `berkeley`: Python's socket module for TypeScript on Node.js.
 * @module berkeley
 */
export * from './core/constants.js';
export { Socket, Socket as SocketType } from './socket/socket.js';
export type { Data } from './core/validate.js';
export type { Message, MessageInto } from './socket/calls.js';
export type { Datagram, DatagramInto, OutgoingDatagram } from './socket/batch.js';
export { splitSegments } from './socket/segments.js';
export { SocketFile, IncompleteReadError, type MakefileOptions, type FileData } from './adapters/file.js';
export type { ToDuplexOptions, SocketWebStreams } from './adapters/streams.js';
export { socket, socketpair, fromfd, close, dup, sendFds, sendFdsSync, recvFds, recvFdsSync, type ReceivedFds } from './socket/fd.js';
export { CMSG_LEN, CMSG_SPACE, type Ancillary } from './socket/message.js';
export { AddressFamily, SocketKind, MsgFlag, AddressInfo, type IntEnum, type IntFlag } from './core/enums.js';
export type { FileLike } from './socket/sendfile.js';
export { getdefaulttimeout, setdefaulttimeout } from './socket/timeout.js';
export type { WaitOptions } from './core/validate.js';
export { inetAddress, type Address, type IPv4Address, type IPv6Address, type IPv6SocketAddress, type UnixAddress, type SocketAddress, type SenderAddress } from './socket/address.js';
export type { ErrnoName } from './core/errno.js';
export {
  errno,
  SocketError,
  BlockingIOError,
  TimeoutError,
  InterruptedError,
  PermissionError,
  FileNotFoundError,
  FileExistsError,
  IsADirectoryError,
  NotADirectoryError,
  ProcessLookupError,
  ChildProcessError,
  ConnectionError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionRefusedError,
  ConnectionResetError,
  GaiError,
  HostError,
  AbortError,
} from './core/errors.js';
export {
  getaddrinfo,
  getaddrinfoSync,
  getnameinfo,
  getnameinfoSync,
  gethostbyname,
  gethostbynameSync,
  gethostbynameEx,
  gethostbynameExSync,
  gethostbyaddr,
  gethostbyaddrSync,
  getfqdn,
  getfqdnSync,
  gethostname,
  sethostname,
  getservbyname,
  getservbyport,
  getprotobyname,
  ifNameindex,
  ifNametoindex,
  ifIndextoname,
  type AddrInfo,
  type HostEntry,
} from './socket/netdb.js';
export { inetAton, inetNtoa, inetPton, inetNtop, htons, ntohs, htonl, ntohl } from './socket/convert.js';
export {
  createConnection,
  createConnectionSync,
  createServer,
  hasDualstackIpv6,
  hasIpv6,
  type CreateConnectionOptions,
  type CreateServerOptions,
} from './socket/connection.js';
export {
  packIpMreq,
  packIpMreqn,
  packIpv6Mreq,
  packLinger,
  unpackLinger,
  packUcred,
  unpackUcred,
  unpackTcpInfo,
  TCP_INFO_SIZE,
  type Linger,
  type Ucred,
  type TcpInfo,
} from './socket/structs.js';
