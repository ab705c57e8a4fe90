// UDP echo server written with socketserver: each datagram is a request.
//
//   node out/examples/socketserver-udp-echo.js PORT [DATAGRAMS]
//
// Binds 127.0.0.1:PORT (0 picks a free port, printed on the first line) and
// sends every datagram back to its sender: DatagramRequestHandler reads the
// packet through rfile and sends what the handler wrote to wfile when it
// finishes. With DATAGRAMS it answers that many with handleRequest(), then
// exits; without, it serves forever until SIGINT or SIGTERM.
//
// The Python original:
//
//   class EchoHandler(socketserver.DatagramRequestHandler):
//       def handle(self):
//           self.wfile.write(self.rfile.read())
//
//   with socketserver.UDPServer((HOST, PORT), EchoHandler) as server:
//       server.serve_forever()
import * as socket from 'berkeley';
import * as socketserver from 'berkeley/socketserver';
import { shutdownOnSignals } from './socketserver-tcp-echo.js';
import { HOST, hostPort, isMain, logger, parseCount, parsePort, show } from './shared.js';

const log = logger('udp echo');

/** Sends each datagram back as it came. */
export class DatagramEchoHandler extends socketserver.DatagramRequestHandler {
  override async handle(): Promise<void> {
    const data = await this.rfile.read();
    log(`echoing ${show(data)} to ${hostPort(socket.inetAddress(this.clientAddress))}`);
    await this.wfile.write(data);
  }
}

// Run as a program: `node out/examples/socketserver-udp-echo.js PORT [DATAGRAMS]`.
if (isMain(import.meta.url)) {
  const USAGE = 'socketserver-udp-echo.js PORT [DATAGRAMS]';
  const port = parsePort(process.argv[2], USAGE);
  const datagrams = parseCount(process.argv[3], USAGE);
  await using server = new socketserver.UDPServer([HOST, port], DatagramEchoHandler);
  log(`listening on ${hostPort(socket.inetAddress(server.serverAddress))}`);
  if (datagrams !== undefined) {
    for (let k = 0; k < datagrams; k++) await server.handleRequest();
  } else {
    shutdownOnSignals(server);
    await server.serveForever();
  }
  log('done');
}
