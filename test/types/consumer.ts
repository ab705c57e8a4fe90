// A consumer of the package's types, compiled (never run) by
// contracts/types.test.ts under every module and moduleResolution setting a
// project may use. Each `@ts-expect-error` asserts that a mistake does not
// compile: were it to compile, tsc would report the directive as unused.
// No top-level await and no `using`: the file is also compiled as CommonJS.
import * as socket from 'berkeley';
import * as selectors from 'berkeley/selectors';
import * as socketserver from 'berkeley/socketserver';
import * as ssl from 'berkeley/ssl';

/** Python's `data, addr = s.recvfrom(1024); s.sendto(data, addr)`: the address goes back in as it came. */
export async function echoOnce(): Promise<[string, number]> {
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  s.bind(['127.0.0.1', 0]);
  const [data, addr] = await s.recvfrom(1024);
  await s.sendto(data, addr);
  s.sendtoSync(data, 0, addr);
  const [host, port] = addr;
  const [, [fromHost, fromPort]] = s.recvfromSync(1024);
  s.close();
  return [host + fromHost, port + fromPort];
}

/** `host, port = s.getsockname()`, in one line, for each way of making an AF_INET or AF_INET6 socket. */
export async function names(): Promise<number[]> {
  const [, a] = socket.socket().getsockname();
  const [, b] = socket.createServer(['127.0.0.1', 0]).getsockname();
  const [, c] = (await socket.createConnection(['localhost', 80])).getsockname();
  const [, d, flowinfo, scopeId] = socket.socket(socket.AF_INET6, socket.SOCK_STREAM).getsockname();
  const [, e] = socket.createServer(['::1', 0], { family: socket.AF_INET6 }).getsockname();
  const [[conn, [, f]]] = await Promise.all([socket.socket(socket.AF_INET).accept()]);
  const [, g] = conn.getpeername();
  return [a, b, c, d, e, f, g, flowinfo, scopeId];
}

/** getaddrinfo's results make sockets that connect to their own sockaddr. */
export async function resolved(): Promise<string> {
  for (const [family, type, proto, , sockaddr] of await socket.getaddrinfo('localhost', 80, socket.AF_UNSPEC, socket.SOCK_STREAM)) {
    const s = socket.socket(family, type, proto);
    await s.connect(sockaddr);
    return sockaddr[0];
  }
  return '';
}

/** Where a family is known only at run time, addresses are every form, and inetAddress narrows. */
export async function untyped(server: socketserver.TCPServer, family: number): Promise<void> {
  const s = socket.socket(family, socket.SOCK_DGRAM);
  s.bind(server.serverAddress);
  const [data, addr] = await s.recvfrom(1024);
  // @ts-expect-error -- the sender may be null here (a datagram from an unbound AF_UNIX socket)
  await s.sendto(data, addr);
  if (addr !== null) await s.sendto(data, addr);
  const [host, port] = socket.inetAddress(server.serverAddress);
  await socket.socket(socket.AF_INET).connect(socket.inetAddress(addr));
  await socket.createConnection(socket.inetAddress(s.getsockname()));
  const wide: socket.Socket = socket.socket(socket.AF_INET6);
  wide.bind([host, port]);
}

/** Typed errno names and constants. */
export function errnoAndConstants(error: socket.SocketError): unknown[] {
  const seen: unknown[] = [error.errno === socket.errno.ECONNREFUSED];
  // @ts-expect-error -- a misspelt errno name does not compile
  seen.push(socket.errno.ECONREFUSED);
  // @ts-expect-error -- nor does a misspelt constant
  seen.push(socket.AF_INETT);
  const code: socket.ErrnoName = 'EAGAIN';
  // @ts-expect-error -- nor an errno name that is none
  const bad: socket.ErrnoName = 'EAGIAN';
  let family: number = socket.AF_INET;
  family = socket.AF_INET6;
  seen.push(code, bad, family);
  return seen;
}

/** Addresses of the wrong shape for the socket's family do not compile. */
export function shapes(): unknown[] {
  const v4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  // @ts-expect-error -- an AF_INET socket takes [host, port]
  v4.bind(['::1', 0, 0, 0]);
  // @ts-expect-error -- not a path
  v4.bind('/tmp/x.sock');
  const unix = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  unix.bind('/tmp/x.sock');
  unix.bind(Buffer.from('\0abstract'));
  // @ts-expect-error -- an AF_UNIX socket takes a path or bytes
  unix.connectSync(['127.0.0.1', 80]);
  const [stream] = socket.socketpair();
  const [, peer] = stream.recvfromSync(16);
  const seen: unknown[] = [];
  // @ts-expect-error -- a stream socket's recvfrom may report no sender (null)
  seen.push(peer.length);
  // @ts-expect-error -- AF_INET's addresses are not strings
  const path: string = v4.getsockname();
  seen.push(path);
  return seen;
}

/** An SSLSocket's addresses are its Socket's: `host, port = tls.getpeername()` on AF_INET, a path on AF_UNIX. */
export async function tlsNames(context: ssl.SSLContext): Promise<[string, number, string]> {
  const tls = await context.wrapSocket(socket.socket(socket.AF_INET), { serverHostname: 'localhost' });
  await tls.connect(['127.0.0.1', 443]);
  const [host, port] = tls.getpeername();
  const listener = context.wrapSocketSync(socket.socket(socket.AF_INET6), { serverSide: true });
  const [conn, [, , flowinfo]] = await listener.accept();
  const [, , , scopeId] = conn.getsockname();
  const unix = await context.wrapSocket(socket.socket(socket.AF_UNIX), { serverHostname: 'localhost' });
  const path: socket.UnixAddress = unix.getsockname();
  // @ts-expect-error -- an AF_INET SSLSocket connects to [host, port], not a path
  await tls.connect('/run/app.sock');
  const session: ssl.SSLSession | null = tls.session;
  if (session !== null) tls.session = session;
  return [host + String(path), port + flowinfo + scopeId + context.sessionStats().hits + context.numTickets, String(tls.sessionReused)];
}

/** The other entry points load and are typed. */
export function modules(sock: socket.Socket): [number, string] {
  const sel = new selectors.DefaultSelector();
  sel.register(sock, selectors.EVENT_READ);
  const context = ssl.createDefaultContext();
  return [sel.getMap().size, String(context.verifyMode)];
}

/** Batched datagrams keep the typed addresses: each sender goes back in as it came; GRO batches split into Buffers. */
export async function batches(): Promise<number> {
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const datagrams = await s.recvmmsg(64, 1500);
  const replies = datagrams.map(([data, from]): socket.OutgoingDatagram<typeof socket.AF_INET> => [data, from]);
  let sent = s.sendmmsgSync(replies);
  const [[nbytes, [host, port], msgFlags] = [0, ['', 0], 0]] = s.recvmmsgIntoSync([Buffer.alloc(1500)]);
  // @ts-expect-error -- an AF_INET socket's datagrams do not go to a path
  sent += await s.sendmmsg([['x', '/tmp/path']]);
  const parts: Buffer[] = socket.splitSegments(Buffer.alloc(2400), 1200);
  s.close();
  return sent + nbytes + port + msgFlags + host.length + parts.length;
}
