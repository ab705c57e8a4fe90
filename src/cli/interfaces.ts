// berkeley interfaces: the network interfaces, by index (if_nameindex(3)),
// with their hardware and IP addresses.
import { networkInterfaces } from 'node:os';
import * as socket from '../index.js';
import { command } from './args.js';
import { table } from './table.js';

/** `berkeley interfaces`. */
export const interfaces = command({
  name: 'interfaces',
  usage: [''],
  summary: 'list the network interfaces with their addresses (ip address, ifconfig)',
  description: [
    'Prints each network interface: its index and name (if_nameindex(3), as',
    'scope ids and SO_BINDTODEVICE name them), its hardware address, and its',
    'IPv4 and IPv6 addresses with their prefix lengths.',
  ].join('\n'),
  flags: {},
  positionals: [0, 0],
  operands: [],
  examples: ['berkeley interfaces', 'berkeley interfaces | grep -w lo'],
  run() {
    const addresses = networkInterfaces();
    const rows = socket.ifNameindex().map(([index, name]) => {
      const entries = addresses[name] ?? [];
      const mac = entries[0]?.mac ?? '';
      return [String(index), name, mac, entries.map((entry) => entry.cidr ?? entry.address).join(' ')];
    });
    process.stdout.write(table([['index', 'name', 'hardware', 'addresses'], ...rows]));
    return Promise.resolve(0);
  },
});
