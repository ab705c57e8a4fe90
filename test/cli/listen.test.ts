// berkeley listen against python3 clients: one connection wired to stdin
// and stdout, every address or one (IPv4, IPv6, both), -k's hub of
// clients, --exec, UDP peers, Unix sockets (removed at the end), --crlf,
// -q, Ctrl-C, and a port already taken.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as socket from 'berkeley';
import { Cli, hasLoopbackIPv6, payload, Peer, tempDir } from '../support/index.js';

const ipv6 = hasLoopbackIPv6() || 'no ::1 here';

// A client of argv[1]:argv[2] (or of the Unix socket argv[1] when argv[2] is 'unix').
// By argv[4]: 'all' sends argv[3] (hex), half-closes, prints all it reads;
// 'line' prints `connected`, reads a line and prints it, then sends argv[3] and closes.
const CLIENT = `
  target, port, data, mode = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3]), sys.argv[4]
  if port == 'unix':
      c = socket.socket(socket.AF_UNIX)
      c.connect('\\0' + target[1:] if target.startswith('@') else target)
  else:
      c = socket.create_connection((target, int(port)))
  if mode == 'all':
      c.sendall(data)
      c.shutdown(socket.SHUT_WR)
      out(recv_all(c).hex())
  else:
      out('connected')
      line = b''
      while not line.endswith(b'\\n'):
          line += c.recv(1)
      out(line.hex())
      c.sendall(data)
      c.close()
`;

function client(t: test.TestContext, target: string, port: number | 'unix', data: string | Buffer, mode: 'all' | 'line' = 'all'): Peer {
  return new Peer(t, CLIENT, [target, String(port), Buffer.from(data).toString('hex'), mode]);
}

const text = async (peer: Peer): Promise<string> => Buffer.from(await peer.json<string>(), 'hex').toString();

test('one connection: its bytes to stdout, stdin to it; ends when both sides are done (status 0)', async (t) => {
  const cli = Cli.start(t, ['listen', '-v', '127.0.0.1', '0']);
  cli.end('from the listener');
  const data = payload();
  const peer = client(t, '127.0.0.1', await cli.port(), data);
  assert.equal(await text(peer), 'from the listener');
  const { code, stdout, stderr } = await cli.exit();
  assert.equal(code, 0);
  assert.deepEqual(stdout, data);
  assert.match(stderr, /^listening on 127\.0\.0\.1:\d+ \(tcp\)\nconnection from 127\.0\.0\.1:\d+\nclosed 127\.0\.0\.1:\d+\n$/);
});

test('PORT alone: every address, IPv4 and IPv6 on one socket', { skip: ipv6 !== true && ipv6 }, async (t) => {
  for (const host of ['127.0.0.1', '::1']) {
    const cli = Cli.start(t, ['listen', '-v', '0']);
    cli.end();
    assert.match((await cli.stderrMatch(/listening on (\S+)/))[1]!, /^\[::\]:\d+$/);
    const peer = client(t, host, await cli.port(), 'hi');
    assert.equal(await text(peer), '');
    const { code, stdout } = await cli.exit();
    assert.equal(code, 0);
    assert.equal(stdout.toString(), 'hi');
  }
});

test('-4 listens on IPv4 only (0.0.0.0), -6 on IPv6 only (::)', { skip: ipv6 !== true && ipv6 }, async (t) => {
  const four = Cli.start(t, ['listen', '-v', '-4', '0']);
  assert.match((await four.stderrMatch(/listening on (\S+)/))[1]!, /^0\.0\.0\.0:\d+$/);
  const six = Cli.start(t, ['listen', '-v', '-6', '0']);
  assert.match((await six.stderrMatch(/listening on (\S+)/))[1]!, /^\[::\]:\d+$/);
  using probe = socket.socket(socket.AF_INET);
  assert.equal(await probe.connectEx(['127.0.0.1', await six.port()]), socket.errno.ECONNREFUSED, 'no IPv4 on the -6 socket');
  for (const cli of [four, six]) {
    cli.signal('SIGINT');
    assert.equal((await cli.exit()).code, 130);
  }
});

test('-k: clients at once; each one\'s data on stdout, stdin to every client connected', async (t) => {
  const cli = Cli.start(t, ['listen', '-k', '-v', '127.0.0.1', '0']);
  const port = await cli.port();
  const a = client(t, '127.0.0.1', port, 'from a\n', 'line');
  const b = client(t, '127.0.0.1', port, 'from b\n', 'line');
  await a.json();
  await b.json();
  await cli.until(() => (cli.stderr.match(/connection from/g)?.length === 2 ? true : undefined), 'two connections');
  cli.write('hello, all\n');
  assert.deepEqual([await text(a), await text(b)], ['hello, all\n', 'hello, all\n']);
  await cli.until(() => (cli.stderr.match(/closed/g)?.length === 2 ? true : undefined), 'both closed');
  // stdout and stderr are two pipes: "closed" on one says nothing of when the other's bytes arrive.
  await cli.stdoutHas('from a\n');
  await cli.stdoutHas('from b\n');
  assert.deepEqual(cli.stdout.toString().split(/(?<=\n)/).sort(), ['from a\n', 'from b\n']);
  cli.signal('SIGINT');
  assert.equal((await cli.exit()).code, 130);
});

test('-k: client after client (a dozen), each one\'s data on stdout, nothing on stderr without -v', async (t) => {
  const cli = Cli.start(t, ['listen', '-k', '127.0.0.1', '0', '-v']);
  const port = await cli.port();
  const before = cli.stderr.length;
  for (let k = 0; k < 12; k++) await text(client(t, '127.0.0.1', port, `client ${k}\n`));
  await cli.stdoutHas('client 11\n');
  cli.signal('SIGINT');
  const { code, stdout, stderr } = await cli.exit();
  assert.equal(code, 130);
  assert.equal(stdout.toString(), Array.from({ length: 12 }, (_, k) => `client ${k}\n`).join(''));
  assert.doesNotMatch(stderr.slice(before), /Warning|berkeley listen:/);
});

test('--exec CMD (-e): the connection is CMD\'s stdin and stdout; one, or each with -k', async (t) => {
  const one = Cli.start(t, ['listen', '-v', '--exec', 'tr a-z A-Z', '127.0.0.1', '0']);
  assert.equal(await text(client(t, '127.0.0.1', await one.port(), 'shout')), 'SHOUT');
  const { code, stdout } = await one.exit();
  assert.equal(code, 0);
  assert.equal(stdout.length, 0, "CMD's output goes to the connection, not to stdout");
  const each = Cli.start(t, ['listen', '-k', '-e', 'rev', '-v', '127.0.0.1', '0']);
  const port = await each.port();
  const answers = await Promise.all(['abc\n', 'xyz\n'].map((line) => text(client(t, '127.0.0.1', port, line))));
  assert.deepEqual(answers, ['cba\n', 'zyx\n']);
  each.signal('SIGTERM');
  assert.equal((await each.exit()).code, 143);
});

// A UDP client: sends each argv (from its own socket, in order), printing what comes back to the first.
const UDP_CLIENT = `
  port = int(sys.argv[1])
  socks = []
  for word in sys.argv[2:]:
      s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
      s.bind(('127.0.0.1', 0))
      s.sendto(word.encode(), ('127.0.0.1', port))
      socks.append(s)
  out('sent')
  while True:
      out(socks[0].recv(65536).decode())
`;

test('-u: the first datagram\'s sender is the peer; other senders are not heard', async (t) => {
  const cli = Cli.start(t, ['listen', '-u', '-v', '127.0.0.1', '0']);
  const peer = new Peer(t, UDP_CLIENT, [String(await cli.port()), 'first', 'stranger']);
  await peer.json();
  await cli.stdoutHas('first');
  cli.write('answer');
  assert.equal(await peer.json(), 'answer');
  cli.signal('SIGINT');
  const { code, stdout } = await cli.exit();
  assert.equal(code, 130);
  assert.equal(stdout.toString(), 'first', 'the stranger was not heard');
});

test('-u --exec CMD: the first sender\'s datagrams to CMD, its output back as datagrams', async (t) => {
  const cli = Cli.start(t, ['listen', '-u', '--exec', 'cat', '-v', '127.0.0.1', '0']);
  const peer = new Peer(t, UDP_CLIENT, [String(await cli.port()), 'echoed by cat']);
  await peer.json();
  assert.equal(await peer.json(), 'echoed by cat');
  cli.signal('SIGINT');
  const { code, stdout } = await cli.exit();
  assert.equal(code, 130);
  assert.equal(stdout.length, 0);
});

test('-u -k: every sender is heard, and answers go to the latest', async (t) => {
  const cli = Cli.start(t, ['listen', '-u', '-k', '127.0.0.1', '0', '-v']);
  const port = await cli.port();
  const first = new Peer(t, UDP_CLIENT, [String(port), 'one']);
  await cli.stdoutHas('one');
  const second = new Peer(t, UDP_CLIENT, [String(port), 'two']);
  await cli.stdoutHas('onetwo');
  cli.write('to the latest');
  await second.json();
  assert.equal(await second.json(), 'to the latest');
  await first.json();
  cli.signal('SIGINT');
  assert.equal((await cli.exit()).code, 130);
});

test('-U PATH: a Unix stream socket, removed when it ends; -U @NAME: an abstract one', async (t) => {
  const dir = tempDir();
  t.after(() => dir.cleanup());
  for (const name of [dir.path('l.sock'), `@berkeley-listen-${process.pid}`]) {
    const cli = Cli.start(t, ['listen', '-v', '-U', name]);
    cli.end('to the client');
    await cli.stderrMatch(/listening on/);
    assert.equal(await text(client(t, name, 'unix', 'to the listener')), 'to the client');
    const { code, stdout, stderr } = await cli.exit();
    assert.equal(code, 0);
    assert.equal(stdout.toString(), 'to the listener');
    assert.match(stderr, new RegExp(`^listening on ${name} \\(unix\\)\\n`));
    if (!name.startsWith('@')) assert.equal(existsSync(name), false, 'the path is removed');
  }
});

test('-U PATH -u: a Unix datagram socket, answering its first sender', async (t) => {
  const dir = tempDir();
  t.after(() => dir.cleanup());
  const path = dir.path('d.sock');
  const cli = Cli.start(t, ['listen', '-u', '-U', path, '-v']);
  await cli.stderrMatch(/listening on/);
  const peer = new Peer(t, `
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind('')
    s.sendto(b'unix datagram', sys.argv[1])
    out(s.recv(100).decode())
  `, [path]);
  await cli.stdoutHas('unix datagram');
  cli.write('back');
  assert.equal(await peer.json(), 'back');
  cli.signal('SIGINT');
  assert.equal((await cli.exit()).code, 130);
  assert.equal(existsSync(path), false);
});

test('--crlf (-C) and -q SECONDS, as for connect', async (t) => {
  const crlf = Cli.start(t, ['listen', '-C', '-v', '127.0.0.1', '0']);
  crlf.end('line 1\nline 2\n');
  assert.equal(await text(client(t, '127.0.0.1', await crlf.port(), '')), 'line 1\r\nline 2\r\n');
  assert.equal((await crlf.exit()).code, 0);
  // The client holds its side open; -q 0 ends at stdin's end all the same.
  const quit = Cli.start(t, ['listen', '-q', '0', '-v', '127.0.0.1', '0']);
  const peer = client(t, '127.0.0.1', await quit.port(), 'never sent', 'line');
  await peer.json();
  await quit.stderrMatch(/connection from/);
  quit.end('bye\n');
  assert.equal((await quit.exit()).code, 0);
  assert.equal(await text(peer), 'bye\n');
});

test('Ctrl-C while waiting: status 130, the port free again, the Unix path removed', async (t) => {
  const dir = tempDir();
  t.after(() => dir.cleanup());
  const tcp = Cli.start(t, ['listen', '-v', '127.0.0.1', '0']);
  const port = await tcp.port();
  const unix = Cli.start(t, ['listen', '-v', '-U', dir.path('c.sock')]);
  await unix.stderrMatch(/listening on/);
  for (const cli of [tcp, unix]) {
    cli.signal('SIGINT');
    const { code, stderr } = await cli.exit();
    assert.equal(code, 130);
    assert.doesNotMatch(stderr, /berkeley listen:/, 'no error message');
  }
  using again = socket.socket();
  again.bind(['127.0.0.1', port]);
  assert.equal(existsSync(dir.path('c.sock')), false);
});

test('a port already taken: status 1, "bind HOST:PORT: EADDRINUSE"', async () => {
  using taken = socket.createServer(['127.0.0.1', 0]);
  const [, port] = taken.getsockname();
  const { code, stderr } = await Cli.run(['listen', '127.0.0.1', String(port)]);
  assert.equal(code, 1);
  assert.match(stderr, new RegExp(`^berkeley listen: bind 127.0.0.1:${port}: EADDRINUSE \\(Address already in use\\)\\n$`));
});
