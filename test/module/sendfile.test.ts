// sendfile: a 256 MiB file arrives intact (sha-256) through sendfile(2),
// async and Sync; offset/count and the file position; the read + send
// fallback for pipes and character devices; argument errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import * as socket from 'berkeley';
import { bounded, PythonPeer, recvExactly, sha256, tcpPair, tempDir } from '../support/index.js';

const MiB = 1024 * 1024;
const BIG = 256 * MiB;
const dir = tempDir();
const bigPath = dir.path('big');
let bigHash = '';

/** Receives to EOF, hashing as it goes: [bytes, sha-256]. */
async function drain(s: socket.Socket): Promise<[number, string]> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(MiB);
  let total = 0;
  for (;;) {
    const n = await s.recvInto(buffer);
    if (n === 0) return [total, hash.digest('hex')];
    hash.update(buffer.subarray(0, n));
    total += n;
  }
}

// A python3 receiver: connects, reads to EOF, prints "<bytes> <sha256>".
const PY_SINK = String.raw`
import hashlib, socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=60)
h = hashlib.sha256()
n = 0
while True:
    b = s.recv(1 << 20)
    if not b: break
    h.update(b)
    n += len(b)
print(n, h.hexdigest())
`;

before(() => {
  // Generated, not sparse: each MiB is a random block stamped with its index.
  const block = randomBytes(MiB);
  const hash = createHash('sha256');
  const fd = openSync(bigPath, 'w');
  try {
    for (let k = 0; k < BIG / MiB; k++) {
      block.writeUInt32LE(k, 0);
      hash.update(block);
      writeSync(fd, block);
    }
  } finally {
    closeSync(fd);
  }
  bigHash = hash.digest('hex');
});

after(() => dir.cleanup());

describe('sendfile: 256 MiB intact', () => {
  test('async, from a FileHandle, over TCP', async () => {
    const [client, server] = await tcpPair();
    using _client = client;
    using _server = server;
    const file = await open(bigPath, 'r');
    try {
      const receiving = drain(server);
      const sent = await bounded(client.sendfile(file), 120000, 'sendfile of 256 MiB');
      assert.equal(sent, BIG);
      client.shutdown(socket.SHUT_WR);
      assert.deepEqual(await bounded(receiving, 120000, 'receiving 256 MiB'), [BIG, bigHash]);
    } finally {
      await file.close();
    }
  });

  test('Sync, from an fd, to a python3 receiver', async () => {
    using listener = socket.socket();
    listener.bind(['127.0.0.1', 0]);
    listener.listen();
    listener.settimeout(30);
    const peer = new PythonPeer(PY_SINK, [String((listener.getsockname() as [string, number])[1])]);
    const fd = openSync(bigPath, 'r');
    try {
      const [conn] = listener.acceptSync();
      using _conn = conn;
      conn.settimeout(60);
      assert.equal(conn.sendfileSync(fd), BIG);
      conn.close();
      assert.equal(await peer.line(120000), `${BIG} ${bigHash}`);
      assert.equal(await peer.exit(10000), 0, peer.stderr);
    } finally {
      closeSync(fd);
      peer.kill();
    }
  });

  test('async over an AF_UNIX stream pair', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    const fd = openSync(bigPath, 'r');
    try {
      const receiving = drain(b);
      assert.equal(await bounded(a.sendfile(fd), 120000, 'sendfile over AF_UNIX'), BIG);
      a.shutdown(socket.SHUT_WR);
      assert.deepEqual(await bounded(receiving, 120000), [BIG, bigHash]);
    } finally {
      closeSync(fd);
    }
  });
});

describe('sendfile: offset, count and the file position', () => {
  const data = randomBytes(100_000);
  const path = dir.path('small');
  before(() => writeFileSync(path, data));

  test('offset and count send exactly that range; the file position is untouched (async and Sync)', async () => {
    const [client, server] = await tcpPair();
    using _client = client;
    using _server = server;
    const fd = openSync(path, 'r');
    try {
      assert.equal(await bounded(client.sendfile(fd, 1000, 5000)), 5000);
      assert.deepEqual(await recvExactly(server, 5000), data.subarray(1000, 6000));
      client.settimeout(5);
      assert.equal(client.sendfileSync(fd, 99_000, 10), 10);
      assert.deepEqual(await recvExactly(server, 10), data.subarray(99_000, 99_010));
      // Position still 0: a read from the current position starts at the beginning.
      const head = Buffer.alloc(4);
      readSync(fd, head, 0, 4, null);
      assert.deepEqual(head, data.subarray(0, 4));
    } finally {
      closeSync(fd);
    }
  });

  test('without an offset: from the file\'s position, which advances', async () => {
    const [client, server] = await tcpPair();
    using _client = client;
    using _server = server;
    client.settimeout(5);
    const fd = openSync(path, 'r');
    try {
      const skip = Buffer.alloc(10);
      readSync(fd, skip, 0, 10, null);
      assert.equal(await bounded(client.sendfile(fd, null, 100)), 100);
      assert.deepEqual(await recvExactly(server, 100), data.subarray(10, 110));
      assert.equal(client.sendfileSync(fd, undefined, 50), 50);
      assert.deepEqual(await recvExactly(server, 50), data.subarray(110, 160));
      const next = Buffer.alloc(4);
      readSync(fd, next, 0, 4, null);
      assert.deepEqual(next, data.subarray(160, 164));
    } finally {
      closeSync(fd);
    }
  });

  test('count past EOF stops at EOF; an offset past EOF sends nothing; count 0/null means to EOF', async () => {
    const [client, server] = await tcpPair();
    using _client = client;
    using _server = server;
    const fd = openSync(path, 'r');
    try {
      assert.equal(await bounded(client.sendfile(fd, 90_000, 1_000_000)), 10_000);
      assert.deepEqual(await recvExactly(server, 10_000), data.subarray(90_000));
      assert.equal(await bounded(client.sendfile(fd, 200_000)), 0);
      assert.equal(await bounded(client.sendfile(fd, 50_000, 0)), 50_000);
      assert.deepEqual(await recvExactly(server, 50_000), data.subarray(50_000));
      assert.equal(await bounded(client.sendfile(fd, 99_999, null)), 1);
      assert.deepEqual(await recvExactly(server, 1), data.subarray(99_999));
    } finally {
      closeSync(fd);
    }
  });
});

describe('sendfile: the read + send fallback', () => {
  test('a pipe (FIFO fed by another process) is sent to its EOF (async)', async () => {
    const data = randomBytes(3 * MiB + 123);
    writeFileSync(dir.path('source'), data);
    execFileSync('mkfifo', [dir.path('fifo')]);
    // cat opens the FIFO for writing and closes it at the end: our EOF.
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', dir.path('source'), dir.path('fifo')], { stdio: 'ignore' });
    const fifo = await open(dir.path('fifo'), 'r');
    try {
      const [client, server] = await tcpPair();
      using _client = client;
      using _server = server;
      const receiving = drain(server);
      assert.equal(await bounded(client.sendfile(fifo), 30000, 'sendfile from a pipe'), data.length);
      client.shutdown(socket.SHUT_WR);
      const [n, hash] = await bounded(receiving, 30000);
      assert.equal(n, data.length);
      assert.equal(hash, sha256(data));
    } finally {
      await fifo.close();
      if (writer.exitCode === null) writer.kill();
    }
  });

  test('a pipe, Sync, with a count', async () => {
    const data = randomBytes(300_000);
    writeFileSync(dir.path('source2'), data);
    execFileSync('mkfifo', [dir.path('fifo2')]);
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', dir.path('source2'), dir.path('fifo2')], { stdio: 'ignore' });
    const fifo = openSync(dir.path('fifo2'), 'r');
    try {
      const [a, b] = socket.socketpair();
      using _a = a;
      using _b = b;
      a.settimeout(10);
      // Each step fits the socket's buffer, so the Sync call needs no reader meanwhile.
      assert.equal(a.sendfileSync(fifo, null, 100_000), 100_000);
      assert.deepEqual(await recvExactly(b, 100_000), data.subarray(0, 100_000));
      assert.equal(a.sendfileSync(fifo, undefined, 100_000), 100_000);
      assert.deepEqual(await recvExactly(b, 100_000), data.subarray(100_000, 200_000));
    } finally {
      closeSync(fifo);
      if (writer.exitCode === null) writer.kill();
    }
  });

  test('a character device (/dev/zero) with a count, async and Sync', async () => {
    const [client, server] = await tcpPair();
    using _client = client;
    using _server = server;
    client.settimeout(10);
    const zero = openSync('/dev/zero', 'r');
    try {
      const receiving = recvExactly(server, 300_000);
      assert.equal(await bounded(client.sendfile(zero, null, 300_000)), 300_000);
      assert.deepEqual(await receiving, Buffer.alloc(300_000));
      assert.equal(client.sendfileSync(zero, null, 1000), 1000);
      assert.deepEqual(await recvExactly(server, 1000), Buffer.alloc(1000));
    } finally {
      closeSync(zero);
    }
  });

  test('a datagram socket falls back to read + send, a datagram per chunk', async () => {
    const data = randomBytes(10_000);
    writeFileSync(dir.path('dgram'), data);
    const [a, b] = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
    using _a = a;
    using _b = b;
    const fd = openSync(dir.path('dgram'), 'r');
    try {
      assert.equal(await bounded(a.sendfile(fd)), 10_000);
      assert.deepEqual(await bounded(b.recv(100_000)), data);
    } finally {
      closeSync(fd);
    }
  });
});

describe('sendfile: errors', () => {
  test('bad arguments: TypeError/RangeError (async rejects)', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    assert.throws(() => a.sendfileSync('/etc/passwd' as never), TypeError);
    await assert.rejects(a.sendfile({} as never), TypeError);
    assert.throws(() => a.sendfileSync(0, -1), RangeError);
    await assert.rejects(a.sendfile(0, 0, -5), RangeError);
    assert.throws(() => a.sendfileSync(-1), RangeError);
  });

  test('a closed socket is EBADF', async () => {
    const [a, b] = socket.socketpair();
    b.close();
    a.close();
    const fd = openSync(bigPath, 'r');
    try {
      assert.throws(() => a.sendfileSync(fd, 0, 10), (e: socket.SocketError) => e instanceof socket.SocketError && e.errno === socket.errno.EBADF);
      await assert.rejects(a.sendfile(fd, 0, 10), (e: socket.SocketError) => e instanceof socket.SocketError && e.errno === socket.errno.EBADF);
    } finally {
      closeSync(fd);
    }
  });

  test('a closed file is EBADF, as a SocketError (Python: OSError)', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    const fd = openSync(bigPath, 'r');
    closeSync(fd);
    assert.throws(() => a.sendfileSync(fd), (e: socket.SocketError) => e instanceof socket.SocketError && e.errno === socket.errno.EBADF);
    await assert.rejects(a.sendfile(fd), (e: socket.SocketError) => e instanceof socket.SocketError && e.errno === socket.errno.EBADF);
  });

  test('the peer gone: BrokenPipeError, no SIGPIPE', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    b.close();
    const fd = openSync(bigPath, 'r');
    try {
      await assert.rejects(a.sendfile(fd, 0, MiB), socket.BrokenPipeError);
      assert.throws(() => a.sendfileSync(fd, 0, MiB), socket.BrokenPipeError);
    } finally {
      closeSync(fd);
    }
  });
});
