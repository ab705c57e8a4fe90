// Part of `npm run lint`: no C source in native/ over 500 lines, the limit
// ESLint's max-lines keeps for the TypeScript and JavaScript (eslint.config.js).
// Every line counts, blank or comment, as there.
//
// Exempt: native/constants_list.h, written by scripts/gen-constants.mjs
// (`npm run constants`) and committed: one #ifdef'd entry per platform
// constant, a list no one reads top to bottom. src/core/constants.ts, its
// TypeScript twin, is exempt in eslint.config.js for the same reason.
//
// Prints each file over the limit as `path:line: message` and exits 1, or
// prints nothing and exits 0.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_LINES = 500;
const DIRS = ['native'];
const EXTENSIONS = /\.[ch]$/;
const EXEMPT = new Set(['native/constants_list.h']);

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The C files under dir, recursively, as paths relative to the package root. */
function cFiles(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && EXTENSIONS.test(entry.name))
    .map((entry) => relative(root, join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
}

/** Lines as an editor numbers them: a final newline does not start another. */
function countLines(text) {
  if (text === '') return 0;
  const newlines = text.split('\n').length - 1;
  return text.endsWith('\n') ? newlines : newlines + 1;
}

let failures = 0;
for (const file of DIRS.flatMap(cFiles)) {
  if (EXEMPT.has(file)) continue;
  const lines = countLines(readFileSync(join(root, file), 'utf8'));
  if (lines > MAX_LINES) {
    console.error(`${file}:${MAX_LINES + 1}: ${lines} lines, over the limit of ${MAX_LINES} (scripts/check-sizes.mjs)`);
    failures++;
  }
}
process.exitCode = failures > 0 ? 1 : 0;
