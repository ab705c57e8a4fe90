// Node's codes on argument errors, across the whole API: a wrong type is a
// TypeError ERR_INVALID_ARG_TYPE, a number outside its range a RangeError
// ERR_OUT_OF_RANGE, any other bad value a RangeError ERR_INVALID_ARG_VALUE
// (Node's errors.md), each message still naming the argument. The tables of
// arguments.test.ts and arguments-functions.test.ts check the codes of
// their classes; this one pins the exact code of each kind of check, in
// every module, async forms included.
import { describe, it } from 'node:test';
import net from 'node:net';
import * as socket from 'berkeley';
import * as selectors from 'berkeley/selectors';
import * as ssl from 'berkeley/ssl';
import { type ErrorClass, expectFailure, isErrorNaming, socketOf, tempDir } from '../support/index.js';

const tmp = tempDir();
process.on('exit', () => tmp.cleanup());

const TYPE = 'ERR_INVALID_ARG_TYPE';
const RANGE = 'ERR_OUT_OF_RANGE';
const VALUE = 'ERR_INVALID_ARG_VALUE';

interface Row {
  call: string;
  /** The call, on a fresh TCP socket (closed afterwards). */
  run: (s: socket.Socket) => unknown;
  error: ErrorClass;
  code: string;
  /** The argument the message names, where it names one. */
  arg?: string;
  async?: boolean;
}

/** fn(resource), then resource closed, whatever fn did. */
function closing<R extends { close(): void }, T>(resource: R, fn: (resource: R) => T): T {
  try {
    return fn(resource);
  } finally {
    resource.close();
  }
}

const rows: Row[] = [
  // Socket methods: the shared checks (checkInt, checkTimeout, toBytes, the addresses)
  { call: "recv('16')", run: (s) => s.recv('16' as never), error: TypeError, code: TYPE, arg: 'bufsize', async: true },
  { call: 'recvSync(-1)', run: (s) => s.recvSync(-1), error: RangeError, code: RANGE, arg: 'bufsize' },
  { call: 'recv(1, 0, { signal: 1 })', run: (s) => s.recv(1, 0, { signal: 1 } as never), error: TypeError, code: TYPE, arg: 'options.signal', async: true },
  { call: 'recvInto(16-byte buffer, 17)', run: (s) => s.recvInto(Buffer.alloc(16), 17), error: RangeError, code: RANGE, arg: 'nbytes', async: true },
  { call: 'sendSync(123)', run: (s) => s.sendSync(123 as never), error: TypeError, code: TYPE, arg: 'data' },
  { call: 'listen(1.5)', run: (s) => s.listen(1.5), error: RangeError, code: RANGE, arg: 'backlog' },
  { call: 'settimeout(-1)', run: (s) => s.settimeout(-1), error: RangeError, code: RANGE, arg: 'timeout' },
  { call: "setblocking('x')", run: (s) => s.setblocking('x' as never), error: TypeError, code: TYPE, arg: 'flag' },
  { call: "bind(['127.0.0.1'])", run: (s) => s.bind(['127.0.0.1'] as never), error: RangeError, code: VALUE, arg: 'address' },
  { call: "bind(['127.0.0.1', 70000])", run: (s) => s.bind(['127.0.0.1', 70000]), error: RangeError, code: RANGE, arg: 'address[1]' },
  { call: "bind(['127.0.0.1\\0', 0])", run: (s) => s.bind(['127.0.0.1\0', 0]), error: RangeError, code: VALUE, arg: 'address[0]' },
  { call: "connect('127.0.0.1')", run: (s) => s.connect('127.0.0.1' as never), error: TypeError, code: TYPE, arg: 'address', async: true },
  { call: 'setsockopt(SOL_SOCKET, SO_REUSEADDR, 1, 4)', run: (s) => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1, 4), error: TypeError, code: TYPE, arg: 'optlen' },
  { call: "setsockopt(SOL_SOCKET, SO_REUSEADDR, '1')", run: (s) => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, '1' as never), error: TypeError, code: TYPE, arg: 'value' },
  { call: 'sendmsgSync([], [[1, 2]])', run: (s) => s.sendmsgSync([], [[1, 2]] as never), error: TypeError, code: TYPE, arg: 'ancdata[0]' },
  { call: "makefile('x')", run: (s) => s.makefile('x'), error: RangeError, code: VALUE, arg: 'mode' },
  { call: "makefile('r', { buffering: 0 })", run: (s) => s.makefile('r', { buffering: 0 }), error: RangeError, code: VALUE, arg: 'buffering' },
  { call: "makefile('r', { encoding: 'klingon' })", run: (s) => s.makefile('r', { encoding: 'klingon' }), error: RangeError, code: VALUE, arg: 'encoding' },
  { call: "makefile('rb').readUntilSync('')", run: (s) => closing(s.makefile('rb'), (f) => f.readUntilSync('')), error: RangeError, code: VALUE, arg: 'separator' },
  // an AF_UNIX path too long for sun_path
  { call: 'AF_UNIX bind(a 200-byte path)', run: () => closing(socket.socket(socket.AF_UNIX), (u) => u.bind(tmp.path('p'.repeat(200)))), error: RangeError, code: VALUE, arg: 'address' },

  // module functions
  { call: "socket('x')", run: () => socket.socket('x' as never), error: TypeError, code: TYPE, arg: 'family' },
  { call: 'fromfd(-1, AF_INET, SOCK_STREAM)', run: () => socket.fromfd(-1, socket.AF_INET, socket.SOCK_STREAM), error: RangeError, code: RANGE, arg: 'fd' },
  { call: 'setdefaulttimeout(NaN)', run: () => socket.setdefaulttimeout(NaN), error: RangeError, code: RANGE, arg: 'timeout' },
  { call: 'CMSG_LEN(2 ** 31 - 1)', run: () => socket.CMSG_LEN(2 ** 31 - 1), error: RangeError, code: RANGE, arg: 'length' },
  { call: 'inetNtoa(3 bytes)', run: () => socket.inetNtoa(Buffer.alloc(3)), error: RangeError, code: VALUE, arg: 'packedIp' },
  { call: 'inetNtop(AF_UNIX, 4 bytes)', run: () => socket.inetNtop(socket.AF_UNIX, Buffer.alloc(4)), error: RangeError, code: VALUE, arg: 'addressFamily' },
  { call: 'htons(70000)', run: () => socket.htons(70000), error: RangeError, code: RANGE },
  { call: "getnameinfoSync(['127.0.0.1'], 0)", run: () => socket.getnameinfoSync(['127.0.0.1'] as never, 0), error: RangeError, code: VALUE, arg: 'sockaddr' },
  { call: 'getaddrinfo(1, 80)', run: () => socket.getaddrinfo(1 as never, 80), error: TypeError, code: TYPE, arg: 'host', async: true },
  { call: "createServer(['127.0.0.1', 0], { dualstackIpv6: true })", run: () => socket.createServer(['127.0.0.1', 0], { dualstackIpv6: true }), error: RangeError, code: VALUE, arg: 'options.dualstackIpv6' },
  { call: 'Socket.fromNetSocket({})', run: () => socket.Socket.fromNetSocket({} as never), error: TypeError, code: TYPE, arg: 'socket' },
  // the right type, but a net.Socket that has no fd: Node's code for a bad value, on Node's class for it
  { call: 'Socket.fromNetSocket(new net.Socket())', run: () => socket.Socket.fromNetSocket(new net.Socket()), error: TypeError, code: VALUE, arg: 'socket' },
  { call: 'new SocketError({})', run: () => new socket.SocketError({} as never), error: TypeError, code: TYPE, arg: 'errno' },
  { call: "new GaiError('x')", run: () => new socket.GaiError('x' as never), error: TypeError, code: TYPE, arg: 'code' },

  // berkeley/selectors
  { call: 'DefaultSelector.register(-1, EVENT_READ)', run: () => closing(new selectors.DefaultSelector(), (sel) => sel.register(-1, selectors.EVENT_READ)), error: RangeError, code: RANGE },
  { call: 'DefaultSelector.register(s, 8)', run: (s) => closing(new selectors.DefaultSelector(), (sel) => sel.register(s, 8)), error: RangeError, code: VALUE },
  { call: "DefaultSelector.register('x', EVENT_READ)", run: () => closing(new selectors.DefaultSelector(), (sel) => sel.register('x' as never, selectors.EVENT_READ)), error: TypeError, code: TYPE, arg: 'fileobj' },
  { call: "selectSync('x', [], [])", run: () => selectors.selectSync('x' as never, [], []), error: TypeError, code: TYPE, arg: 'rlist' },

  // berkeley/ssl
  { call: 'new SSLContext(99)', run: () => new ssl.SSLContext(99), error: RangeError, code: VALUE, arg: 'protocol' },
  { call: 'verifyMode = 7', run: () => (new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).verifyMode = 7), error: RangeError, code: VALUE, arg: 'verifyMode' },
  { call: 'minimumVersion = 5', run: () => (new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).minimumVersion = 5 as ssl.TLSVersion), error: RangeError, code: VALUE, arg: 'minimumVersion' },
  { call: "setAlpnProtocols([''])", run: () => new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).setAlpnProtocols(['']), error: RangeError, code: VALUE },
  { call: 'loadVerifyLocations({})', run: () => new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).loadVerifyLocations({}), error: TypeError, code: 'ERR_MISSING_ARGS' },
  { call: 'createDefaultContext(99)', run: () => ssl.createDefaultContext(99 as never), error: RangeError, code: VALUE, arg: 'purpose' },
  { call: 'new SSLSocket()', run: () => new (ssl.SSLSocket as unknown as new () => unknown)(), error: TypeError, code: 'ERR_ILLEGAL_CONSTRUCTOR' },
  { call: 'wrapSocket(a UDP socket)', run: async () => {
      using udp = socketOf('udp');
      return await new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).wrapSocket(udp, { serverHostname: 'x' });
    }, error: RangeError, code: VALUE, async: true },
];

describe("argument errors carry Node's code", () => {
  for (const row of rows) {
    it(`${row.call} -> ${row.error.name} ${row.code}${row.arg === undefined ? '' : ` naming "${row.arg}"`}`, async () => {
      using s = socketOf('tcp');
      const before = socket.getdefaulttimeout();
      try {
        await expectFailure(row.async === true, () => row.run(s), isErrorNaming(row.error, row.arg, row.code));
      } finally {
        socket.setdefaulttimeout(before);
      }
    });
  }
});
