// dependency-cruiser (`npm run lint`, run by `npm test`): berkeley's layer map.
//
// src/ is layers, one folder each; imports point only down the map:
//
//   cli            src/cli/, the `berkeley` command: a user of the package, so it
//                  imports the entry points only (src/index.ts, ssl.ts, …) and
//                  nothing imports it
//   entry points   src/index.ts, selectors.ts, socketserver.ts, ssl.ts: re-export only
//   ───────────────────────────────────────────────────────────────────────────────
//   socketserver   may import selectors, socket, adapters, io, core   (never ssl)
//   ssl            may import socket, adapters, io, core              (never selectors, socketserver)
//   selectors      may import socket, adapters, io, core              (never socketserver, ssl)
//   ───────────────────────────────────────────────────────────────────────────────
//   socket         the Socket class and the socket module's functions:
//                  may import adapters (makefile(), toDuplex()…), io, core
//   adapters       makefile files, streams, net interop: may import io, core,
//                  and NEVER socket, not even a type: adapters work over small
//                  interfaces of their own, which Socket satisfies
//   io             readiness watcher, handle, deadline, call helper, stepwise ops:
//                  may import core
//   core           typed native binding, errno table, errors, argument checks,
//                  constants: imports no other layer (src/core/native.ts alone
//                  loads the addon, addon/load.mjs)
//
// A type-only import (`import type`, `import { type X }`) is an import here:
// the map is about what a layer knows, not only about what it runs
// (tsPreCompilationDeps below). Outside src/, test/, examples/ and bench/ use
// berkeley as its users do, through the package's entry points ('berkeley',
// 'berkeley/selectors', 'berkeley/socketserver', 'berkeley/ssl').
//
// Every rule is an error: `depcruise` exits non-zero on any violation.

/** Every layer folder of src/, in the map's order, bottom first. */
const LAYERS = ['core', 'io', 'adapters', 'socket', 'selectors', 'ssl', 'socketserver', 'cli'];

/** A path regex for the given layers of src/. */
const layers = (...names) => `^src/(${names.join('|')})/`;

/**
 * The rule for one layer: importing any file of src/ outside `allowed`
 * (the layer itself included) is forbidden. The entry points are outside
 * every layer, so no layer may import one.
 */
function layer(name, allowed, comment) {
  return {
    name: `layer-${name}`,
    severity: 'error',
    comment,
    from: { path: layers(name) },
    to: { path: '^src/', pathNot: layers(name, ...allowed) },
  };
}

module.exports = {
  forbidden: [
    // ---- the layer map, bottom up ----------------------------------------
    layer('core', [], 'core (native binding, errno table, errors, argument checks, constants) imports no other layer of src/.'),
    layer('io', ['core'], 'io (readiness watcher, handle, deadline, call helper, stepwise ops) may import core only.'),
    {
      name: 'adapters-not-socket',
      severity: 'error',
      comment:
        'adapters (makefile files, streams, net interop) never import socket, not even a type: they work over small interfaces that Socket satisfies.',
      from: { path: layers('adapters') },
      to: { path: layers('socket') },
    },
    // socket is left out of `allowed` here only so that the rule above, and
    // not this one as well, names an adapters → socket import.
    layer('adapters', ['core', 'io', 'socket'], 'adapters may import io and core.'),
    layer('socket', ['core', 'io', 'adapters'], 'socket (the Socket class, the module functions) may import adapters, io and core.'),
    layer('selectors', ['core', 'io', 'adapters', 'socket'], 'selectors may import socket, adapters, io and core; never socketserver or ssl.'),
    layer('ssl', ['core', 'io', 'adapters', 'socket'], 'ssl may import socket, adapters, io and core; never selectors or socketserver.'),
    layer(
      'socketserver',
      ['core', 'io', 'adapters', 'socket', 'selectors'],
      'socketserver may import selectors, socket, adapters, io and core; never ssl.',
    ),
    {
      name: 'cli-uses-entry-points',
      severity: 'error',
      comment: "cli (the berkeley command) uses the package as its users do: the entry points src/index.ts, selectors.ts, socketserver.ts and ssl.ts, never a layer's file.",
      from: { path: layers('cli') },
      to: { path: '^src/', pathNot: [layers('cli'), '^src/(index|selectors|socketserver|ssl)\\.ts$'] },
    },
    {
      name: 'nothing-imports-cli',
      severity: 'error',
      comment: 'cli is the top: no layer and no entry point imports it (the package exports no part of it).',
      from: { path: '^src/', pathNot: layers('cli') },
      to: { path: layers('cli') },
    },
    {
      name: 'src-layer-unknown',
      severity: 'error',
      comment: `Every file of src/ is an entry point (src/*.ts) or in one layer of the map (${LAYERS.join(', ')}): a new folder needs its place in .dependency-cruiser.cjs first.`,
      from: { path: '^src/', pathNot: [`^src/[^/]+\\.ts$`, layers(...LAYERS)] },
      to: {},
    },
    {
      name: 'entry-points-import-layers',
      severity: 'error',
      comment: 'An entry point re-exports from the layers, never from another entry point (ESLint checks that it only re-exports).',
      from: { path: '^src/[^/]+\\.ts$' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    {
      name: 'addon-only-from-core-native',
      severity: 'error',
      comment: 'src/core/native.ts is the typed native binding: the one file of src/ that loads the addon.',
      from: { path: '^src/', pathNot: '^src/core/native\\.ts$' },
      to: { path: '^addon/' },
    },
    {
      name: 'src-stays-in-src',
      severity: 'error',
      comment: 'src/ imports src/, Node built-ins, its dependencies and (src/core/native.ts) addon/load.mjs: nothing of the tests, tools or build output.',
      from: { path: '^src/' },
      to: { path: '^(test|examples|bench|scripts|dist|out|build)/' },
    },

    // ---- users' view: tests, examples and benchmarks ---------------------
    {
      name: 'tests-use-entry-points',
      severity: 'error',
      comment:
        "test/, examples/ and bench/ import berkeley through its entry points ('berkeley', 'berkeley/selectors', …), never a file of src/ or dist/ by path.",
      from: { path: '^(test|examples|bench)/' },
      to: { path: '^(src|dist|out)/', dependencyTypes: ['local'] },
    },
    {
      name: 'tests-use-public-modules',
      severity: 'error',
      comment: "Through the package name too, only the four entry points resolve (package.json's exports): this catches a deep import that somehow does.",
      from: { path: '^(test|examples|bench)/' },
      to: { path: '^dist/', pathNot: '^dist/(index|selectors|socketserver|ssl)\\.(js|d\\.ts)$', dependencyTypesNot: ['local'] },
    },

    // ---- everywhere -------------------------------------------------------
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No runtime cycles: a cycle of imports that run is two modules that cannot be loaded one before the other. A cycle that only a type closes (SSLSocket.context is an SSLContext, which makes SSLSockets) is erased by the compiler.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A module nothing imports and that imports nothing is dead, or something that should be wired in.',
      from: {
        orphan: true,
        // Type declarations and tool configs are used by tools, not imported.
        pathNot: ['\\.d\\.[cm]?ts$', '(^|/)[^/]*\\.config\\.[cm]?js$', '(^|/)\\.dependency-cruiser\\.cjs$', '(^|/)tsconfig[^/]*\\.json$'],
      },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing fails at run time (or at build time).',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'src-not-to-dev-deps',
      severity: 'error',
      comment: "src/ is what users install: it may not import a devDependency (it is not installed for them). Type-only imports of @types packages are fine.",
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: ['node_modules/@types/'] },
    },
    {
      name: 'no-undeclared-deps',
      severity: 'error',
      comment: 'Every package imported is in package.json.',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],

  options: {
    // Follow what src/, test/, examples/ and bench/ import, but not into
    // packages or the build output (dist/ is where 'berkeley' resolves to).
    doNotFollow: { path: ['node_modules', '^dist/', '^out/', '^build/'] },
    exclude: { path: ['^node_modules/', '^out/', '^build/', '^prebuilds/'] },
    // Count `import type` and type-only specifiers: the layer map is about
    // what a layer knows, not only what it loads at run time.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve as Node does for this ESM package: package.json exports
    // (including the self-reference 'berkeley' → dist/), `.js` specifiers
    // that name `.ts` sources.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'node', 'default'],
      mainFields: ['module', 'main', 'types'],
      extensions: ['.ts', '.mts', '.d.ts', '.d.mts', '.js', '.mjs', '.cjs', '.json'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
