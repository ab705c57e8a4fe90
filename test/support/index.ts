// The test support module: every helper the suites share, one concern per
// file, re-exported here so a suite imports from '../support/index.js'.
//   wait.ts     bounded(): every wait has a limit
//   system.ts   fds, temp dirs, IPv6 on loopback, namespaces, emulation, paths
//   sockets.ts  pairs, listeners, datagram sockets, whole-reply reads, sha256
//   errors.ts   matchers for the class, errno and code of a failure
//   process.ts  child node programs and snippets, read line by line
//   python.ts   python3 peers and the interop prelude
//   oracle.ts   python3's socket module as the oracle of a call table
//   servers.ts  socketserver servers served for a callback, echo and held handlers
//   tls.ts      a throwaway CA and its certificates, TLS pairs, refused handshakes
//   native.ts   the addon's functions (loaded on first use), NativeFixture
//   abort.ts    AbortError matchers, an aborted send's bytesSent, queued bytes
//   cli.ts      the berkeley command run as a child process with pipes
//   fuzz.ts     odd values in every argument position, and the call that records problems
//   terminal.ts tmux: panes to type into and read, for the interactive tests
export * from './wait.js';
export * from './system.js';
export * from './sockets.js';
export * from './errors.js';
export * from './process.js';
export * from './python.js';
export * from './oracle.js';
export * from './servers.js';
export * from './tls.js';
export * from './native.js';
export * from './abort.js';
export * from './cli.js';
export * from './fuzz.js';
export * from './terminal.js';
