// A server that keeps accepting: ThreadingTCPServer serving forever, each
// connection handled concurrently with the others (the asynchronous-mixin
// example of Python's socketserver documentation).
//
//   node out/examples/socketserver-threading.js PORT
//
// Listens on 127.0.0.1:PORT (0 picks a free port, printed on the first
// line). Every connection gets its own handler, running while the loop goes
// on accepting: it answers each line with `request N: LINE`, N counting the
// connections, until the client closes. SIGINT or SIGTERM stops accepting
// (shutdown), then waits for the connections still open (serverClose with
// blockOnClose) and exits.
//
// The Python original:
//
//   class ThreadedTCPRequestHandler(socketserver.BaseRequestHandler):
//       def handle(self):
//           data = str(self.request.recv(1024), 'ascii')
//           cur_thread = threading.current_thread()
//           response = bytes("{}: {}".format(cur_thread.name, data), 'ascii')
//           self.request.sendall(response)
//
//   class ThreadedTCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
//       pass
//
//   server = ThreadedTCPServer((HOST, PORT), ThreadedTCPRequestHandler)
//   with server:
//       server.serve_forever()
import * as socket from 'berkeley';
import * as socketserver from 'berkeley/socketserver';
import { HOST, hostPort, isMain, logger, parsePort, show } from './shared.js';

const log = logger('threading');
let requests = 0;

/** Answers every line of one connection, tagged with the connection's number. */
export class TaggedLineHandler extends socketserver.StreamRequestHandler {
  override async handle(): Promise<void> {
    const name = `request ${++requests}`;
    log(`${name} from ${hostPort(socket.inetAddress(this.clientAddress))}`);
    for await (const line of this.rfile) {
      log(`${name} got ${show(line)}`);
      await this.wfile.write(`${name}: ${line.toString()}`);
    }
    log(`${name} closed`);
  }
}

/** Python's `class ThreadedTCPServer(ThreadingMixIn, TCPServer)`, with a longer accept queue. */
export class ThreadedTCPServer extends socketserver.ThreadingMixIn(socketserver.TCPServer) {}
ThreadedTCPServer.requestQueueSize = 128;

// Run as a program: `node out/examples/socketserver-threading.js PORT`.
if (isMain(import.meta.url)) {
  const port = parsePort(process.argv[2], 'socketserver-threading.js PORT');
  await using server = new ThreadedTCPServer([HOST, port], TaggedLineHandler);
  log(`listening on ${hostPort(socket.inetAddress(server.serverAddress))}`);
  const stop = (): void => {
    log('shutting down: no new connections; waiting for the open ones');
    void server.shutdown();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await server.serveForever();
  // `await using` runs serverClose(), which waits for the running handlers.
}
