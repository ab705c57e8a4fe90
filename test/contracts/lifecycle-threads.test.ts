// A socket and other threads: structuredClone and postMessage refuse a
// Socket, a SocketFile and an SSLSocket with a DataCloneError that says what
// to post instead (they would arrive as their public fields alone), and
// that advice works: an fd posted to a worker becomes a working Socket there.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { serialize } from 'node:v8';
import { MessageChannel, Worker } from 'node:worker_threads';
import * as socket from 'berkeley';
import { berkeleyUrl, bounded, TestCertificates, tlsPair } from '../support/index.js';

/** A DataCloneError (the platform's error for what cannot be cloned) whose message has every one of words. */
function isDataCloneError(...words: string[]): (e: unknown) => boolean {
  return (e: unknown): boolean => {
    assert.ok(e instanceof DOMException, `expected a DOMException, got ${String(e)}`);
    assert.equal(e.name, 'DataCloneError');
    for (const word of words) assert.ok(e.message.includes(word), `the message should say ${word}: ${e.message}`);
    return true;
  };
}

/** Every way an object leaves its thread: structuredClone, a MessagePort, nested in a message, v8.serialize. */
function assertUncloneable(value: object, ...words: string[]): void {
  const { port1, port2 } = new MessageChannel();
  try {
    for (const send of [() => structuredClone(value), () => port1.postMessage(value), () => port1.postMessage({ list: [value] }), () => serialize(value)]) {
      assert.throws(send, isDataCloneError(...words));
    }
  } finally {
    port1.close();
    port2.close();
  }
}

const SOCKET_ADVICE = ['sock.detach()', 'new Socket(undefined, undefined, undefined, fd)', 'socket.fromfd(fd, family, type)'];

describe('cloning is refused, with what to post instead', () => {
  test('a Socket (made, accepted, from socketpair), and the socket stays usable', async () => {
    using listener = socket.createServer(['127.0.0.1', 0]);
    using client = socket.socket();
    const [[accepted]] = await bounded(Promise.all([listener.accept(), client.connect(listener.getsockname() as [string, number])]));
    using _accepted = accepted;
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    for (const s of [listener, client, accepted, a]) assertUncloneable(s, ...SOCKET_ADVICE);
    await a.sendall('still open');
    assert.equal(b.recvSync(10).toString(), 'still open');
  });

  test('worker.postMessage(sock) throws', async () => {
    const worker = new Worker("require('node:worker_threads').parentPort.once('message', () => {});", { eval: true });
    try {
      using s = socket.socket();
      assert.throws(() => worker.postMessage(s), isDataCloneError(...SOCKET_ADVICE));
      assert.equal(s.closed, false);
    } finally {
      await worker.terminate();
    }
  });

  test('a SocketFile', async () => {
    const [a, b] = socket.socketpair();
    using _a = a;
    using _b = b;
    const file = a.makefile('rwb');
    try {
      assertUncloneable(file, 'sock.detach()', 'makefile()');
    } finally {
      await file.close();
    }
  });

  test('JSON.stringify and copying properties still work: the guard is left out of JSON, and only read by a clone', () => {
    using s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    assert.deepEqual(JSON.parse(JSON.stringify(s)), { family: socket.AF_INET, type: socket.SOCK_DGRAM, proto: 0 });
    assert.equal((Object.assign({}, s) as { family: number }).family, socket.AF_INET);
  });
});

test('the advice works: detach()\'s fd posted to a worker is a Socket there, new Socket(undefined, undefined, undefined, fd)', async () => {
  const [a, b] = socket.socketpair();
  using _b = b;
  const worker = new Worker(
    `
    Promise.all([import('node:worker_threads'), import(${JSON.stringify(berkeleyUrl)})]).then(([{ parentPort }, socket]) => {
      parentPort.once('message', (fd) => {
        const s = new socket.Socket(undefined, undefined, undefined, fd);
        const data = s.recvSync(64);
        s.sendallSync(data.toString().toUpperCase() + ' on family ' + s.family);
        s.close();
        parentPort.postMessage('done');
      });
    });`,
    { eval: true },
  );
  // Listening before anything is posted: 'done' may come in the turn the reply does.
  const done = once(worker, 'message');
  try {
    worker.postMessage(a.detach());
    assert.equal(a.closed, true);
    await b.sendall('hello');
    const reply = await bounded(b.recv(64), 10_000, 'the worker\'s reply');
    assert.equal(reply.toString(), `HELLO on family ${socket.AF_UNIX}`);
    await bounded(done, 10_000, 'the worker');
    assert.deepEqual(await bounded(b.recv(1)), Buffer.alloc(0), 'the worker closed its Socket');
  } finally {
    await worker.terminate();
  }
});

describe('SSLSocket', () => {
  const certificates = new TestCertificates();
  before(() => certificates.make());
  after(() => certificates.cleanup());

  test('cloning is refused: its TLS session belongs to its thread', async (t) => {
    if (!certificates.needs(t)) return;
    const [c, s] = await tlsPair(certificates.clientContext(), certificates.serverContext());
    using _c = c;
    using _s = s;
    assertUncloneable(c, 'TLS session', 'sock.detach()', 'unwrap()');
  });
});
