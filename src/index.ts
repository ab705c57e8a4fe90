// berkeley: Python's socket module for TypeScript on Node.js.
export * from './constants.js';
export { Socket, type Data, type Message } from './socket.js';
export { SocketFile, IncompleteReadError, type MakefileOptions, type FileData } from './file.js';
export type { ToDuplexOptions, SocketWebStreams } from './streams.js';
export { socket, socketpair, fromfd, close, dup, sendFds, sendFdsSync, recvFds, recvFdsSync, type ReceivedFds } from './functions.js';
export { CMSG_LEN, CMSG_SPACE, type Ancillary, type FileLike } from './message.js';
export { getdefaulttimeout, setdefaulttimeout } from './timeout.js';
export type { Address, IPv4Address, IPv6Address, UnixAddress, SocketAddress } from './address.js';
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
} from './errors.js';
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
} from './netdb.js';
export { inetAton, inetNtoa, inetPton, inetNtop, htons, ntohs, htonl, ntohl } from './convert.js';
export {
  createConnection,
  createConnectionSync,
  createServer,
  hasDualstackIpv6,
  hasIpv6,
  type CreateConnectionOptions,
  type CreateServerOptions,
} from './connection.js';
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
} from './structs.js';
