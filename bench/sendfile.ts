// `node out/bench/sendfile.js`: sending a file over TCP on 127.0.0.1 with
// berkeley's sendfile (zero-copy sendfile(2); async and Sync) against
// Node's usual way, fs.createReadStream(path).pipe(net.Socket). Side by
// side in one run: implementations interleaved across rounds, the median
// rate of each printed with its ratio to node's pipe. Figures, not
// assertions: nothing here fails on speed.
//
// Every sender sends the same file (in the page cache: read once first) on
// a fresh connection to the same sink, a child process that reads to EOF
// into one buffer and answers one byte; a run is timed from connect to that
// byte.
//
// BENCH_ROUNDS=n (default 5), BENCH_SENDFILE_MIB=n (default 256).
import { spawn } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import * as os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as socket from 'berkeley';

const MiB = 1024 * 1024;

// ---- the sink (child process) -----------------------------------------------

function sink(): void {
  using listener = socket.socket();
  listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  listener.bind(['127.0.0.1', 0]);
  listener.listen();
  process.stdout.write(`${listener.getsockname()[1]}\n`);
  const buffer = Buffer.allocUnsafe(4 * MiB);
  for (;;) {
    const [conn] = listener.acceptSync();
    using _conn = conn;
    while (conn.recvIntoSync(buffer) > 0);
    conn.sendallSync('!');
  }
}

// ---- the senders ------------------------------------------------------------

type Sender = (port: number, path: string) => Promise<void> | void;

async function awaitReply(s: socket.Socket): Promise<void> {
  const reply = await s.recv(1);
  if (reply.length !== 1) throw new Error('the sink closed without its reply');
}

const SENDERS: { name: string; send: Sender }[] = [
  {
    name: 'berkeley sendfile (async)',
    async send(port, path) {
      using s = socket.socket();
      await s.connect(['127.0.0.1', port]);
      const file = await open(path, 'r');
      try {
        await s.sendfile(file);
      } finally {
        await file.close();
      }
      s.shutdown(socket.SHUT_WR);
      await awaitReply(s);
    },
  },
  {
    name: 'berkeley sendfileSync',
    send(port, path) {
      using s = socket.socket();
      s.connectSync(['127.0.0.1', port]);
      const fd = openSync(path, 'r');
      try {
        s.sendfileSync(fd);
      } finally {
        closeSync(fd);
      }
      s.shutdown(socket.SHUT_WR);
      s.recvSync(1);
    },
  },
  {
    name: 'node createReadStream().pipe(net.Socket)',
    send(port, path) {
      return new Promise<void>((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1');
        s.once('error', reject);
        s.once('data', () => {
          s.destroy();
          resolve();
        });
        s.once('connect', () => {
          const stream = createReadStream(path);
          stream.once('error', reject);
          stream.pipe(s); // ends the socket (FIN) at the stream's end
        });
      });
    },
  },
];
const NODE = 2;

// ---- the orchestrator ---------------------------------------------------------

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function main(): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const size = Number(process.env.BENCH_SENDFILE_MIB ?? 256) * MiB;
  const tmp = mkdtempSync(join(os.tmpdir(), 'berkeley-bench-sendfile-'));
  const path = join(tmp, 'file');
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'sink'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    // The file: random, then read once so every sender finds it cached.
    const block = randomBytes(MiB);
    const fd = openSync(path, 'w');
    for (let k = 0; k < size / MiB; k++) writeSync(fd, block);
    closeSync(fd);
    const read = openSync(path, 'r');
    while (readSync(read, block) > 0);
    closeSync(read);

    let port = 0;
    for await (const line of createInterface({ input: child.stdout! })) {
      port = Number(line);
      break;
    }
    if (!(port > 0)) throw new Error('the sink did not start');

    console.log(`machine: ${os.availableParallelism()} cpus (${os.cpus()[0]?.model.trim() ?? 'unknown'}), node ${process.version}, ${os.type()} ${os.release()}, load average ${os.loadavg()[0]!.toFixed(2)}`);
    console.log(`sendfile: ${size / MiB} MiB file over TCP on 127.0.0.1 to one sink process, ${rounds} rounds, senders interleaved`);
    // One untimed warm-up run each.
    for (const sender of SENDERS) await sender.send(port, path);
    const rates = SENDERS.map((): number[] => []);
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < SENDERS.length; k++) {
        const i = (k + round) % SENDERS.length;
        const start = performance.now();
        await SENDERS[i]!.send(port, path);
        rates[i]!.push(size / MiB / ((performance.now() - start) / 1000));
      }
      process.stderr.write(`round ${round + 1}/${rounds}: ${rates.map((r) => r[round]!.toFixed(0)).join(' ')} MiB/s\n`);
    }
    const medians = rates.map(median);
    const rows = SENDERS.map((sender, i) => [
      sender.name,
      medians[i]!.toFixed(0),
      `${Math.min(...rates[i]!).toFixed(0)}–${Math.max(...rates[i]!).toFixed(0)}`,
      `${(medians[i]! / medians[NODE]!).toFixed(2)}×`,
    ]);
    const header = ['', 'MiB/s', 'min–max', 'vs node pipe'];
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
    console.log('');
    for (const row of [header, ...rows]) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
    console.log('\nMedians over the rounds; "vs node pipe" is the ratio of rates (higher is better).');
  } finally {
    child.kill();
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'sink') sink();
else await main();
