// The benchmark with berkeley's Promise calls (see common.ts for the protocol).
import * as socket from 'berkeley';
import { announce, CHUNK, DATAGRAM, now, parseArgs, report, type Workload } from './common.js';

const args = parseArgs();

async function serve(conn: socket.Socket, workload: Workload): Promise<void> {
  if (workload === 'bulk') {
    const buffer = Buffer.alloc(CHUNK);
    while ((await conn.recvInto(buffer)) > 0) {
      // Drain: only the byte count matters.
    }
    await conn.sendall(Buffer.from('k'));
  } else {
    const byte = Buffer.alloc(1);
    while ((await conn.recvInto(byte)) > 0) await conn.send(byte);
  }
}

async function server(workload: Workload): Promise<never> {
  if (workload === 'udp') {
    const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    udp.bind(['127.0.0.1', 0]);
    announce(udp.getsockname()[1]);
    const buffer = Buffer.alloc(65536);
    for (;;) {
      const [n, from] = await udp.recvfromInto(buffer);
      await udp.sendto(buffer.subarray(0, n), from);
    }
  }
  const listener = socket.socket();
  listener.bind(['127.0.0.1', 0]);
  listener.listen();
  announce(listener.getsockname()[1]);
  for (;;) {
    const [conn] = await listener.accept();
    if (workload === 'connect') {
      conn.close();
      continue;
    }
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    await serve(conn, workload);
    conn.close();
  }
}

/** One connection's worth of the workload; returns its seconds. */
async function run(port: number, workload: Workload, amount: number): Promise<number> {
  if (workload === 'udp') {
    using udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    await udp.connect(['127.0.0.1', port]);
    const datagram = Buffer.alloc(DATAGRAM, 'x');
    const start = now();
    for (let i = 0; i < amount; i++) {
      await udp.send(datagram);
      if ((await udp.recvInto(datagram)) !== DATAGRAM) throw new Error('short datagram');
    }
    return now() - start;
  }
  if (workload === 'connect') {
    const byte = Buffer.alloc(1);
    const start = now();
    for (let i = 0; i < amount; i++) {
      using conn = socket.socket();
      await conn.connect(['127.0.0.1', port]);
      if ((await conn.recvInto(byte)) !== 0) throw new Error('data instead of EOF');
    }
    return now() - start;
  }
  using sock = socket.socket();
  await sock.connect(['127.0.0.1', port]);
  sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
  const start = now();
  if (workload === 'bulk') {
    const chunk = Buffer.alloc(CHUNK, 'x');
    for (let sent = 0; sent < amount; sent += CHUNK) await sock.sendall(chunk);
    sock.shutdown(socket.SHUT_WR);
    if ((await sock.recvInto(Buffer.alloc(1))) !== 1) throw new Error('early EOF');
  } else {
    const byte = Buffer.from('x');
    for (let i = 0; i < amount; i++) {
      await sock.send(byte);
      if ((await sock.recvInto(byte)) !== 1) throw new Error('early EOF');
    }
  }
  return now() - start;
}

if (args.role === 'server') {
  await server(args.workload);
} else {
  await run(args.port, args.workload, args.warmup);
  report(await run(args.port, args.workload, args.amount));
}
