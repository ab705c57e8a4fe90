// Bounded waits: every wait in a test has a limit, and says what it waited for.

/** Rejects if the promise does not settle within ms: every wait in a test is bounded. */
export function bounded<T>(promise: Promise<T>, ms = 5000, what: string | (() => string) = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${typeof what === 'function' ? what() : what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
