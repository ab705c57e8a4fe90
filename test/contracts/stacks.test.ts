// The stack of an async call's error names the function that awaited it,
// whether the call failed at once, after waiting (a refused connect, a
// timeout, an abort, a close), or deep inside work of several steps. Each
// case is an async function with a name of its own, awaiting one call; the
// error's stack must name it (with only berkeley's frames it would not).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import { DefaultSelector, EVENT_READ, select } from 'berkeley/selectors';
import * as ssl from 'berkeley/ssl';
import { bounded, tcpPair, unixPair } from '../support/index.js';

/** Runs caller, which must reject with an Error of Class whose stack names caller; returns the error. */
async function failureOf<E extends Error>(caller: () => Promise<unknown>, Class: abstract new (...args: never[]) => E): Promise<E> {
  const error = await bounded(
    caller().then(
      () => assert.fail(`${caller.name} did not fail`),
      (e: unknown) => e,
    ),
    5000,
    caller.name,
  );
  assert.ok(error instanceof Class, `expected ${Class.name}, got ${String(error)}`);
  const stack = error.stack ?? '';
  assert.ok(stack.startsWith(`${error.name}: ${error.message}`), stack);
  assert.match(stack, new RegExp(`\\b${caller.name}\\b`), `the stack does not name ${caller.name}:\n${stack}`);
  return error;
}

/** An address on 127.0.0.1 where nothing listens (bound, so no one else takes it, and not listening). */
function closedPort(): [socket.Socket, [string, number]] {
  const holder = socket.socket();
  holder.bind(['127.0.0.1', 0]);
  return [holder, holder.getsockname()];
}

test('a refused connect', async () => {
  const [holder, address] = closedPort();
  using _holder = holder;
  async function refusedConnectCaller(): Promise<void> {
    using s = socket.socket();
    await s.connect(address);
  }
  await failureOf(refusedConnectCaller, socket.ConnectionRefusedError);
});

test('a recv that times out', async () => {
  const [a, b] = unixPair();
  using _a = a;
  using _b = b;
  a.settimeout(0.05);
  async function recvTimeoutCaller(): Promise<void> {
    await a.recv(16);
  }
  await failureOf(recvTimeoutCaller, socket.TimeoutError);
});

test('a non-blocking recv with nothing to read: BlockingIOError', async () => {
  const [a, b] = unixPair();
  using _a = a;
  using _b = b;
  a.setblocking(false);
  async function nonBlockingRecvCaller(): Promise<void> {
    await a.recv(16);
  }
  await failureOf(nonBlockingRecvCaller, socket.BlockingIOError);
});

test('a waiting recv aborted by its signal (from elsewhere: a later turn of the loop)', async () => {
  const [a, b] = unixPair();
  using _a = a;
  using _b = b;
  const controller = new AbortController();
  async function abortedRecvCaller(): Promise<void> {
    const receiving = a.recv(16, 0, { signal: controller.signal });
    setImmediate(() => controller.abort());
    await receiving;
  }
  await failureOf(abortedRecvCaller, socket.AbortError);
});

test('a waiting recv whose socket is closed (from a later turn of the loop): EBADF', async () => {
  const [a, b] = unixPair();
  using _b = b;
  async function closedWhileWaitingCaller(): Promise<void> {
    const receiving = a.recv(16);
    setImmediate(() => a.close());
    await receiving;
  }
  const error = await failureOf(closedWhileWaitingCaller, socket.SocketError);
  assert.equal(error.code, 'EBADF');
});

test('a sendall that times out part-way', async () => {
  const [a, b] = unixPair();
  using _a = a;
  using _b = b;
  a.settimeout(0.05);
  async function sendallTimeoutCaller(): Promise<void> {
    await a.sendall(Buffer.alloc(16 << 20));
  }
  await failureOf(sendallTimeoutCaller, socket.TimeoutError);
});

test('createConnection refused, and createConnection aborted', async () => {
  const [holder, address] = closedPort();
  using _holder = holder;
  async function createConnectionCaller(): Promise<void> {
    (await socket.createConnection(address)).close();
  }
  await failureOf(createConnectionCaller, socket.ConnectionRefusedError);
  async function abortedCreateConnectionCaller(): Promise<void> {
    const controller = new AbortController();
    const connecting = socket.createConnection(['127.0.0.1', address[1]], null, null, { signal: controller.signal });
    queueMicrotask(() => controller.abort());
    (await connecting).close();
  }
  await failureOf(abortedCreateConnectionCaller, socket.AbortError);
});

test('a look-up that fails on the thread pool, and one aborted while it runs', async () => {
  async function lookupCaller(): Promise<void> {
    await socket.getaddrinfo('not a number', 80, 0, 0, 0, socket.AI_NUMERICHOST);
  }
  await failureOf(lookupCaller, socket.GaiError);
  async function abortedLookupCaller(): Promise<void> {
    const controller = new AbortController();
    const looking = socket.getaddrinfo('127.0.0.1', 80, 0, 0, 0, socket.AI_NUMERICHOST, { signal: controller.signal });
    // A microtask runs before the thread pool can answer.
    queueMicrotask(() => controller.abort());
    await looking;
  }
  await failureOf(abortedLookupCaller, socket.AbortError);
});

test('recvFds that times out, and sendFds to a peer that is gone (fails at once, deep in its steps)', async () => {
  const [a, b] = unixPair();
  using _a = a;
  a.settimeout(0.05);
  async function recvFdsCaller(): Promise<void> {
    await socket.recvFds(a, 16, 1);
  }
  await failureOf(recvFdsCaller, socket.TimeoutError);
  b.close();
  async function sendFdsCaller(): Promise<void> {
    await socket.sendFds(a, [Buffer.from('x')], [a.fileno()]);
  }
  await failureOf(sendFdsCaller, socket.BrokenPipeError);
});

test('select() and DefaultSelector.select() aborted while they wait', async () => {
  const [a, b] = unixPair();
  using _a = a;
  using _b = b;
  async function selectCaller(): Promise<void> {
    const controller = new AbortController();
    const selecting = select([a], [], [], null, { signal: controller.signal });
    setImmediate(() => controller.abort());
    await selecting;
  }
  await failureOf(selectCaller, socket.AbortError);
  using selector = new DefaultSelector();
  selector.register(a, EVENT_READ);
  async function selectorCaller(): Promise<void> {
    const controller = new AbortController();
    const selecting = selector.select(null, { signal: controller.signal });
    setImmediate(() => controller.abort());
    await selecting;
  }
  await failureOf(selectorCaller, socket.AbortError);
});

test('a SocketFile read that times out, and a write to a peer that is gone', async () => {
  const [a, b] = unixPair();
  using _a = a;
  a.settimeout(0.05);
  const reader = a.makefile('r');
  async function fileReadCaller(): Promise<void> {
    await reader.readline();
  }
  await failureOf(fileReadCaller, socket.TimeoutError);
  await reader.close();
  b.close();
  const writer = a.makefile('wb', { buffering: 0 });
  async function fileWriteCaller(): Promise<void> {
    await writer.write(Buffer.from('x'));
  }
  await failureOf(fileWriteCaller, socket.BrokenPipeError);
  await writer.close().catch(() => undefined);
});

test('a TLS handshake whose peer closes', async () => {
  const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  context.checkHostname = false;
  context.verifyMode = ssl.CERT_NONE;
  const [client, server] = await tcpPair();
  async function handshakeCaller(): Promise<void> {
    const wrapping = context.wrapSocket(client);
    setImmediate(() => server.close());
    (await wrapping).close();
  }
  await failureOf(handshakeCaller, socket.SocketError);
});
