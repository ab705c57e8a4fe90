// Concurrency for the servers. ThreadingMixIn runs each request as its own
// task on the event loop. ForkingMixIn runs requests in worker processes
// that share the listening socket: the program's entry runs again in each
// worker (as with node:cluster), where the server adopts the inherited
// socket instead of binding, and serves until the primary stops it.
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { checkBoolean, checkObject, type WaitOptions } from '../core/validate.js';
import type { SocketAddress } from '../socket/address.js';
import { Socket } from '../socket/socket.js';
import { BaseServer, servingSignal, stoppedBy, type TCPServer } from './server.js';

/** A class whose instances are T: what a mixin extends. @inline */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Constructor<T> = new (...args: any[]) => T;

// The requests each threading server is serving: a count, and what
// serverClose() waits on once it reaches 0 (nothing is kept per request).
interface Running {
  count: number;
  drained: (() => void) | undefined;
}
const running = new WeakMap<object, Running>();
// eslint-disable-next-line @typescript-eslint/unbound-method -- compared, never called unbound
const defaultFinishRequest = BaseServer.prototype.finishRequest;

/** One request as its own task: finishRequest, then shutdownRequest; a failure goes to handleError(). */
async function serveRequest(server: TCPServer, state: Running, request: unknown, clientAddress: SocketAddress | null): Promise<void> {
  try {
    try {
      if (server.finishRequest !== defaultFinishRequest) await server.finishRequest(request, clientAddress);
      else {
        // finishRequest's own steps, in this frame: an idle request then
        // holds one async frame fewer (its generator, promise and reactions).
        const handler = new server.RequestHandlerClass(request, clientAddress, server);
        await handler.setup();
        try {
          await handler.handle();
        } finally {
          await handler.finish();
        }
      }
    } catch (error) {
      await server.handleError(request, clientAddress, error);
    } finally {
      await server.shutdownRequest(request);
    }
  } catch (error) {
    // A failing handleError or shutdownRequest ends only this request, as
    // an exception ends only its thread in Python.
    process.stderr.write(`Exception in the task serving ${JSON.stringify(clientAddress)}:\n${error instanceof Error ? error.stack : String(error)}\n`);
  } finally {
    if (--state.count === 0) state.drained?.();
  }
}

/** Serves each request concurrently on the event loop (Python's ThreadingMixIn). */
export function ThreadingMixIn<TBase extends Constructor<TCPServer>>(Base: TBase) {
  return class ThreadingServer extends Base {
    /** serverClose() waits for the requests being served. */
    blockOnClose = true;

    /** Starts serving the request as its own task and resolves at once; a failure goes to handleError(). */
    override processRequest(request: unknown, clientAddress: SocketAddress | null): Promise<void> {
      let state = running.get(this);
      if (state === undefined) running.set(this, (state = { count: 0, drained: undefined }));
      state.count++;
      void serveRequest(this, state, request, clientAddress);
      return Promise.resolve();
    }

    /** Closes the server, then (with blockOnClose) waits for the requests being served. */
    override async serverClose(): Promise<void> {
      await super.serverClose();
      const state = running.get(this);
      if (!this.blockOnClose || state === undefined || state.count === 0) return;
      await new Promise<void>((resolve) => {
        const earlier = state.drained;
        state.drained = () => {
          state.drained = undefined;
          earlier?.();
          resolve();
        };
      });
    }
  };
}

// The worker's side: which server (by construction order) it serves, and
// the fd of the listening socket it inherited.
const WORKER_ENV = 'BERKELEY_FORKING_SERVER';
const WORKER_FD = 4; // after stdin, stdout, stderr and the IPC channel
// Read when the first forking server is made, and removed then, so that
// programs a worker starts are not workers (importing the module changes
// nothing).
let workerOf: string | undefined;
function takeWorkerMark(): void {
  if (forkingServers > 0) return;
  workerOf = process.env[WORKER_ENV];
  Reflect.deleteProperty(process.env, WORKER_ENV);
}
let forkingServers = 0;
// The index of the server being constructed: serverBind() runs inside the
// base constructor, before the instance's own state is set.
let constructing = -1;

interface Forking {
  index: number;
  /** The workers running, null until the first starts (Python's active_children is None until the first fork). */
  workers: Set<ChildProcess> | null;
  stopping: boolean;
  stop?: () => void;
  /** Workers that died soon after starting, in a row. */
  quickExits: number;
  restart?: NodeJS.Timeout;
}

const QUICK_EXIT_MS = 1000;

const forking = new WeakMap<object, Forking>();

/** Whether this process is a worker of server (callable while the base constructor runs). */
function inWorker(server: object): boolean {
  return workerOf === String(forking.get(server)?.index ?? constructing);
}

/**
 * Serves requests in up to `maxChildren` worker processes sharing the
 * listening socket, for handlers that need more than one core. A worker
 * that dies is replaced; serverClose() stops them all.
 *
 * Node has no fork(), so the model differs from Python's, which forks a
 * child per request, at most `max_children` at once: here `maxChildren`
 * workers start with serveForever() and each serves many requests until
 * the server stops. `activeChildren` and `collectChildren()` are Python's,
 * over those workers.
 */
export function ForkingMixIn<TBase extends Constructor<TCPServer>>(Base: TBase) {
  return class ForkingServer extends Base {
    /** How many worker processes serve (default: the available cores). */
    maxChildren = availableParallelism();
    /** serverClose() waits for the workers to finish their requests. */
    blockOnClose = true;

    /** The base server's constructor, noting whether this process is one of this server's workers. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    constructor(...args: any[]) {
      takeWorkerMark();
      constructing = forkingServers++;
      super(...(args as unknown[]));
      forking.set(this, { index: constructing, workers: null, stopping: false, quickExits: 0 });
    }

    /** The pids of the workers running now (Python's active_children): null until the first starts, and in a worker. */
    get activeChildren(): Set<number> | null {
      const { workers } = forking.get(this)!;
      return workers && new Set([...workers].flatMap((worker) => (worker.pid === undefined ? [] : [worker.pid])));
    }

    /**
     * Python's collect_children(). Node reaps each worker the moment it
     * exits, when it leaves activeChildren, so there is never one left to
     * reap; with `blocking`, resolves once every worker running now has
     * exited (as the primary stops them, or they die).
     */
    async collectChildren(options: { blocking?: boolean } = {}): Promise<void> {
      checkObject(options, 'options');
      const blocking = checkBoolean(options.blocking ?? false, 'options.blocking');
      if (blocking) await Promise.all([...(forking.get(this)!.workers ?? [])].map(exited));
    }

    /** Whether this process is one of the server's workers (the program's entry runs in both). */
    get isWorker(): boolean {
      return inWorker(this);
    }

    /** In a worker: the inherited listening socket replaces binding one. */
    override serverBind(): void {
      if (!inWorker(this)) return super.serverBind();
      this.socket.close();
      this.socket = new Socket(undefined, undefined, undefined, WORKER_FD);
      this.serverAddress = this.socket.getsockname();
    }

    /** In the primary only: the workers' inherited socket already listens. */
    override serverActivate(): void {
      if (!inWorker(this)) super.serverActivate();
    }

    /**
     * Primary: starts maxChildren workers and resolves at shutdown() (an
     * abort of `options.signal` shuts down and rejects with an AbortError).
     * Worker: serves until the primary stops it.
     */
    override serveForever(pollInterval = 0.5, options?: WaitOptions): Promise<void> {
      const state = forking.get(this)!;
      if (inWorker(this)) {
        // The primary says when to stop; its exit stops us too.
        const stop = (): void => void this.shutdown();
        process.on('message', (message) => message === 'shutdown' && stop());
        process.once('disconnect', stop);
        process.channel?.unref();
        return super.serveForever(pollInterval, options);
      }
      let signal: AbortSignal | undefined;
      try {
        signal = servingSignal(options);
      } catch (error) {
        return Promise.reject(error);
      }
      state.stopping = false;
      for (let k = 0; k < this.maxChildren; k++) spawnWorker(this, state);
      return stoppedBy(this, new Promise<void>((resolve) => (state.stop = resolve)), signal);
    }

    /** Primary: stops the workers (letting them finish with blockOnClose), then ends serveForever(). */
    override async shutdown(): Promise<void> {
      const state = forking.get(this)!;
      if (inWorker(this)) return super.shutdown();
      state.stopping = true;
      await stopWorkers(state, this.blockOnClose);
      state.stop?.();
      state.stop = undefined;
    }

    /** Primary: stops the workers first; then closes the socket. */
    override async serverClose(): Promise<void> {
      const state = forking.get(this)!;
      if (!inWorker(this)) {
        state.stopping = true;
        await stopWorkers(state, this.blockOnClose);
      }
      await super.serverClose();
    }
  };
}

/** Starts a worker that re-runs the program's entry with the listening socket as fd 4. */
function spawnWorker(server: TCPServer, state: Forking): void {
  const worker = fork(process.argv[1]!, process.argv.slice(2), {
    execArgv: process.execArgv,
    env: { ...process.env, [WORKER_ENV]: String(state.index) },
    stdio: ['inherit', 'inherit', 'inherit', 'ipc', server.socket.fileno()],
  });
  (state.workers ??= new Set()).add(worker);
  const started = performance.now();
  worker.once('exit', (code, signal) => {
    state.workers?.delete(worker);
    if (state.stopping || state.stop === undefined) return;
    // A worker that dies at once (a broken program) is restarted ever more slowly.
    state.quickExits = performance.now() - started < QUICK_EXIT_MS ? state.quickExits + 1 : 0;
    const delay = state.quickExits === 0 ? 0 : Math.min(100 * 2 ** state.quickExits, 5000);
    process.stderr.write(`berkeley: worker ${worker.pid} exited (${signal ?? code}); starting another${delay ? ` in ${delay} ms` : ''}\n`);
    state.restart = setTimeout(() => {
      if (!state.stopping) spawnWorker(server, state);
    }, delay);
  });
}

function hasExited(worker: ChildProcess): boolean {
  return worker.exitCode !== null || worker.signalCode !== null;
}

/** Resolves once worker has exited. */
function exited(worker: ChildProcess): Promise<void> {
  if (hasExited(worker)) return Promise.resolve();
  return new Promise<void>((resolve) => worker.once('exit', () => resolve()));
}

/** Asks every worker to finish (or, without blockOnClose, terminates it) and waits for the exits. */
async function stopWorkers(state: Forking, wait: boolean): Promise<void> {
  clearTimeout(state.restart);
  const exits = [...(state.workers ?? [])].map((worker) => {
    if (hasExited(worker)) return Promise.resolve();
    const exit = exited(worker);
    if (wait && worker.connected) worker.send('shutdown');
    else worker.kill('SIGTERM');
    return exit;
  });
  await Promise.all(exits);
}
