// berkeley resolve: getaddrinfo(3) as a table (getent ahosts, with services).
import * as socket from '../index.js';
import { command, familyOf } from './args.js';
import { lookup } from './endpoint.js';
import { UsageError } from './failure.js';
import { table } from './table.js';

/** `berkeley resolve`. */
export const resolve = command({
  name: 'resolve',
  usage: ['[options] NAME [SERVICE]'],
  summary: 'look a name (and a service) up with getaddrinfo, as a table',
  description: [
    'Prints every address getaddrinfo(3) gives for NAME and SERVICE (a port number',
    'or a name from /etc/services): family, socket type, protocol, address, port,',
    'and with -c the canonical name. The system resolves it as every program does',
    '(/etc/hosts, DNS… as /etc/nsswitch.conf says).',
  ].join('\n'),
  flags: {
    ipv4: { short: '4', help: 'IPv4 addresses only' },
    ipv6: { short: '6', help: 'IPv6 addresses only' },
    tcp: { short: 't', help: 'stream (TCP) entries only' },
    udp: { short: 'u', help: 'datagram (UDP) entries only' },
    canonical: { short: 'c', help: 'ask for the canonical name too (AI_CANONNAME)' },
  },
  positionals: [1, 2],
  operands: ['NAME', 'SERVICE'],
  examples: ['berkeley resolve localhost', 'berkeley resolve -4 -t example.com https', 'berkeley resolve ::1 ssh'],
  async run({ values, positionals, signal }) {
    const [name, service] = [positionals[0]!, positionals.at(1)];
    if (values.tcp && values.udp) throw new UsageError('-t and -u exclude each other');
    const type = values.tcp ? socket.SOCK_STREAM : values.udp ? socket.SOCK_DGRAM : 0;
    const port = service === undefined ? null : /^\d+$/.test(service) ? Number(service) : service;
    const flags = values.canonical ? socket.AI_CANONNAME : 0;
    const entries = await lookup(name, port, familyOf(values), type, signal, flags);
    const rows = entries.map(([family, kind, proto, canonname, address]) => [
      socket.AddressFamily[family] ?? String(family),
      socket.SocketKind[kind] ?? String(kind),
      protocolName(proto),
      address[0],
      String(address[1]),
      ...(values.canonical ? [canonname] : []),
    ]);
    process.stdout.write(table([['family', 'type', 'proto', 'address', 'port', ...(values.canonical ? ['canonname'] : [])], ...rows]));
    return 0;
  },
});

/** A protocol number as its name (tcp, udp…), or the number. */
function protocolName(proto: number): string {
  const names: Record<number, string> = { [socket.IPPROTO_TCP]: 'tcp', [socket.IPPROTO_UDP]: 'udp', [socket.IPPROTO_IP]: 'ip' };
  return names[proto] ?? String(proto);
}
