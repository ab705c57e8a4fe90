// berkeley resolve and berkeley interfaces: their tables against python3's
// getaddrinfo and if_nameindex on the same names (numeric hosts and
// localhost only: nothing leaves the machine), every flag, the failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cli, hasLoopbackIPv6, pythonJson } from '../support/index.js';

const ipv6 = hasLoopbackIPv6() || 'no ::1 here';

/** The table's rows, split into cells (the header first). */
function rows(stdout: Buffer): string[][] {
  return stdout.toString().trimEnd().split('\n').map((line) => line.split(/ {2,}/));
}

/** python3's getaddrinfo(host, service, family, type, 0, flags) as resolve's rows. */
function python(host: string, service: string | null, family = 'AF_UNSPEC', type = 0, flags = 0): string[][] {
  const code = `
import json, socket, sys
names = {6: 'tcp', 17: 'udp', 0: 'ip'}
rows = [[f.name, t.name, names.get(p, str(p)), a[0], str(a[1])] + ([c] if ${flags} else []) for f, t, p, c, a in socket.getaddrinfo(${JSON.stringify(host)}, ${service === null ? 'None' : JSON.stringify(service)}, socket.${family}, ${type}, 0, ${flags})]
print(json.dumps(rows))`;
  return pythonJson(code) as string[][];
}

const HEADER = ['family', 'type', 'proto', 'address', 'port'];

test('resolve NAME: every entry getaddrinfo gives, as python3 has them', async () => {
  const { code, stdout, stderr } = await Cli.run(['resolve', 'localhost']);
  assert.equal(code, 0, stderr);
  assert.deepEqual(rows(stdout), [HEADER, ...python('localhost', null)]);
});

test('resolve NAME SERVICE: a port number or a service name', async () => {
  for (const service of ['8080', 'http']) {
    const { code, stdout } = await Cli.run(['resolve', '127.0.0.1', service]);
    assert.equal(code, 0);
    assert.deepEqual(rows(stdout), [HEADER, ...python('127.0.0.1', service)]);
  }
});

test('-t and -u: stream or datagram entries only; -4: IPv4 only', async () => {
  const tcp = await Cli.run(['resolve', '-t', 'localhost', 'domain']);
  assert.deepEqual(rows(tcp.stdout), [HEADER, ...python('localhost', 'domain', 'AF_UNSPEC', 1)]);
  assert.ok(rows(tcp.stdout).slice(1).every((row) => row[1] === 'SOCK_STREAM' && row[2] === 'tcp' && row[4] === '53'));
  const udp = await Cli.run(['resolve', '-u', '-4', 'localhost', 'domain']);
  assert.deepEqual(rows(udp.stdout), [HEADER, ['AF_INET', 'SOCK_DGRAM', 'udp', '127.0.0.1', '53']]);
});

test('-6: IPv6 only', { skip: ipv6 !== true && ipv6 }, async () => {
  const { code, stdout } = await Cli.run(['resolve', '-6', '-t', '::1', '22']);
  assert.equal(code, 0);
  assert.deepEqual(rows(stdout), [HEADER, ['AF_INET6', 'SOCK_STREAM', 'tcp', '::1', '22']]);
});

test('-c: the canonical name (AI_CANONNAME) in a column of its own', async () => {
  const { code, stdout } = await Cli.run(['resolve', '-c', '-t', 'localhost']);
  assert.equal(code, 0);
  assert.deepEqual(rows(stdout), [[...HEADER, 'canonname'], ...python('localhost', null, 'AF_UNSPEC', 1, 2)]);
});

test('failures: status 1, getaddrinfo with the name and the EAI_ code', async () => {
  for (const [args, line] of [
    [['localhost', 'no-such-service'], 'getaddrinfo localhost:no-such-service: EAI_SERVICE'],
    [['-4', '::1'], 'getaddrinfo ::1: EAI_ADDRFAMILY'],
  ] as const) {
    const { code, stdout, stderr } = await Cli.run(['resolve', ...args]);
    assert.equal(code, 1);
    assert.equal(stdout.length, 0);
    assert.match(stderr, new RegExp(`^berkeley resolve: ${line} \\(.+\\)\\n$`));
  }
});

test('interfaces: each interface by index and name as if_nameindex has them, with its addresses', async () => {
  const { code, stdout, stderr } = await Cli.run(['interfaces']);
  assert.equal(code, 0, stderr);
  const table = rows(stdout);
  assert.deepEqual(table[0], ['index', 'name', 'hardware', 'addresses']);
  const expected = pythonJson('import json, socket; print(json.dumps(socket.if_nameindex()))') as [number, string][];
  assert.deepEqual(table.slice(1).map((row) => [Number(row[0]), row[1]]), expected);
  const lo = table.find((row) => row[1] === 'lo')!;
  assert.match(lo.at(-1)!, /(^| )127\.0\.0\.1\/8( |$)/);
});
