// A non-blocking echo server written only with DefaultSelector and
// setblocking(false) sockets: the example of Python's selectors module.
//
//   node out/examples/selectors-echo.js PORT
//
// Listens on 127.0.0.1:PORT (0 picks a free port, printed on the first
// line) and echoes what every client sends, serving all of them at once
// from one loop. Unlike the Python original (whose `conn.send(data)` "hopes
// it won't block"), a reply the socket cannot take at once is kept and sent
// when the selector says the socket is writable again.
//
// The Python original:
//
//   sel = selectors.DefaultSelector()
//
//   def accept(sock, mask):
//       conn, addr = sock.accept()  # Should be ready
//       print('accepted', conn, 'from', addr)
//       conn.setblocking(False)
//       sel.register(conn, selectors.EVENT_READ, read)
//
//   def read(conn, mask):
//       data = conn.recv(1000)  # Should be ready
//       if data:
//           print('echoing', repr(data), 'to', conn)
//           conn.send(data)  # Hope it won't block
//       else:
//           print('closing', conn)
//           sel.unregister(conn)
//           conn.close()
//
//   sock = socket.socket()
//   sock.bind(('localhost', 1234))
//   sock.listen(100)
//   sock.setblocking(False)
//   sel.register(sock, selectors.EVENT_READ, accept)
//
//   while True:
//       events = sel.select()
//       for key, mask in events:
//           callback = key.data
//           callback(key.fileobj, mask)
import * as socket from 'berkeley';
import * as selectors from 'berkeley/selectors';
import { HOST, hostPort, isMain, logger, parsePort, show, type Log, type TcpSocket } from './shared.js';

/** What the selector calls for a ready socket (the key's data, as in Python). */
type Callback = (sock: socket.Socket, mask: number) => void;

export interface SelectorsEchoOptions {
  /** Stops the server: every connection is closed and the call resolves. */
  signal?: AbortSignal;
  /** Where to print what happens (default: stdout, as `[selectors echo] ...`). */
  log?: Log;
}

/** A non-blocking listening socket on host:port (port 0: the OS picks one). */
export function listenNonBlocking(port: number, host = HOST, backlog = 512): TcpSocket {
  const sock = socket.socket();
  try {
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
    sock.bind([host, port]);
    sock.listen(backlog);
    sock.setblocking(false);
    return sock;
  } catch (error) {
    sock.close();
    throw error;
  }
}

/**
 * Serves echo clients on a listening socket from one selector loop until the
 * signal aborts. Every call on a socket is non-blocking; only the selector
 * waits (without blocking the event loop).
 */
export async function serveSelectorsEcho(listener: socket.Socket, { signal, log = logger('selectors echo') }: SelectorsEchoOptions = {}): Promise<void> {
  using sel = new selectors.DefaultSelector<Callback>();
  // Replies a socket could not take yet, sent once it is writable.
  const pending = new Map<socket.Socket, Buffer>();

  const close = (conn: socket.Socket): void => {
    sel.unregister(conn);
    pending.delete(conn);
    conn.close();
  };

  const accept: Callback = (sock) => {
    // Take every connection waiting (the readiness said at least one).
    for (;;) {
      let conn: socket.Socket, address: socket.SocketAddress;
      try {
        [conn, address] = sock.acceptSync();
      } catch (error) {
        if (error instanceof socket.BlockingIOError || error instanceof socket.ConnectionAbortedError) return;
        throw error;
      }
      log(`accepted fd ${conn.fileno()} from ${hostPort(socket.inetAddress(address))}`);
      conn.setblocking(false);
      sel.register(conn, selectors.EVENT_READ, read);
    }
  };

  /** Sends what it can; keeps the rest and waits for writability (or reads again when all is sent). */
  const send = (conn: socket.Socket, data: Buffer): void => {
    let sent = 0;
    try {
      sent = conn.sendSync(data);
    } catch (error) {
      if (!(error instanceof socket.BlockingIOError)) throw error;
    }
    if (sent < data.length) {
      pending.set(conn, data.subarray(sent));
      sel.modify(conn, selectors.EVENT_WRITE, write);
    } else if (pending.delete(conn)) {
      sel.modify(conn, selectors.EVENT_READ, read);
    }
  };

  const read: Callback = (conn) => {
    let data: Buffer;
    try {
      data = conn.recvSync(1000);
    } catch (error) {
      if (error instanceof socket.BlockingIOError) return; // readiness is a hint
      if (!(error instanceof socket.ConnectionError)) throw error;
      data = Buffer.alloc(0);
    }
    if (data.length > 0) {
      log(`echoing ${show(data.length > 40 ? data.subarray(0, 40) : data)}${data.length > 40 ? '...' : ''} to fd ${conn.fileno()}`);
      send(conn, data);
    } else {
      log(`closing fd ${conn.fileno()}`);
      close(conn);
    }
  };

  const write: Callback = (conn) => send(conn, pending.get(conn)!);

  sel.register(listener, selectors.EVENT_READ, accept);
  try {
    while (!signal?.aborted) {
      // The stop signal ends the wait with an AbortError: the loop ends.
      const events = await sel.select(null, { signal }).catch((error: unknown) => {
        if (error instanceof socket.AbortError) return [];
        throw error;
      });
      for (const [key, mask] of events) {
        try {
          key.data(key.fileobj as socket.Socket, mask);
        } catch (error) {
          // One client's failure (a reset, a broken pipe) ends only that client.
          if (key.fileobj === listener || !(error instanceof socket.SocketError)) throw error;
          log(`closing fd ${key.fd}: ${(error as Error).message}`);
          close(key.fileobj as socket.Socket);
        }
      }
    }
  } finally {
    for (const key of sel.getMap().values()) if (key.fileobj !== listener) (key.fileobj as socket.Socket).close();
  }
}

// Run as a program: `node out/examples/selectors-echo.js PORT`; SIGINT/SIGTERM stop it.
if (isMain(import.meta.url)) {
  const port = parsePort(process.argv[2], 'selectors-echo.js PORT');
  using listener = listenNonBlocking(port);
  const log = logger('selectors echo');
  log(`listening on ${hostPort(listener.getsockname())}`);
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  await serveSelectorsEcho(listener, { signal: stop.signal, log });
  log('stopped');
}
