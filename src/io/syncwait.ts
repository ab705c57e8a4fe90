// The Sync waits: poll(2) on the calling thread. A handled signal (EINTR)
// is waited through with the time that remains (PEP 475). In a worker
// thread a long wait is cut into slices that each come back to JavaScript,
// where worker.terminate() (or a process.exit() that ends every worker)
// takes effect: a blocked recvSync/acceptSync/selectSync never keeps a
// worker, or the process, from ending.
import { isMainThread } from 'node:worker_threads';
import { EINTR } from '../core/errno.js';
import { errorFromErrno } from '../core/errors.js';
import { native } from '../core/native.js';

const SLICE_MS = isMainThread ? Infinity : 50;
// The longest wait poll(2) takes; longer ones wait in steps.
const MAX_WAIT_MS = 0x7fffffff;

/** Runs once(slice) until it reports something or ms have passed (ms < 0: forever); 0 means the time ran out. */
function sliced(ms: number, once: (ms: number) => number): number {
  const deadline = ms < 0 ? Infinity : performance.now() + ms;
  for (;;) {
    const remaining = deadline - performance.now();
    const slice = Math.min(remaining, SLICE_MS, MAX_WAIT_MS);
    const rc = once(slice === Infinity ? -1 : Math.max(0, Math.ceil(slice)));
    if (rc !== 0 && rc !== -EINTR) return rc;
    if (remaining <= 0 || performance.now() >= deadline) return 0;
  }
}

/** Waits for one fd: its ready events (an error or hang-up is both), 0 once ms have passed, or -errno. */
export function pollOne(fd: number, events: number, ms: number): number {
  return sliced(ms, (slice) => native.waitSync(fd, events, slice));
}

/** Waits for any of fds (wanted[k] for fds[k]): the ready events per fd, all 0 once ms have passed. */
export function pollMany(fds: Int32Array, wanted: readonly number[], ms: number): Int32Array {
  let events = Int32Array.from(wanted);
  const rc = sliced(ms, (slice) => native.pollSync(fds, (events = Int32Array.from(wanted)), slice));
  if (rc < 0) throw errorFromErrno(rc, 'poll');
  return events;
}

/** Waits for any of fds with poll(2)'s own event bits (select.poll): > 0 once one has events, 0 once ms have passed, or -errno. */
export function pollEvents(fds: Int32Array, masks: Int32Array, ms: number): number {
  return sliced(ms, (slice) => {
    const ready = native.poll(fds, masks, slice);
    return typeof ready === 'number' ? ready : ready.length;
  });
}
