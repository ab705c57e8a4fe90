// A Socket's lifetime beyond close() and beyond its thread: the GC of an
// unclosed Socket closes its fd with a ResourceWarning, as Python's does,
// and says where the Socket was made when warnings are traced (as Python's
// tracemalloc does); structuredClone and postMessage refuse a Socket,
// saying what to post.
import { isMainThread } from 'node:worker_threads';
import { native } from '../core/native.js';
import { tracingWarnings } from '../core/node-internals.js';
import { cloneGuard } from '../core/uncloneable.js';
import type { Handle } from '../io/handle.js';
import { describe } from './describe.js';

// Read once: a stack per Socket costs microseconds, and a read of the flag per Socket tens of ns.
const TRACING = tracingWarnings();
// This package's frames (the Socket's constructor and what called it here) are left out of a site.
const PACKAGE_FRAMES = new URL('../', import.meta.url).href;

/** The stack where a Socket is being made, from the first frame outside berkeley (all of it when there is none). */
function creationSite(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Infinity;
  let frames: string[];
  try {
    frames = String(new Error().stack).split('\n').slice(1);
  } finally {
    Error.stackTraceLimit = limit;
  }
  const first = Math.max(0, frames.findIndex((frame) => !frame.includes(PACKAGE_FRAMES)));
  return ['Socket created at:', ...frames.slice(first, first + limit)].join('\n');
}

// What the GC of an unclosed Socket needs: numbers, its description made
// only if the warning comes (nothing more held per Socket).
interface Unclosed {
  handle: Handle;
  // undefined: no warning (an epoll object's, as in Python).
  family: number | undefined;
  type: number;
  proto: number;
  site: string | undefined;
}

const unclosed = new FinalizationRegistry<Unclosed>(({ handle, family, type, proto, site }) => {
  if (handle.fd < 0) return;
  const description = family === undefined ? undefined : describe(handle.fd, false, family, type, proto, false);
  handle.close();
  if (description !== undefined) process.emitWarning(`unclosed ${description}`, { type: 'ResourceWarning', detail: site });
});

/** Closes handle's fd if owner is collected unclosed, with a warning naming the socket when there is a family (an epoll object has none, as in Python). */
export function closeWhenCollected(owner: object, handle: Handle, family?: number, type = 0, proto = 0): void {
  const site = TRACING && family !== undefined ? creationSite() : undefined;
  // A worker that ends closes the fds its Sockets still own (native/teardown.c), and prints the site with its warning.
  if (site !== undefined && !isMainThread) native.own(handle.fd, site);
  unclosed.register(owner, { handle, family, type, proto, site }, handle);
}

/** The socket was closed or detached by its user: nothing is left for the GC to close. */
export function released(handle: Handle): void {
  unclosed.unregister(handle);
}

/** Every Socket's clone guard: an fd is posted, not the object that owns it. */
export const SOCKET_CLONE_GUARD = cloneGuard(
  'A berkeley Socket cannot be cloned or posted to another thread: post its fd instead. sock.detach() gives the fd up and new Socket(undefined, undefined, undefined, fd) owns it there; or, to keep this socket, post sock.fileno() and take a dup of it there with socket.fromfd(fd, family, type) before this one is closed.',
);
