// The smallest check that the addon loads and a socket works: one TCP echo
// on loopback; and that it reaches Node's own OpenSSL: one TLS echo with no
// certificate to make (the first suite .ci/platforms runs under qemu on
// arm64, and on every Node version).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import * as ssl from 'berkeley/ssl';
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

test('TLS echo on a socketpair, both forms (anonymous TLS 1.2: no certificate needed)', async () => {
  const anonymous = (protocol: number): ssl.SSLContext => {
    const context = new ssl.SSLContext(protocol);
    context.checkHostname = false;
    context.verifyMode = ssl.CERT_NONE;
    context.maximumVersion = ssl.TLSVersion.TLSv1_2;
    context.setCiphers('aNULL:@SECLEVEL=0');
    return context;
  };
  const [a, b] = socket.socketpair();
  const [client, server] = await bounded(Promise.all([anonymous(ssl.PROTOCOL_TLS_CLIENT).wrapSocket(a), anonymous(ssl.PROTOCOL_TLS_SERVER).wrapSocket(b, { serverSide: true })]));
  using _client = client;
  using _server = server;
  assert.equal(client.version(), 'TLSv1.2');
  await client.sendall('ping');
  assert.equal((await bounded(server.recv(16))).toString(), 'ping');
  server.sendallSync('pong');
  assert.equal(client.recvSync(16).toString(), 'pong');
});
