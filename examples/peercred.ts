// peercred: who is on the other end of a Unix socket — the kernel says.
//
//   node out/examples/peercred.js [PATH]
//
// Listens on the Unix socket PATH (default: one in a temporary directory),
// starts a client (python3, or this node as a fallback) that connects to it,
// and prints what the kernel reports about that peer: SO_PEERCRED (pid, uid,
// gid, as struct ucred: decoded with unpackUcred) and, where a Linux
// security module provides one, SO_PEERSEC (its security label; "none" when
// the kernel answers ENOPROTOOPT).
//
// The Python original:
//
//   conn, _ = server.accept()
//   creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize('3i'))
//   pid, uid, gid = struct.unpack('3i', creds)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as socket from 'berkeley';
import { isMain, logger } from './shared.js';

/** SO_PEERCRED of a connected Unix socket: the peer's pid, uid and gid when it connected. */
export function peerCredentials(sock: socket.Socket): socket.Ucred {
  return socket.unpackUcred(sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED!, 12));
}

/** SO_PEERSEC: the peer's security label (SELinux, AppArmor, Smack), or null where there is none (ENOPROTOOPT). */
export function peerSecurityContext(sock: socket.Socket): string | null {
  if (socket.SO_PEERSEC === undefined) return null;
  try {
    const label = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERSEC, 256);
    const end = label.indexOf(0);
    return label.subarray(0, end < 0 ? label.length : end).toString();
  } catch (error) {
    if (error instanceof socket.SocketError && error.errno === socket.errno.ENOPROTOOPT) return null;
    throw error;
  }
}

/** Accepts one connection on server and returns what the kernel says about the peer. */
export async function identifyPeer(server: socket.Socket): Promise<{ cred: socket.Ucred; label: string | null }> {
  const [conn] = await server.accept();
  using _conn = conn;
  const result = { cred: peerCredentials(conn), label: peerSecurityContext(conn) };
  await conn.sendall('!'); // lets the client exit
  return result;
}

// Run as a program.
if (isMain(import.meta.url)) {
  const log = logger('peercred');
  const dir = process.argv.at(2) === undefined ? mkdtempSync(join(tmpdir(), 'peercred-')) : undefined;
  const path = process.argv[2] ?? join(dir!, 'sock');
  try {
    using server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
    server.bind(path);
    server.listen();
    server.settimeout(10);
    log(`listening on ${path}; this process is pid ${process.pid}, uid ${process.getuid!()}, gid ${process.getgid!()}`);
    const client = `import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.recv(1)`;
    const child = spawn('python3', ['-c', client, path], { stdio: 'inherit' });
    child.on('error', () => {
      // No python3: the peer is this process itself, over a second socket.
      const self = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
      // Not awaited: the accept below waits for it; a failure surfaces as an unhandled rejection.
      void self.connect(path).then(() => self.recv(1)).finally(() => self.close());
    });
    const { cred, label } = await identifyPeer(server);
    log(`peer pid ${cred.pid}${cred.pid === child.pid ? ' (the python3 client)' : cred.pid === process.pid ? ' (this process)' : ''}, uid ${cred.uid}, gid ${cred.gid}`);
    log(`peer security context: ${label ?? 'none (SO_PEERSEC: ENOPROTOOPT, no security module label here)'}`);
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}
