// The calls themselves, in a network namespace that bench/udp-batch.ts made
// for this process (`unshare -n`, or `unshare -rn` when not root), so that
// neither the flood generator nor loopback's receive path is counted:
//  - receive: a receiver is stopped (SIGSTOP) while bench/udp.c fills its
//    queue over the namespace's loopback with N datagrams, then continued
//    (SIGCONT) and timed from its first datagram to the N-th: datagrams
//    drained per second of the receiver's time. The queue is made large with
//    SO_RCVBUFFORCE (which wants CAP_NET_ADMIN over the machine's first
//    namespace, so only as root; otherwise SO_RCVBUF within rmem_max, and a
//    smaller N). One untimed cycle, then CYCLES - 1 timed ones a process.
//  - send: to 10.200.0.2, routed to a device of this namespace whose driver
//    drops what it is given (dummy, or ifb where the kernel has no dummy),
//    after the whole IP/UDP output path, the qdisc and the driver's call.
//    The addresses exist only in this namespace; nothing leaves it. Both
//    devices take UDP segmentation offload, so GSO sends reach the driver
//    whole, as with a NIC with USO; where ethtool(8) is, the GSO table also
//    has rows with it turned off, so the kernel segments them in software.
// Usage: udp-batch-ns.js PATH_OF_COMPILED_bench/udp.c
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as socket from 'berkeley';
import { describe, lines, next, nodePeer, printTables, runTables, sendRate, start, stop, type Child, type Row, type Table } from './udp-batch-common.js';
import { receiver } from './udp-receiver.js';

const c = process.argv[2]!;
const FILL = 200_000;
const CYCLES = 4;
const WANTED_QUEUE = 512 << 20;
const WARMUP = 50_000;
const COUNT = 500_000;
const GSO_SEND = 54 * 1200;
const GSO_COUNT = 10_000;
const DEVICE = 'd0';
const TO = { UDP_BENCH_HOST: '10.200.0.2' };
const DISCARD = '9';

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Why a step failed, in a line. */
function why(error: unknown): string {
  const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
  return stderr !== undefined && stderr !== '' ? stderr : String(error);
}

/** The send device's kind, made and addressed; or why not. */
function makeDevice(): { kind: string } | { error: string } {
  const errors: string[] = [];
  for (const kind of ['dummy', 'ifb']) {
    try {
      ip('link', 'add', DEVICE, 'type', kind);
      ip('addr', 'add', '10.200.0.1/24', 'dev', DEVICE);
      ip('link', 'set', DEVICE, 'up');
      return { kind };
    } catch (error) {
      errors.push(`${kind}: ${why(error)}`);
      try {
        ip('link', 'del', DEVICE);
      } catch {
        // Not made.
      }
    }
  }
  return { error: errors.join('; ') };
}

/** Turns the device's UDP segmentation offload on or off. */
function uso(on: boolean): void {
  execFileSync('ethtool', ['-K', DEVICE, 'tx-udp-segmentation', on ? 'on' : 'off'], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** `run`, with the device's UDP segmentation offload off. */
async function segmented<T>(run: () => Promise<T>): Promise<T> {
  uso(false);
  try {
    return await run();
  } finally {
    uso(true);
  }
}

/** The packets DEVICE's driver was handed (dummy counts them as sent, ifb as received). */
function devicePackets(): number {
  const [link] = JSON.parse(execFileSync('ip', ['-s', '-j', 'link', 'show', DEVICE]).toString()) as { stats64: { rx: { packets: number }; tx: { packets: number } } }[];
  return link!.stats64.rx.packets + link!.stats64.tx.packets;
}

/** The drops and queued bytes of this namespace's UDP socket on 127.0.0.1:port. */
function queueOf(port: string): { queued: number; drops: number } {
  const local = `0100007F:${Number(port).toString(16).toUpperCase().padStart(4, '0')}`;
  const line = readFileSync('/proc/net/udp', 'utf8').split('\n').find((l) => l.trim().split(/\s+/)[1] === local);
  if (line === undefined) throw new Error(`no UDP socket on port ${port}`);
  const fields = line.trim().split(/\s+/);
  return { queued: parseInt(fields[4]!.split(':')[1]!, 16), drops: Number(fields.at(-1)) };
}

/** Fills 127.0.0.1:port with `count` datagrams (bench/udp.c's sendmmsg, on the other CPU). */
async function fill(port: string, size: number, count: number): Promise<void> {
  const filler = start('1', [c, 'sendmmsg', port, String(size), '0', String(count)]);
  await next(lines(filler), 'filler');
  await new Promise((resolve) => (filler.exitCode === null ? filler.once('exit', resolve) : resolve(null)));
}

/** Waits (bounded) until a child sent SIGSTOP is stopped. */
async function stopped(child: Child): Promise<void> {
  for (let tries = 0; tries < 1000; tries++) {
    if (readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.startsWith('T')) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error('receiver did not stop');
}

/** How many datagrams of `size` bytes the largest queue a receiver can have holds, and that queue. */
function capacity(size: number): { datagrams: number; queue: number } {
  using rx = receiver(WANTED_QUEUE);
  using tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const sample = 256;
  tx.sendmmsgSync(Array.from({ length: sample }, () => [Buffer.alloc(size), rx.getsockname()] as const));
  // What a datagram costs the queue (its buffer's truesize), as the kernel counts it.
  const each = queueOf(String(rx.getsockname()[1])).queued / sample;
  const queue = rx.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF);
  return { datagrams: Math.min(FILL, Math.floor((0.9 * queue) / each)), queue };
}

/** Drain rates (datagrams/s) of the receiver argv(count) makes, over CYCLES fills of `datagrams`. */
async function drainRates(argv: string[], size: number, datagrams: number, queue: number): Promise<number[]> {
  const what = argv.join(' ');
  const receiver = start('0', argv, { UDP_BENCH_RCVBUF: String(queue >> 1) });
  const out = lines(receiver);
  const rates: number[] = [];
  try {
    const port = await next(out, what);
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      receiver.kill('SIGSTOP');
      await stopped(receiver);
      await fill(port, size, datagrams);
      const { drops } = queueOf(port);
      if (drops > 0) throw new Error(`${what}: ${drops} datagrams dropped filling the queue`);
      receiver.kill('SIGCONT');
      const seconds = Number(await next(out, what));
      if (cycle > 0) rates.push((datagrams - 1) / seconds);
    }
  } finally {
    receiver.kill('SIGCONT');
    await stop(receiver);
  }
  return rates;
}

function receiveTable(size: number): Table {
  const { datagrams, queue } = capacity(size);
  const timed = [String(size), '1', String(datagrams - 1)];
  const row = (name: string, argv: string[]): Row => ({ name, run: () => drainRates(argv, size, datagrams, queue) });
  const peer = (role: string, vlen: number): string[] => [...nodePeer, role, ...timed, String(vlen), String(CYCLES)];
  return {
    title: `receive: draining ${datagrams.toLocaleString('en')} queued ${size}-byte datagrams (${(queue / 2 ** 20).toFixed(0)} MiB queue)`,
    unit: 'datagrams/s',
    scale: 1,
    baselines: ['node:dgram', 'C recvfrom loop'],
    rows: [
      row('berkeley recvmmsg 32 (async)', peer('recvmmsg', 32)),
      row('berkeley recvmmsg 64 (async)', peer('recvmmsg', 64)),
      row('berkeley recvmmsgSync 64', peer('recvmmsgSync', 64)),
      row('berkeley recvmmsgIntoSync 64', peer('recvmmsgIntoSync', 64)),
      row('berkeley recvfrom (async)', peer('recvfrom', 0)),
      row('node:dgram', peer('dgram', 0)),
      row('C recvfrom loop', [c, 'recvfrom', ...timed, String(CYCLES)]),
      row('C recvmmsg 32', [c, 'recvmmsg', ...timed, String(CYCLES), '32']),
      row('C recvmmsg 64', [c, 'recvmmsg', ...timed, String(CYCLES), '64']),
    ],
  };
}

const send = (name: string, argv: string[], count: number, bytes = 1): Row => ({ name, run: async () => bytes * (await sendRate(argv, count, TO)) });
const counts = [String(WARMUP), String(COUNT)];
const gsoCounts = [String(GSO_COUNT / 10), String(GSO_COUNT)];

function sendTables(kind: string, software: boolean): Table[] {
  const sends = [64, 1200].map(
    (size): Table => ({
      title: `send: ${size}-byte datagrams to a ${kind} device`,
      unit: 'datagrams/s',
      scale: 1,
      baselines: ['C sendto loop'],
      rows: [
        send('berkeley sendmmsgSync 64', [...nodePeer, 'sendmmsgSync', DISCARD, String(size), ...counts], COUNT),
        send('berkeley sendmmsg 64 (async)', [...nodePeer, 'sendmmsg', DISCARD, String(size), ...counts], COUNT),
        send('berkeley sendtoSync', [...nodePeer, 'sendtoSync', DISCARD, String(size), ...counts], COUNT),
        send('C sendto loop', [c, 'sendto', DISCARD, String(size), ...counts], COUNT),
        send('C sendmmsg 64', [c, 'sendmmsg', DISCARD, String(size), ...counts], COUNT),
      ],
    }),
  );
  const gso: Table = {
    title: `GSO bulk to a ${kind} device: ${GSO_SEND.toLocaleString('en')}-byte sends cut into 1,200-byte datagrams (UDP_SEGMENT)`,
    unit: 'MB/s',
    scale: 1e-6,
    baselines: ['C sendto loop (1,200 B)'],
    rows: [
      send('berkeley GSO sendSync', [...nodePeer, 'gsoSync', DISCARD, String(GSO_SEND), ...gsoCounts], GSO_COUNT, GSO_SEND),
      send('berkeley GSO send (async)', [...nodePeer, 'gso', DISCARD, String(GSO_SEND), ...gsoCounts], GSO_COUNT, GSO_SEND),
      send('C GSO send', [c, 'gso', DISCARD, String(GSO_SEND), ...gsoCounts], GSO_COUNT, GSO_SEND),
      send('C sendto loop (1,200 B)', [c, 'sendto', DISCARD, '1200', ...counts], COUNT, 1200),
      send('berkeley sendmmsgSync 64 (1,200 B)', [...nodePeer, 'sendmmsgSync', DISCARD, '1200', ...counts], COUNT, 1200),
    ],
  };
  if (software) {
    for (const row of gso.rows.slice(0, 3)) {
      const run = row.run;
      gso.rows.push({ name: `${row.name}, segmented in software`, run: () => segmented(run) });
    }
  }
  return [...sends, gso];
}

/** Whether the kernel cut GSO sends before the driver: the packets it handed the driver per send. */
async function segmentsPerSend(): Promise<number> {
  const before = devicePackets();
  const sends = 1000;
  await sendRate([c, 'gso', DISCARD, String(GSO_SEND), '0', String(sends)], sends, TO);
  return (devicePackets() - before) / sends;
}

try {
  ip('link', 'set', 'lo', 'up');
} catch (error) {
  console.log(`\nbatched datagrams in a network namespace: skipped (ip link set lo up: ${why(error)})`);
  process.exit(0);
}
const tables = [receiveTable(64), receiveTable(1200)];
const device = makeDevice();
let software = false;
if ('error' in device) console.log(`\nsend rows in the namespace skipped: no device to send to (${device.error})`);
else {
  try {
    uso(true);
    software = true;
  } catch (error) {
    console.log(`\nGSO rows segmented in software skipped (ethtool -K ${DEVICE} tx-udp-segmentation: ${why(error)})`);
  }
  tables.push(...sendTables(device.kind, software));
}
console.log(`\n${describe('batched datagrams in a network namespace: the calls themselves')}`);
printTables(tables, await runTables(tables, 'udp-batch namespace'));
if ('kind' in device) {
  // Counted, not assumed: how many packets the driver was handed per GSO send, offload on and off.
  const checks = [`with UDP segmentation offload on, ${(await segmentsPerSend()).toFixed(1)}`];
  if (software) checks.push(`off, ${(await segmented(segmentsPerSend)).toFixed(1)}`);
  console.log(`\nGSO check: the ${device.kind} device's driver was handed, per ${GSO_SEND.toLocaleString('en')}-byte send, ${checks.join('; ')} packets (1: the send reached the driver whole, as with a NIC with USO; 54: the kernel cut it into 1,200-byte datagrams).`);
}
