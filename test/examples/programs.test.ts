// The example programs (examples/) and `npm run demo`, run as real child
// processes on loopback: the demo on its own, and each standalone server
// with its client, in the Promise and the Sync forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { example, Program } from '../support/index.js';

const MS = 20000;

/** Runs a program to its end; the caller's finally is not needed. */
async function run(file: string, args: string[]): Promise<{ code: number | string; lines: string[]; stderr: string }> {
  const program = new Program(example(file), args, MS);
  try {
    const code = await program.exit();
    return { code, lines: program.lines, stderr: program.stderr };
  } finally {
    program.kill();
  }
}

/** Asserts every expected line is among the lines (the two sides interleave in any order). */
function assertLines(lines: string[], expected: (string | RegExp)[]): void {
  for (const want of expected) {
    const found = lines.some((line) => (typeof want === 'string' ? line === want : want.test(line)));
    assert.ok(found, `missing the line ${want} in:\n${lines.join('\n')}`);
  }
}

/** The lines one echo exchange prints on each side. */
function echoLines(proto: 'tcp' | 'udp', messages: string[]): (string | RegExp)[] {
  const to = proto === 'udp' ? / (to|from) 127\.0\.0\.1:\d+$/.source : '$';
  const line = (role: string, verb: string, message: string): RegExp => new RegExp(`^\\[${proto} ${role}\\] ${verb} '${message}'${to}`);
  return messages.flatMap((m) => [line('client', 'sent', m), line('server', 'received', m), line('server', 'sent', m), line('client', 'received', m)]);
}

test('npm run demo: TCP and UDP echo, both sides printed, exits 0 by itself', async () => {
  const { code, lines, stderr } = await run('demo.js', []);
  assert.equal(code, 0, `demo failed; stderr:\n${stderr}`);
  assertLines(lines, [
    /^\[tcp server\] listening on 127\.0\.0\.1:\d+$/,
    /^\[tcp server\] connection from 127\.0\.0\.1:\d+$/,
    /^\[tcp client\] connected to 127\.0\.0\.1:\d+$/,
    ...echoLines('tcp', ['hello', 'berkeley']),
    '[tcp server] client closed the connection',
    /^\[udp server\] listening on 127\.0\.0\.1:\d+$/,
    ...echoLines('udp', ['hello', 'berkeley']),
    '[demo] done',
  ]);
  assert.equal(lines.at(-1), '[demo] done');
});

// Each standalone server with its client: the server prints its port on its
// first line, serves a fixed number of requests and exits 0.
for (const proto of ['tcp', 'udp'] as const) {
  for (const [serverForm, clientForm] of [['async', 'sync'], ['sync', 'async']] as const) {
    test(`${proto} echo server (${serverForm}) with its client (${clientForm}) as separate programs`, async () => {
      const messages = ['hello', 'two words', "it's"];
      const requests = proto === 'tcp' ? '1' : String(messages.length);
      const server = new Program(example(`${proto}-echo-server.js`), ['0', requests, ...(serverForm === 'sync' ? ['--sync'] : [])], MS);
      try {
        const first = await server.line();
        const match = new RegExp(`^\\[${proto} server\\] listening on 127\\.0\\.0\\.1:(\\d+)$`).exec(first);
        assert.ok(match, `unexpected first line: ${first}`);
        const port = match[1]!;
        assert.notEqual(Number(port), 0);
        const client = await run(`${proto}-echo-client.js`, [port, ...messages, ...(clientForm === 'sync' ? ['--sync'] : [])]);
        assert.equal(client.code, 0, `client failed; stderr:\n${client.stderr}`);
        assert.equal(await server.exit(), 0, `server failed; stderr:\n${server.stderr}`);
        assertLines([...server.lines, ...client.lines], echoLines(proto, messages.map((m) => m.replace("'", "\\\\'"))));
      } finally {
        server.kill();
      }
    });
  }
}

test('the standalone programs print their usage and exit 2 on a bad port', async () => {
  for (const file of ['tcp-echo-server.js', 'tcp-echo-client.js', 'udp-echo-server.js', 'udp-echo-client.js']) {
    const { code, stderr } = await run(file, ['70000']);
    assert.equal(code, 2, file);
    assert.match(stderr, /^usage: /, file);
  }
});
