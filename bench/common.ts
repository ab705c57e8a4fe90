// What every implementation of the benchmark shares: the command line and
// the protocol.
//
//   server bulk|pingpong                     prints its port, serves until killed
//   client bulk|pingpong PORT WARMUP AMOUNT  prints the timed run's seconds
//
// bulk: the client sendall()s CHUNK-byte chunks until AMOUNT bytes are out,
// shuts down its write side, and waits for the server's 1-byte reply (sent
// once the server has read to EOF). pingpong: AMOUNT round trips of 1 byte.
// The client first does the same on a WARMUP connection (untimed), then
// times a fresh connection from connect to the last byte. TCP_NODELAY on
// both sides. All on 127.0.0.1 with an ephemeral port.
// udp: AMOUNT round trips of a DATAGRAM-byte datagram to a UDP echo server,
// from a connected UDP socket. connect: AMOUNT connections, each connected,
// accepted, closed by the server at once, and closed by the client once it
// reads the EOF (the rate is connections/s).

export const CHUNK = 256 * 1024;
export const DATAGRAM = 64;

export const WORKLOADS = ['bulk', 'pingpong', 'udp', 'connect'] as const;
export type Workload = (typeof WORKLOADS)[number];

export type Role =
  | { role: 'server'; workload: Workload }
  | { role: 'client'; workload: Workload; port: number; warmup: number; amount: number };

export function parseArgs(argv: string[] = process.argv.slice(2)): Role {
  const [role, workload, port, warmup, amount] = argv;
  if (!(WORKLOADS as readonly (string | undefined)[]).includes(workload)) throw new Error(`unknown workload ${workload}`);
  if (role === 'server') return { role, workload: workload as Workload };
  if (role === 'client') return { role, workload: workload as Workload, port: Number(port), warmup: Number(warmup), amount: Number(amount) };
  throw new Error('usage: server WORKLOAD | client WORKLOAD PORT WARMUP AMOUNT');
}

/** The timer of the timed run. */
export function now(): number {
  return performance.now() / 1000;
}

/** The server's line: its port, for the orchestrator. */
export function announce(port: number): void {
  process.stdout.write(`${port}\n`);
}

/** The client's line: the timed run's seconds. */
export function report(seconds: number): void {
  process.stdout.write(`${seconds.toFixed(9)}\n`);
}

/** The median of the rounds' figures. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
