// Finds and loads the native addon: build/Release when it was compiled
// here, else the prebuild for this platform, arch and libc (node-gyp-build's
// layout: prebuilds/linux-x64/berkeley.napi.glibc.node). Plain JavaScript,
// so that the install script can use it before any TypeScript is built.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const nodeGypBuild = require('node-gyp-build');

/** The package's folder. */
export const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** What a prebuild must fit, as node-gyp-build sees this process. */
export function target() {
  const alpine = process.platform === 'linux' && existsSync('/etc/alpine-release');
  const libc = process.env.LIBC || (alpine ? 'musl' : 'glibc');
  return {
    platform: process.platform,
    arch: process.env.npm_config_arch || process.arch,
    libc,
    node: process.versions.node,
    napi: process.versions.napi,
  };
}

/** The addon's exports; throws an Error explaining what to do when none loads. */
export function loadAddon() {
  let path;
  try {
    path = nodeGypBuild.resolve(packageRoot);
  } catch (cause) {
    throw new Error(explain('no prebuilt binary fits, and none was compiled when the package was installed (an install with --ignore-scripts, or a build that failed).'), { cause });
  }
  try {
    return require(path);
  } catch (cause) {
    throw new Error(explain(`${path} did not load: ${cause.message}`), { cause });
  }
}

/** The plain explanation shown by the install step and by `import 'berkeley'`. */
export function explain(problem) {
  const t = target();
  return [
    `berkeley: cannot load its native addon for ${t.platform}-${t.arch} (${t.libc}), Node.js ${t.node} (Node-API ${t.napi}):`,
    `  ${problem}`,
    '  Prebuilt binaries ship for linux-x64 (glibc and musl) and linux-arm64 (glibc), Node.js 20 or later.',
    '  Elsewhere berkeley compiles from source, which needs a C compiler (cc), make and python3.',
    '  Once they are installed, this retries the build:',
    '',
    '      npm rebuild berkeley',
    '',
  ].join('\n');
}
