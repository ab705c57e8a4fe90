// berkeley listen: wait for a connection (or, with -k, keep accepting
// them) and wire it to stdin and stdout, or to a command (--exec).
import * as socket from '../index.js';
import type * as ssl from '../ssl.js';
import { showAddress } from './address.js';
import { command, parsePort, VERBOSE } from './args.js';
import { bindTo, bindUnix, type Bound } from './endpoint.js';
import { runCommand } from './exec.js';
import { UsageError } from './failure.js';
import { accepted, acceptEach } from './accept.js';
import { Broadcast } from './broadcast.js';
import type { Log } from './log.js';
import { session, stdinChunks, stdinEnds, type Connection, type SessionOptions } from './pump.js';
import { handshake, serverContext, SERVER_TLS_FLAGS } from './tls.js';
import { quitOf, SESSION_FLAGS, TRANSPORT_FLAGS, transportOf, type Transport } from './transport.js';

/** `berkeley listen`. */
export const listen = command({
  name: 'listen',
  usage: ['[options] [HOST] PORT', '[options] -U PATH'],
  summary: 'wait for connections: each to stdin and stdout, or to a command (nc -l)',
  description: [
    'Listens on PORT (on every address, or on HOST only) and wires the first',
    'connection to stdin and stdout; ends when that connection does. With -k it',
    "keeps accepting: every client's data goes to stdout, stdin goes to every client.",
    "With --exec, each connection gets its own CMD (run by sh), with the connection",
    "as CMD's stdin and stdout. Over UDP, the first datagram's sender is the peer",
    '(with -k, answers go to the latest sender). Port 0 picks a free port (-v says which).',
  ].join('\n'),
  flags: {
    ...TRANSPORT_FLAGS,
    keep: { short: 'k', help: 'keep accepting connections (by default: one, then exit)' },
    exec: { short: 'e', value: 'CMD', help: "run CMD for each connection, wired to it (CMD's stderr stays ours)" },
    ...SESSION_FLAGS,
    ...SERVER_TLS_FLAGS,
    ...VERBOSE,
  },
  positionals: [0, 2],
  operands: ['PORT'],
  examples: [
    'berkeley listen 8080 > received.bin              # one connection, saved',
    'berkeley listen -k -v 127.0.0.1 7000             # a chat hub for every client',
    "berkeley listen -k --exec 'tr a-z A-Z' 9000      # an upper-casing server",
    'berkeley listen --tls --cert c.pem --key k.pem 8443',
    'berkeley listen -u 5353                          # the first sender is the peer',
  ],
  async run({ values, positionals, signal, log }) {
    const transport = transportOf(values);
    const context = serverContext(values);
    if (context !== null && transport.type !== socket.SOCK_STREAM) throw new UsageError('--tls is for streams: not with -u');
    const options: SessionOptions = {
      peer: '',
      datagram: transport.type === socket.SOCK_DGRAM,
      crlf: values.crlf === true,
      quit: quitOf(values),
      endsWith: values.exec === undefined ? stdinEnds() : 'input',
      signal,
    };
    if (options.datagram && values.keep && values.exec !== undefined) throw new UsageError('--exec with -u takes one peer: not with -k');
    using place = await bindOf(transport, positionals, signal);
    log.note(`listening on ${place.name} (${transport.label})`);
    const serving: Serving = { context, exec: values.exec, options, log };
    if (options.datagram) await datagrams(place.sock, values.keep === true, serving);
    else if (values.keep) {
      const broadcast = values.exec === undefined ? new Broadcast(stdinChunks(), options.crlf, signal) : undefined;
      await acceptEach(place.sock, signal, log, (sock, peer) => serveOne(sock, peer, serving, broadcast));
    } else await serveOne(...(await accepted(place.sock, signal, log)), serving);
    return 0;
  },
});

/** The bound socket for the positionals ([HOST] PORT, or none with -U). */
async function bindOf(transport: Transport, positionals: string[], signal: AbortSignal): Promise<Bound> {
  if (transport.unix !== undefined) {
    if (positionals.length > 0) throw new UsageError(`-U takes no HOST PORT ('${positionals[0]!}')`);
    return bindUnix(transport.unix, transport.type);
  }
  if (positionals.length === 0) throw new UsageError('missing PORT');
  const [host, port] = positionals.length === 2 ? positionals : [undefined, positionals[0]!];
  return bindTo(host, parsePort(port!), transport.type, transport.family, signal);
}

/** What serving a connection takes. */
interface Serving {
  context: ssl.SSLContext | null;
  exec: string | undefined;
  options: SessionOptions;
  log: Log;
}

/** One connection: TLS if asked, then stdin and stdout or the command, until it ends. */
async function serveOne(sock: socket.Socket, peer: string, serving: Serving, broadcast?: Broadcast): Promise<void> {
  using _sock = sock;
  const { context, exec, log } = serving;
  const options = { ...serving.options, peer };
  using conn = context === null ? sock : await handshake(context, sock, peer, { serverSide: true }, log, options.signal);
  if (exec !== undefined) await runCommand(exec, conn, options, log);
  else if (broadcast !== undefined) await broadcast.serve(conn, options);
  else await session(conn, stdinChunks(), process.stdout, options);
  log.note(`closed ${peer}`);
}

/**
 * UDP (or a Unix datagram socket): the first datagram's sender becomes the
 * peer (the socket is connected to it, and what others sent before that is
 * dropped; the first datagram, only peeked at, is the session's first);
 * with -k every sender is heard and answers go to the latest (none to a
 * sender without an address).
 */
async function datagrams(sock: socket.Socket, keep: boolean, serving: Serving): Promise<void> {
  const { signal } = serving.options;
  const [, sender] = await sock.recvfrom(1, socket.MSG_PEEK, { signal });
  const peer = keep ? 'the latest sender' : showAddress(sender);
  serving.log.note(`datagram from ${showAddress(sender)}`);
  const single = !keep && sender !== null;
  if (single) await sock.connect(sender, { signal });
  let latest = sender;
  const conn: Connection = {
    async recvInto(buffer, nbytes, flags, options) {
      for (;;) {
        const [n, from] = await sock.recvfromInto(buffer, nbytes, flags, options);
        if (showAddress(from) === showAddress(latest)) return n;
        if (single) continue; // queued before the connect, from another sender
        serving.log.note(`datagram from ${showAddress(from)}`);
        latest = from;
        return n;
      }
    },
    async sendall(data, flags, options) {
      if (latest === null) serving.log.warn('berkeley listen: no sender to answer yet: input dropped');
      else await sock.sendto(data, flags ?? 0, latest, options);
    },
    shutdown() {},
  };
  const options = { ...serving.options, peer };
  if (serving.exec === undefined) await session(conn, stdinChunks(), process.stdout, options);
  else await runCommand(serving.exec, conn, options, serving.log);
}
