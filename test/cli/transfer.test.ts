// berkeley send and berkeley recv: a file intact (SHA-256 checked) under
// the sender's name or the one given, progress lines where stderr is no
// terminal, nothing kept on a mismatch, and the failures: a name that
// exists, a path that is not a plain name, a file that is not regular, no
// receiver, a peer that is not `berkeley send`; FILE - (stdout) and -w.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as socket from 'berkeley';
import { Cli, hasLoopbackIPv6, Peer, sha256, tempDir } from '../support/index.js';

const ipv6 = hasLoopbackIPv6() || 'no ::1 here';

async function receiver(t: test.TestContext, args: string[], cwd: string): Promise<[Cli, number]> {
  const cli = Cli.start(t, ['recv', '-v', ...args], { cwd });
  return [cli, await cli.port()];
}

test('send FILE to recv PORT: the same bytes under the sender\'s name, both sides report the SHA-256 check', async (t) => {
  const [sendDir, recvDir] = [tempDir(), tempDir()];
  t.after(() => {
    sendDir.cleanup();
    recvDir.cleanup();
  });
  const data = randomBytes(24 * 1024 * 1024 + 5);
  writeFileSync(sendDir.path('data.bin'), data);
  const [recv, port] = await receiver(t, ['-b', '127.0.0.1', '0'], recvDir.dir);
  const send = await Cli.run(['send', '-v', '127.0.0.1', String(port), sendDir.path('data.bin')]);
  assert.equal(send.code, 0, send.stderr);
  const received = await recv.exit();
  assert.equal(received.code, 0, received.stderr);
  assert.equal(sha256(readFileSync(recvDir.path('data.bin'))), sha256(data));
  assert.deepEqual(readdirSync(recvDir.dir), ['data.bin'], 'no .part left');
  assert.equal(send.stdout.length + received.stdout.length, 0, 'nothing on stdout');
  // stderr is a pipe here: plain lines, a tenth of the way each, then the summary.
  assert.match(send.stderr, /^connected to 127\.0\.0\.1:\d+\n/);
  const tenths = [...send.stderr.matchAll(/^sent (\d+)% of data\.bin \(([\d.]+) MiB of 24\.0 MiB, [\d.]+ \w+\/s\)$/gm)];
  assert.ok(tenths.length >= 5, 'a line at least every other tenth (4 MiB a sendfile)');
  const percents = tenths.map(([, percent]) => Number(percent));
  assert.deepEqual(percents, [...new Set(percents)].sort((a, b) => a - b), 'each tenth once, in order');
  assert.ok(percents.every((percent) => percent % 10 === 0 && percent > 0 && percent < 100));
  assert.match(send.stderr, /\nsent data\.bin: 24\.0 MiB in [\d.]+ s \([\d.]+ \w+\/s\), SHA-256 checked by the receiver\n$/);
  assert.match(received.stderr, /\nreceiving data\.bin \(25165829 bytes\) into data\.bin\n/);
  assert.match(received.stderr, /\nreceived data\.bin: 24\.0 MiB in [\d.]+ s \([\d.]+ \w+\/s\), SHA-256 ok\n$/);
  assert.equal(received.stderr.match(/^received \d+% of/gm)?.length, 9);
});

test('recv PORT FILE: written where told (an existing file is replaced); an empty file too', async (t) => {
  const dir = tempDir();
  t.after(() => dir.cleanup());
  writeFileSync(dir.path('empty'), '');
  writeFileSync(dir.path('target'), 'old contents');
  const [recv, port] = await receiver(t, ['-b', '127.0.0.1', '0', dir.path('target')], dir.dir);
  const send = await Cli.run(['send', '127.0.0.1', String(port), dir.path('empty')]);
  assert.equal(send.code, 0, send.stderr);
  assert.equal((await recv.exit()).code, 0);
  assert.equal(readFileSync(dir.path('target'), 'utf8'), '');
});

test('-6 and -4: send over IPv6 to recv -6, recv -4 listens on IPv4 only', { skip: ipv6 !== true && ipv6 }, async (t) => {
  const dir = tempDir();
  t.after(() => dir.cleanup());
  writeFileSync(dir.path('six'), 'over IPv6');
  const [recv, port] = await receiver(t, ['-6', '0', dir.path('copy')], dir.dir);
  assert.match(recv.stderr, /listening on \[::\]:\d+/);
  const send = await Cli.run(['send', '-6', '::1', String(port), dir.path('six')]);
  assert.equal(send.code, 0, send.stderr);
  assert.equal((await recv.exit()).code, 0);
  assert.equal(readFileSync(dir.path('copy'), 'utf8'), 'over IPv6');
  const [four] = await receiver(t, ['-4', '0'], dir.dir);
  assert.match(four.stderr, /listening on 0\.0\.0\.0:\d+/);
  const refused = await Cli.run(['send', '-4', '::1', '1', dir.path('six')]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /getaddrinfo \[::1\]:1: EAI_ADDRFAMILY/);
});

test("a sender's name that exists here is refused: status 1, the file untouched", async (t) => {
  const dir = tempDir();
  t.after(() => dir.cleanup());
  writeFileSync(dir.path('notes.txt'), 'mine');
  const source = tempDir();
  t.after(() => source.cleanup());
  writeFileSync(source.path('notes.txt'), 'theirs');
  const [recv, port] = await receiver(t, ['-b', '127.0.0.1', '0'], dir.dir);
  const send = await Cli.run(['send', '127.0.0.1', String(port), source.path('notes.txt')]);
  const { code, stderr } = await recv.exit();
  assert.equal(code, 1);
  assert.match(stderr, /berkeley recv: recv 127\.0\.0\.1:\d+: notes\.txt exists: give FILE to overwrite it, or remove it\n$/);
  assert.equal(readFileSync(dir.path('notes.txt'), 'utf8'), 'mine');
  assert.equal(send.code, 1, 'the sender learns it failed');
});

// A sender speaking the format by hand: argv[2] is the name, argv[3] the data, argv[4] 'bad' to send a wrong SHA-256.
const FAKE_SENDER = `
  import hashlib, struct
  port, name, data, bad = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3].encode(), sys.argv[4] == 'bad'
  c = socket.create_connection(('127.0.0.1', port))
  c.sendall(b'BKF1' + struct.pack('>H', len(name)) + name + struct.pack('>Q', len(data)) + data)
  c.sendall(hashlib.sha256(data + (b'!' if bad else b'')).digest())
  c.shutdown(socket.SHUT_WR)
  out(recv_all(c).decode())
`;

test('a SHA-256 that does not match: status 1, nothing kept, the sender told', async (t) => {
  const dir = tempDir();
  t.after(() => dir.cleanup());
  const [recv, port] = await receiver(t, ['-b', '127.0.0.1', '0'], dir.dir);
  const peer = new Peer(t, FAKE_SENDER, [String(port), 'corrupt.bin', 'some data', 'bad']);
  assert.equal(await peer.json(), 'checksum mismatch\n');
  const { code, stderr } = await recv.exit();
  assert.equal(code, 1);
  assert.match(stderr, /berkeley recv: recv corrupt\.bin from 127\.0\.0\.1:\d+: SHA-256 mismatch: the file is not kept\n$/);
  assert.deepEqual(readdirSync(dir.dir), []);
});

test("a sender's name that is a path is refused; a peer that is not berkeley send is refused", async (t) => {
  const dir = tempDir();
  t.after(() => dir.cleanup());
  const [recv, port] = await receiver(t, ['-b', '127.0.0.1', '0'], dir.dir);
  new Peer(t, FAKE_SENDER, [String(port), '../escape', 'x', 'good']);
  const { code, stderr } = await recv.exit();
  assert.equal(code, 1);
  assert.match(stderr, /the sender's file name "\.\.\/escape" is not a plain name: give FILE\n$/);
  assert.equal(existsSync(dir.path('../escape')), false);
  const [other, otherPort] = await receiver(t, ['-b', '127.0.0.1', '0'], dir.dir);
  await Cli.run(['connect', '127.0.0.1', String(otherPort)], 'GET / HTTP/1.0\r\n\r\n');
  const end = await other.exit();
  assert.equal(end.code, 1);
  assert.match(end.stderr, /recv 127\.0\.0\.1:\d+: no BKF1 header: the peer is not berkeley send\n$/);
});

test('send failures: no such file, not a regular file, nobody listening (status 1, naming each)', async (t) => {
  const dir = tempDir();
  t.after(() => dir.cleanup());
  const closed = socket.socket();
  closed.bind(['127.0.0.1', 0]);
  const [, port] = closed.getsockname() as [string, number];
  closed.close();
  writeFileSync(dir.path('file'), 'x');
  for (const [args, line] of [
    [['127.0.0.1', String(port), dir.path('none')], `open ${dir.path('none')}: ENOENT \\(no such file or directory\\)`],
    [['127.0.0.1', String(port), dir.dir], `send ${dir.dir}: not a regular file`],
    [['127.0.0.1', String(port), dir.path('file')], `connect 127.0.0.1:${port}: ECONNREFUSED \\(Connection refused\\)`],
  ] as const) {
    const { code, stderr } = await Cli.run(['send', ...args]);
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`^berkeley send: ${line}\\n$`));
  }
});

// A receiver that never reads: a sender waits in sendfile once the buffers are full.
const NEVER_READS = `
  srv = socket.socket()
  srv.bind(('127.0.0.1', 0))
  srv.listen()
  out(srv.getsockname()[1])
  conn, _ = srv.accept()
  out('accepted')
  sys.stdin.readline()
`;

test('Ctrl-C: recv waiting ends with status 130 and writes nothing; send mid-file too', async (t) => {
  const dir = tempDir();
  t.after(() => dir.cleanup());
  const [waiting] = await receiver(t, ['-b', '127.0.0.1', '0'], dir.dir);
  waiting.signal('SIGINT');
  assert.equal((await waiting.exit()).code, 130);
  const peer = new Peer(t, NEVER_READS);
  const port = await peer.json<number>();
  writeFileSync(dir.path('large'), Buffer.alloc(64 * 1024 * 1024));
  const send = Cli.start(t, ['send', '127.0.0.1', String(port), dir.path('large')]);
  await peer.json();
  send.signal('SIGINT');
  const { code, stderr } = await send.exit();
  assert.equal(code, 130);
  assert.doesNotMatch(stderr, /berkeley send:/);
  assert.deepEqual(readdirSync(dir.dir), ['large']);
});

test('recv PORT -: the data on stdout as it comes, the SHA-256 checked; a mismatch is status 1 afterwards', async (t) => {
  const dir = tempDir();
  t.after(() => dir.cleanup());
  const data = randomBytes(3 * 1024 * 1024 + 7);
  writeFileSync(dir.path('data.bin'), data);
  const [recv, port] = await receiver(t, ['-b', '127.0.0.1', '0', '-'], dir.dir);
  const send = await Cli.run(['send', '127.0.0.1', String(port), dir.path('data.bin')]);
  assert.equal(send.code, 0, send.stderr);
  const received = await recv.exit();
  assert.equal(received.code, 0, received.stderr);
  assert.equal(sha256(received.stdout), sha256(data));
  assert.match(received.stderr, /\nreceiving data\.bin \(3145735 bytes\) into stdout\n/);
  assert.deepEqual(readdirSync(dir.dir), ['data.bin'], 'no file written');
  const [corrupt, corruptPort] = await receiver(t, ['-b', '127.0.0.1', '0', '-'], dir.dir);
  const peer = new Peer(t, FAKE_SENDER, [String(corruptPort), 'corrupt.bin', 'some data', 'bad']);
  assert.equal(await peer.json(), 'checksum mismatch\n');
  const end = await corrupt.exit();
  assert.equal(end.code, 1);
  assert.equal(end.stdout.toString(), 'some data');
  assert.match(end.stderr, /berkeley recv: recv corrupt\.bin from 127\.0\.0\.1:\d+: SHA-256 mismatch: what stdout got is not what was sent\n$/);
});

test('-w SECONDS: recv gives up a sender that stalls, send gives up a receiver that stops reading (status 1)', async (t) => {
  const dir = tempDir();
  t.after(() => dir.cleanup());
  const [recv, port] = await receiver(t, ['-b', '127.0.0.1', '-w', '0.2', '0'], dir.dir);
  // A sender that announces 10 bytes, sends 3, then waits for its stdin.
  new Peer(t, `
    import struct
    c = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
    c.sendall(b'BKF1' + struct.pack('>H', 5) + b'stall' + struct.pack('>Q', 10) + b'abc')
    out('sent')
    sys.stdin.readline()
  `, [String(port)]);
  const stalled = await recv.exit();
  assert.equal(stalled.code, 1);
  assert.match(stalled.stderr, /^received 30% of stall \(3 B of 10 B, (\d+ B|\d+\.\d [KMG]iB)\/s\)$/m, 'a rate in whole bytes or a unit');
  assert.match(stalled.stderr, /berkeley recv: recv 127\.0\.0\.1:\d+: ETIMEDOUT \(timed out\)\n$/);
  assert.deepEqual(readdirSync(dir.dir), [], 'no .part left');
  const peer = new Peer(t, NEVER_READS);
  const receiverPort = await peer.json<number>();
  writeFileSync(dir.path('large'), Buffer.alloc(64 * 1024 * 1024));
  const send = await Cli.run(['send', '-w', '0.2', '127.0.0.1', String(receiverPort), dir.path('large')]);
  assert.equal(send.code, 1);
  assert.match(send.stderr, /^berkeley send: sendfile 127\.0\.0\.1:\d+: ETIMEDOUT \(timed out\)\n$/);
});
