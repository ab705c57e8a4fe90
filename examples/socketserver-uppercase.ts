// The upper-casing server of Python's socketserver documentation, and its
// client.
//
//   node out/examples/socketserver-uppercase.js PORT [--stream]
//   node out/examples/socketserver-uppercase.js client PORT WORDS...
//
// The server listens on 127.0.0.1:PORT (0 picks a free port, printed on
// the first line), reads one message per connection and sends it back in
// capitals, forever (until SIGINT or SIGTERM). By default its handler reads
// with one recv(1024), as the documentation's first version does; with
// --stream it uses StreamRequestHandler's rfile and wfile (the second
// version, reading one line). The client sends its WORDS as a line and
// prints what comes back.
//
// The Python original:
//
//   class MyTCPHandler(socketserver.BaseRequestHandler):
//       def handle(self):
//           self.data = self.request.recv(1024).strip()
//           print("Received from {}:".format(self.client_address[0]))
//           print(self.data)
//           self.request.sendall(self.data.upper())
//
//   class MyTCPHandler(socketserver.StreamRequestHandler):
//       def handle(self):
//           self.data = self.rfile.readline().strip()
//           print("{} wrote:".format(self.client_address[0]))
//           print(self.data)
//           self.wfile.write(self.data.upper())
//
//   with socketserver.TCPServer((HOST, PORT), MyTCPHandler) as server:
//       server.serve_forever()
//
//   with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
//       sock.connect((HOST, PORT))
//       sock.sendall(bytes(data + "\n", "utf-8"))
//       received = str(sock.recv(1024), "utf-8")
import * as socket from 'berkeley';
import * as socketserver from 'berkeley/socketserver';
import { shutdownOnSignals } from './socketserver-tcp-echo.js';
import { HOST, hostPort, isMain, logger, parsePort, show, usage } from './shared.js';

const log = logger('uppercase');

/** The documentation's first handler: one recv, the message in capitals. */
export class UppercaseHandler extends socketserver.BaseRequestHandler<socket.Socket> {
  data: Buffer = Buffer.alloc(0);

  override async handle(): Promise<void> {
    this.data = trim(await this.request.recv(1024));
    log(`received from ${socket.inetAddress(this.clientAddress)[0]}: ${show(this.data)}`);
    await this.request.sendall(upper(this.data));
  }
}

/** The second handler: a line read through rfile, the reply written to wfile. */
export class UppercaseStreamHandler extends socketserver.StreamRequestHandler {
  data: Buffer = Buffer.alloc(0);

  override async handle(): Promise<void> {
    this.data = trim((await this.rfile.readline()) as Buffer); // rfile is binary (mode rb)
    log(`${socket.inetAddress(this.clientAddress)[0]} wrote: ${show(this.data)}`);
    await this.wfile.write(upper(this.data));
  }
}

/** Python's bytes.strip(): without the whitespace at both ends. */
function trim(data: Buffer): Buffer {
  return Buffer.from(data.toString('latin1').trim(), 'latin1');
}

/** Python's bytes.upper(): ASCII letters only. */
function upper(data: Buffer): Buffer {
  return Buffer.from(data.map((c) => (c >= 0x61 && c <= 0x7a ? c - 32 : c)));
}

/** The documentation's client: sends the words as a line, returns the reply. */
export async function uppercaseClient(port: number, words: string, host = HOST): Promise<string> {
  using sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await sock.connect([host, port]);
  await sock.sendall(`${words}\n`);
  return (await sock.recv(1024)).toString();
}

// Run as a program.
if (isMain(import.meta.url)) {
  const USAGE = 'socketserver-uppercase.js PORT [--stream] | client PORT WORDS...';
  if (process.argv[2] === 'client') {
    const words = process.argv.slice(4).join(' ');
    if (words === '') usage(USAGE);
    const port = parsePort(process.argv[3], USAGE);
    const received = await uppercaseClient(port, words);
    console.log(`Sent:     ${words}`);
    console.log(`Received: ${received}`);
  } else {
    const port = parsePort(process.argv[2], USAGE);
    const Handler = process.argv.includes('--stream') ? UppercaseStreamHandler : UppercaseHandler;
    await using server = new socketserver.TCPServer([HOST, port], Handler);
    log(`listening on ${hostPort(socket.inetAddress(server.serverAddress))}`);
    shutdownOnSignals(server);
    await server.serveForever();
    log('done');
  }
}
