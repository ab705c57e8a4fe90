// TCP echo server: the first program of Python's socket HOWTO, in berkeley.
//
//   node out/examples/tcp-echo-server.js PORT [CONNECTIONS] [--sync]
//
// Listens on 127.0.0.1:PORT (0 picks a free port, printed on the first
// line), and sends every byte each client sends straight back until that
// client closes. It serves CONNECTIONS clients, one at a time, then exits
// (default: forever). With --sync it uses the blocking calls instead of the
// Promise ones: the same program as Python's, line for line.
//
// The Python original:
//
//   with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
//       s.bind((HOST, PORT))
//       s.listen()
//       conn, addr = s.accept()
//       with conn:
//           while data := conn.recv(1024):
//               conn.sendall(data)
import * as socket from 'berkeley';
import { HOST, hostPort, isMain, logger, parseCount, parsePort, show, type Log, type TcpSocket } from './shared.js';

/** Opens a listening TCP socket on host:port; port 0 lets the OS pick a free one. */
export function listenTcp(port: number, host = HOST): TcpSocket {
  const server = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  try {
    // Lets a restarted server bind the port again at once (as Python's socketserver does).
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
    server.bind([host, port]);
    server.listen();
    return server;
  } catch (error) {
    server.close();
    throw error;
  }
}

export interface ServeOptions {
  /** How many connections to serve before returning (default: forever). */
  connections?: number;
  /** Where to print what happens (default: stdout, as `[tcp server] ...`). */
  log?: Log;
}

/**
 * Serves echo connections one after another, with the Promise calls: the
 * event loop stays free while `accept` and `recv` wait.
 */
export async function serveTcpEcho(server: TcpSocket, { connections = Infinity, log = logger('tcp server') }: ServeOptions = {}): Promise<void> {
  for (let served = 0; served < connections; served++) {
    const [conn, address] = await server.accept();
    using _ = conn; // closed when this iteration ends, like Python's `with conn:`
    log(`connection from ${hostPort(address)}`);
    for (;;) {
      const data = await conn.recv(1024);
      if (data.length === 0) break; // an empty read: the client closed its side
      log(`received ${show(data)}`);
      await conn.sendall(data);
      log(`sent ${show(data)}`);
    }
    log('client closed the connection');
  }
}

/**
 * The same server with the blocking calls: each call waits on this thread,
 * so use it in a script, a CLI or a worker thread, never on a busy event loop.
 */
export function serveTcpEchoSync(server: TcpSocket, { connections = Infinity, log = logger('tcp server') }: ServeOptions = {}): void {
  for (let served = 0; served < connections; served++) {
    const [conn, address] = server.acceptSync();
    using _ = conn;
    log(`connection from ${hostPort(address)}`);
    for (let data = conn.recvSync(1024); data.length > 0; data = conn.recvSync(1024)) {
      log(`received ${show(data)}`);
      conn.sendallSync(data);
      log(`sent ${show(data)}`);
    }
    log('client closed the connection');
  }
}

// Run as a program: `node out/examples/tcp-echo-server.js PORT [CONNECTIONS] [--sync]`.
if (isMain(import.meta.url)) {
  const USAGE = 'tcp-echo-server.js PORT [CONNECTIONS] [--sync]';
  const sync = process.argv.includes('--sync');
  const [port, connections] = process.argv.slice(2).filter((arg) => arg !== '--sync');
  using server = listenTcp(parsePort(port, USAGE));
  const log = logger('tcp server');
  log(`listening on ${hostPort(server.getsockname())}`);
  const options = { connections: parseCount(connections, USAGE), log };
  if (sync) serveTcpEchoSync(server, options);
  else await serveTcpEcho(server, options);
}
