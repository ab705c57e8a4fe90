// The transport flags connect and listen share (-u, -U, -4, -6) and the
// session flags (--crlf, -q), read once.
import * as socket from '../index.js';
import { familyOf, parseSeconds } from './args.js';
import { UsageError } from './failure.js';

/** -u, -U PATH, -4, -6. */
export const TRANSPORT_FLAGS = {
  udp: { short: 'u', help: 'UDP instead of TCP (with -U: a Unix datagram socket)' },
  unix: { short: 'U', value: 'PATH', help: 'a Unix socket instead of HOST PORT (@NAME: an abstract name)' },
  ipv4: { short: '4', help: 'IPv4 only' },
  ipv6: { short: '6', help: 'IPv6 only' },
} as const;

/** --crlf, -q SECONDS. */
export const SESSION_FLAGS = {
  crlf: { short: 'C', help: 'send each line of the input with CRLF (as Internet protocols want)' },
  quit: { short: 'q', value: 'SECONDS', help: "after stdin's end, quit after SECONDS (0: at once) rather than when the peer closes" },
} as const;

/** What the transport flags ask for. */
export interface Transport {
  type: number;
  family: number;
  /** The Unix socket's name (-U), or undefined for IP. */
  unix: string | Buffer | undefined;
  /** 'tcp', 'udp', 'unix' or 'unixgram', for messages. */
  label: string;
}

/** The transport of the flags given. */
export function transportOf(values: { udp?: boolean | undefined; unix?: string | undefined; ipv4?: boolean | undefined; ipv6?: boolean | undefined }): Transport {
  const type = values.udp ? socket.SOCK_DGRAM : socket.SOCK_STREAM;
  if (values.unix === undefined) return { type, family: familyOf(values), unix: undefined, label: values.udp ? 'udp' : 'tcp' };
  if (values.ipv4 || values.ipv6) throw new UsageError('-4 and -6 are for IP, not -U');
  if (values.unix === '' || values.unix === '@') throw new UsageError('-U needs a path or an @name');
  const name = values.unix.startsWith('@') ? Buffer.concat([Buffer.of(0), Buffer.from(values.unix.slice(1))]) : values.unix;
  return { type, family: socket.AF_UNIX, unix: name, label: values.udp ? 'unixgram' : 'unix' };
}

/** The -q seconds, if given. */
export function quitOf(values: { quit?: string | undefined }): number | undefined {
  return values.quit === undefined ? undefined : parseSeconds(values.quit, '-q');
}
