// berkeley and python3's socket module agree on what a socket reports about
// itself: family/type/proto and getsockname shapes, for every family and type,
// unbound and bound; and a berkeley socket inherited by python is the same socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'berkeley';
import { bounded, enc, hasLoopbackIPv6, Peer, PEER_MS, tempDir } from '../support/index.js';

const ipv6 = hasLoopbackIPv6();

interface Case {
  family: string;
  type: string;
  /** The loopback address to bind (port 0), or '' to autobind an AF_UNIX socket. */
  bind: unknown;
}

const cases: Case[] = [];
for (const type of ['SOCK_STREAM', 'SOCK_DGRAM']) {
  cases.push({ family: 'AF_INET', type, bind: ['127.0.0.1', 0] });
  if (ipv6) cases.push({ family: 'AF_INET6', type, bind: ['::1', 0] });
}
for (const type of ['SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_SEQPACKET']) cases.push({ family: 'AF_UNIX', type, bind: '' });

/** An address's shape: each element's JSON type (bytes as 'bytes'), with the host kept. */
function shape(address: unknown): unknown {
  if (address !== null && typeof address === 'object' && 'hex' in address) return ['bytes', (address as { hex: string }).hex.length / 2];
  if (!Array.isArray(address)) return typeof address;
  return address.map((v: unknown, i) => (i === 0 ? v : typeof v));
}

const CONST = (name: string): number => (socket as unknown as Record<string, number>)[name]!;

test('family, type, proto and getsockname agree with python for every family and type', async (t) => {
  const peer = new Peer(t, `
    cases = json.loads(sys.argv[1])
    results = []
    for c in cases:
        s = socket.socket(getattr(socket, c["family"]), getattr(socket, c["type"]))
        unbound = enc(s.getsockname())
        b = c["bind"]
        s.bind(tuple(b) if isinstance(b, list) else b)
        results.append({"attrs": [int(s.family), int(s.type), s.proto], "unbound": unbound, "bound": enc(s.getsockname())})
        s.close()
    a, b = socket.socketpair()
    results.append({"pair": [enc(a.getsockname()), enc(a.getpeername()), int(a.family), int(a.type), a.proto]})
    a2, b2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    results.append({"pair": [enc(a2.getsockname()), enc(a2.getpeername()), int(a2.family), int(a2.type), a2.proto]})
    out(results)
  `, [JSON.stringify(cases)]);
  const python = await peer.json<Record<string, unknown>[]>();
  await peer.done();

  cases.forEach((c, i) => {
    const what = `${c.family}/${c.type}`;
    using s = socket.socket(CONST(c.family), CONST(c.type));
    const unbound = enc(s.getsockname());
    s.bind(c.bind as socket.Address);
    const bound = enc(s.getsockname());
    const theirs = python[i]!;
    assert.deepEqual([s.family, s.type, s.proto], theirs.attrs, what);
    assert.deepEqual(unbound, theirs.unbound, `${what} unbound getsockname`);
    assert.deepEqual(shape(bound), shape(theirs.bound), `${what} bound getsockname shape`);
  });
  const [a, b] = socket.socketpair();
  const [a2, b2] = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
  try {
    assert.deepEqual(python[cases.length], { pair: [enc(a.getsockname()), enc(a.getpeername()), a.family, a.type, a.proto] });
    assert.deepEqual(python[cases.length + 1], { pair: [enc(a2.getsockname()), enc(a2.getpeername()), a2.family, a2.type, a2.proto] });
  } finally {
    for (const s of [a, b, a2, b2]) s.close();
  }
});

test('a SOCK_NONBLOCK|SOCK_CLOEXEC type reports the plain type, as in python', async (t) => {
  const peer = new Peer(t, `
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC)
    out([int(s.type), s.gettimeout(), s.getblocking()])
  `);
  const [type, timeout, blocking] = await peer.json<[number, number | null, boolean]>();
  await peer.done();
  using s = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK! | socket.SOCK_CLOEXEC!);
  assert.equal(s.type, type);
  assert.equal(s.gettimeout(), timeout);
  assert.equal(s.getblocking(), blocking);
});

// Python wraps an fd it inherited (socket.socket(fileno=...)) and detects
// family, type and proto from it, as berkeley's Socket(…, fileno) does. The
// fd is O_NONBLOCK (berkeley's fds always are) while python's socket thinks it
// blocks (timeout None), so python waits for the connection with select.
const INHERITED = `
  import select
  fd = int(sys.argv[1])
  s = socket.socket(fileno=fd)
  out({"attrs": [int(s.family), int(s.type), s.proto], "sockname": enc(s.getsockname())})
  select.select([s], [], [], 20)
  conn, addr = s.accept()
  conn.setblocking(True)
  conn.sendall(b"served by python on an inherited fd")
  conn.close()
`;

for (const family of ['AF_INET', 'AF_INET6', 'AF_UNIX'] as const) {
  test(`a berkeley ${family} listener inherited by python is the same socket`, { skip: family === 'AF_INET6' && !ipv6 && 'no ::1 here' }, async (t) => {
    const tmp = tempDir();
    t.after(() => tmp.cleanup());
    const address: socket.Address = family === 'AF_INET' ? ['127.0.0.1', 0] : family === 'AF_INET6' ? ['::1', 0] : tmp.path('inherited.sock');
    using server = socket.socket(CONST(family), socket.SOCK_STREAM);
    server.bind(address);
    server.listen();
    assert.equal(server.getInheritable(), false);
    server.setInheritable(true);
    let peer: Peer;
    try {
      peer = new Peer(t, INHERITED, [String(server.fileno())]);
    } finally {
      server.setInheritable(false);
    }
    const seen = await peer.json<{ attrs: number[]; sockname: unknown }>();
    // What python detects from the fd; berkeley detects the same from a dup of it.
    using copy = socket.fromfd(server.fileno(), -1, -1, -1);
    assert.deepEqual([copy.family, copy.type, copy.proto], seen.attrs);
    assert.deepEqual(enc(server.getsockname()), seen.sockname);
    // Connect through the listening socket python now serves.
    using client = socket.socket(CONST(family), socket.SOCK_STREAM);
    await bounded(client.connect(server.getsockname() as socket.Address), PEER_MS);
    const chunks: Buffer[] = [];
    for (let chunk = await bounded(client.recv(100), PEER_MS); chunk.length > 0; chunk = await bounded(client.recv(100), PEER_MS)) chunks.push(chunk);
    assert.equal(Buffer.concat(chunks).toString(), 'served by python on an inherited fd');
    await peer.done();
  });
}
