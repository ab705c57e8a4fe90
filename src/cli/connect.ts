// berkeley connect: stdin to a socket and the socket to stdout (nc HOST PORT).
import * as socket from '../index.js';
import { command, parsePort, parseSeconds, VERBOSE } from './args.js';
import { dial, dialUnix, type Dialled } from './endpoint.js';
import { UsageError } from './failure.js';
import { showAddress } from './address.js';
import { session, stdinChunks, stdinEnds } from './pump.js';
import { scan } from './scan.js';
import { clientContext, CLIENT_TLS_FLAGS, handshake } from './tls.js';
import { quitOf, SESSION_FLAGS, TRANSPORT_FLAGS, transportOf } from './transport.js';

/** `berkeley connect`. */
export const connect = command({
  name: 'connect',
  usage: ['[options] HOST PORT', '[options] -U PATH', '-z [options] HOST PORT[-PORT]'],
  summary: 'connect to a server: stdin to it, its answers to stdout (nc, telnet)',
  description: [
    'Connects to HOST PORT (each address of HOST in turn) and copies stdin to the',
    "connection and the connection to stdout, byte for byte. At stdin's end the",
    "sending side is shut (the peer reads EOF) and the answers are read until the",
    'peer closes. With -z, reports which ports of a range accept a connection.',
  ].join('\n'),
  flags: {
    ...TRANSPORT_FLAGS,
    source: { short: 's', value: 'ADDR', help: 'connect from this local address' },
    wait: { short: 'w', value: 'SECONDS', help: 'give up a connect, or end an idle connection, after SECONDS' },
    scan: { short: 'z', help: 'scan: connect to each port of PORT[-PORT], send nothing, say which are open' },
    ...SESSION_FLAGS,
    ...CLIENT_TLS_FLAGS,
    ...VERBOSE,
  },
  positionals: [0, 2],
  operands: ['HOST', 'PORT'],
  examples: [
    "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | berkeley connect example.com 80",
    'berkeley connect --tls --alpn http/1.1 example.com 443',
    'berkeley connect -u 127.0.0.1 53 < query.bin',
    'berkeley connect -U /run/app.sock',
    'berkeley connect -z -v 127.0.0.1 20-25       # which ports are open',
  ],
  async run({ values, positionals, signal, log }) {
    const transport = transportOf(values);
    const timeout = values.wait === undefined ? undefined : parseSeconds(values.wait, '-w');
    const context = clientContext(values);
    const quit = quitOf(values);
    if (context !== null && transport.type !== socket.SOCK_STREAM) throw new UsageError('--tls is for streams: not with -u');
    if (context !== null && transport.unix !== undefined && values.sni === undefined && !values.insecure) throw new UsageError('--tls over -U needs --sni NAME, the name to verify (or --insecure)');
    if (values.scan) {
      if (transport.unix !== undefined || context !== null) throw new UsageError('-z scans HOST PORT[-PORT] over TCP or UDP: not with -U or --tls');
      return scan(expect(positionals, 2), transport, timeout, signal, log);
    }
    let dialled: Dialled;
    if (transport.unix !== undefined) {
      expect(positionals, 0);
      dialled = await dialUnix(transport.unix, transport.type, timeout, signal);
    } else {
      const [host, port] = expect(positionals, 2) as [string, string];
      const family = sourceFamily(values.source, transport.family);
      dialled = await dial(host, parsePort(port), { type: transport.type, family, source: values.source, timeout, signal });
    }
    using sock = dialled.sock;
    log.note(`connected to ${dialled.peer} (${transport.label}) from ${showAddress(sock.getsockname())}`);
    const serverHostname = values.sni ?? positionals.at(0) ?? null;
    using conn = context === null ? sock : await handshake(context, sock, dialled.peer, { serverHostname }, log, signal);
    await session(conn, stdinChunks(), process.stdout, {
      peer: dialled.peer,
      datagram: transport.type === socket.SOCK_DGRAM,
      crlf: values.crlf === true,
      quit,
      endsWith: stdinEnds(),
      signal,
    });
    log.note(`closed ${dialled.peer}`);
    return 0;
  },
});

/** The positionals, when there are exactly count of them. */
function expect(positionals: string[], count: number): string[] {
  if (positionals.length < count) throw new UsageError(`missing ${['HOST', 'PORT'][positionals.length]!}`);
  if (positionals.length > count) throw new UsageError(count === 0 ? `-U takes no HOST PORT ('${positionals[0]!}')` : `too many arguments (from '${positionals[count]!}')`);
  return positionals;
}

/** The family of a source address (-s), which the connection must share with it. */
function sourceFamily(source: string | undefined, family: number): number {
  if (source === undefined) return family;
  const own = source.includes(':') ? socket.AF_INET6 : socket.AF_INET;
  if (family !== socket.AF_UNSPEC && family !== own) throw new UsageError(`-s ${source} is not an address of the family -${family === socket.AF_INET ? 4 : 6} asks for`);
  return own;
}
