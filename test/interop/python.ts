// Helpers for the interop suites: python3's own socket module as the peer.
// A peer script starts with PRELUDE, which gives it `out(obj)` (one JSON line
// on stdout) and `enc(address)` (an address as JSON, bytes as {"hex": ...}),
// so both sides can compare addresses exactly as each sees them.
import { createHash, randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import * as socket from 'berkeley';
import { PythonPeer } from '../helpers.js';

/** How long a peer may take to start and answer (a hang guard, not a timing assertion). */
export const PEER_MS = 20_000;
/** The timeout the Sync forms run under in these suites, in seconds: every Sync wait is bounded. */
export const SYNC_TIMEOUT = 20;

/** Removes the common indentation of a template, so Python code can be written indented. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length);
  const cut = Math.min(...indents);
  return lines.map((l) => l.slice(cut)).join('\n') + '\n';
}

export const PRELUDE = dedent(`
  import hashlib, json, os, socket, sys
  def enc(a):
      if a is None or isinstance(a, str):
          return a
      if isinstance(a, bytes):
          return {"hex": a.hex()}
      return list(a)
  def out(obj):
      print(json.dumps(obj), flush=True)
  def recv_all(s):
      chunks = []
      while True:
          b = s.recv(1 << 16)
          if not b:
              return b"".join(chunks)
          chunks.append(b)
  def sha(b):
      return hashlib.sha256(b).hexdigest()
`);

/** A berkeley address in the JSON form `enc()` gives Python's. */
export function enc(address: unknown): unknown {
  if (Buffer.isBuffer(address)) return { hex: address.toString('hex') };
  return address;
}

/** A python3 peer running PRELUDE + code; killed when the test ends. */
export class Peer extends PythonPeer {
  constructor(t: TestContext, code: string, args: string[] = []) {
    super(PRELUDE + dedent(code), args);
    t.after(() => this.kill());
  }

  /** The next stdout line, parsed as JSON. */
  async json<T = unknown>(): Promise<T> {
    return JSON.parse(await this.line(PEER_MS)) as T;
  }

  /** Waits for a clean exit, showing the peer's stderr otherwise. */
  async done(): Promise<void> {
    const code = await this.exit(PEER_MS);
    if (code !== 0) throw new Error(`python peer exited with ${code}: ${this.stderr}`);
  }
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Every byte value, then some UTF-8: the exact-bytes payload. */
export function payload(): Buffer {
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  return Buffer.concat([all, Buffer.from('héllo wörld ✓ 🐍\0end', 'utf8'), randomBytes(1000)]);
}

/** Reads to EOF with the async form. */
export async function recvAll(sock: socket.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (;;) {
    const chunk = await sock.recv(1 << 16);
    if (chunk.length === 0) return Buffer.concat(chunks);
    chunks.push(chunk);
  }
}

/** Reads to EOF with the Sync form (bounded by the socket's timeout). */
export function recvAllSync(sock: socket.Socket): Buffer {
  const chunks: Buffer[] = [];
  for (;;) {
    const chunk = sock.recvSync(1 << 16);
    if (chunk.length === 0) return Buffer.concat(chunks);
    chunks.push(chunk);
  }
}

/** Reads exactly n bytes (or fewer at EOF) into one buffer with recvInto. */
export async function recvExactly(sock: socket.Socket, n: number): Promise<Buffer> {
  const buffer = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    const k = await sock.recvInto(buffer.subarray(got));
    if (k === 0) break;
    got += k;
  }
  return buffer.subarray(0, got);
}

export function recvExactlySync(sock: socket.Socket, n: number): Buffer {
  const buffer = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    const k = sock.recvIntoSync(buffer.subarray(got));
    if (k === 0) break;
    got += k;
  }
  return buffer.subarray(0, got);
}
