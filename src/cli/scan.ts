// berkeley connect -z: which ports of a range accept a connection (TCP), or
// do not answer a datagram with ICMP port unreachable (UDP).
import * as socket from '../index.js';
import { hostPort } from './address.js';
import { parsePortRange } from './args.js';
import { dial } from './endpoint.js';
import { NetworkError } from './failure.js';
import type { Log } from './log.js';
import type { Transport } from './transport.js';

/** Seconds a UDP probe waits for its refusal when -w does not say. */
const UDP_PROBE_SECONDS = 1;

/** Tries each port; 0 if one is open, else a NetworkError with the last refusal. */
export async function scan([host, ports]: string[], transport: Transport, timeout: number | undefined, signal: AbortSignal, log: Log): Promise<number> {
  const udp = transport.type === socket.SOCK_DGRAM;
  let open = 0;
  let refusal: unknown;
  for (const port of parsePortRange(ports!)) {
    const what = `${hostPort(host!, port)} (${transport.label}/${service(port, transport.label)})`;
    try {
      const { sock } = await dial(host!, port, { type: transport.type, family: transport.family, timeout: udp ? (timeout ?? UDP_PROBE_SECONDS) : timeout, signal });
      using _sock = sock;
      if (udp) await probe(sock, signal);
      log.note(`${what} open`);
      open++;
    } catch (error) {
      if (!(error instanceof socket.SocketError)) throw error;
      log.note(`${what} closed: ${error.code}`);
      refusal = error;
    }
  }
  if (open === 0) throw new NetworkError(`connect ${hostPort(host!, ports!)}`, refusal);
  return 0;
}

/**
 * Sends an empty datagram: a closed port answers with ICMP port unreachable,
 * which the next receive reports as ECONNREFUSED; an answer, or none within
 * the timeout, counts as open.
 */
async function probe(sock: socket.Socket, signal: AbortSignal): Promise<void> {
  await sock.send(Buffer.alloc(0), 0, { signal });
  try {
    await sock.recv(1, 0, { signal });
  } catch (error) {
    if (!(error instanceof socket.TimeoutError)) throw error;
  }
}

/** The service's name for port (as /etc/services has it), or `*`. */
function service(port: number, protocol: string): string {
  try {
    return socket.getservbyport(port, protocol);
  } catch {
    return '*';
  }
}
