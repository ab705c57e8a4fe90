// Python's io.BytesIO, as much as DatagramRequestHandler's rfile and wfile
// need: reads of a packet and writes collected for the reply. Each read and
// write also has the …Sync name SocketFile uses, so handler code reads alike.

/** An in-memory file of bytes: reads from the start, writes appended at the end. */
export class BytesIO {
  #chunks: Buffer[] = [];
  #data: Buffer;
  #position = 0;
  /** Set by close() (nothing else checks it: as a flag for handler code). */
  closed = false;

  /** A file holding a copy of initial, read from its start. */
  constructor(initial: Uint8Array = Buffer.alloc(0)) {
    this.#data = Buffer.from(initial);
  }

  /** Up to size bytes (all that is left when -1). */
  readSync(size = -1): Buffer {
    this.#collect();
    const end = size < 0 ? this.#data.length : Math.min(this.#data.length, this.#position + size);
    const out = this.#data.subarray(this.#position, end);
    this.#position = end;
    return Buffer.from(out);
  }

  /** The next line, with its newline (up to limit bytes when limit >= 0). */
  readlineSync(limit = -1): Buffer {
    this.#collect();
    const newline = this.#data.indexOf(10, this.#position);
    let end = newline < 0 ? this.#data.length : newline + 1;
    if (limit >= 0) end = Math.min(end, this.#position + limit);
    const out = this.#data.subarray(this.#position, end);
    this.#position = end;
    return Buffer.from(out);
  }

  /** Appends data (a string as UTF-8); returns the count of bytes written. */
  writeSync(data: string | Uint8Array): number {
    const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
    this.#chunks.push(bytes);
    return bytes.length;
  }

  /** readSync(), as a resolved Promise. */
  read(size = -1): Promise<Buffer> {
    return Promise.resolve(this.readSync(size));
  }

  /** readlineSync(), as a resolved Promise. */
  readline(limit = -1): Promise<Buffer> {
    return Promise.resolve(this.readlineSync(limit));
  }

  /** writeSync(), as a resolved Promise. */
  write(data: string | Uint8Array): Promise<number> {
    return Promise.resolve(this.writeSync(data));
  }

  /** Everything written and given so far. */
  getvalue(): Buffer {
    this.#collect();
    return this.#data;
  }

  /** Marks the file closed. */
  close(): void {
    this.closed = true;
  }

  #collect(): void {
    if (this.#chunks.length === 0) return;
    this.#data = Buffer.concat([this.#data, ...this.#chunks]);
    this.#chunks = [];
  }
}
