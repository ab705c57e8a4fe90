// TypeDoc (`npm run docs`, also run by `npm run lint`): the API reference, a
// static site in docs/api/ (git-ignored: built, not committed; open
// docs/api/index.html). Generated into docs/api/ rather than docs/ because
// TypeDoc empties its output folder on each run, and docs/ may hold written
// pages one day.
//
// Every warning fails the build, and validation warns on an exported symbol
// without a doc comment, on a type the docs reference that no entry point
// exports, and on a {@link} that does not resolve: so `npm run lint` fails
// on an undocumented public API.

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  // The package's four entry points; each is named by its import path with
  // an `@module` tag in its first doc comment (berkeley, berkeley/ssl, …).
  entryPoints: ['src/index.ts', 'src/selectors.ts', 'src/socketserver.ts', 'src/ssl.ts'],
  tsconfig: 'tsconfig.json',
  out: 'docs/api',
  // tsc has type-checked src/ already (npm run build, and ESLint's type-aware rules).
  skipErrorChecking: true,
  validation: { notExported: true, invalidLink: true, notDocumented: true },
  treatWarningsAsErrors: true,
  // Source links point at the repository package.json names, whatever the
  // checkout's own remotes are (a fresh clone's origin is a local path).
  disableGit: true,
  gitRevision: 'main',
  sourceLinkTemplate: 'https://github.com/berkeley-js/berkeley/blob/{gitRevision}/{path}#L{line}',
  // `@internal` marks what only the package itself calls (SSLSocket's
  // constructor, SSLContext's handshakeSpec()): left out of the reference.
  excludeInternal: true,
  // SocketFile's constructor takes the socket's FileRefs, an optional
  // parameter that only Socket and SSLSocket pass; the class is not part of
  // the package's exports.
  intentionallyNotExported: [
    'FileRefs',
    // The enums' types (IntEnum) are keyed by the constants module's own
    // type, `typeof` the constants that the entry point exports one by one.
    'Constants',
  ],
  // The `prototype` TypeScript gives the class a mixin returns: no source to
  // document it in.
  intentionallyNotDocumented: [
    'berkeley/socketserver.ThreadingMixIn.__type.prototype',
    'berkeley/socketserver.ForkingMixIn.__type.prototype',
    // FileObject is `number | { fileno(): number }`; its own comment says what fileno() is.
    'berkeley/selectors.FileObject.__type.fileno',
  ],
};
