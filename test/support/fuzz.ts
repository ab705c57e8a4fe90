// The fuzz's machinery, shared by the socket and ssl fuzz suites: a table of
// odd values (every JavaScript type, edge numbers, detached and shared
// memory, throwing getters and proxies), argument lists that put each in
// every position of a valid call, and attempt(), which runs one call and
// records a problem unless it returns/resolves or throws/rejects an Error.
import { appendFileSync } from 'node:fs';
import { ReadableStream, WritableStream } from 'node:stream/web';
import { inspect } from 'node:util';
import * as socket from 'berkeley';
import { detachedBuffer } from './system.js';
import { bounded } from './wait.js';

/** An odd value and how a problem names it. */
export type Value = [label: string, value: unknown];

const detached = detachedBuffer();
const revoked = Proxy.revocable({}, {});
revoked.revoke();
const throwingGetter = Object.defineProperty(['127.0.0.1', 0], 1, {
  get() {
    throw new Error('getter');
  },
});

/** Every kind of value a caller could pass by mistake. */
export const ODD: Value[] = [
  ['undefined', undefined],
  ['null', null],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['-1', -1],
  ['1.5', 1.5],
  ['2**31', 2 ** 31],
  ['2**32', 2 ** 32],
  ['2**53', 2 ** 53],
  ['-(2**53)', -(2 ** 53)],
  ['Number.MAX_VALUE', Number.MAX_VALUE],
  ['true', true],
  ['{}', {}],
  ['[]', []],
  ["'x'", 'x'],
  ["''", ''],
  ["'a\\0b'", 'a\0b'],
  ['lone surrogate', '\ud800'],
  ['1 MB string', 'x'.repeat(1 << 20)],
  ['Symbol()', Symbol('odd')],
  ['() => {}', () => {}],
  ['class', class Odd { readonly odd = true; }],
  ['huge array', new Array(1_000_000).fill(7)],
  ['huge sparse array', new Array(2 ** 32 - 1)],
  ['nested array', [[['127.0.0.1', 0]]]],
  ['array with throwing getter', throwingGetter],
  ['Buffer', Buffer.from('odd')],
  ['empty Buffer', Buffer.alloc(0)],
  ['1 MiB Buffer', Buffer.alloc(1 << 20)],
  ['Uint16Array', new Uint16Array(3)],
  ['Float64Array', new Float64Array(2)],
  ['BigInt64Array', new BigInt64Array(2)],
  ['DataView', new DataView(new ArrayBuffer(8), 2, 4)],
  ['ArrayBuffer', new ArrayBuffer(8)],
  ['SharedArrayBuffer', new SharedArrayBuffer(8)],
  ['detached ArrayBuffer', detached.buffer],
  ['view of a detached buffer', detached.view],
  ['BigInt', 10n],
  ['huge BigInt', 2n ** 200n],
  ['Object.create(null)', Object.create(null)],
  ['revoked Proxy', revoked.proxy],
  ['throwing Proxy', new Proxy({}, { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); } })],
  ['Date', new Date(0)],
  ['boxed number', new Number(5)],
  ['Promise', Promise.resolve(1)],
];

/** Every argument list: each base with one position (including one past the end) replaced by each odd value. */
export function argumentLists(base: unknown[], arity: number, addressAt?: number, odd: Value[] = ODD, addresses: Value[] = []): [string, unknown[]][] {
  const lists: [string, unknown[]][] = [];
  const positions = Math.max(base.length, arity) + 1;
  for (let i = 0; i < positions; i++) {
    const values = i === addressAt ? [...odd, ...addresses] : odd;
    for (const [label, value] of values) {
      const args = [...base];
      while (args.length < i) args.push(undefined);
      args[i] = value;
      lists.push([`arg ${i} = ${label}`, args]);
    }
  }
  return lists;
}

/** Closes whatever a call handed back: Sockets, files, streams, arrays of them, detached fds. */
export async function release(result: unknown, method: string): Promise<void> {
  if (Array.isArray(result)) {
    for (const item of result) await release(item, method);
    return;
  }
  if (method === 'detach' && typeof result === 'number' && result >= 0) {
    socket.close(result);
    return;
  }
  if (result === null || typeof result !== 'object') return;
  const r = result as Record<string, unknown>;
  if (typeof r.destroy === 'function') {
    // Duplex, net.Socket: an error while tearing down is theirs to emit, not a crash.
    if (typeof r.on === 'function') (r.on as (e: string, f: () => void) => void)('error', () => undefined);
    (r.destroy as () => void)();
  }
  else if (typeof r.close === 'function') await (r.close as () => unknown)(); // Socket, SocketFile
  else if (r.readable instanceof ReadableStream && r.writable instanceof WritableStream) {
    await r.readable.cancel().catch(() => undefined);
    await r.writable.abort().catch(() => undefined);
  }
}

/**
 * An argument the TypeScript layer let through to the addon, which refused it
 * with its own generic message ("argument 2 must be a number"): no crash, but
 * the message does not name the argument as the contract asks.
 */
const NATIVE_MESSAGE = /^(argument \d+ must be|expected \d+ arguments)/;
function noteNative(problems: string[], what: string, error: Error): void {
  // The error classes' own constructors have their own test below.
  if (/^[A-Za-z]*Error\(/.test(what)) return;
  if (NATIVE_MESSAGE.test(error.message)) problems.push(`${what}: reached the native layer unchecked (${error.message})`);
}

/** Runs one call; records a problem in problems unless it returns/resolves or throws/rejects an Error. */
export async function attempt(problems: string[], what: string, call: () => unknown, method = ''): Promise<void> {
  // Debugging aid: FUZZ_TRACE=file logs each call first, so a crash shows its culprit.
  if (process.env.FUZZ_TRACE) appendFileSync(process.env.FUZZ_TRACE, `${what}\n`);
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    if (!(error instanceof Error)) problems.push(`${what}: threw a non-Error ${typeof error}`);
    else noteNative(problems, what, error);
    return;
  }
  if (result instanceof Promise) {
    try {
      result = await bounded(result, 5000, what);
    } catch (error) {
      if (!(error instanceof Error)) problems.push(`${what}: rejected with a non-Error ${typeof error}`);
      else if (error.message.includes('did not finish')) problems.push(`${what}: never settled`);
      else noteNative(problems, what, error);
      return;
    }
  }
  try {
    await release(result, method);
  } catch (error) {
    problems.push(`${what}: could not release the result: ${inspect(error)}`);
  }
}
