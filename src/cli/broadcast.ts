// listen -k without --exec: every client's data goes to stdout, and stdin
// goes to every client connected (as a chat hub does). stdin is read as
// fast as the slowest client takes it; a client that fails is dropped.
import * as socket from '../index.js';
import { receive, wire, type Connection, type SessionOptions } from './pump.js';

/** stdin shared by the clients of listen -k. */
export class Broadcast {
  readonly #clients = new Set<Connection>();
  #ended = false;

  /** Starts reading input (stdin) for the clients to come. */
  constructor(input: AsyncIterable<Buffer>, crlf: boolean, signal: AbortSignal) {
    void this.#pump(input, crlf, signal).catch(() => undefined);
  }

  async #pump(input: AsyncIterable<Buffer>, crlf: boolean, signal: AbortSignal): Promise<void> {
    for await (const chunk of input) {
      const data = wire(chunk, crlf);
      await Promise.all([...this.#clients].map((client) => client.sendall(data, 0, { signal }).catch(() => this.#clients.delete(client))));
    }
    // stdin's end: each client reads EOF, as a single connection's peer does.
    this.#ended = true;
    await Promise.all([...this.#clients].map((client) => end(client)));
  }

  /** Serves one client until it closes: its data to stdout, and stdin from now on to it. */
  async serve(conn: Connection, options: SessionOptions): Promise<void> {
    if (this.#ended) await end(conn);
    else this.#clients.add(conn);
    try {
      await receive(conn, process.stdout, options.signal, options);
    } finally {
      this.#clients.delete(conn);
    }
  }
}

/** Shuts the client's sending side; one already gone is no matter. */
async function end(client: Connection): Promise<void> {
  try {
    await client.shutdown(socket.SHUT_WR);
  } catch {
    // It closed first.
  }
}
