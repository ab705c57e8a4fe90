// Python's enums of the socket module's numbers (AddressFamily, SocketKind,
// MsgFlag, AddressInfo) as objects that map both ways, as a TypeScript
// numeric enum does: AddressFamily.AF_INET === 2, AddressFamily[2] ===
// 'AF_INET'. Built from the running platform's constants, so a name the
// platform lacks is absent, and taken as Python takes them: the upper-case
// names with the prefix (AF_DECnet is no member), sorted by value and then
// name, the first name of a value canonical and the others its aliases.
import * as C from './constants.js';
import { checkInt } from './validate.js';

/** The socket module's constants (each exported by name). */
type Constants = typeof C;

/** The names of the constants that start with P and are upper-case, as Python's enums take them. @inline */
type Names<P extends string> = {
  [K in keyof Constants]: K extends `${P}${string}` ? (K extends Uppercase<K> ? K : never) : never;
}[keyof Constants];

/**
 * One of Python's IntEnums as an object that maps both ways: each name to
 * its value (undefined where the platform lacks the name), and each value
 * to its canonical name (undefined for a number no name has).
 */
export type IntEnum<N extends keyof Constants> = { readonly [K in N]: Constants[K] } & { readonly [value: number]: N | undefined };

/** One of Python's IntFlags: an IntEnum that also names a combination of its flags. */
export type IntFlag<N extends keyof Constants> = IntEnum<N> & {
  /**
   * The flags as Python names them: the names of the set bits from the
   * lowest, then any bits no name has as one number (`'MSG_PEEK|MSG_TRUNC'`,
   * `'MSG_PEEK|1048576'`), `'0'` for none.
   */
  format(this: void, flags: number): string;
};

// Names Python's socket module lacks, glibc's old synonyms of AF_UNIX: they
// are members, but never the name a value prints as.
const NEVER_CANONICAL = new Set(['AF_FILE', 'AF_LOCAL']);

/** name → value and value → canonical name, for the constants with prefix. */
function intEnum(prefix: string): Record<string, string | number> {
  const members = Object.entries(C).filter(
    (entry): entry is [string, number] => entry[0].startsWith(prefix) && entry[0] === entry[0].toUpperCase() && typeof entry[1] === 'number',
  );
  const rank = (name: string): number => (NEVER_CANONICAL.has(name) ? 1 : 0);
  members.sort(([a, x], [b, y]) => x - y || rank(a) - rank(b) || (a < b ? -1 : 1));
  const table: Record<string, string | number> = {};
  for (const [name, value] of members) {
    table[name] = value;
    if (!(value in table)) table[value] = name;
  }
  return table;
}

/** intEnum's table with format(), frozen. */
function intFlag<N extends keyof Constants>(prefix: string): IntFlag<N> {
  const table = intEnum(prefix);
  const format = (flags: number): string => {
    let rest = checkInt(flags, 'flags') >>> 0;
    const names: string[] = [];
    for (let bit = 1; rest >= bit && bit !== 0; bit = (bit << 1) >>> 0) {
      const name = table[bit];
      if ((rest & bit) === 0 || typeof name !== 'string') continue;
      names.push(name);
      rest = (rest & ~bit) >>> 0;
    }
    if (rest !== 0 || names.length === 0) names.push(String(rest));
    return names.join('|');
  };
  // Not enumerable: the keys are the flags' names and values only.
  Object.defineProperty(table, 'format', { value: format });
  return Object.freeze(table) as unknown as IntFlag<N>;
}

// The types of the family and type constants share the enums' names, as in
// Python, where AF_INET is an AddressFamily: each constant is the platform's
// number at run time, and its type also carries its name, so that
// `socket(AF_INET, SOCK_DGRAM)` is a socket whose addresses are `[host, port]`.
// The name is for the type checker only.
declare const familyName: unique symbol;
declare const kindName: unique symbol;

/**
 * An address family constant (Python's `socket.AddressFamily`): a number
 * whose type names it, as `AF_INET` is an `AddressFamily<'AF_INET'>`.
 * A plain number is a family too, of a socket whose addresses are not typed.
 */
export type AddressFamily<Name extends string = string> = number & {
  /** The constant's name, for the type checker only. */
  readonly [familyName]: Name;
};

/**
 * A socket type constant (Python's `socket.SocketKind`): a number whose type
 * names it, as `SOCK_DGRAM` is a `SocketKind<'SOCK_DGRAM'>`.
 */
export type SocketKind<Name extends string = string> = number & {
  /** The constant's name, for the type checker only. */
  readonly [kindName]: Name;
};

/** Python's `socket.AddressFamily`: the `AF_*` constants, both ways (`AddressFamily[2] === 'AF_INET'`). */
export const AddressFamily = Object.freeze(intEnum('AF_')) as unknown as IntEnum<Names<'AF_'>>;

/** Python's `socket.SocketKind`: the `SOCK_*` constants, both ways (`SocketKind[1] === 'SOCK_STREAM'`). */
export const SocketKind = Object.freeze(intEnum('SOCK_')) as unknown as IntEnum<Names<'SOCK_'>>;

/** Python's `socket.MsgFlag`: the `MSG_*` flags, both ways, and `MsgFlag.format(34) === 'MSG_PEEK|MSG_TRUNC'`. */
export const MsgFlag = intFlag<Names<'MSG_'>>('MSG_');

/** Python's `socket.AddressInfo`: the `AI_*` flags, both ways, and `AddressInfo.format(flags)`. */
export const AddressInfo = intFlag<Names<'AI_'>>('AI_');
