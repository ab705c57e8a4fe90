// The wire format of send and recv: one file over a TCP connection.
//
//   "BKF1"             4 bytes, the format and its version
//   name length        2 bytes, big-endian
//   name               the file's base name, UTF-8
//   size               8 bytes, big-endian
//   data               size bytes (sent with sendfile)
//   SHA-256            32 bytes, of the data
//
// then the receiver answers one line: `ok` when the SHA-256 of what it
// received matches, `checksum mismatch` when not; and each side closes.
import * as socket from '../index.js';
import { at, failed } from './failure.js';

const MAGIC = Buffer.from('BKF1');
/** The answers of the receiver. */
export const ANSWER = { ok: 'ok\n', mismatch: 'checksum mismatch\n' } as const;
/** The digest's length. */
export const DIGEST_BYTES = 32;

/** The header before the data. */
export function encodeHeader(name: string, size: number): Buffer {
  const bytes = Buffer.from(name);
  const header = Buffer.alloc(4 + 2 + bytes.length + 8);
  MAGIC.copy(header, 0);
  header.writeUInt16BE(bytes.length, 4);
  bytes.copy(header, 6);
  header.writeBigUInt64BE(BigInt(size), 6 + bytes.length);
  return header;
}

/** Receives exactly n bytes (MSG_WAITALL) from peer; an early end fails, saying `early`. */
export async function recvExactly(sock: socket.Socket, n: number, peer: string, signal: AbortSignal, early: string): Promise<Buffer> {
  const data = n === 0 ? Buffer.alloc(0) : await at(`recv ${peer}`, sock.recv(n, socket.MSG_WAITALL, { signal }));
  if (data.length < n) throw failed(`recv ${peer}`, early);
  return data;
}

/** Reads the header: the sender's file name and the data's size. */
export async function readHeader(sock: socket.Socket, peer: string, signal: AbortSignal): Promise<{ name: string; size: number }> {
  const start = await recvExactly(sock, 6, peer, signal, 'the connection closed before a header came');
  if (!start.subarray(0, 4).equals(MAGIC)) throw failed(`recv ${peer}`, 'no BKF1 header: the peer is not berkeley send');
  const name = (await recvExactly(sock, start.readUInt16BE(4), peer, signal, 'the header ends early')).toString();
  const size = (await recvExactly(sock, 8, peer, signal, 'the header ends early')).readBigUInt64BE(0);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw failed(`recv ${peer}`, `the announced size ${size} is too large`);
  return { name, size: Number(size) };
}
