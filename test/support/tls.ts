// Helpers of the ssl suites (module/ssl*): a throwaway CA and the
// certificates it signs, made by the openssl CLI in a temporary directory
// (tests skip where there is no openssl), contexts that trust them, a TLS
// connection over a fresh TCP pair, a handshake the client must refuse, and
// python3's own decoding of a certificate.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import * as ssl from 'berkeley/ssl';
import { tcpPair } from './sockets.js';
import { tempDir } from './system.js';
import { bounded } from './wait.js';

let pythonSsl: boolean | undefined;
/** Whether python3 with its ssl module is here (asked once, when first needed). */
export function hasPythonSsl(): boolean {
  pythonSsl ??= spawnSync('python3', ['-c', 'import ssl'], { timeout: 10_000 }).status === 0;
  return pythonSsl;
}

/**
 * A suite's certificates, in a temporary directory: `make()` in the suite's
 * `before` hook, `cleanup()` in its `after` hook. The other members are
 * arrow functions, so that a suite may take them apart:
 * `const { file, needs, serverContext, clientContext } = certificates;`.
 */
export class TestCertificates {
  readonly dir = tempDir();
  #made = false;

  /** Makes ca, server (localhost, 127.0.0.1), client, rogue-ca and rogue (.pem and .key), and server-encrypted.key (pass "secret"). */
  make(): void {
    try {
      this.#certificate('ca', '/CN=berkeley test CA', null);
      this.#certificate('server', '/C=US/O=berkeley/CN=localhost', 'ca', ['subjectAltName=DNS:localhost,IP:127.0.0.1', 'basicConstraints=critical,CA:FALSE', 'extendedKeyUsage=serverAuth']);
      this.#certificate('client', '/O=berkeley/CN=berkeley client', 'ca', ['basicConstraints=critical,CA:FALSE', 'extendedKeyUsage=clientAuth']);
      this.#certificate('rogue-ca', '/CN=rogue CA', null);
      this.#certificate('rogue', '/CN=localhost', 'rogue-ca', ['subjectAltName=DNS:localhost', 'basicConstraints=critical,CA:FALSE']);
      this.#openssl('pkey', '-in', 'server.key', '-aes256', '-passout', 'pass:secret', '-out', 'server-encrypted.key');
      this.#made = true;
    } catch {
      // No openssl (or one without `req -CA`): the certificate tests skip.
    }
  }

  cleanup(): void {
    this.dir.cleanup();
  }

  /** The path of a file in the certificates' directory. */
  readonly file = (name: string): string => this.dir.path(name);

  /** Skips t unless the certificates (and python3 when asked) are there. */
  readonly needs = (t: TestContext, python = false): boolean => {
    if (!this.#made) t.skip('no openssl CLI to make test certificates');
    else if (python && !hasPythonSsl()) t.skip('no python3 with ssl');
    else return true;
    return false;
  };

  readonly serverContext = (chain = 'server'): ssl.SSLContext => {
    const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    context.loadCertChain(this.file(`${chain}.pem`), this.file(`${chain}.key`));
    return context;
  };

  readonly clientContext = (): ssl.SSLContext => ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, { cafile: this.file('ca.pem') });

  #openssl(...args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir.dir, stdio: 'pipe', timeout: 20_000 });
  }

  #certificate(name: string, subject: string, issuer: string | null, extensions: string[] = []): void {
    const signing = issuer === null ? [] : ['-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`];
    this.#openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', subject, ...signing, ...extensions.flatMap((e) => ['-addext', e]));
  }
}

/** A TLS connection over a fresh TCP pair: [client, server]. */
export async function tlsPair(client: ssl.SSLContext, server: ssl.SSLContext, serverHostname: string | null = 'localhost'): Promise<[ssl.SSLSocket, ssl.SSLSocket]> {
  const [c, s] = await tcpPair();
  const fds = [c.fileno(), s.fileno()];
  const pair = await bounded(Promise.all([client.wrapSocket(c, { serverHostname }), server.wrapSocket(s, { serverSide: true })]), 10_000, 'handshake');
  // As Python's wrap_socket: the TLS socket took the fd over, the plain one is detached.
  assert.deepEqual([c.fileno(), s.fileno()], [-1, -1]);
  assert.deepEqual(pair.map((t) => t.fileno()), fds);
  return pair;
}

/** A handshake that the client must refuse: resolves with the client's error (both sides settled). */
export async function refusedHandshake(client: ssl.SSLContext, server: ssl.SSLContext, serverHostname: string): Promise<unknown> {
  const [c, s] = await tcpPair();
  const [clientSide, serverSide] = await bounded(Promise.allSettled([client.wrapSocket(c, { serverHostname }), server.wrapSocket(s, { serverSide: true })]), 10_000, 'handshake');
  if (serverSide.status === 'fulfilled') serverSide.value.close();
  s.close();
  assert.equal(clientSide.status, 'rejected', 'the client accepted the handshake');
  assert.equal(c.fileno(), -1, 'a failed handshake closes the socket');
  return clientSide.reason;
}

/** Python's decoding of a PEM certificate, as JSON (tuples become lists). */
export function pythonDecode(path: string): unknown {
  const out = execFileSync('python3', ['-c', 'import json, ssl, sys; print(json.dumps(ssl._ssl._test_decode_cert(sys.argv[1])))', path], { timeout: 10_000 });
  return JSON.parse(out.toString());
}
