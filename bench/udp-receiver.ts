// The receiving socket of bench/udp-peer.ts and bench/udp-batch-ns.ts.
import * as socket from 'berkeley';

/** A UDP socket on 127.0.0.1 with a queue of `bytes`: SO_RCVBUFFORCE where allowed (CAP_NET_ADMIN), else SO_RCVBUF within rmem_max. */
export function receiver(bytes: number): socket.Socket<typeof socket.AF_INET, typeof socket.SOCK_DGRAM> {
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUFFORCE!, bytes);
  } catch {
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, bytes);
  }
  s.bind(['127.0.0.1', 0]);
  return s;
}
