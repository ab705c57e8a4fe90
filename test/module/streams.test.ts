// toDuplex() and toWebStreams(): data both ways, half-close, destroy/cancel
// closing the socket, errors carrying the SocketError, and backpressure: a
// 1 GiB pipeline to a slow consumer with the process's memory measured.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WritableStream } from 'node:stream/web';
import * as socket from 'berkeley';
import { bounded, PythonPeer, recvExactly, tcpPair } from '../support/index.js';

/** Everything a Readable yields, joined. */
async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Sets SO_LINGER {on, 0}: close() then resets the connection. */
function resetOnClose(s: socket.Socket): void {
  s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
}

/**
 * A Readable of `total` bytes, `block` over and over, each chunk a fresh
 * copy: chunks held anywhere (no backpressure) would show in arrayBuffers.
 */
function repeated(block: Buffer, total: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      const n = Math.min(block.length, total - sent);
      sent += n;
      this.push(n === 0 ? null : Buffer.from(block.subarray(0, n)));
    },
  });
}

/**
 * A slow consumer checking that byte i equals block[i % block.length]; each
 * write completes only on a later turn of the event loop. Samples the
 * process's memory as it goes.
 */
class Checker extends Writable {
  received = 0;
  peakRss = 0;
  peakArrayBuffers = 0;
  #writes = 0;

  constructor(readonly block: Buffer) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error) => void): void {
    for (let at = 0; at < chunk.length; ) {
      const offset = (this.received + at) % this.block.length;
      const n = Math.min(chunk.length - at, this.block.length - offset);
      if (!chunk.subarray(at, at + n).equals(this.block.subarray(offset, offset + n))) {
        return callback(new Error(`wrong bytes at ${this.received + at}`));
      }
      at += n;
    }
    this.received += chunk.length;
    if (++this.#writes % 64 === 0) this.sample();
    setImmediate(callback);
  }

  sample(): void {
    const { rss, arrayBuffers } = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, rss);
    this.peakArrayBuffers = Math.max(this.peakArrayBuffers, arrayBuffers);
  }
}

const MiB = 1 << 20;

describe('toDuplex', () => {
  test('echo through a python3 peer with stream.pipeline; end() half-closes', async (t) => {
    using server = socket.createServer(['127.0.0.1', 0]);
    const peer = new PythonPeer(`
import socket, sys
with socket.create_connection(('127.0.0.1', int(sys.argv[1]))) as s:
    while True:
        b = s.recv(65536)
        if not b:
            break
        s.sendall(b)
    s.sendall(b'after EOF')
`, [String((server.getsockname() as [string, number])[1])]);
    t.after(() => peer.kill());
    const [conn] = await bounded(server.accept(), 20_000);
    const duplex = conn.toDuplex();
    const data = randomBytes(8 * MiB);
    const echoed = collect(duplex);
    // pipeline ends the duplex: shutdown(SHUT_WR), and the peer then still answers.
    await bounded(pipeline(Readable.from([data.subarray(0, MiB), data.subarray(MiB)]), duplex), 20_000);
    assert.deepEqual(await bounded(echoed, 20_000), Buffer.concat([data, Buffer.from('after EOF')]));
    assert.equal(await peer.exit(20_000), 0, peer.stderr);
    if (!duplex.closed) await bounded(once(duplex, 'close')); // both sides done: the socket is closed
    assert.equal(conn.fileno(), -1);
  });

  test('write backpressure: write() returns false and the callback waits until the kernel took the bytes', async () => {
    const [a, b] = socket.socketpair();
    using _b = b;
    const duplex = a.toDuplex({ writableHighWaterMark: 1024 });
    const big = Buffer.alloc(4 * MiB, 'z');
    let done = false;
    const written = new Promise<void>((resolve, reject) => duplex.write(big, (error) => (error ? reject(error) : resolve())));
    void written.then(() => (done = true));
    assert.equal(duplex.writableNeedDrain, true);
    // Nothing reads b yet: the kernel cannot hold 4 MiB, so the write is still pending.
    assert.equal((await bounded(b.recv(1))).toString(), 'z');
    assert.equal(done, false);
    const drained = once(duplex, 'drain');
    assert.deepEqual(await recvExactly(b, big.length - 1), big.subarray(1));
    await bounded(written);
    await bounded(drained);
    duplex.destroy();
  });

  test('destroy() closes the socket; the peer reads EOF', async () => {
    const [a, b] = socket.socketpair();
    using _b = b;
    const duplex = a.toDuplex();
    duplex.resume(); // a receive is pending when it is destroyed
    duplex.destroy();
    if (!duplex.closed) await bounded(once(duplex, 'close'));
    assert.equal(a.closed, true);
    assert.equal((await bounded(b.recv(1))).length, 0);
  });

  test('an OS error destroys the stream with its SocketError', async () => {
    const [a, b] = await tcpPair();
    const duplex = a.toDuplex();
    duplex.resume();
    resetOnClose(b);
    b.close();
    const [error] = (await bounded(once(duplex, 'error').catch((e: unknown) => [e]))) as [unknown];
    assert.ok(error instanceof socket.ConnectionResetError, String(error));
    assert.equal(error.code, 'ECONNRESET');
    assert.equal(a.fileno(), -1);
  });

  test('the socket\'s timeout applies to the stream\'s reads', async () => {
    const [a, b] = socket.socketpair();
    using _b = b;
    a.settimeout(0.05);
    const duplex = a.toDuplex();
    duplex.resume();
    const [error] = (await bounded(once(duplex, 'error').catch((e: unknown) => [e]))) as [unknown];
    assert.ok(error instanceof socket.TimeoutError);
  });

  test('1 GiB through stream.pipeline to a slow consumer keeps memory bounded', async (t: TestContext) => {
    const total = 1024 * MiB;
    const block = randomBytes(64 * 1024 + 7); // odd size: chunk edges move across blocks
    const [client, server] = await tcpPair();
    const sink = new Checker(block);
    sink.sample();
    const { rss: rss0, arrayBuffers: ab0 } = process.memoryUsage();
    const sending = pipeline(repeated(block, total), client.toDuplex());
    const receiving = pipeline(server.toDuplex(), sink);
    await bounded(Promise.all([sending, receiving]), 600_000, '1 GiB pipeline');
    assert.equal(sink.received, total);
    const rssGrowth = (sink.peakRss - rss0) / MiB;
    const arrayBufferGrowth = (sink.peakArrayBuffers - ab0) / MiB;
    t.diagnostic(`peak growth over ${total / MiB} MiB: rss +${rssGrowth.toFixed(1)} MiB, arrayBuffers +${arrayBufferGrowth.toFixed(1)} MiB`);
    // Without backpressure the whole GiB would pile up in memory; with it the
    // growth is the streams' buffers, the kernel's, and garbage not yet collected.
    assert.ok(arrayBufferGrowth < 256, `arrayBuffers grew ${arrayBufferGrowth} MiB`);
    assert.ok(rssGrowth < 512, `rss grew ${rssGrowth} MiB`);
    client.close();
    assert.equal(server.fileno(), -1); // the server's duplex closed it at EOF (both sides done)
  });
});

describe('toWebStreams', () => {
  test('BYOB reads land in the reader\'s own memory; default reads; EOF', async () => {
    const [a, b] = socket.socketpair();
    using _b = b;
    const { readable, writable } = a.toWebStreams();
    await b.sendall('hello world');
    const reader = readable.getReader({ mode: 'byob' });
    const memory = new ArrayBuffer(5);
    const first = await bounded(reader.read(new Uint8Array(memory)));
    assert.equal(Buffer.from(first.value!).toString(), 'hello');
    assert.equal(first.value!.buffer.byteLength, 5); // the same memory, transferred back
    reader.releaseLock();
    const plain = readable.getReader();
    assert.equal(Buffer.from((await bounded(plain.read())).value!).toString(), ' world');
    b.shutdown(socket.SHUT_WR);
    assert.equal((await bounded(plain.read())).done, true);
    assert.equal(a.closed, false); // the writable half is still open
    await writable.close();
    assert.equal(a.fileno(), -1); // both halves done
  });

  test('the writable: writes in order, close() is shutdown(SHUT_WR)', async () => {
    const [a, b] = socket.socketpair();
    using _b = b;
    const { readable, writable } = a.toWebStreams();
    const writer = writable.getWriter();
    await writer.write(Buffer.from('abc'));
    await writer.write('déf');
    await writer.close();
    assert.equal((await recvExactly(b, Infinity)).toString(), 'abcdéf');
    await b.sendall('reply');
    b.shutdown(socket.SHUT_WR);
    assert.equal((await bounded(collect(readable))).toString(), 'reply');
    assert.equal(a.fileno(), -1);
  });

  test('cancel() closes the socket and errors the writable', async () => {
    const [a, b] = socket.socketpair();
    using _b = b;
    const { readable, writable } = a.toWebStreams();
    const reader = readable.getReader();
    const pending = reader.read();
    await reader.cancel(new Error('done with it'));
    assert.equal((await pending).done, true);
    assert.equal(a.fileno(), -1);
    await assert.rejects(writable.getWriter().write(Buffer.from('x')), /done with it/);
    assert.equal((await bounded(b.recv(1))).length, 0);
  });

  test('an OS error errors both halves with its SocketError', async () => {
    const [a, b] = await tcpPair();
    const { readable, writable } = a.toWebStreams();
    resetOnClose(b);
    b.close();
    await assert.rejects(bounded(readable.getReader().read()), socket.ConnectionResetError);
    await assert.rejects(writable.getWriter().write(Buffer.from('x')), socket.ConnectionResetError);
    assert.equal(a.fileno(), -1);
  });

  test('pipeTo a slow WritableStream: 256 MiB with memory bounded', async (t) => {
    const total = 256 * MiB;
    const block = randomBytes(64 * 1024 + 7);
    const [client, server] = await tcpPair();
    const checker = new Checker(block);
    const slow = new WritableStream<Uint8Array>({
      write: (chunk) => new Promise<void>((resolve, reject) => checker.write(chunk, (error) => (error ? reject(error) : resolve()))),
    });
    checker.sample();
    const { arrayBuffers: ab0 } = process.memoryUsage();
    const web = client.toWebStreams();
    const sending = pipeline(repeated(block, total), Writable.fromWeb(web.writable));
    const serverWeb = server.toWebStreams();
    const receiving = serverWeb.readable.pipeTo(slow);
    await bounded(Promise.all([sending, receiving]), 300_000, '256 MiB pipeTo');
    assert.equal(checker.received, total);
    const growth = (checker.peakArrayBuffers - ab0) / MiB;
    t.diagnostic(`peak arrayBuffers growth over ${total / MiB} MiB: +${growth.toFixed(1)} MiB`);
    assert.ok(growth < 128, `arrayBuffers grew ${growth} MiB`);
    await web.readable.cancel();
    await serverWeb.writable.close();
    assert.equal(client.fileno(), -1);
    assert.equal(server.fileno(), -1);
  });
});
