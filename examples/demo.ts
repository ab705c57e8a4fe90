// `npm run demo`: the classic echo programs, run against each other on
// loopback with ports the OS picks, printing what each side sends and
// receives. Both forms of the API appear:
//
//   TCP: the server uses the Promise calls on the main thread's event loop;
//        the client uses the blocking (Sync) calls in a worker thread.
//   UDP: the server uses the Sync calls in a worker thread; the client uses
//        the Promise calls on the main thread.
//
// Sync calls block the thread that makes them, so they belong in a script, a
// CLI or a worker thread, never on an event loop that has other work to do:
// here each Sync side gets a worker thread of its own, while the main thread
// stays free to run the Promise side.
//
// A worker's console.log is written out only when the worker's own event
// loop turns, which a thread blocked in Sync calls seldom lets happen, so
// the workers send their log lines to the main thread as messages instead:
// the output then shows both sides in the order things happen.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import * as socket from 'berkeley';
import { HOST, hostPort, logger, type Log } from './shared.js';
import { listenTcp, serveTcpEcho } from './tcp-echo-server.js';
import { tcpEchoClientSync } from './tcp-echo-client.js';
import { bindUdp, serveUdpEchoSync } from './udp-echo-server.js';
import { udpEchoClient } from './udp-echo-client.js';

/** What each client sends. */
export const MESSAGES = ['hello', 'berkeley'];

/** The work a worker thread does (this same file runs in the workers). */
type Job = { job: 'tcp client'; port: number } | { job: 'udp server' };
/** What a worker tells the main thread: a line to print, or the port it bound. */
type Message = { log: string } | { port: number };

// A demo must never hang: as in Python, setdefaulttimeout gives every socket
// made afterwards (accepted ones too) a timeout, so any call that waits more
// than 5 s fails with TimeoutError instead. Each thread has its own default,
// and this line runs in the workers too.
socket.setdefaulttimeout(5);

const log = logger('demo');

/**
 * Runs this file in a worker thread for one job, printing the lines it
 * sends. `done` resolves when the worker ends well; `port` when it reports
 * the port it bound.
 */
function startWorker(job: Job): { done: Promise<void>; port: Promise<number> } {
  const worker = new Worker(new URL(import.meta.url), { workerData: job });
  let reportPort: (port: number) => void;
  const port = new Promise<number>((resolve) => (reportPort = resolve));
  worker.on('message', (message: Message) => {
    if ('log' in message) console.log(message.log);
    else reportPort(message.port);
  });
  const done = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the ${job.job} worker exited with code ${code}`))));
  });
  return { done, port };
}

/** In a worker: a Log that hands each `[role] ...` line to the main thread. */
function workerLogger(role: string): Log {
  return (line) => parentPort!.postMessage({ log: `[${role}] ${line}` } satisfies Message);
}

async function tcpDemo(): Promise<void> {
  log('TCP echo: the server with Promise calls on the main thread, the client with Sync calls in a worker thread');
  using server = listenTcp(0); // port 0: the OS picks a free one
  const address = server.getsockname();
  logger('tcp server')(`listening on ${hostPort(address)}`);
  const client = startWorker({ job: 'tcp client', port: address[1] });
  // The server waits for its one client without blocking this thread.
  await Promise.all([serveTcpEcho(server, { connections: 1 }), client.done]);
}

async function udpDemo(): Promise<void> {
  log('UDP echo: the server with Sync calls in a worker thread, the client with Promise calls on the main thread');
  const server = startWorker({ job: 'udp server' });
  // The worker binds a free port and tells us which one (or fails first).
  const port = await Promise.race([server.port, server.done.then(() => Promise.reject(new Error('the udp server worker ended early')))]);
  const echoes = await udpEchoClient([HOST, port], MESSAGES);
  await server.done;
  if (echoes.join() !== MESSAGES.join()) throw new Error(`udp echoes ${echoes.join()} differ from ${MESSAGES.join()}`);
}

/** A worker thread's job: the blocking side of each pair. */
function runJob(job: Job): void {
  if (job.job === 'tcp client') {
    const echoes = tcpEchoClientSync([HOST, job.port], MESSAGES, { log: workerLogger('tcp client') });
    if (echoes.join() !== MESSAGES.join()) throw new Error(`tcp echoes ${echoes.join()} differ from ${MESSAGES.join()}`);
  } else {
    const log = workerLogger('udp server');
    using sock = bindUdp(0);
    const address = sock.getsockname();
    log(`listening on ${hostPort(address)}`);
    parentPort!.postMessage({ port: address[1] } satisfies Message);
    serveUdpEchoSync(sock, { datagrams: MESSAGES.length, log });
  }
}

if (isMainThread) {
  await tcpDemo();
  await udpDemo();
  log('done');
} else {
  runJob(workerData as Job);
}
