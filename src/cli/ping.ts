// berkeley ping: ICMP (or ICMPv6) echoes to a host, a line per reply and
// the statistics at the end, as ping(8) prints them.
import * as socket from '../index.js';
import { command, familyOf, parseCount, parseSeconds } from './args.js';
import { lookup } from './endpoint.js';
import { isAbort, NetworkError } from './failure.js';
import { echoReply, echoRequest, openIcmp, PRIVILEGE_HINT, type IcmpSocket } from './icmp.js';

/** Payload bytes of each echo (ping's default: 64 ICMP bytes). */
const PAYLOAD = 56;

/** `berkeley ping`. */
export const ping = command({
  name: 'ping',
  usage: ['[options] HOST'],
  summary: 'send ICMP echoes to a host and time the replies (ping)',
  description: [
    'Sends an ICMP (or ICMPv6) echo request to HOST every interval and prints each',
    'reply with its round-trip time, then the statistics, after COUNT echoes or on',
    'Ctrl-C. Uses a raw socket (root or CAP_NET_RAW), else an ICMP datagram socket',
    '(when net.ipv4.ping_group_range holds your group). Exit status 0 when a reply came.',
  ].join('\n'),
  flags: {
    count: { short: 'c', value: 'COUNT', help: 'stop after COUNT echoes (default: until Ctrl-C)' },
    interval: { short: 'i', value: 'SECONDS', help: 'seconds between echoes (default 1)' },
    timeout: { short: 'W', value: 'SECONDS', help: 'seconds to wait for the last reply (default 2)' },
    ipv4: { short: '4', help: 'IPv4 (ICMP) only' },
    ipv6: { short: '6', help: 'IPv6 (ICMPv6) only' },
  },
  positionals: [1, 1],
  operands: ['HOST'],
  examples: ['berkeley ping -c 3 127.0.0.1', 'berkeley ping -6 -i 0.2 ::1'],
  async run({ values, positionals: [host], signal }) {
    const count = values.count === undefined ? Infinity : parseCount(values.count, '-c');
    const interval = values.interval === undefined ? 1 : parseSeconds(values.interval, '-i');
    const timeout = values.timeout === undefined ? 2 : parseSeconds(values.timeout, '-W');
    const [[family, , , , [address]]] = (await lookup(host!, null, familyOf(values), socket.SOCK_RAW, signal)) as [socket.AddrInfo];
    let icmp: IcmpSocket;
    try {
      icmp = openIcmp(family);
    } catch (error) {
      throw new NetworkError(`ping ${host!}`, error, PRIVILEGE_HINT);
    }
    using _sock = icmp.sock;
    const kind = icmp.kind === socket.SOCK_RAW ? 'raw socket' : 'ICMP datagram socket';
    process.stdout.write(`PING ${host!} (${address}): ${PAYLOAD} data bytes, ${kind}\n`);
    const echoes = new Echoes(icmp, family, address as string);
    const start = performance.now();
    try {
      for (let seq = 1; seq <= count; seq++) {
        await echoes.send(seq, signal);
        await echoes.receive(performance.now() + 1000 * (seq === count ? timeout : interval), seq === count, signal);
      }
    } catch (error) {
      // Ctrl-C ends it, with the statistics, as ping does.
      if (!isAbort(error)) throw error;
    }
    process.stdout.write(echoes.statistics(host!, performance.now() - start));
    if (echoes.rtts.length > 0) return 0;
    process.stderr.write(`berkeley ping: ${host!}: no reply\n`);
    return 1;
  },
});

/** The echoes sent to one address and their replies. */
class Echoes {
  readonly rtts: number[] = [];
  readonly #sent = new Map<number, number>();
  #transmitted = 0;
  readonly #id = process.pid & 0xffff;

  constructor(
    readonly icmp: IcmpSocket,
    readonly family: number,
    readonly address: string,
  ) {}

  async send(seq: number, signal: AbortSignal): Promise<void> {
    this.#sent.set(seq & 0xffff, performance.now());
    this.#transmitted++;
    await this.icmp.sock.sendto(echoRequest(this.family, this.#id, seq, PAYLOAD), [this.address, 0], { signal });
  }

  /** Prints the replies that come until the deadline (performance.now() ms), or until every echo is answered if last. */
  async receive(deadline: number, last: boolean, signal: AbortSignal): Promise<void> {
    const { sock } = this.icmp;
    for (let left = deadline - performance.now(); left > 0 && !(last && this.#sent.size === 0); left = deadline - performance.now()) {
      sock.settimeout(left / 1000);
      let packet: Buffer, ancdata: socket.Ancillary[];
      try {
        [packet, ancdata] = await sock.recvmsg(65535, 256, 0, { signal });
      } catch (error) {
        if (error instanceof socket.TimeoutError) return;
        throw error;
      }
      const reply = echoReply(this.icmp, this.family, this.#id, packet, ancdata);
      const sent = reply === null ? undefined : this.#sent.get(reply.seq);
      if (reply === null || sent === undefined) continue;
      this.#sent.delete(reply.seq);
      const rtt = performance.now() - sent;
      this.rtts.push(rtt);
      const ttl = reply.ttl === undefined ? '' : ` ttl=${reply.ttl}`;
      process.stdout.write(`${reply.bytes} bytes from ${this.address}: icmp_seq=${reply.seq}${ttl} time=${rtt.toFixed(3)} ms\n`);
    }
  }

  /** ping's summary: packets, loss, time, and the round trips' min/avg/max/mdev. */
  statistics(host: string, elapsed: number): string {
    const received = this.rtts.length;
    const loss = this.#transmitted === 0 ? 0 : Math.round((100 * (this.#transmitted - received)) / this.#transmitted);
    const lines = [`--- ${host} ping statistics ---`, `${this.#transmitted} packets transmitted, ${received} received, ${loss}% packet loss, time ${Math.round(elapsed)}ms`];
    if (received > 0) {
      const avg = this.rtts.reduce((a, b) => a + b, 0) / received;
      const mdev = Math.sqrt(Math.max(0, this.rtts.reduce((a, b) => a + b * b, 0) / received - avg * avg));
      lines.push(`rtt min/avg/max/mdev = ${[Math.min(...this.rtts), avg, Math.max(...this.rtts), mdev].map((v) => v.toFixed(3)).join('/')} ms`);
    }
    return lines.map((line) => `${line}\n`).join('');
  }
}
