// The classic Internet services, each over TCP and UDP: echo (RFC 862),
// discard (RFC 863), daytime (RFC 867), chargen (RFC 864), time (RFC 868).
import * as socket from '../index.js';

/** A service: its well-known port, how it serves a connection, and its answer to a datagram (null: none). */
export interface Service {
  port: number;
  rfc: number;
  summary: string;
  stream(conn: socket.Socket, signal: AbortSignal): Promise<void>;
  datagram(packet: Buffer): Buffer | null;
}

/** 72 characters a line, CRLF, each line starting one further along the 95 printable ASCII characters (RFC 864's pattern): one whole cycle. */
const CHARGEN = (() => {
  const printable = Buffer.from(Array.from({ length: 95 }, (_, k) => 32 + k));
  const twice = Buffer.concat([printable, printable]);
  return Buffer.concat(Array.from({ length: 95 }, (_, line) => Buffer.concat([twice.subarray(line, line + 72), Buffer.from('\r\n')])));
})();

/** Seconds from 1900-01-01 00:00 UTC (RFC 868's epoch) to 1970's. */
const SECONDS_1900_TO_1970 = 2208988800;

/** The time now as RFC 868 sends it: seconds since 1900, 32 bits, network order. */
function rfc868Time(now = Date.now()): Buffer {
  const time = Buffer.alloc(4);
  time.writeUInt32BE((Math.floor(now / 1000) + SECONDS_1900_TO_1970) % 2 ** 32);
  return time;
}

/** The date and time as a line of text (RFC 867 leaves its syntax free). */
function daytime(): Buffer {
  return Buffer.from(`${new Date().toUTCString()}\r\n`);
}

/** Reads until the peer closes, each piece given to each. */
async function drain(conn: socket.Socket, signal: AbortSignal, each: (data: Buffer) => Promise<void>): Promise<void> {
  for (let data = await conn.recv(65536, 0, { signal }); data.length > 0; data = await conn.recv(65536, 0, { signal })) await each(data);
}

/** Sends data, then closes the sending side (the client reads EOF). */
async function answer(conn: socket.Socket, data: Buffer, signal: AbortSignal): Promise<void> {
  await conn.sendall(data, 0, { signal });
  conn.shutdown(socket.SHUT_WR);
}

/** The services by name. */
export const SERVICES: Record<string, Service> = {
  echo: {
    port: 7,
    rfc: 862,
    summary: 'sends back what it receives',
    stream: (conn, signal) => drain(conn, signal, (data) => conn.sendall(data, 0, { signal })),
    datagram: (packet) => packet,
  },
  discard: {
    port: 9,
    rfc: 863,
    summary: 'throws away what it receives',
    stream: (conn, signal) => drain(conn, signal, () => Promise.resolve()),
    datagram: () => null,
  },
  daytime: {
    port: 13,
    rfc: 867,
    summary: 'the date and time as a line of text',
    stream: (conn, signal) => answer(conn, daytime(), signal),
    datagram: () => daytime(),
  },
  chargen: {
    port: 19,
    rfc: 864,
    summary: 'lines of characters until the client closes (a datagram: 0 to 512 of them)',
    async stream(conn, signal) {
      // What the client sends is thrown away; it ends by closing (a send then fails: EPIPE or ECONNRESET).
      void drain(conn, signal, () => Promise.resolve()).catch(() => undefined);
      try {
        for (;;) await conn.sendall(CHARGEN, 0, { signal });
      } catch (error) {
        if (!(error instanceof socket.ConnectionError)) throw error;
      }
    },
    datagram: () => CHARGEN.subarray(0, Math.floor(Math.random() * 513)),
  },
  time: {
    port: 37,
    rfc: 868,
    summary: 'the time as 32 bits: seconds since 1900',
    stream: (conn, signal) => answer(conn, rfc868Time(), signal),
    datagram: () => rfc868Time(),
  },
};
