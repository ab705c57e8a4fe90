// The stack of an async call's error shows its caller. A call that waited
// fails in a callback of the event loop (a readiness event, its timer, its
// signal's abort), whose stack holds only berkeley's frames; one that fails
// at once deep inside work of several steps (sendFds, a SocketFile's write)
// has its caller past the ten frames V8 keeps. V8's async stack traces
// follow the awaits back to the callers from inside a promise reaction, so
// the error's stack is taken again in one: `at async main`. A Socket call
// that completes or fails at once never comes here (its stack is the
// caller's already): the fast path pays nothing.

/** The promise, whose rejection carries the awaiting callers' frames. */
export function withCallerStack<R>(promise: Promise<R>): Promise<R> {
  return promise.catch(rethrownWithCallerStack);
}

function rethrownWithCallerStack(error: unknown): never {
  // This function's own frame is left out: the stack starts at the callers.
  if (error instanceof Error) Error.captureStackTrace(error, rethrownWithCallerStack);
  throw error;
}
