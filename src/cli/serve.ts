// berkeley serve: the classic services (echo, discard, daytime, chargen,
// time) over TCP or UDP, every client at once, until Ctrl-C.
import * as socket from '../index.js';
import { showAddress } from './address.js';
import { acceptEach } from './accept.js';
import { command, familyOf, parsePort, VERBOSE } from './args.js';
import { bindTo } from './endpoint.js';
import { at, UsageError } from './failure.js';
import type { Log } from './log.js';
import { SERVICES, type Service } from './services.js';

const NAMES = Object.keys(SERVICES);

/** `berkeley serve`. */
export const serve = command({
  name: 'serve',
  usage: [`${NAMES.join('|')} [options] [[HOST] PORT]`],
  summary: 'run a classic service: echo, discard, daytime, chargen or time (inetd)',
  description: [
    'Serves one of the classic Internet services, over TCP (every client at once)',
    'or UDP, on every address (or on HOST only) until Ctrl-C:',
    ...NAMES.map((name) => `  ${name.padEnd(8)} RFC ${SERVICES[name]!.rfc}, port ${SERVICES[name]!.port}: ${SERVICES[name]!.summary}`),
    'Ports below 1024 need root (CAP_NET_BIND_SERVICE): give another PORT without it.',
  ].join('\n'),
  flags: {
    udp: { short: 'u', help: 'serve over UDP instead of TCP' },
    ipv4: { short: '4', help: 'IPv4 only' },
    ipv6: { short: '6', help: 'IPv6 only' },
    ...VERBOSE,
  },
  positionals: [1, 3],
  operands: ['SERVICE'],
  examples: ['berkeley serve echo 7007', 'berkeley serve daytime -u 127.0.0.1 1313', 'berkeley serve chargen -v 1919 &  berkeley connect localhost 1919 | head -3'],
  async run({ values, positionals: [name, ...where], signal, log }) {
    const service = SERVICES[name!] as Service | undefined;
    if (service === undefined) throw new UsageError(`unknown service '${name!}' (${NAMES.join(', ')})`);
    const [host, port] = where.length === 2 ? where : [undefined, where.at(0)];
    const type = values.udp ? socket.SOCK_DGRAM : socket.SOCK_STREAM;
    using place = await bindTo(host, port === undefined ? service.port : parsePort(port), type, familyOf(values), signal);
    log.note(`serving ${name!} on ${place.name} (${values.udp ? 'udp' : 'tcp'})`);
    if (values.udp) await datagrams(place.sock, service, signal, log);
    else
      await acceptEach(place.sock, signal, log, async (sock, peer) => {
        using _sock = sock;
        await at(`serve ${peer}`, service.stream(sock, signal));
      });
    return 0;
  },
});

/** Answers each datagram (a service with no answer just reads them). */
async function datagrams(sock: socket.Socket, service: Service, signal: AbortSignal, log: Log): Promise<never> {
  for (;;) {
    const [packet, sender] = await sock.recvfrom(65536, 0, { signal });
    log.note(`datagram from ${showAddress(sender)}`);
    const reply = service.datagram(packet);
    if (reply === null || sender === null) continue;
    try {
      await sock.sendto(reply, sender, { signal });
    } catch (error) {
      if (!(error instanceof socket.SocketError)) throw error;
      log.warn(`sendto ${showAddress(sender)}: ${error.code}`);
    }
  }
}
