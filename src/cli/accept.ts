// The accept loop of listen -k, serve and recv: each connection served
// as its own task, a failing one reported without stopping the others,
// until Ctrl-C; then the connections being served end too (they wait on
// the same signal) before the loop returns.
import type * as socket from '../index.js';
import { showAddress } from './address.js';
import { describeFailure, isAbort, located } from './failure.js';
import type { Log } from './log.js';

/** The next connection, and its peer's address for messages (-v says who came). */
export async function accepted(server: socket.Socket, signal: AbortSignal, log: Log): Promise<[socket.Socket, string]> {
  const [sock, address] = await server.accept({ signal });
  const peer = showAddress(address);
  log.note(`connection from ${peer}`);
  return [sock, peer];
}

/** Serves each connection with serve() (which closes it) as it comes, until the signal; then waits for them. */
export async function acceptEach(server: socket.Socket, signal: AbortSignal, log: Log, serve: (sock: socket.Socket, peer: string) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  try {
    for (;;) {
      const [sock, peer] = await accepted(server, signal, log);
      const task = serve(sock, peer).catch((error: unknown) => {
        if (!isAbort(error)) log.warn(describeFailure(located(`serve ${peer}`, error)).line);
      });
      running.add(task);
      void task.finally(() => running.delete(task));
    }
  } finally {
    await Promise.all(running);
  }
}
