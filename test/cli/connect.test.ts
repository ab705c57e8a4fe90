// berkeley connect against python3 peers: stdin to the socket and the
// socket to stdout byte for byte, stdin's end as EOF, each transport
// (TCP over IPv4 and IPv6, UDP, Unix stream and datagram, abstract names),
// the source address, timeouts, --crlf, -q, port scans, Ctrl-C, and the
// failures' messages and statuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cli, hasLoopbackIPv6, payload, Peer, reversed, tempDir } from '../support/index.js';
import * as socket from 'berkeley';

const ipv6 = hasLoopbackIPv6() || 'no ::1 here';

// A TCP server on argv[1] for one connection; prints its port, acts by
// argv[2], and prints what it read and the client's address:
//   reverse  reads to EOF, prints, sends it back reversed, closes
//   answer   reads a line, answers `answer`, reads to EOF, prints, holds
//   greet    sends `hi`, reads to EOF (the client's close), prints, closes
const SERVER = `
  host, mode = sys.argv[1], sys.argv[2]
  srv = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET)
  srv.bind((host, 0))
  srv.listen()
  out(srv.getsockname()[1])
  conn, addr = srv.accept()
  if mode == 'reverse':
      data = recv_all(conn)
      out({"addr": enc(addr), "hex": data.hex()})
      conn.sendall(data[::-1])
      conn.close()
  elif mode == 'answer':
      line = b''
      while not line.endswith(b'\\n'):
          line += conn.recv(1)
      conn.sendall(b'answer\\n')
      out({"addr": enc(addr), "hex": (line + recv_all(conn)).hex()})
      sys.stdin.readline()
  elif mode == 'greet':
      conn.sendall(b'hi\\n')
      out({"addr": enc(addr), "hex": recv_all(conn).hex()})
      conn.close()
`;

async function server(t: test.TestContext, mode: string, host = '127.0.0.1'): Promise<[Peer, number]> {
  const peer = new Peer(t, SERVER, [host, mode]);
  return [peer, await peer.json<number>()];
}

/** What the server read. */
const hex = async (peer: Peer): Promise<Buffer> => Buffer.from((await peer.json<{ hex: string }>()).hex, 'hex');

test('TCP: stdin to the peer byte for byte, its end as EOF; the answer on stdout, status 0', async (t) => {
  const [peer, port] = await server(t, 'reverse');
  const data = payload();
  const { code, stdout, stderr } = await Cli.run(['connect', '127.0.0.1', String(port)], data);
  assert.equal(code, 0, stderr);
  assert.deepEqual(await hex(peer), data);
  assert.deepEqual(stdout, reversed(data));
  assert.equal(stderr, '');
});

test('-6 connects over IPv6, -4 refuses an IPv6 host (status 1, naming the host and EAI_ADDRFAMILY)', { skip: ipv6 !== true && ipv6 }, async (t) => {
  const [peer, port] = await server(t, 'reverse', '::1');
  const { code, stdout } = await Cli.run(['connect', '-6', '::1', String(port)], 'six');
  assert.equal(code, 0);
  assert.equal(stdout.toString(), 'xis');
  assert.equal((await hex(peer)).toString(), 'six');
  const refused = await Cli.run(['connect', '-4', '::1', String(port)]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`^berkeley connect: getaddrinfo \\[::1\\]:${port}: EAI_ADDRFAMILY \\(`));
});

test('-4 connects over IPv4', async (t) => {
  const [, port] = await server(t, 'reverse');
  const { code, stdout } = await Cli.run(['connect', '-4', 'localhost', String(port)], 'four');
  assert.equal(code, 0);
  assert.equal(stdout.toString(), 'ruof');
});

test('-s ADDR: the connection comes from that address', async (t) => {
  const [peer, port] = await server(t, 'reverse');
  const run = Cli.run(['connect', '-s', '127.0.0.2', '127.0.0.1', String(port)], 'from');
  const { addr } = await peer.json<{ addr: [string, number] }>();
  assert.equal(addr[0], '127.0.0.2');
  assert.equal((await run).code, 0);
});

test('-w SECONDS: a connect that gets no answer gives up (status 1, ETIMEDOUT naming the address)', async (t) => {
  // A listener whose queue is full: the kernel drops further SYNs, so a connect waits.
  const peer = new Peer(t, `
    srv = socket.socket()
    srv.bind(('127.0.0.1', 0))
    srv.listen(0)
    port = srv.getsockname()[1]
    queued = [socket.create_connection(('127.0.0.1', port))]
    for k in range(2):
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex(('127.0.0.1', port))
        queued.append(c)
    out(port)
    sys.stdin.readline()
  `);
  const port = await peer.json<number>();
  const { code, stderr } = await Cli.run(['connect', '-w', '0.5', '127.0.0.1', String(port)]);
  assert.equal(code, 1);
  assert.match(stderr, new RegExp(`^berkeley connect: connect 127.0.0.1:${port}: ETIMEDOUT \\(timed out\\)\\n$`));
});

test('-w SECONDS: a connection idle that long ends (status 0), though stdin is still open', async (t) => {
  const [peer, port] = await server(t, 'greet');
  const cli = Cli.start(t, ['connect', '-w', '0.5', '127.0.0.1', String(port)]);
  const { code, stdout } = await cli.exit();
  assert.equal(code, 0);
  assert.equal(stdout.toString(), 'hi\n');
  assert.equal((await hex(peer)).length, 0, 'the peer read EOF: the socket was closed');
});

test('--crlf (-C): each LF of the input is sent as CRLF', async (t) => {
  for (const flag of ['--crlf', '-C']) {
    const [peer, port] = await server(t, 'reverse');
    const { code } = await Cli.run(['connect', flag, '127.0.0.1', String(port)], 'HELO a\nQUIT\n');
    assert.equal(code, 0);
    assert.equal((await hex(peer)).toString(), 'HELO a\r\nQUIT\r\n');
  }
});

test("-q SECONDS: after stdin's end, quits though the peer has not closed (0: at once)", async (t) => {
  for (const seconds of ['0', '0.2']) {
    const [peer, port] = await server(t, 'answer');
    const cli = Cli.start(t, ['connect', '-q', seconds, '127.0.0.1', String(port)]);
    cli.write('question\n');
    await cli.stdoutHas('answer\n');
    cli.end('more');
    const { code, stdout } = await cli.exit();
    assert.equal(code, 0);
    assert.equal(stdout.toString(), 'answer\n');
    assert.equal((await hex(peer)).toString(), 'question\nmore', 'the rest of stdin, then EOF');
  }
});

test('Ctrl-C (SIGINT) closes the connection and ends with status 130', async (t) => {
  const [peer, port] = await server(t, 'greet');
  const cli = Cli.start(t, ['connect', '127.0.0.1', String(port)]);
  cli.write('typed');
  await cli.stdoutHas('hi\n');
  cli.signal('SIGINT');
  const { code, stderr } = await cli.exit();
  assert.equal(code, 130);
  assert.equal(stderr, '');
  assert.equal((await hex(peer)).toString(), 'typed');
});

test('-u: each chunk of stdin is a datagram, each answer is printed', async (t) => {
  const peer = new Peer(t, `
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('127.0.0.1', 0))
    out(s.getsockname()[1])
    while True:
        data, addr = s.recvfrom(65536)
        out(data.hex())
        s.sendto(data.upper(), addr)
  `);
  const port = await peer.json<number>();
  const cli = Cli.start(t, ['connect', '-u', '127.0.0.1', String(port)]);
  cli.write('first\n');
  await cli.stdoutHas('FIRST\n');
  cli.write('second\n');
  await cli.stdoutHas('FIRST\nSECOND\n');
  assert.deepEqual([await peer.json(), await peer.json()], [Buffer.from('first\n').toString('hex'), Buffer.from('second\n').toString('hex')]);
  cli.signal('SIGINT');
  assert.equal((await cli.exit()).code, 130);
});

test('-U PATH and -U @NAME: a Unix stream socket, by path or abstract name', async (t) => {
  const dir = tempDir();
  t.after(() => dir.cleanup());
  for (const name of [dir.path('s.sock'), `@berkeley-cli-test-${process.pid}`]) {
    const peer = new Peer(t, `
      name = sys.argv[1]
      srv = socket.socket(socket.AF_UNIX)
      srv.bind('\\0' + name[1:] if name.startswith('@') else name)
      srv.listen()
      out('ready')
      conn, _ = srv.accept()
      data = recv_all(conn)
      conn.sendall(data[::-1])
      conn.close()
    `, [name]);
    await peer.json();
    const { code, stdout } = await Cli.run(['connect', '-U', name], 'unix');
    assert.equal(code, 0);
    assert.equal(stdout.toString(), 'xinu');
  }
});

test('-U PATH -u: a Unix datagram socket with a name of its own, so the peer can answer', async (t) => {
  const dir = tempDir();
  t.after(() => dir.cleanup());
  const path = dir.path('d.sock');
  const peer = new Peer(t, `
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(sys.argv[1])
    out('ready')
    data, addr = s.recvfrom(65536)
    out(enc(addr))
    s.sendto(data.upper(), addr)
  `, [path]);
  await peer.json();
  const cli = Cli.start(t, ['connect', '-u', '-U', path]);
  cli.write('datagram');
  await cli.stdoutHas('DATAGRAM');
  const sender = await peer.json<{ hex: string }>();
  assert.equal(sender.hex.slice(0, 2), '00', 'an autobound abstract name');
  cli.signal('SIGINT');
  assert.equal((await cli.exit()).code, 130);
});

test('failures: status 1, the message names the address and the error code', async () => {
  const closed = socket.socket();
  closed.bind(['127.0.0.1', 0]);
  const [, port] = closed.getsockname() as [string, number];
  closed.close();
  const dir = tempDir();
  try {
    for (const [args, message] of [
      [['127.0.0.1', String(port)], `connect 127.0.0.1:${port}: ECONNREFUSED \\(Connection refused\\)`],
      [['-U', dir.path('none.sock')], `connect ${dir.path('none.sock')}: ENOENT \\(No such file or directory\\)`],
      [['-s', '192.0.2.99', '127.0.0.1', String(port)], `bind 192.0.2.99:0: EADDRNOTAVAIL`],
    ] as const) {
      const { code, stdout, stderr } = await Cli.run(['connect', ...args]);
      assert.equal(code, 1, stderr);
      assert.equal(stdout.length, 0);
      assert.match(stderr, new RegExp(`^berkeley connect: (${message})`));
    }
  } finally {
    dir.cleanup();
  }
});

test('-v: what happens, on stderr only (stdout has the data alone)', async (t) => {
  const [, port] = await server(t, 'reverse');
  const { code, stdout, stderr } = await Cli.run(['connect', '-v', '127.0.0.1', String(port)], 'abc');
  assert.equal(code, 0);
  assert.equal(stdout.toString(), 'cba');
  assert.match(stderr, new RegExp(`^connected to 127.0.0.1:${port} \\(tcp\\) from 127.0.0.1:\\d+\\nclosed 127.0.0.1:${port}\\n$`));
});

/** A port nothing listens on (bound, then closed), and a listener's port. */
function ports(): { closed: number; open: socket.Socket<typeof socket.AF_INET, typeof socket.SOCK_STREAM> } {
  const probe = socket.socket();
  probe.bind(['127.0.0.1', 0]);
  const [, closed] = probe.getsockname() as [string, number];
  probe.close();
  return { closed, open: socket.createServer(['127.0.0.1', 0]) };
}

test('-z (--scan): which ports of a range accept a connection; status 0 when one does, -v tells each', async () => {
  const { closed, open } = ports();
  using _open = open;
  const [, port] = open.getsockname();
  const quiet = await Cli.run(['connect', '-z', '127.0.0.1', String(port)]);
  assert.deepEqual([quiet.code, quiet.stdout.length, quiet.stderr], [0, 0, '']);
  const [low, high] = port < closed ? [port, closed] : [closed, port];
  const { code, stderr } = await Cli.run(['connect', '--scan', '-v', '127.0.0.1', `${low}-${high}`]);
  assert.equal(code, 0);
  assert.match(stderr, new RegExp(`^127\\.0\\.0\\.1:${port} \\(tcp/[^)]+\\) open$`, 'm'));
  assert.match(stderr, new RegExp(`^127\\.0\\.0\\.1:${closed} \\(tcp/[^)]+\\) closed: ECONNREFUSED$`, 'm'));
  assert.equal(stderr.trimEnd().split('\n').length, high - low + 1, 'a line a port');
  const none = await Cli.run(['connect', '-z', '127.0.0.1', String(closed)]);
  assert.equal(none.code, 1);
  assert.equal(none.stderr, `berkeley connect: connect 127.0.0.1:${closed}: ECONNREFUSED (Connection refused)\n`);
});

test('-z -u: a UDP port that answers ICMP port unreachable is closed, one that does not is open', async () => {
  const { closed, open } = ports();
  open.close();
  using listening = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  listening.bind(['127.0.0.1', 0]);
  const [, port] = listening.getsockname() as [string, number];
  const { code, stderr } = await Cli.run(['connect', '-z', '-u', '-w', '0.2', '-v', '127.0.0.1', String(port)]);
  assert.equal(code, 0);
  assert.match(stderr, new RegExp(`^127\\.0\\.0\\.1:${port} \\(udp/[^)]+\\) open\\n$`));
  const none = await Cli.run(['connect', '-zuv', '127.0.0.1', String(closed)]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, new RegExp(`^127\\.0\\.0\\.1:${closed} \\(udp/[^)]+\\) closed: ECONNREFUSED\\nberkeley connect: connect 127\\.0\\.0\\.1:${closed}: ECONNREFUSED`));
});
