// Bounded waits: every wait in a test has a limit, and says what it waited for.

/** Rejects if the promise does not settle within ms: every wait in a test is bounded. */
export function bounded<T>(promise: Promise<T>, ms = 5000, what: string | (() => string) = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${typeof what === 'function' ? what() : what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** Lets the event loop run n turns (a chance for work that should, or should not, happen). */
export async function loopTurns(n = 1): Promise<void> {
  for (let k = 0; k < n; k++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Re-checks condition every intervalMs until it holds, bounded by ms: only
 * for a state no event announces (a process that is not our child exiting).
 */
export async function waitUntil(condition: () => boolean, ms: number, what: string | (() => string), intervalMs = 20): Promise<void> {
  const poll = async (): Promise<void> => {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, intervalMs));
  };
  await bounded(poll(), ms, what);
}
