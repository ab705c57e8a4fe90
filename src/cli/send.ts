// berkeley send: one file to `berkeley recv` over TCP, with sendfile(2)
// (zero-copy), a progress bar, and the receiver's SHA-256 check.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as socket from '../index.js';
import { command, familyOf, parsePort, parseSeconds, VERBOSE } from './args.js';
import { dial } from './endpoint.js';
import { at, failed } from './failure.js';
import { Progress } from './progress.js';
import { ANSWER, DIGEST_BYTES, encodeHeader } from './transfer.js';

/** Bytes per sendfile call: how often the progress moves. */
const CHUNK = 4 * 1024 * 1024;

/** `berkeley send`. */
export const send = command({
  name: 'send',
  usage: ['[options] HOST PORT FILE'],
  summary: 'send a file to `berkeley recv`, with its SHA-256 checked there',
  description: [
    'Sends FILE (its name, size and bytes, then their SHA-256) to `berkeley recv`',
    'on HOST PORT with sendfile(2), showing the progress on stderr, and succeeds',
    "once the receiver has checked the SHA-256. See 'berkeley recv --help'.",
  ].join('\n'),
  flags: {
    ipv4: { short: '4', help: 'IPv4 only' },
    ipv6: { short: '6', help: 'IPv6 only' },
    wait: { short: 'w', value: 'SECONDS', help: 'give up a connect, or a transfer that makes no progress, after SECONDS' },
    ...VERBOSE,
  },
  positionals: [3, 3],
  operands: ['HOST', 'PORT', 'FILE'],
  examples: ['berkeley send backup.example 9000 disk.img', 'berkeley send -6 ::1 9000 notes.txt', 'berkeley send -w 30 10.0.0.2 9000 logs.tar   # fail after 30 s without progress'],
  async run({ values, positionals: [host, portText, path], signal, log }) {
    const port = parsePort(portText!);
    const timeout = values.wait === undefined ? undefined : parseSeconds(values.wait, '-w');
    await using file = await at(`open ${path!}`, open(path!));
    const stat = await file.stat();
    if (!stat.isFile()) throw failed(`send ${path!}`, 'not a regular file');
    const { sock, peer } = await dial(host!, port, { type: socket.SOCK_STREAM, family: familyOf(values), timeout, signal });
    using _sock = sock;
    log.note(`connected to ${peer}`);
    const name = basename(path!);
    const progress = new Progress('sent', name, stat.size);
    // The SHA-256 is read from the file beside the zero-copy send.
    const hash = createHash('sha256');
    const hashing = pipeline(createReadStream(path!, { signal }), hash);
    await at(`send ${peer}`, sock.sendall(encodeHeader(name, stat.size), 0, { signal }));
    for (let offset = 0; offset < stat.size; ) {
      const count = Math.min(CHUNK, stat.size - offset);
      const sent = await at(`sendfile ${peer}`, sock.sendfile(file, offset, count, { signal }));
      if (sent < count) throw failed(`send ${path!}`, 'the file shrank while being sent');
      offset += sent;
      progress.update(offset);
    }
    await hashing;
    await at(`send ${peer}`, sock.sendall(hash.digest().subarray(0, DIGEST_BYTES), 0, { signal }));
    sock.shutdown(socket.SHUT_WR);
    const answer = (await at(`recv ${peer}`, sock.recv(256, socket.MSG_WAITALL, { signal }))).toString();
    if (answer !== ANSWER.ok) {
      progress.end(stat.size, 'SHA-256 refused');
      throw failed(`send ${name} to ${peer}`, answer === ANSWER.mismatch ? 'the receiver found another SHA-256' : `the receiver answered ${JSON.stringify(answer)}`);
    }
    progress.end(stat.size, 'SHA-256 checked by the receiver');
    return 0;
  },
});
