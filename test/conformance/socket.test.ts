// Differential conformance: each case runs one scenario in python3's socket
// module and in berkeley, and compares what each returned or raised (the
// value; or the error class, errno and message, through assertSameOutcome's
// mapping of Python's classes to berkeley's). A divergence shows as a diff.
// Every scenario makes its own sockets on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as socket from 'berkeley';
import * as selectors from 'berkeley/selectors';
import { assertSameOutcome, dedent, encodeValue, errorOutcome, type Outcome, PY_CODEC } from '../support/index.js';

interface Case {
  name: string;
  /** The body of a Python function (socket, os, errno, selectors imported) whose return value is compared. */
  python: string;
  /** The same scenario in berkeley; its value (or error) is compared. */
  berkeley: () => unknown;
  /** A difference kept on purpose (listed in the README): why, and what berkeley does instead. */
  deliberate?: { why: string; berkeley: (ours: Outcome) => boolean };
}

const server = (): socket.Socket => socket.createServer(['127.0.0.1', 0]);
const addr = (s: socket.Socket): socket.IPv4Address => s.getsockname() as socket.IPv4Address;
const PY_SERVER = "srv = socket.create_server(('127.0.0.1', 0))";

/** A connected TCP pair, the server side already accepted. */
function pairSync(): [socket.Socket, socket.Socket, socket.Socket] {
  const srv = server();
  const client = socket.socket();
  client.connectSync(addr(srv));
  const [conn] = srv.acceptSync();
  return [client, conn, srv];
}
const PY_PAIR = `${PY_SERVER}\nc = socket.create_connection(srv.getsockname())\nconn, _ = srv.accept()`;

const cases: Case[] = [
  {
    name: 'connect() on a connected socket (Sync): EISCONN',
    python: `${PY_SERVER}\ns = socket.create_connection(srv.getsockname())\ns.connect(srv.getsockname())`,
    berkeley: () => {
      const srv = server();
      const s = socket.socket();
      s.connectSync(addr(srv));
      s.connectSync(addr(srv));
    },
  },
  {
    name: 'connect() on a connected socket (async, after an async connect): EISCONN',
    python: `${PY_SERVER}\ns = socket.create_connection(srv.getsockname())\ns.connect(srv.getsockname())`,
    berkeley: async () => {
      const srv = server();
      const s = socket.socket();
      await s.connect(addr(srv));
      await s.connect(addr(srv));
    },
  },
  {
    name: 'connect() to a port nobody listens on: ConnectionRefusedError',
    python: `${PY_SERVER}\naddr = srv.getsockname()\nsrv.close()\ns = socket.socket()\ns.connect(addr)`,
    berkeley: async () => {
      const srv = server();
      const address = addr(srv);
      srv.close();
      await socket.socket().connect(address);
    },
  },
  {
    name: 'bind() to an address in use: EADDRINUSE',
    python: `${PY_SERVER}\ns = socket.socket()\ns.bind(srv.getsockname())`,
    berkeley: () => socket.socket().bind(addr(server())),
  },
  {
    name: 'recv_into an empty buffer (Sync): 0 at once',
    python: `${PY_PAIR}\nreturn conn.recv_into(bytearray(0))`,
    berkeley: () => pairSync()[1].recvIntoSync(Buffer.alloc(0)),
  },
  {
    name: 'recv_into an empty buffer (async): 0 at once',
    python: `${PY_PAIR}\nreturn conn.recv_into(bytearray(0))`,
    berkeley: () => pairSync()[1].recvInto(Buffer.alloc(0)),
  },
  {
    name: 'recv on a non-blocking socket with nothing to read: BlockingIOError (EAGAIN)',
    python: `${PY_PAIR}\nconn.setblocking(False)\nconn.recv(1)`,
    berkeley: () => {
      const conn = pairSync()[1];
      conn.setblocking(false);
      return conn.recvSync(1);
    },
  },
  {
    name: 'recv past a timeout: TimeoutError "timed out"',
    python: `${PY_PAIR}\nconn.settimeout(0.05)\nconn.recv(1)`,
    berkeley: () => {
      const conn = pairSync()[1];
      conn.settimeout(0.05);
      return conn.recvSync(1);
    },
  },
  {
    name: 'after shutdown(SHUT_WR), the peer reads EOF',
    python: `${PY_PAIR}\nc.shutdown(socket.SHUT_WR)\nreturn conn.recv(10)`,
    berkeley: () => {
      const [c, conn] = pairSync();
      c.shutdown(socket.SHUT_WR);
      return conn.recvSync(10);
    },
  },
  {
    name: 'shutdown() of a socket never connected: ENOTCONN',
    python: `socket.socket().shutdown(socket.SHUT_RDWR)`,
    berkeley: () => socket.socket().shutdown(socket.SHUT_RDWR),
  },
  {
    name: 'settimeout() on a closed socket: EBADF',
    python: `s = socket.socket()\ns.close()\ns.settimeout(1)`,
    berkeley: () => {
      const s = socket.socket();
      s.close();
      s.settimeout(1);
    },
  },
  {
    name: 'setblocking() on a closed socket: EBADF',
    python: `s = socket.socket()\ns.close()\ns.setblocking(False)`,
    berkeley: () => {
      const s = socket.socket();
      s.close();
      s.setblocking(false);
    },
  },
  {
    name: 'close() of a socket whose fd was closed behind its back: EBADF',
    python: `s = socket.socket()\nos.close(s.fileno())\ns.close()`,
    berkeley: () => {
      const s = socket.socket();
      socket.close(s.fileno());
      s.close();
    },
  },
  {
    name: 'close() twice is quiet',
    python: `s = socket.socket()\ns.close()\ns.close()\nreturn s.fileno()`,
    berkeley: () => {
      const s = socket.socket();
      s.close();
      s.close();
      return s.fileno();
    },
  },
  {
    name: 'detach() gives the fd up: fileno() is -1 after, the fd still works',
    python: `s = socket.socket()\nfd = s.fileno()\nd = s.detach()\nt = socket.socket(fileno=d)\nr = [d == fd, s.fileno(), t.type == socket.SOCK_STREAM]\nt.close()\nreturn r`,
    berkeley: () => {
      const s = socket.socket();
      const fd = s.fileno();
      const d = s.detach();
      const t = new socket.Socket(undefined, undefined, undefined, d);
      const result = [d === fd, s.fileno(), t.type === socket.SOCK_STREAM];
      t.close();
      return result;
    },
  },
  {
    name: 'dup() has the same name and its own fd',
    python: `${PY_SERVER}\nd = srv.dup()\nreturn [d.getsockname() == srv.getsockname(), d.fileno() != srv.fileno(), d.gettimeout()]`,
    berkeley: () => {
      const srv = server();
      const d = srv.dup();
      return [JSON.stringify(d.getsockname()) === JSON.stringify(srv.getsockname()), d.fileno() !== srv.fileno(), d.gettimeout()];
    },
  },
  {
    name: 'getsockopt(level, option, 0) is the int form',
    python: `return socket.socket().getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 0)`,
    berkeley: () => socket.socket().getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 0),
  },
  {
    name: 'setsockopt with an int past a C int (SO_PRIORITY, 2**31): refused',
    python: `socket.socket().setsockopt(socket.SOL_SOCKET, socket.SO_PRIORITY, 2**31)`,
    berkeley: () => socket.socket().setsockopt(socket.SOL_SOCKET, socket.SO_PRIORITY!, 2 ** 31),
  },
  {
    name: 'SO_RCVBUF round trip: the kernel doubles what is set',
    python: `s = socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)\nreturn s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)`,
    berkeley: () => {
      const s = socket.socket();
      s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536);
      return s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF);
    },
  },
  {
    name: 'a Unix path with an embedded NUL: refused, not cut',
    python: `socket.socket(socket.AF_UNIX).connect('/tmp/target\\0.allowed.sock')`,
    berkeley: () => socket.socket(socket.AF_UNIX).connectSync('/tmp/target\0.allowed.sock'),
    deliberate: {
      why: 'Python passes the path on and the kernel cuts it at the NUL (here FileNotFoundError for /tmp/target); berkeley refuses it, as every string with a NUL',
      berkeley: (ours) => 'error' in ours && ours.error === 'RangeError',
    },
  },
  {
    name: 'an abstract Unix name may hold NULs',
    python: `s = socket.socket(socket.AF_UNIX)\ns.bind(b'\\0berkeley-conf\\0x' + str(os.getpid()).encode())\nreturn s.getsockname()[:16]`,
    berkeley: () => {
      const s = socket.socket(socket.AF_UNIX);
      s.bind(Buffer.from(`\0berkeley-conf\0x${process.pid}-b`));
      return (s.getsockname() as Buffer).subarray(0, 16);
    },
  },
  {
    name: 'the default timeout is None; settimeout(0) is non-blocking',
    python: `s = socket.socket()\na = [s.gettimeout(), s.getblocking()]\ns.settimeout(0)\nreturn a + [s.gettimeout(), s.getblocking()]`,
    berkeley: () => {
      const s = socket.socket();
      const a = [s.gettimeout(), s.getblocking()];
      s.settimeout(0);
      return [...a, s.gettimeout(), s.getblocking()];
    },
  },
  {
    name: 'select() sees a socket with data as readable, the other not',
    python: `${PY_PAIR}\nc.sendall(b'x')\nr, w, x = select.select([conn, c], [], [], 1)\nreturn [len(r), r[0] is conn]`,
    berkeley: () => {
      const [c, conn] = pairSync();
      c.sendallSync('x');
      const [r] = selectors.selectSync([conn, c], [], [], 1);
      return [r.length, r[0] === conn];
    },
  },
  {
    name: "makefile('rb', buffering=0).read(10) after 3 bytes: those 3",
    python: `${PY_PAIR}\nc.sendall(b'abc')\nreturn conn.makefile('rb', buffering=0).read(10)`,
    berkeley: () => {
      const [c, conn] = pairSync();
      c.sendallSync('abc');
      return conn.makefile('rb', { buffering: 0 }).readSync(10);
    },
  },
  {
    name: 'readlines(hint) stops once the lines exceed hint',
    python: `${PY_PAIR}\nc.sendall(b'12\\n34\\n56\\n')\nc.shutdown(socket.SHUT_WR)\nreturn conn.makefile('rb').readlines(3)`,
    berkeley: () => {
      const [c, conn] = pairSync();
      c.sendallSync('12\n34\n56\n');
      c.shutdown(socket.SHUT_WR);
      return conn.makefile('rb').readlinesSync(3);
    },
  },
  {
    name: "a closed file's fileno() raises",
    python: `${PY_PAIR}\nf = conn.makefile('rb')\nf.close()\nf.fileno()`,
    berkeley: () => {
      const f = pairSync()[1].makefile('rb');
      f.closeSync();
      return f.fileno();
    },
    deliberate: {
      why: "every operation on a closed file is SocketError EBADF 'I/O operation on closed file' here, where Python raises ValueError",
      berkeley: (ours) => 'error' in ours && ours.error === 'SocketError' && ours.errno === socket.errno.EBADF,
    },
  },
  {
    name: 'a text file meets bytes it cannot decode: strict (the default) fails the read',
    python: `${PY_PAIR}\nc.sendall(b'ok \\xff\\n')\nreturn conn.makefile('r').readline()`,
    berkeley: () => {
      const [c, conn] = pairSync();
      c.sendallSync(Buffer.from('ok \xff\n', 'latin1'));
      return conn.makefile('r').readlineSync();
    },
  },
  {
    name: "errors='replace' reads them as U+FFFD (utf-8 and ascii)",
    python: `${PY_PAIR}\nc.sendall(b'ok \\xff\\n\\xe9\\n')\nc.shutdown(socket.SHUT_WR)\nutf8 = conn.makefile('rb').read()\nreturn [utf8.decode('utf-8', 'replace'), utf8.decode('ascii', 'replace')]`,
    berkeley: () => {
      const results: string[] = [];
      for (const encoding of ['utf-8', 'ascii']) {
        const [c, conn] = pairSync();
        c.sendallSync(Buffer.from('ok \xff\n\xe9\n', 'latin1'));
        c.shutdown(socket.SHUT_WR);
        results.push(conn.makefile('r', { encoding, errors: 'replace', newline: '' }).readSync());
      }
      return results;
    },
  },
  {
    name: 'DefaultSelector.getMap() is a live, read-only view',
    python: `s = selectors.DefaultSelector()\na, b = socket.socketpair()\nm = s.get_map()\ns.register(a, selectors.EVENT_READ)\nn = len(m)\nfound = m[a.fileno()].fd == a.fileno()\ns.unregister(a)\nreturn [n, found, len(m), hasattr(m, '__setitem__')]`,
    berkeley: () => {
      const s = new selectors.DefaultSelector();
      const [a] = socket.socketpair();
      const m = s.getMap();
      s.register(a, selectors.EVENT_READ);
      const n = m.size;
      const found = m.get(a.fileno())?.fd === a.fileno();
      s.unregister(a);
      return [n, found, m.size, 'set' in m];
    },
  },
];

const PY_RUNNER = 'import errno, json, os, select, selectors, socket, sys\n' + PY_CODEC + dedent(`
  out = []
  for body in json.load(sys.stdin):
      scope = {'errno': errno, 'os': os, 'select': select, 'selectors': selectors, 'socket': socket}
      exec('def case():\\n' + ''.join('    ' + line + '\\n' for line in body.split('\\n')), scope)
      try:
          out.append({'ok': enc(scope['case']())})
      except Exception as e:
          en = getattr(e, 'errno', None)
          out.append({'error': type(e).__name__, 'errno': en, 'strerror': getattr(e, 'strerror', None), 'message': str(e)})
  print(json.dumps(out))
`);

const python = JSON.parse(execFileSync('python3', ['-c', PY_RUNNER], { input: JSON.stringify(cases.map((c) => c.python)), encoding: 'utf8', timeout: 30_000 })) as Outcome[];

cases.forEach((c, k) => {
  test(c.name, async () => {
    let ours: Outcome;
    try {
      ours = { ok: encodeValue(await c.berkeley()) ?? null };
    } catch (error) {
      ours = errorOutcome(error);
    }
    if (c.deliberate === undefined) return assertSameOutcome(ours, python[k]!, c.name);
    assert.ok(c.deliberate.berkeley(ours), `${c.name}: berkeley ${JSON.stringify(ours)}`);
    assert.throws(() => assertSameOutcome(ours, python[k]!, c.name), `${c.name}: Python now agrees; drop the deliberate difference`);
  });
});
