// An SSLSocket in berkeley/selectors, by its fileno() as Python's: select()
// (both forms), every selector class, poll and epoll objects; and Python's
// rule that plaintext OpenSSL already decrypted (pending() > 0) is not
// readiness: a 10 KB record read 100 bytes at a time leaves the rest in
// pending() while the fd is not readable, so a non-blocking reader reads
// until SSLWantReadError (or checks pending()) before it selects again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as ssl from 'berkeley/ssl';
import * as selectors from 'berkeley/selectors';
import { bounded, sha256, TestCertificates, tlsPair } from '../support/index.js';

const certificates = new TestCertificates();
before(() => certificates.make());
after(() => certificates.cleanup());
const { needs, serverContext, clientContext } = certificates;

/** A bound for waits that should end at once (a hang guard, not a timing check), in seconds. */
const BOUND = 20;

test('a 10 KB record read with recv(100): pending() holds the rest while no form of select sees the fd readable', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _c = c;
  using _s = s;
  assert.equal(c.pending(), 0);
  const record = randomBytes(10_240);
  await s.sendall(record);
  assert.deepEqual(selectors.selectSync([c], [], [], BOUND)[0], [c], 'the record is in the socket');
  const first = c.recvSync(100);
  assert.equal(first.length, 100);
  assert.equal(c.pending(), 10_140, 'the rest of the record, decrypted, in OpenSSL');

  // The socket itself is empty: nothing is readable, whatever asks.
  assert.deepEqual(selectors.selectSync([c], [], [], 0), [[], [], []]);
  assert.deepEqual(await selectors.select([c], [], [], 0), [[], [], []]);
  using selector = new selectors.DefaultSelector();
  selector.register(c, selectors.EVENT_READ);
  assert.deepEqual(selector.selectSync(0), []);
  const poller = selectors.poll();
  poller.register(c.fileno(), selectors.POLLIN);
  assert.deepEqual(poller.pollSync(0), []);
  using ep = selectors.epoll();
  ep.register(c.fileno(), selectors.EPOLLIN);
  assert.deepEqual(ep.pollSync(0), []);

  // And yet the bytes are there: a read returns them without waiting, also non-blocking.
  c.setblocking(false);
  const rest = c.recvSync(20_000);
  assert.ok(Buffer.concat([first, rest]).equals(record));
  assert.equal(c.pending(), 0);
  assert.throws(() => c.recvSync(100), ssl.SSLWantReadError);
  c.close();
  assert.equal(c.pending(), 0, 'closed: 0');
});

test('every selector class and select() take an SSLSocket by its fileno(), both forms', async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _c = c;
  using _s = s;
  // TLS 1.3's session tickets follow the handshake: read past them, or the fd is readable with no data.
  await s.sendall('sync');
  assert.equal(c.recvSync(10).toString(), 'sync');
  for (const Selector of [selectors.DefaultSelector, selectors.SelectSelector, selectors.PollSelector, selectors.EpollSelector]) {
    using selector = new Selector();
    const key = selector.register(c, selectors.EVENT_READ | selectors.EVENT_WRITE, 'tls');
    assert.deepEqual([key.fileobj, key.fd, key.data], [c, c.fileno(), 'tls']);
    assert.deepEqual(await bounded(selector.select(BOUND)), [[key, selectors.EVENT_WRITE]], `${Selector.name}: writable, nothing to read`);
    await s.sendall(`to ${Selector.name}`);
    const reading = selector.modify(c, selectors.EVENT_READ, 'tls');
    assert.deepEqual(selector.selectSync(BOUND), [[reading, selectors.EVENT_READ]]);
    assert.equal(c.recvSync(100).toString(), `to ${Selector.name}`);
    assert.deepEqual(await bounded(selector.select(0)), [], 'read: not readable any more');
    assert.equal(selector.unregister(c), reading);
  }
  const [readable, writable] = await bounded(selectors.select([c], [c], [], BOUND));
  assert.deepEqual([readable, writable], [[], [c]]);
  c.close();
  assert.throws(() => selectors.selectSync([c], [], [], 0), RangeError, 'closed: fileno() -1');
});

test("non-blocking, as Python's documentation says: select, then read until SSLWantReadError, for records of every size", async (t) => {
  if (!needs(t)) return;
  const [c, s] = await tlsPair(clientContext(), serverContext());
  using _c = c;
  using _s = s;
  const sizes = [1, 10_240, 16_384, 16_385, 100_000, 7, 40_000];
  const sent = sizes.map((n) => randomBytes(n));
  const total = sizes.reduce((a, b) => a + b, 0);
  const sending = Promise.all(sent.map((data) => s.sendall(data)));
  c.setblocking(false);
  const chunks: Buffer[] = [];
  let got = 0;
  let selects = 0;
  while (got < total) {
    assert.equal(c.pending(), 0, 'select only once OpenSSL holds nothing');
    const [ready] = await bounded(selectors.select([c], [], [], BOUND));
    assert.deepEqual(ready, [c], 'readable within the bound');
    selects++;
    for (;;) {
      let chunk: Buffer;
      try {
        chunk = c.recvSync(1000); // small reads: most records leave bytes in pending()
      } catch (error) {
        if (error instanceof ssl.SSLWantReadError) break;
        throw error;
      }
      assert.ok(chunk.length > 0, 'no early end');
      chunks.push(chunk);
      got += chunk.length;
    }
  }
  await bounded(sending);
  assert.equal(sha256(Buffer.concat(chunks)), sha256(Buffer.concat(sent)));
  assert.ok(selects >= 1);
});
