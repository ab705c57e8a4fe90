// The data path of connect and listen: a connection's bytes to an output
// (stdout, or an --exec command's stdin) and an input's bytes (stdin, or
// the command's stdout) to the connection, binary-safe and with
// backpressure both ways: the socket is read only as fast as the output
// takes the data (a full pipe is waited on, never buffered without bound),
// and the input only as fast as the socket sends it.
import type { Writable } from 'node:stream';
import * as socket from '../index.js';
import { at, isAbort, located } from './failure.js';

/** What a session needs of a connection: a Socket and an SSLSocket both have it. */
export interface Connection {
  recvInto(buffer: Uint8Array, nbytes?: number, flags?: number, options?: socket.WaitOptions): Promise<number>;
  sendall(data: Uint8Array, flags?: number, options?: socket.WaitOptions): Promise<void>;
  shutdown(how: number): void | Promise<void>;
}

/** How a session runs. */
export interface SessionOptions {
  /** The peer, as messages name it. */
  peer: string;
  /** UDP (or a Unix datagram socket): each input chunk is a datagram, an empty datagram is no end. */
  datagram: boolean;
  /** Send each LF of the input as CRLF (--crlf). */
  crlf: boolean;
  /** Seconds to go on receiving after the input's end (-q); forever if undefined. */
  quit: number | undefined;
  /**
   * 'both': the session ends once the peer has closed and the input has
   * been sent (a peer's shutdown of its side is no reason to stop sending);
   * 'peer': once the peer closes (stdin is a terminal: a person, who has
   * nothing more to say to a peer gone); 'input': once the input ends
   * (--exec: the peer's end closes the command's stdin, and the session
   * lasts until the command's output ends).
   */
  endsWith: 'both' | 'peer' | 'input';
  /** Ctrl-C. */
  signal: AbortSignal;
}

/** The size of each receive (into one of two buffers, each reused once the output has taken it). */
const BUFSIZE = 128 * 1024;

/** Copies between conn and the input and output until the session ends (see SessionOptions.endsWith). */
export async function session(conn: Connection, input: AsyncIterable<Buffer>, output: Writable, options: SessionOptions): Promise<void> {
  const stop = new AbortController();
  const signal = AbortSignal.any([options.signal, stop.signal]);
  let quitTimer: NodeJS.Timeout | undefined;
  const received = receive(conn, output, signal, options);
  const sent = (async () => {
    await send(conn, input, signal, options);
    if (!options.datagram) await at(`shutdown ${options.peer}`, Promise.resolve(conn.shutdown(socket.SHUT_WR)));
    // -q: the input has ended; the peer gets that long to answer.
    if (options.quit !== undefined) quitTimer = setTimeout(() => stop.abort(), options.quit * 1000);
  })();
  try {
    // Either side failing ends the session too.
    await Promise.race([ending(options.endsWith, received, sent, output), Promise.all([received, sent])]);
  } catch (error) {
    // Ended by -q's timer: the session is over, not failed.
    if (!(stop.signal.aborted && !options.signal.aborted && isAbort(error))) throw error;
  } finally {
    clearTimeout(quitTimer);
    stop.abort();
    // The side still running ends with the abort: its outcome no longer matters.
    received.catch(() => undefined);
    sent.catch(() => undefined);
  }
}

/** What settles a session of this kind, given how receiving ended and the sending side. */
function ending(endsWith: SessionOptions['endsWith'], received: Promise<ReceiveEnd>, sent: Promise<void>, output: Writable): Promise<unknown> {
  switch (endsWith) {
    case 'peer':
      return received;
    case 'both':
      return received.then((end) => (end === 'eof' ? sent : undefined));
    case 'input':
      return Promise.race([
        sent,
        received.then((end) => {
          output.end();
          return end === 'idle' ? undefined : sent;
        }),
      ]);
  }
}

/** Why receiving ended: the peer closed, the connection was idle for its timeout (-w), or the output is gone (EPIPE). */
export type ReceiveEnd = 'eof' | 'idle' | 'gone';

/**
 * The connection's data to output, until the peer closes (a stream), the
 * connection is idle for its timeout, or the output is gone. Two buffers
 * take turns: one is received into while the output takes the other, so at
 * most two chunks are ever held, whatever the output's speed.
 */
export async function receive(conn: Connection, output: Writable, signal: AbortSignal, options: SessionOptions): Promise<ReceiveEnd> {
  const buffers = [Buffer.allocUnsafe(BUFSIZE), Buffer.allocUnsafe(BUFSIZE)];
  const taken = [Promise.resolve(true), Promise.resolve(true)];
  for (let k = 0; ; k ^= 1) {
    if (!(await taken[k]!)) return 'gone';
    let n: number;
    try {
      n = await conn.recvInto(buffers[k]!, BUFSIZE, 0, { signal });
    } catch (error) {
      if (error instanceof socket.TimeoutError) return 'idle';
      throw located(`recv ${options.peer}`, error);
    }
    if (n === 0 && !options.datagram) return 'eof';
    taken[k] = deliver(output, buffers[k]!.subarray(0, n));
  }
}

const quieted = new WeakSet<Writable>();
/** An output's errors (EPIPE) are seen by the writes' callbacks: one listener per output, however many sessions write to it. */
function quiet(output: Writable): void {
  if (quieted.has(output)) return;
  quieted.add(output);
  output.on('error', () => undefined);
}

/** Writes data; resolves once the output has taken it (true), or false if the output is gone (EPIPE: its reader left). */
export function deliver(output: Writable, data: Buffer): Promise<boolean> {
  quiet(output);
  if (output.destroyed || output.writableEnded) return Promise.resolve(false);
  if (data.length === 0) return Promise.resolve(true);
  return new Promise((resolve) => output.write(data, (error) => resolve(error === null || error === undefined)));
}

/** Each chunk of input to the connection (LF as CRLF with --crlf), until the input ends. */
async function send(conn: Connection, input: AsyncIterable<Buffer>, signal: AbortSignal, options: SessionOptions): Promise<void> {
  for await (const chunk of input) {
    signal.throwIfAborted();
    await at(`send ${options.peer}`, conn.sendall(wire(chunk, options.crlf), 0, { signal }));
  }
}

/** A chunk of input as sent: each LF as CRLF with --crlf (bytes kept as they are, whatever they encode). */
export function wire(chunk: Buffer, crlf: boolean): Buffer {
  return crlf ? Buffer.from(chunk.toString('latin1').replaceAll('\n', '\r\n'), 'latin1') : chunk;
}

/** This process's stdin as chunks of bytes (a terminal gives a line at a time). */
export function stdinChunks(): AsyncIterable<Buffer> {
  return process.stdin;
}

/** How a session over stdin and stdout ends: with the peer for a terminal, else once both sides are done. */
export function stdinEnds(): 'peer' | 'both' {
  return process.stdin.isTTY ? 'peer' : 'both';
}
