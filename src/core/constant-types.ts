// The types of the family and socket-type constants that decide a socket's
// addresses: each is the platform's number at run time, and its type also
// carries its name, so that `socket(AF_INET, SOCK_DGRAM)` is a socket whose
// addresses are `[host, port]`. The name is for the type checker only:
// nothing of it exists at run time.
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
