// berkeley serve: the classic services over TCP and UDP, with python3
// clients checking each RFC's answer; every client at once; -4, -6, -v;
// Ctrl-C; a privileged port refused with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as socket from 'berkeley';
import { Cli, connectTo, hasLoopbackIPv6, Peer, privateNamespaces, recvAll, waitUntil } from '../support/index.js';

const ipv6 = hasLoopbackIPv6() || 'no ::1 here';

// A client of the service at argv[1]:argv[2] ('tcp' or 'udp' in argv[3]),
// sending argv[4] (TCP: then half-closing; UDP: as one datagram), printing
// the answer (hex): TCP to EOF, or its first argv[5] bytes (chargen); UDP one datagram.
const CLIENT = `
  host, port, proto, data = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].encode()
  family = socket.AF_INET6 if ':' in host else socket.AF_INET
  if proto == 'udp':
      s = socket.socket(family, socket.SOCK_DGRAM)
      s.settimeout(10)
      s.sendto(data, (host, port))
      out(s.recv(65536).hex())
  else:
      s = socket.create_connection((host, port))
      s.sendall(data)
      if len(sys.argv) > 5:
          want = int(sys.argv[5])
          got = b''
          while len(got) < want:
              got += s.recv(want - len(got))
          out(got.hex())
          s.close()
      else:
          s.shutdown(socket.SHUT_WR)
          out(recv_all(s).hex())
`;

async function ask(t: test.TestContext, port: number, proto: 'tcp' | 'udp', data: string, take?: number, host = '127.0.0.1'): Promise<Buffer> {
  const peer = new Peer(t, CLIENT, [host, String(port), proto, data, ...(take === undefined ? [] : [String(take)])]);
  return Buffer.from(await peer.json<string>(), 'hex');
}

async function serving(t: test.TestContext, args: string[]): Promise<[Cli, number]> {
  const cli = Cli.start(t, ['serve', ...args, '-v']);
  return [cli, await cli.port()];
}

/** RFC 864's lines: 72 characters from the 95 printable ones, each line starting one further. */
function chargenLine(k: number): string {
  return Array.from({ length: 72 }, (_, j) => String.fromCharCode(32 + ((k + j) % 95))).join('') + '\r\n';
}

/** RFC 868: seconds since 1900, within a minute of now (the clock is read on both sides). */
function assertTime(answer: Buffer): void {
  assert.equal(answer.length, 4);
  const seconds = answer.readUInt32BE(0) - 2208988800;
  assert.ok(Math.abs(seconds - Date.now() / 1000) < 60, `${seconds} is now`);
}

for (const proto of ['tcp', 'udp'] as const) {
  const flags = proto === 'udp' ? ['-u'] : [];

  test(`echo (RFC 862) over ${proto}: the same bytes back`, async (t) => {
    const [, port] = await serving(t, ['echo', ...flags, '127.0.0.1', '0']);
    assert.equal((await ask(t, port, proto, 'echo this')).toString(), 'echo this');
  });

  test(`daytime (RFC 867) over ${proto}: the date as a line`, async (t) => {
    const [, port] = await serving(t, ['daytime', ...flags, '127.0.0.1', '0']);
    const answer = (await ask(t, port, proto, '')).toString();
    assert.match(answer, /^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\n$/);
    assert.ok(Math.abs(Date.parse(answer) - Date.now()) < 60_000);
  });

  test(`time (RFC 868) over ${proto}: 32 bits of seconds since 1900`, async (t) => {
    const [, port] = await serving(t, ['time', ...flags, '127.0.0.1', '0']);
    assertTime(await ask(t, port, proto, ''));
  });
}

test('chargen (RFC 864) over tcp: the rotating lines, for as long as the client reads', async (t) => {
  const [cli, port] = await serving(t, ['chargen', '127.0.0.1', '0']);
  const lines = 200;
  const answer = (await ask(t, port, 'tcp', 'ignored', 74 * lines)).toString();
  assert.equal(answer, Array.from({ length: lines }, (_, k) => chargenLine(k % 95)).join(''));
  await cli.stderrMatch(/connection from/);
});

test('chargen over udp: a datagram of 0 to 512 characters of the pattern', async (t) => {
  const [, port] = await serving(t, ['chargen', '-u', '127.0.0.1', '0']);
  const answer = (await ask(t, port, 'udp', 'x')).toString();
  assert.ok(answer.length <= 512);
  assert.equal(answer, Array.from({ length: 8 }, (_, k) => chargenLine(k)).join('').slice(0, answer.length));
});

test('discard (RFC 863): tcp reads to the end and answers nothing; udp answers nothing', async (t) => {
  const [cli, port] = await serving(t, ['discard', '127.0.0.1', '0']);
  assert.equal((await ask(t, port, 'tcp', 'into the void')).length, 0);
  const [udp, udpPort] = await serving(t, ['discard', '-u', '127.0.0.1', '0']);
  // A datagram to discard, then one to an echo service from the same socket: only the echo comes back.
  const [, echoPort] = await serving(t, ['echo', '-u', '127.0.0.1', '0']);
  const peer = new Peer(t, `
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(10)
    s.sendto(b'dropped', ('127.0.0.1', int(sys.argv[1])))
    s.sendto(b'echoed', ('127.0.0.1', int(sys.argv[2])))
    out(s.recvfrom(100)[1][1])
  `, [String(udpPort), String(echoPort)]);
  assert.equal(await peer.json(), echoPort);
  await udp.stderrMatch(/datagram from 127\.0\.0\.1:\d+/);
  for (const server of [cli, udp]) {
    server.signal('SIGINT');
    const { code, stdout } = await server.exit();
    assert.equal(code, 130);
    assert.equal(stdout.length, 0, 'nothing on stdout');
  }
});

test('every client at once: a chargen reader does not hold up an echo client', async (t) => {
  const [cli, port] = await serving(t, ['echo', '127.0.0.1', '0']);
  const held = new Peer(t, `
    s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
    s.sendall(b'held')
    out(s.recv(4).decode())
    sys.stdin.readline()
  `, [String(port)]);
  assert.equal(await held.json(), 'held');
  assert.equal((await ask(t, port, 'tcp', 'meanwhile')).toString(), 'meanwhile');
  cli.signal('SIGINT');
  assert.equal((await cli.exit()).code, 130, 'Ctrl-C ends it with a client still connected');
});

test('no fd left behind: after 50 clients, the server holds the fds it held after the first', async (t) => {
  const [cli, port] = await serving(t, ['echo', '127.0.0.1', '0']);
  const fds = (): number => readdirSync(`/proc/${cli.child.pid!}/fd`).length;
  const client = async (): Promise<void> => {
    using sock = await connectTo(['127.0.0.1', port]);
    await sock.sendall('x');
    sock.shutdown(socket.SHUT_WR);
    assert.equal((await recvAll(sock)).toString(), 'x');
  };
  await client();
  const before = fds();
  for (let k = 0; k < 50; k++) await client();
  await waitUntil(() => fds() === before, 10_000, () => `the server's fds back to ${before} (now ${fds()})`);
});

test('-4 and -6: one family; HOST omitted: every address', { skip: ipv6 !== true && ipv6 }, async (t) => {
  const [, six] = await serving(t, ['echo', '-6', '0']);
  assert.equal((await ask(t, six, 'tcp', 'v6', undefined, '::1')).toString(), 'v6');
  const [four] = await serving(t, ['echo', '-4', '0']);
  assert.match((await four.stderrMatch(/serving echo on (\S+)/))[1]!, /^0\.0\.0\.0:\d+$/);
  const [both, port] = await serving(t, ['echo', '0']);
  assert.match((await both.stderrMatch(/serving echo on (\S+)/))[1]!, /^\[::\]:\d+$/);
  assert.equal((await ask(t, port, 'tcp', 'v4', undefined, '127.0.0.1')).toString(), 'v4');
  assert.equal((await ask(t, port, 'tcp', 'v6', undefined, '::1')).toString(), 'v6');
});

const ownPort = process.getuid!() === 0 ? privateNamespaces : 'needs root for port 7';

test("without PORT, the service's own port (root, in a private network namespace)", { skip: ownPort !== true && ownPort }, async (t) => {
  const cli = Cli.start(t, ['serve', 'echo', '-v'], { prefix: ['unshare', '-n', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh'] });
  await cli.stderrMatch(/serving echo on \[::\]:7 \(tcp\)/);
  cli.signal('SIGINT');
  assert.equal((await cli.exit()).code, 130);
});

test('a port below 1024 without root (or CAP_NET_BIND_SERVICE): status 1, EACCES naming the address', async () => {
  const nobody = process.getuid!() === 0 ? { uid: 65534, gid: 65534 } : {};
  const { code, stderr } = await Cli.run(['serve', 'time'], '', nobody);
  assert.equal(code, 1);
  assert.equal(stderr, 'berkeley serve: bind [::]:37: EACCES (Permission denied)\n');
});
