// The package's install step (npm install, npm rebuild, pnpm's build step).
// Uses the prebuilt addon when one fits and loads; otherwise compiles from
// native/ with node-gyp. A checkout (it has src/, which the package does not
// ship) always compiles, so that a change to native/ is never shadowed by a
// prebuild; so does `npm install --build-from-source`. Fails with a plain
// explanation, not a stack trace, when neither works.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { explain, loadAddon, packageRoot } from './load.mjs';

const checkout = existsSync(join(packageRoot, 'src'));
const fromSource = checkout || /^(true|1)$/.test(process.env.npm_config_build_from_source ?? '');

function fail(problem) {
  process.stderr.write(`\n${explain(problem)}\n`);
  process.exit(1);
}

function loads() {
  try {
    loadAddon();
    return true;
  } catch {
    return false;
  }
}

function onPath(command) {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' }).status === 0;
}

if (!fromSource && loads()) process.exit(0);

const compiler = process.env.CC || 'cc';
const missing = [compiler, 'make', 'python3'].filter((tool) => !onPath(tool));
const why = fromSource ? (checkout ? 'a checkout builds from source' : 'building from source was asked for') : 'no prebuilt binary fits';
if (missing.length) fail(`${why}, and that needs ${missing.join(', ')}, not found on PATH.`);

// npm and pnpm put their bundled node-gyp on the PATH of install scripts;
// npm also names it in npm_config_node_gyp.
const bundled = process.env.npm_config_node_gyp;
const [command, args] = onPath('node-gyp') ? ['node-gyp', ['rebuild']] : bundled ? [process.execPath, [bundled, 'rebuild']] : [null, []];
if (command === null) fail(`${why}, and node-gyp (which npm and pnpm bundle) was not found.`);
const build = spawnSync(command, args, { cwd: packageRoot, stdio: 'inherit' });
// Not loaded here: a sanitizer build (.ci/memcheck) loads only with its
// runtime preloaded. `import 'berkeley'` explains a build that does not load.
if (build.status !== 0) fail(`building from source failed (node-gyp exited with ${build.status ?? build.signal}); its output is above.`);
