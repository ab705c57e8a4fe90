// Backpressure through berkeley connect, both ways: a stdout that is not
// read stops the reading of the socket (the peer's sends stall after the
// kernel's buffers, not after what the process would hold), and a peer
// that does not read stops the reading of stdin; then everything arrives,
// byte for byte. A side "stalls" when it makes no progress for STALL_MS:
// that only decides when to measure; the bounds asserted are on bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { Cli, Peer } from '../support/index.js';

const STALL_MS = 1500;
/** More than loopback's socket buffers and a pipe's can hold, less than a process holding all of TOTAL would. */
const BOUND = 48 * 1024 * 1024;
const TOTAL = 256 * 1024 * 1024;
const MIB = Buffer.alloc(1024 * 1024, 'berkeley ');

test('a stdout nobody reads: connect stops receiving, the peer stalls; then all of it arrives', async (t) => {
  const peer = new Peer(t, `
    total, stall = int(sys.argv[1]), float(sys.argv[2])
    srv = socket.socket()
    srv.bind(('127.0.0.1', 0))
    srv.listen()
    out(srv.getsockname()[1])
    conn, _ = srv.accept()
    chunk = os.urandom(1 << 20)
    digest = hashlib.sha256()
    sent = 0
    def send():
        global sent
        n = conn.send(chunk[: total - sent])
        digest.update(chunk[:n])
        sent += n
    conn.settimeout(stall)
    try:
        while sent < total:
            send()
    except socket.timeout:
        pass
    out(sent)
    sys.stdin.readline()
    conn.settimeout(None)
    while sent < total:
        send()
    conn.close()
    out(digest.hexdigest())
  `, [String(TOTAL), String(STALL_MS / 1000)]);
  const port = await peer.json<number>();
  const cli = Cli.start(t, ['connect', '127.0.0.1', String(port)]);
  cli.child.stdout.pause();
  const stalledAt = Number(await peer.line(60_000));
  assert.ok(stalledAt < BOUND, `the peer sent ${stalledAt} bytes before stalling: connect buffered them`);
  cli.child.stdout.resume();
  peer.write('go\n');
  cli.end();
  const { code, stdout } = await cli.exit(60_000);
  assert.equal(code, 0);
  assert.equal(stdout.length, TOTAL);
  assert.equal(createHash('sha256').update(stdout).digest('hex'), await peer.json());
});

test('a peer that does not read: connect stops reading stdin; then all of it arrives', async (t) => {
  const peer = new Peer(t, `
    srv = socket.socket()
    srv.bind(('127.0.0.1', 0))
    srv.listen()
    out(srv.getsockname()[1])
    conn, _ = srv.accept()
    sys.stdin.readline()
    data = recv_all(conn)
    out({"len": len(data), "sha": sha(data)})
  `);
  const port = await peer.json<number>();
  const cli = Cli.start(t, ['connect', '127.0.0.1', String(port)]);
  const stdin = cli.child.stdin;
  let written = 0;
  const hash = createHash('sha256');
  // Writes until the command stops taking stdin (no drain for STALL_MS), or until TOTAL.
  for (;;) {
    hash.update(MIB);
    written += MIB.length;
    if (!stdin.write(MIB)) {
      const stop = new AbortController();
      const drained = await Promise.race([once(stdin, 'drain', { signal: stop.signal }).then(() => true), delay(STALL_MS, false, { signal: stop.signal })]);
      stop.abort();
      if (!drained) break;
    }
    if (written >= TOTAL) break;
  }
  assert.ok(written < BOUND, `connect took ${written} bytes of stdin while the peer read nothing`);
  peer.write('read\n');
  for (; written < TOTAL; written += MIB.length) {
    hash.update(MIB);
    if (!stdin.write(MIB)) await once(stdin, 'drain');
  }
  stdin.end();
  assert.deepEqual(JSON.parse(await peer.line(60_000)), { len: TOTAL, sha: hash.digest('hex') });
  assert.equal((await cli.exit(60_000)).code, 0);
});
