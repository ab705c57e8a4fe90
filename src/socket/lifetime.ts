// A Socket's lifetime beyond close() and beyond its thread: the GC of an
// unclosed Socket closes its fd with a ResourceWarning, as Python's does;
// structuredClone and postMessage refuse a Socket, saying what to post.
import { cloneGuard } from '../core/uncloneable.js';
import type { Handle } from '../io/handle.js';

const unclosed = new FinalizationRegistry<{ handle: Handle; description: string }>(({ handle, description }) => {
  if (handle.fd < 0) return;
  handle.close();
  process.emitWarning(`unclosed ${description}`, 'ResourceWarning');
});

/** Closes handle's fd, with a warning naming it, if owner is collected unclosed. */
export function closeWhenCollected(owner: object, handle: Handle, description: string): void {
  unclosed.register(owner, { handle, description }, handle);
}

/** The socket was closed or detached by its user: nothing is left for the GC to close. */
export function released(handle: Handle): void {
  unclosed.unregister(handle);
}

/** Every Socket's clone guard: an fd is posted, not the object that owns it. */
export const SOCKET_CLONE_GUARD = cloneGuard(
  'A berkeley Socket cannot be cloned or posted to another thread: post its fd instead. sock.detach() gives the fd up and new Socket(undefined, undefined, undefined, fd) owns it there; or, to keep this socket, post sock.fileno() and take a dup of it there with socket.fromfd(fd, family, type) before this one is closed.',
);
