// The node side of bench/udp-batch.ts: one receiver or sender a process,
// with the command line of bench/udp.c's roles.
//
//   receivers: ROLE SIZE WARMUP COUNT [VLEN [CYCLES]]  print their port, then the seconds of COUNT datagrams
//     recvmmsg / recvmmsgSync / recvmmsgIntoSync (VLEN a call), recvfrom (berkeley, one a call), dgram (node:dgram)
//     (CYCLES times over: the namespace bench drains a queue it filled each cycle; VLEN 0 for one-a-call roles)
//   senders: ROLE PORT SIZE WARMUP COUNT      print the seconds of COUNT datagrams (or sends)
//     sendmmsg / sendmmsgSync (64 a call), sendtoSync (one a call), gso / gsoSync (SIZE-byte sends, UDP_SEGMENT 1200)
// As in bench/udp.c, receivers ask for UDP_BENCH_RCVBUF bytes of queue (default 8 MiB)
// and senders send to UDP_BENCH_HOST (default 127.0.0.1).
import { createSocket } from 'node:dgram';
import * as socket from 'berkeley';
import { now, report } from './common.js';
import { receiver } from './udp-receiver.js';

const BATCH = 64;
const SEGMENT = 1200;
const [role, ...rest] = process.argv.slice(2);
const numbers = rest.map(Number);
const RCVBUF = Number(process.env.UDP_BENCH_RCVBUF ?? 8 << 20);
const HOST = process.env.UDP_BENCH_HOST ?? '127.0.0.1';
const CYCLES = numbers[4] ?? 1;

function bound(): socket.Socket<typeof socket.AF_INET, typeof socket.SOCK_DGRAM> {
  const s = receiver(RCVBUF);
  process.stdout.write(`${s.getsockname()[1]}\n`);
  return s;
}

/** Counts datagrams as `take` brings them; reports the seconds COUNT took after WARMUP, CYCLES times. */
async function receive(take: () => number | Promise<number>): Promise<void> {
  const [, warmup, count] = numbers as [number, number, number];
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    let got = 0;
    while (got < warmup) got += await take();
    const start = now();
    const from = got;
    while (got < warmup + count) got += await take();
    report(((now() - start) * count) / (got - from));
  }
}

/** Runs `send` (which sends some datagrams, and says how many) until COUNT went after WARMUP. */
async function sendAll(send: () => number | Promise<number>): Promise<void> {
  const [, , warmup, count] = numbers as [number, number, number, number];
  let sent = 0;
  while (sent < warmup) sent += await send();
  const start = now();
  const from = sent;
  while (sent < warmup + count) sent += await send();
  report(((now() - start) * count) / (sent - from));
}

function connected(): socket.Socket<typeof socket.AF_INET, typeof socket.SOCK_DGRAM> {
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  s.connectSync([HOST, numbers[0]!]);
  return s;
}

const size = role!.startsWith('send') || role!.startsWith('gso') ? numbers[1]! : numbers[0]!;
const vlen = numbers[3] || BATCH;
switch (role) {
  case 'recvmmsg': {
    const rx = bound();
    await receive(async () => (await rx.recvmmsg(vlen, size)).length);
    break;
  }
  case 'recvmmsgSync': {
    const rx = bound();
    await receive(() => rx.recvmmsgSync(vlen, size).length);
    break;
  }
  case 'recvmmsgIntoSync': {
    const rx = bound();
    const buffers = Array.from({ length: vlen }, () => Buffer.alloc(size));
    await receive(() => rx.recvmmsgIntoSync(buffers).length);
    break;
  }
  case 'recvfrom': {
    const rx = bound();
    await receive(async () => {
      await rx.recvfrom(size);
      return 1;
    });
    break;
  }
  case 'dgram': {
    const [, warmup, count] = numbers as [number, number, number];
    // node:dgram takes the socket bound() made, so it gets the same queue (SO_RCVBUFFORCE).
    const rx = createSocket('udp4');
    let got = 0;
    let start = 0;
    let cycles = CYCLES;
    rx.on('message', () => {
      if (++got === warmup) start = now();
      if (got === warmup + count) {
        report(now() - start);
        got = 0;
        if (--cycles === 0) process.exit(0);
      }
    });
    rx.bind({ fd: bound().detach() });
    break;
  }
  case 'sendmmsg':
  case 'sendmmsgSync': {
    const tx = connected();
    const batch: socket.OutgoingDatagram<typeof socket.AF_INET>[] = Array.from({ length: BATCH }, () => [Buffer.alloc(size)]);
    await sendAll(role === 'sendmmsg' ? () => tx.sendmmsg(batch) : () => tx.sendmmsgSync(batch));
    break;
  }
  case 'sendtoSync': {
    const tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    const data = Buffer.alloc(size);
    const to: socket.IPv4Address = [HOST, numbers[0]!];
    await sendAll(() => {
      tx.sendtoSync(data, to);
      return 1;
    });
    break;
  }
  case 'gso':
  case 'gsoSync': {
    const tx = connected();
    tx.setsockopt(socket.SOL_UDP!, socket.UDP_SEGMENT!, SEGMENT);
    const data = Buffer.alloc(size);
    // Each send is one call of SIZE bytes: counted as sends (the orchestrator makes bytes of them).
    await sendAll(role === 'gso' ? async () => Number((await tx.send(data)) > 0) : () => Number(tx.sendSync(data) > 0));
    break;
  }
  default:
    throw new Error(`unknown role ${role}`);
}
