// The benchmark with berkeley's blocking …Sync calls (see common.ts for the
// protocol). Server and client are separate processes, so blocking is fine.
import * as socket from 'berkeley';
import { announce, CHUNK, DATAGRAM, now, parseArgs, report, type Workload } from './common.js';

const args = parseArgs();

function serve(conn: socket.Socket, workload: Workload): void {
  if (workload === 'bulk') {
    const buffer = Buffer.alloc(CHUNK);
    while (conn.recvIntoSync(buffer) > 0) {
      // Drain: only the byte count matters.
    }
    conn.sendallSync(Buffer.from('k'));
  } else {
    const byte = Buffer.alloc(1);
    while (conn.recvIntoSync(byte) > 0) conn.sendSync(byte);
  }
}

function server(workload: Workload): never {
  if (workload === 'udp') {
    const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    udp.bind(['127.0.0.1', 0]);
    announce(udp.getsockname()[1]);
    const buffer = Buffer.alloc(65536);
    for (;;) {
      const [n, from] = udp.recvfromIntoSync(buffer);
      udp.sendtoSync(buffer.subarray(0, n), from);
    }
  }
  const listener = socket.socket();
  listener.bind(['127.0.0.1', 0]);
  listener.listen();
  announce(listener.getsockname()[1]);
  for (;;) {
    const [conn] = listener.acceptSync();
    if (workload === 'connect') {
      conn.close();
      continue;
    }
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    serve(conn, workload);
    conn.close();
  }
}

/** One connection's worth of the workload; returns its seconds. */
function run(port: number, workload: Workload, amount: number): number {
  if (workload === 'udp') {
    using udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    udp.connectSync(['127.0.0.1', port]);
    const datagram = Buffer.alloc(DATAGRAM, 'x');
    const start = now();
    for (let i = 0; i < amount; i++) {
      udp.sendSync(datagram);
      if (udp.recvIntoSync(datagram) !== DATAGRAM) throw new Error('short datagram');
    }
    return now() - start;
  }
  if (workload === 'connect') {
    const byte = Buffer.alloc(1);
    const start = now();
    for (let i = 0; i < amount; i++) {
      using conn = socket.socket();
      conn.connectSync(['127.0.0.1', port]);
      if (conn.recvIntoSync(byte) !== 0) throw new Error('data instead of EOF');
    }
    return now() - start;
  }
  using sock = socket.socket();
  sock.connectSync(['127.0.0.1', port]);
  sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
  const start = now();
  if (workload === 'bulk') {
    const chunk = Buffer.alloc(CHUNK, 'x');
    for (let sent = 0; sent < amount; sent += CHUNK) sock.sendallSync(chunk);
    sock.shutdown(socket.SHUT_WR);
    if (sock.recvIntoSync(Buffer.alloc(1)) !== 1) throw new Error('early EOF');
  } else {
    const byte = Buffer.from('x');
    for (let i = 0; i < amount; i++) {
      sock.sendSync(byte);
      if (sock.recvIntoSync(byte) !== 1) throw new Error('early EOF');
    }
  }
  return now() - start;
}

if (args.role === 'server') {
  server(args.workload);
} else {
  run(args.port, args.workload, args.warmup);
  report(run(args.port, args.workload, args.amount));
}
