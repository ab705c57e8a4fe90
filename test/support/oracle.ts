// python3's socket module as the oracle: the same call in both, compared
// value for value and error for error (the conformance, convert and netdb suites).
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import * as socket from 'berkeley';
import { bounded } from './wait.js';

/** What a call gave: a value (JSON-encoded: bytes as `{hex}`, tuples as arrays) or an error. */
export type Outcome = { ok: unknown } | { error: string; errno: number | null; strerror: string | null; message: string; code?: string };

/** One call for the comparison tables: a berkeley function name (camelCase) and its arguments (`{hex}` for bytes). */
export type Call = [name: string, args: unknown[]];

/** Python's name for a berkeley function: `inetPton` → `inet_pton`, `gethostbynameEx` → `gethostbyname_ex`. */
export function pythonName(name: string): string {
  return name.replace(/Sync$/, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * Python's side of the JSON encoding: `dec(v)` turns `{hex}` into bytes and
 * lists into tuples; `enc(v)` turns a result into JSON (bytes as `{hex}`,
 * tuples as lists, IntEnums as ints). Scripts start with it.
 */
export const PY_CODEC = String.raw`
def dec(v):
    if isinstance(v, dict) and 'hex' in v: return bytes.fromhex(v['hex'])
    if isinstance(v, list): return tuple(dec(x) for x in v)
    return v
def enc(v):
    if isinstance(v, bool): return v
    if isinstance(v, int): return int(v)
    if isinstance(v, (bytes, bytearray)): return {'hex': bytes(v).hex()}
    if isinstance(v, (list, tuple)): return [enc(x) for x in v]
    return v
`;

const PY_CALLS = String.raw`
import enum, json, socket, sys
${PY_CODEC}
out = []
for name, args in json.load(sys.stdin):
    try:
        out.append({'ok': enc(getattr(socket, name)(*dec(args)))})
    except Exception as e:
        en = getattr(e, 'errno', None)
        out.append({'error': type(e).__name__, 'errno': en, 'strerror': getattr(e, 'strerror', None), 'message': str(e)})
print(json.dumps(out))
`;

/** Runs each call in python3's socket module (optionally under a prefix such as withPrivateFiles()). */
export function pythonCalls(calls: Call[], prefix: string[] = []): Outcome[] {
  const argv = [...prefix, 'python3', '-c', PY_CALLS];
  const text = execFileSync(argv[0]!, argv.slice(1), { input: JSON.stringify(calls.map(([name, args]) => [pythonName(name), args])), encoding: 'utf8', timeout: 30000 });
  return JSON.parse(text) as Outcome[];
}

/** Encodes a berkeley value the way PY_CALLS encodes a Python one. */
export function encodeValue(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return { hex: value.toString('hex') };
  if (Array.isArray(value)) return value.map(encodeValue);
  return value;
}

/** Decodes the `{hex}` arguments of a call into Buffers. */
export function decodeArgument(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && 'hex' in value) return Buffer.from((value as { hex: string }).hex, 'hex');
  if (Array.isArray(value)) return value.map(decodeArgument);
  return value;
}

/** The outcome of an error thrown by berkeley. */
export function errorOutcome(error: unknown): Outcome {
  const e = error as { errno?: number; strerror?: string; message: string; code?: string };
  return { error: (error as Error).constructor.name, errno: e.errno ?? null, strerror: e.strerror ?? null, message: e.message, code: e.code };
}

/** Runs a berkeley call (Sync form, or the async form when async is true) and encodes what it gave. */
export async function berkeleyCall([name, args]: Call, async = false): Promise<Outcome> {
  const fn = (socket as unknown as Record<string, (...a: unknown[]) => unknown>)[async ? name : `${name}Sync`] ?? (socket as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
  if (typeof fn !== 'function') return { error: 'missing', errno: null, strerror: null, message: `berkeley has no ${name}` };
  try {
    return { ok: encodeValue(await fn(...(args.map(decodeArgument)))) };
  } catch (error) {
    return errorOutcome(error);
  }
}

const pythonToBerkeley: Record<string, string[]> = {
  gaierror: ['GaiError'],
  herror: ['HostError'],
  OSError: ['SocketError'],
  ValueError: ['RangeError'],
  OverflowError: ['RangeError'],
  // Python's TypeError for a NUL in a string or a float where an int goes: a bad value (RangeError) or TypeError here.
  TypeError: ['TypeError', 'RangeError'],
  // Bytes a text file cannot decode: Node's TextDecoder error (ERR_ENCODING_INVALID_ENCODED_DATA).
  UnicodeDecodeError: ['TypeError'],
};

/**
 * Asserts berkeley's outcome is Python's: the same value, or the matching
 * error class (gaierror → GaiError, herror → HostError, OSError → SocketError,
 * ValueError/OverflowError → RangeError, PEP 3151 classes by name) with the
 * same errno and the system's message.
 */
export function assertSameOutcome(actual: Outcome, expected: Outcome, label: string): void {
  const show = `${label}: berkeley ${JSON.stringify(actual)} vs python ${JSON.stringify(expected)}`;
  if ('ok' in expected) {
    if (!('ok' in actual)) assert.fail(show);
    assert.deepEqual(actual.ok, expected.ok, show);
    return;
  }
  if (!('error' in actual)) assert.fail(show);
  const classes = pythonToBerkeley[expected.error] ?? [expected.error];
  if (!classes.includes(actual.error)) assert.fail(`${show} (class)`);
  if (classes[0] === 'RangeError' || classes[0] === 'TypeError') return;
  if (expected.errno !== null) {
    if (actual.errno !== expected.errno || actual.strerror !== expected.strerror) assert.fail(`${show} (errno/strerror)`);
  } else if (actual.strerror !== expected.message) {
    assert.fail(`${show} (message)`);
  }
  if (expected.error === 'gaierror') {
    const name = Object.entries(socket).find(([k, v]) => k.startsWith('EAI_') && v === expected.errno)?.[0];
    if (actual.code !== name) assert.fail(`${show} (code ${actual.code} vs ${name})`);
  }
}


/** A call as a subtest name: `inetAton("127.1")`. */
export const callLabel = ([name, args]: Call): string => `${name}(${args.map((a) => JSON.stringify(a)).join(', ')})`;

/**
 * One subtest per call: berkeley's Sync outcome against python's, and, for
 * the function names in alsoAsync, the async form's too (bounded).
 */
export async function compareWithPython(t: TestContext, calls: Call[], alsoAsync: ReadonlySet<string> = new Set()): Promise<void> {
  const expected = pythonCalls(calls);
  for (const [k, call] of calls.entries()) {
    const label = callLabel(call);
    await t.test(label, async () => {
      assertSameOutcome(await berkeleyCall(call), expected[k]!, alsoAsync.has(call[0]) ? `${label} [Sync]` : label);
      if (alsoAsync.has(call[0])) assertSameOutcome(await bounded(berkeleyCall(call, true)), expected[k]!, `${label} [async]`);
    });
  }
}
