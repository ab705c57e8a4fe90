// A stream socket as an async iterable: `for await (const chunk of sock)`
// reads until EOF, each chunk as one recv() returns it.
import { SOCK_STREAM } from '../core/constants.js';
import { SCRATCH_SIZE } from '../core/native.js';

/** What the iteration reads from: a Socket or an SSLSocket. */
export interface ChunkSource {
  /** The socket type: only SOCK_STREAM has an end to iterate to. */
  readonly type: number;
  /** Resolves with up to bufsize bytes; an empty Buffer at EOF. */
  recv(bufsize: number): Promise<Buffer>;
}

/**
 * The chunks of a stream socket until EOF. Each read asks for SCRATCH_SIZE
 * (64 KiB, the size of libuv's reads for Node's own sockets): the largest
 * recv that the addon reads into its scratch buffer, so a chunk costs the
 * bytes that arrived and no Buffer of the size asked. A datagram socket is
 * refused: an empty datagram is not EOF, and a loop over its data alone
 * would drop the senders' addresses (recvfrom() keeps them).
 */
export function chunks(sock: ChunkSource): AsyncGenerator<Buffer, void, undefined> {
  if (sock.type !== SOCK_STREAM) throw new TypeError('Only SOCK_STREAM sockets are async iterable (a datagram has no EOF): read datagrams with recvfrom()');
  return read(sock);
}

// Leaving the loop early ends this generator only: the socket stays open, the user's to close.
async function* read(sock: ChunkSource): AsyncGenerator<Buffer, void, undefined> {
  for (;;) {
    const chunk = await sock.recv(SCRATCH_SIZE);
    if (chunk.length === 0) return;
    yield chunk;
  }
}
