// A Socket's lifetime beyond close(): the GC of an unclosed Socket closes
// its fd with a ResourceWarning, as Python's does (and of an epoll object
// without one, as Python's).
import type { Handle } from '../io/handle.js';

const unclosed = new FinalizationRegistry<{ handle: Handle; description: string | undefined }>(({ handle, description }) => {
  if (handle.fd < 0) return;
  handle.close();
  if (description !== undefined) process.emitWarning(`unclosed ${description}`, 'ResourceWarning');
});

/** Closes handle's fd if owner is collected unclosed, with a warning naming it when there is a description. */
export function closeWhenCollected(owner: object, handle: Handle, description?: string): void {
  unclosed.register(owner, { handle, description }, handle);
}

/** The socket was closed or detached by its user: nothing is left for the GC to close. */
export function released(handle: Handle): void {
  unclosed.unregister(handle);
}
