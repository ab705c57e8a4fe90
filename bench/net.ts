// The benchmark with node:net, written the idiomatic way: 'data' events,
// write() with 'drain' for backpressure (see common.ts for the protocol);
// node:dgram for udp.
import * as dgram from 'node:dgram';
import { once } from 'node:events';
import * as net from 'node:net';
import { announce, CHUNK, DATAGRAM, now, parseArgs, report, type Workload } from './common.js';

const args = parseArgs();

function serve(conn: net.Socket, workload: Workload): void {
  conn.setNoDelay(true);
  if (workload === 'bulk') {
    conn.on('data', () => {});
    conn.on('end', () => conn.end('k'));
  } else {
    conn.on('data', (data) => conn.write(data));
    conn.on('end', () => conn.end());
  }
}

function server(workload: Workload): void {
  if (workload === 'udp') {
    const udp = dgram.createSocket('udp4');
    udp.on('message', (data, from) => udp.send(data, from.port, from.address));
    udp.bind(0, '127.0.0.1', () => announce(udp.address().port));
    return;
  }
  if (workload === 'connect') {
    const listener = net.createServer((conn) => conn.destroy());
    listener.listen(0, '127.0.0.1', () => announce((listener.address() as net.AddressInfo).port));
    return;
  }
  const listener = net.createServer({ allowHalfOpen: true }, (conn) => serve(conn, workload));
  listener.listen(0, '127.0.0.1', () => announce((listener.address() as net.AddressInfo).port));
}

/** One connection's worth of the workload; returns its seconds. */
async function run(port: number, workload: Workload, amount: number): Promise<number> {
  if (workload === 'udp') return udpRun(port, amount);
  if (workload === 'connect') {
    const start = now();
    for (let i = 0; i < amount; i++) {
      const conn = net.connect(port, '127.0.0.1');
      conn.resume();
      await once(conn, 'close');
    }
    return now() - start;
  }
  const sock = net.connect(port, '127.0.0.1');
  await once(sock, 'connect');
  sock.setNoDelay(true);
  const start = now();
  if (workload === 'bulk') {
    const chunk = Buffer.alloc(CHUNK, 'x');
    const reply = once(sock, 'data');
    for (let sent = 0; sent < amount; sent += CHUNK) {
      if (!sock.write(chunk)) await once(sock, 'drain');
    }
    sock.end();
    await reply;
  } else {
    const byte = Buffer.from('x');
    await new Promise<void>((resolve) => {
      let received = 0;
      sock.on('data', (data: Buffer) => {
        received += data.length;
        if (received >= amount) resolve();
        else sock.write(byte);
      });
      sock.write(byte);
    });
  }
  const seconds = now() - start;
  sock.destroy();
  return seconds;
}

/** udp: round trips from a connected dgram socket. */
async function udpRun(port: number, amount: number): Promise<number> {
  const udp = dgram.createSocket('udp4');
  udp.connect(port, '127.0.0.1');
  await once(udp, 'connect');
  const datagram = Buffer.alloc(DATAGRAM, 'x');
  const start = now();
  await new Promise<void>((resolve) => {
    let received = 0;
    udp.on('message', () => {
      if (++received >= amount) resolve();
      else udp.send(datagram);
    });
    udp.send(datagram);
  });
  const seconds = now() - start;
  udp.close();
  return seconds;
}

if (args.role === 'server') {
  server(args.workload);
} else {
  await run(args.port, args.workload, args.warmup);
  report(await run(args.port, args.workload, args.amount));
}
