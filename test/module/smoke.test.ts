// The smallest check that the addon loads and a socket works: one TCP echo
// on loopback (the first suite .ci/platforms runs under qemu on arm64).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import { bounded } from '../support/index.js';

test('TCP echo on loopback, async', async () => {
  using server = socket.socket();
  server.bind(['127.0.0.1', 0]);
  server.listen();
  using client = socket.socket();
  const [[conn]] = await bounded(Promise.all([server.accept(), client.connect(server.getsockname() as [string, number])]));
  using _conn = conn;
  await client.sendall('ping');
  assert.equal((await bounded(conn.recv(16))).toString(), 'ping');
});
