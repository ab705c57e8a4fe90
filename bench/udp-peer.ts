// The node side of bench/udp-batch.ts: one receiver or sender a process,
// with the command line of bench/udp.c's roles.
//
//   receivers: ROLE SIZE WARMUP COUNT [VLEN]  print their port, then the seconds of COUNT datagrams
//     recvmmsg / recvmmsgSync / recvmmsgIntoSync (VLEN a call), recvfrom (berkeley, one a call), dgram (node:dgram)
//   senders: ROLE PORT SIZE WARMUP COUNT      print the seconds of COUNT datagrams (or sends)
//     sendmmsg / sendmmsgSync (64 a call), sendtoSync (one a call), gso / gsoSync (SIZE-byte sends, UDP_SEGMENT 1200)
import { createSocket } from 'node:dgram';
import * as socket from 'berkeley';
import { now, report } from './common.js';

const BATCH = 64;
const SEGMENT = 1200;
const [role, ...rest] = process.argv.slice(2);
const numbers = rest.map(Number);

function bound(): socket.Socket<typeof socket.AF_INET, typeof socket.SOCK_DGRAM> {
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUFFORCE!, 8 << 20);
  } catch {
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20);
  }
  s.bind(['127.0.0.1', 0]);
  process.stdout.write(`${s.getsockname()[1]}\n`);
  return s;
}

/** Counts datagrams as `take` brings them; reports the seconds COUNT took after WARMUP. */
async function receive(take: () => number | Promise<number>): Promise<void> {
  const [, warmup, count] = numbers as [number, number, number];
  let got = 0;
  while (got < warmup) got += await take();
  const start = now();
  const from = got;
  while (got < warmup + count) got += await take();
  report(((now() - start) * count) / (got - from));
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
  s.connectSync(['127.0.0.1', numbers[0]!]);
  return s;
}

const size = role!.startsWith('send') || role!.startsWith('gso') ? numbers[1]! : numbers[0]!;
const vlen = numbers[3] ?? BATCH;
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
    const rx = createSocket({ type: 'udp4', recvBufferSize: 8 << 20 });
    let got = 0;
    let start = 0;
    rx.on('message', () => {
      if (++got === warmup) start = now();
      if (got === warmup + count) {
        report(now() - start);
        process.exit(0);
      }
    });
    rx.bind(0, '127.0.0.1', () => process.stdout.write(`${rx.address().port}\n`));
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
    const to: socket.IPv4Address = ['127.0.0.1', numbers[0]!];
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
