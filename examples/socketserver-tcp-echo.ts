// TCP echo server written with socketserver: the request handler holds the
// protocol, the server the accept loop.
//
//   node out/examples/socketserver-tcp-echo.js PORT [REQUESTS]
//
// Listens on 127.0.0.1:PORT (0 picks a free port, printed on the first
// line) and sends every byte each client sends straight back until it
// closes. With REQUESTS it serves that many connections with
// handleRequest(), one at a time, then exits; without, it serves forever
// (serveForever) until SIGINT or SIGTERM.
//
// The Python original:
//
//   class EchoHandler(socketserver.BaseRequestHandler):
//       def handle(self):
//           while data := self.request.recv(1024):
//               self.request.sendall(data)
//
//   with socketserver.TCPServer((HOST, PORT), EchoHandler) as server:
//       server.handle_request()     # or server.serve_forever()
import * as socket from 'berkeley';
import * as socketserver from 'berkeley/socketserver';
import { HOST, hostPort, isMain, logger, parseCount, parsePort, show } from './shared.js';

const log = logger('tcp echo');

/** Echoes one connection: recv until the client closes, sending each piece back. */
export class EchoHandler extends socketserver.BaseRequestHandler<socket.Socket> {
  override async handle(): Promise<void> {
    log(`connection from ${hostPort(socket.inetAddress(this.clientAddress))}`);
    for (let data = await this.request.recv(1024); data.length > 0; data = await this.request.recv(1024)) {
      log(`echoing ${show(data)}`);
      await this.request.sendall(data);
    }
    log('client closed the connection');
  }
}

/** Stops a serveForever() loop on SIGINT/SIGTERM (Python's KeyboardInterrupt). */
export function shutdownOnSignals(server: socketserver.BaseServer): void {
  const stop = (): void => void server.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

// Run as a program: `node out/examples/socketserver-tcp-echo.js PORT [REQUESTS]`.
if (isMain(import.meta.url)) {
  const USAGE = 'socketserver-tcp-echo.js PORT [REQUESTS]';
  const port = parsePort(process.argv[2], USAGE);
  const requests = parseCount(process.argv[3], USAGE);
  await using server = new socketserver.TCPServer([HOST, port], EchoHandler);
  log(`listening on ${hostPort(socket.inetAddress(server.serverAddress))}`);
  if (requests !== undefined) {
    for (let k = 0; k < requests; k++) await server.handleRequest();
  } else {
    shutdownOnSignals(server);
    await server.serveForever();
  }
  log('done');
}
