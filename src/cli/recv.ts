// berkeley recv: one file from `berkeley send`, written under a temporary
// name and renamed into place only once its SHA-256 matches.
import { createHash } from 'node:crypto';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import * as socket from '../index.js';
import { accepted } from './accept.js';
import { command, familyOf, parsePort, parseSeconds, VERBOSE } from './args.js';
import { bindTo } from './endpoint.js';
import { at, failed } from './failure.js';
import { Progress } from './progress.js';
import { deliver } from './pump.js';
import { ANSWER, DIGEST_BYTES, readHeader, recvExactly } from './transfer.js';

/** Bytes per receive (and per write to the file). */
const BUFSIZE = 1024 * 1024;

/** `berkeley recv`. */
export const recv = command({
  name: 'recv',
  usage: ['[options] PORT [FILE]'],
  summary: 'receive one file from `berkeley send` and check its SHA-256',
  description: [
    'Waits on PORT for `berkeley send`, then writes the file it sends to FILE (by',
    "default: the sender's file name, in this directory, which must not exist yet),",
    'showing the progress on stderr. The file appears under its name only once its',
    'SHA-256 matches the sender\'s; a mismatch leaves nothing and exits with status 1.',
    'FILE - writes the data to stdout as it comes; there a mismatch can only be told',
    'afterwards, by status 1.',
  ].join('\n'),
  flags: {
    bind: { short: 'b', value: 'ADDR', help: 'listen on ADDR only (default: every address)' },
    ipv4: { short: '4', help: 'IPv4 only' },
    ipv6: { short: '6', help: 'IPv6 only' },
    wait: { short: 'w', value: 'SECONDS', help: 'give up a transfer whose receive waits over SECONDS' },
    ...VERBOSE,
  },
  positionals: [1, 2],
  operands: ['PORT', 'FILE'],
  examples: [
    'berkeley recv 9000                  # keeps the sender\'s file name',
    'berkeley recv -b 127.0.0.1 9000 copy.img',
    'berkeley recv -w 30 9000 - | tar x  # to stdout; fail after 30 s without data',
  ],
  async run({ values, positionals, signal, log }) {
    const port = parsePort(positionals[0]!);
    const path = positionals.at(1);
    const timeout = values.wait === undefined ? undefined : parseSeconds(values.wait, '-w');
    let sock: socket.Socket, peer: string;
    {
      using place = await bindTo(values.bind, port, socket.SOCK_STREAM, familyOf(values), signal);
      log.note(`listening on ${place.name} (tcp)`);
      [sock, peer] = await accepted(place.sock, signal, log);
    }
    using _sock = sock;
    if (timeout !== undefined) sock.settimeout(timeout);
    const { name, size } = await readHeader(sock, peer, signal);
    const target = path ?? (await ownName(name, peer));
    log.note(`receiving ${name} (${size} bytes) into ${target === '-' ? 'stdout' : target}`);
    if (target === '-') {
      await receiveInto(stdoutSink(), { sock, peer, name, shown: name, size, signal }, 'what stdout got is not what was sent');
      return 0;
    }
    const partial = `${target}.part`;
    try {
      {
        await using file = await at(`open ${partial}`, open(partial, 'w'));
        await receiveInto(fileSink(file, partial), { sock, peer, name, shown: target, size, signal }, 'the file is not kept');
      }
      await at(`rename ${partial}`, rename(partial, target));
    } finally {
      await rm(partial, { force: true });
    }
    return 0;
  },
});

/** Where the data goes: write(data) resolves once data may be reused. */
type Sink = (data: Buffer) => Promise<unknown>;

function fileSink(file: FileHandle, path: string): Sink {
  return (data) => at(`write ${path}`, file.write(data));
}

function stdoutSink(): Sink {
  return async (data) => {
    if (!(await deliver(process.stdout, data))) throw failed('write stdout', 'the output is gone (EPIPE: its reader left)');
  };
}

/** What a transfer is: from whom, the sender's file name, the name shown in the progress, its size. */
interface Transfer {
  sock: socket.Socket;
  peer: string;
  name: string;
  shown: string;
  size: number;
  signal: AbortSignal;
}

/** The transfer after the header: size bytes into sink, the SHA-256 checked and answered; a mismatch fails saying `lost`. */
async function receiveInto(sink: Sink, { sock, peer, name, shown, size, signal }: Transfer, lost: string): Promise<void> {
  const hash = createHash('sha256');
  const progress = new Progress('received', shown, size);
  const buffer = Buffer.allocUnsafe(BUFSIZE);
  for (let done = 0; done < size; ) {
    const n = await at(`recv ${peer}`, sock.recvInto(buffer, Math.min(BUFSIZE, size - done), 0, { signal }));
    if (n === 0) throw failed(`recv ${peer}`, `the connection closed after ${done} of ${size} bytes`);
    hash.update(buffer.subarray(0, n));
    await sink(buffer.subarray(0, n));
    done += n;
    progress.update(done);
  }
  const digest = await recvExactly(sock, DIGEST_BYTES, peer, signal, 'the connection closed before the SHA-256 came');
  const match = digest.equals(hash.digest());
  await at(`send ${peer}`, sock.sendall(match ? ANSWER.ok : ANSWER.mismatch, 0, { signal }));
  progress.end(size, match ? 'SHA-256 ok' : 'SHA-256 mismatch');
  if (!match) throw failed(`recv ${name} from ${peer}`, `SHA-256 mismatch: ${lost}`);
}

/** The sender's file name, to be written here: a plain name that does not exist yet. */
async function ownName(name: string, peer: string): Promise<string> {
  const own = basename(name);
  if (own !== name || own === '' || own === '.' || own === '..' || own.includes('\0')) throw failed(`recv ${peer}`, `the sender's file name ${JSON.stringify(name)} is not a plain name: give FILE`);
  const exists = await stat(own).then(
    () => true,
    () => false,
  );
  if (exists) throw failed(`recv ${peer}`, `${own} exists: give FILE to overwrite it, or remove it`);
  return own;
}
