// TCP echo client: the second program of Python's socket HOWTO, in berkeley.
//
//   node out/examples/tcp-echo-client.js PORT [MESSAGE...] [--sync]
//
// Connects to 127.0.0.1:PORT, sends each MESSAGE (default: 'hello' and
// 'world') and waits for it to come back before sending the next, then
// closes. With --sync it uses the blocking calls.
//
// The Python original:
//
//   with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
//       s.connect((HOST, PORT))
//       s.sendall(b"Hello, world")
//       data = s.recv(1024)
//   print(f"Received {data!r}")
import * as socket from 'berkeley';
import { HOST, hostPort, isMain, logger, parsePort, show, type Log } from './shared.js';

export interface ClientOptions {
  /** Seconds each call may wait before failing with TimeoutError (default 5; null waits forever). */
  timeout?: number | null;
  /** Where to print what happens (default: stdout, as `[tcp client] ...`). */
  log?: Log;
}

/**
 * Sends each message and reads its echo, with the Promise calls. TCP is a
 * byte stream, not a sequence of messages: one recv may return part of
 * what was sent, so the client reads until the whole echo is back.
 * Returns the echoes.
 */
export async function tcpEchoClient(address: [string, number], messages: string[], { timeout = 5, log = logger('tcp client') }: ClientOptions = {}): Promise<string[]> {
  using sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  sock.settimeout(timeout); // one deadline per call, as in Python
  await sock.connect(address);
  log(`connected to ${hostPort(address)}`);
  const echoes: string[] = [];
  for (const message of messages) {
    const bytes = Buffer.from(message);
    await sock.sendall(bytes);
    log(`sent ${show(bytes)}`);
    const chunks: Buffer[] = [];
    for (let got = 0; got < bytes.length; ) {
      const chunk = await sock.recv(bytes.length - got);
      if (chunk.length === 0) throw new Error('the server closed the connection early');
      chunks.push(chunk);
      got += chunk.length;
    }
    const echo = Buffer.concat(chunks);
    log(`received ${show(echo)}`);
    echoes.push(echo.toString());
  }
  return echoes; // `using` closes the socket here: the server reads EOF
}

/** The same client with the blocking calls (for scripts and worker threads). */
export function tcpEchoClientSync(address: [string, number], messages: string[], { timeout = 5, log = logger('tcp client') }: ClientOptions = {}): string[] {
  using sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  sock.settimeout(timeout);
  sock.connectSync(address);
  log(`connected to ${hostPort(address)}`);
  const echoes: string[] = [];
  for (const message of messages) {
    const bytes = Buffer.from(message);
    sock.sendallSync(bytes);
    log(`sent ${show(bytes)}`);
    // recvInto fills our own buffer in place: no Buffer per read.
    const echo = Buffer.alloc(bytes.length);
    for (let got = 0; got < echo.length; ) {
      const n = sock.recvIntoSync(echo.subarray(got));
      if (n === 0) throw new Error('the server closed the connection early');
      got += n;
    }
    log(`received ${show(echo)}`);
    echoes.push(echo.toString());
  }
  return echoes;
}

// Run as a program: `node out/examples/tcp-echo-client.js PORT [MESSAGE...] [--sync]`.
if (isMain(import.meta.url)) {
  const sync = process.argv.includes('--sync');
  const [port, ...rest] = process.argv.slice(2).filter((arg) => arg !== '--sync');
  const address: [string, number] = [HOST, parsePort(port, 'tcp-echo-client.js PORT [MESSAGE...] [--sync]')];
  const messages = rest.length > 0 ? rest : ['hello', 'world'];
  if (sync) tcpEchoClientSync(address, messages);
  else await tcpEchoClient(address, messages);
}
