// `for await (const chunk of sock)`: a stream socket's data, chunk by chunk,
// until EOF, from python3 and from berkeley peers, over TCP, Unix and TLS;
// the socket's mode applies to each read; leaving the loop leaves the socket
// open; closing it under the loop is EBADF; datagram sockets are refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import { bounded, isErrno, isTimeout, isWouldBlock, Peer, PEER_MS, sha256, socketOf, TestCertificates, tlsPair, unixPair } from '../support/index.js';

/** Every chunk of the loop over sock (bounded). */
async function collect(sock: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const read = async (): Promise<Buffer[]> => {
    const chunks: Buffer[] = [];
    for await (const chunk of sock) chunks.push(chunk);
    return chunks;
  };
  return bounded(read(), PEER_MS, 'the loop to reach EOF');
}

describe('stream sockets: every byte, until EOF', () => {
  test('python3 sends 4 MiB and closes: the loop reads all of it, in chunks of at most 64 KiB, and ends', async (t) => {
    const peer = new Peer(
      t,
      `
      srv = socket.create_server(("127.0.0.1", 0))
      out(srv.getsockname()[1])
      conn, _ = srv.accept()
      data = os.urandom(4 << 20)
      conn.sendall(data)
      conn.close()
      out(sha(data))
    `,
    );
    using s = socket.socket();
    await bounded(s.connect(['127.0.0.1', await peer.json<number>()]), PEER_MS);
    const chunks = await collect(s);
    assert.equal(await peer.json<string>(), sha256(Buffer.concat(chunks)));
    assert.equal(Buffer.concat(chunks).length, 4 << 20);
    assert.ok(chunks.every((chunk) => chunk.length > 0 && chunk.length <= 65536), `chunk sizes: ${chunks.map((c) => c.length).join(' ')}`);
    assert.equal(s.closed, false, 'EOF does not close the socket');
    await peer.done();
  });

  test('a Unix stream pair: the bytes as sent, then the end at the peer\'s shutdown(SHUT_WR)', async () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    b.sendallSync('first');
    const loop = collect(a);
    b.sendallSync(' second');
    b.shutdown(socket.SHUT_WR);
    assert.equal(Buffer.concat(await loop).toString(), 'first second');
  });

  test('an empty stream ends the loop at once', async () => {
    const [a, b] = unixPair();
    using _a = a;
    b.close();
    assert.deepEqual(await collect(a), []);
  });
});

describe('leaving the loop', () => {
  test('break leaves the socket open, and what was not read is still there for the next loop', async () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    b.sendallSync('one');
    for await (const chunk of a) {
      assert.equal(chunk.toString(), 'one');
      break;
    }
    assert.equal(a.closed, false);
    b.sendallSync('two');
    b.shutdown(socket.SHUT_WR);
    assert.equal(Buffer.concat(await collect(a)).toString(), 'two');
  });

  test('an error thrown in the body leaves the socket open', async () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    b.sendallSync('x');
    await assert.rejects(async () => {
      for await (const _chunk of a) throw new Error('body');
    }, /body/);
    assert.equal(a.closed, false);
    b.sendallSync('y');
    assert.equal(a.recvSync(1).toString(), 'y');
  });
});

describe('modes and closing', () => {
  test('a timeout applies to each read: TimeoutError from the loop, and the socket stays usable', async () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    a.settimeout(0.05);
    await assert.rejects(bounded(collect(a)), isTimeout);
    b.sendallSync('late');
    assert.equal(a.recvSync(4).toString(), 'late');
  });

  test('non-blocking with nothing to read: BlockingIOError from the loop', async () => {
    const [a, b] = unixPair();
    using _a = a;
    using _b = b;
    a.setblocking(false);
    await assert.rejects(collect(a), isWouldBlock());
  });

  test('closed before the loop, or while it waits: EBADF from the loop', async () => {
    const [a, b] = unixPair();
    using _b = b;
    const waiting = a[Symbol.asyncIterator]().next();
    a.close();
    await assert.rejects(bounded(waiting), isErrno('EBADF'));
    await assert.rejects(collect(a), isErrno('EBADF'));
  });
});

test('datagram and seqpacket sockets are refused with TypeError (a datagram has no EOF; recvfrom() keeps the sender)', async () => {
  for (const sock of [socketOf('udp'), socketOf('unixdgram'), socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)]) {
    using s = sock;
    assert.throws(() => s[Symbol.asyncIterator](), (e: unknown) => e instanceof TypeError && /SOCK_STREAM/.test(e.message) && /recvfrom/.test(e.message));
    await assert.rejects(collect(s), TypeError);
    assert.equal(s.closed, false);
  }
});

describe('SSLSocket', () => {
  const certificates = new TestCertificates();
  before(() => certificates.make());
  after(() => certificates.cleanup());

  test('the application data until the peer closes', async (t) => {
    if (!certificates.needs(t)) return;
    const [c, s] = await tlsPair(certificates.clientContext(), certificates.serverContext());
    using _c = c;
    const data = Buffer.alloc(200_000, 'tls');
    const loop = collect(c);
    await bounded(s.sendall(data));
    s.close();
    assert.ok(Buffer.concat(await loop).equals(data));
  });
});
