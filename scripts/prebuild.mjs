// Maintainer's tool (`npm run build:prebuilds`, before `npm pack`): builds
// the Node-API prebuilds that the package ships, one per platform, arch and
// libc, in node-gyp-build's layout:
//   prebuilds/linux-x64/berkeley.napi.glibc.node
//   prebuilds/linux-x64/berkeley.napi.musl.node
//   prebuilds/linux-arm64/berkeley.napi.glibc.node
// Each is node-gyp's Release build of binding.gyp with that target's C
// compiler (Debian: gcc, musl-tools, gcc-aarch64-linux-gnu), made in a
// scratch folder so that ./build is left alone, and checked: the right ELF
// machine, and every symbol it needs is in that target's C library or is
// Node's (napi_*, uv_*), so a musl build that calls a glibc-only function
// fails here rather than on a user's Alpine machine. OpenSSL's functions,
// Node's own too, are weak references (native/tls_symbols.h) and pass; one
// called without its line there is a strong reference and fails here. The
// OpenSSL headers are Node's (its include folder has every arch's config).
// Node-API is ABI-stable, so one binary serves every Node version >= 20; the
// TLS engine uses only OpenSSL 3.0's stable functions. Name targets to build only
// those: `npm run build:prebuilds -- linux-arm64-glibc`.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, openSync, readSync, closeSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ELF_MACHINE = { x64: 0x3e, arm64: 0xb7 };
const TARGETS = [
  { name: 'linux-x64-glibc', arch: 'x64', libc: 'glibc', cc: 'gcc', binutils: '', apt: 'gcc', libcSo: '/lib/x86_64-linux-gnu/libc.so.6' },
  { name: 'linux-x64-musl', arch: 'x64', libc: 'musl', cc: 'musl-gcc', binutils: '', apt: 'musl-tools', libcSo: '/usr/lib/x86_64-linux-musl/libc.so' },
  { name: 'linux-arm64-glibc', arch: 'arm64', libc: 'glibc', cc: 'aarch64-linux-gnu-gcc', binutils: 'aarch64-linux-gnu-', apt: 'gcc-aarch64-linux-gnu', libcSo: '/usr/aarch64-linux-gnu/lib/libc.so.6' },
];

function fail(message) {
  process.stderr.write(`prebuild: ${message}\n`);
  process.exit(1);
}

function onPath(command) {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' }).status === 0;
}

// The dynamic symbols of an ELF file, without their version: those it
// defines, or those it needs (weak ones left out: they may stay unresolved).
function symbols(nm, file, which) {
  const out = spawnSync(nm, ['-D', which === 'defined' ? '--defined-only' : '--undefined-only', file], { encoding: 'utf8' });
  if (out.status !== 0) fail(`${nm} -D ${file} failed: ${out.stderr}`);
  return out.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 2 && !/^[wv]$/.test(fields.at(-2)))
    .map((fields) => fields.at(-1).replace(/@.*$/, ''));
}

function unresolved(target, file) {
  const nm = `${target.binutils}nm`;
  const provided = new Set(symbols(nm, target.libcSo, 'defined'));
  return symbols(nm, file, 'undefined').filter((name) => !provided.has(name) && !/^(napi_|node_api_|uv_)/.test(name));
}

function elfMachine(file) {
  const header = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  readSync(fd, header, 0, 20, 0);
  closeSync(fd);
  return header.readUInt16LE(18);
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !TARGETS.some((t) => t.name === name));
if (unknown.length) fail(`unknown target ${unknown.join(', ')}; the targets are ${TARGETS.map((t) => t.name).join(', ')}`);
const targets = wanted.length ? TARGETS.filter((t) => wanted.includes(t.name)) : TARGETS;
const lacking = targets.filter((t) => !onPath(t.cc));
if (lacking.length) fail(`${lacking.map((t) => `${t.name} needs ${t.cc} (Debian: apt-get install ${t.apt})`).join('; ')}`);

const nodeGyp = process.env.npm_config_node_gyp;
if (!nodeGyp) fail('run me with npm (npm run build:prebuilds), which provides node-gyp');

for (const target of targets) {
  const scratch = mkdtempSync(join(tmpdir(), `berkeley-prebuild-${target.name}-`));
  try {
    cpSync(join(root, 'binding.gyp'), join(scratch, 'binding.gyp'));
    cpSync(join(root, 'native'), join(scratch, 'native'), { recursive: true });
    const env = { ...process.env, CC: target.cc, LINK: target.cc };
    const build = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--arch=${target.arch}`], { cwd: scratch, env, encoding: 'utf8' });
    if (build.status !== 0) fail(`${target.name}: node-gyp failed (exit ${build.status ?? build.signal}):\n${build.stdout}${build.stderr}`);
    const built = join(scratch, 'build', 'Release', 'berkeley.node');
    const strip = `${target.binutils}strip`;
    if (spawnSync(strip, ['--strip-unneeded', built], { stdio: 'inherit' }).status !== 0) fail(`${target.name}: ${strip} failed`);
    if (elfMachine(built) !== ELF_MACHINE[target.arch]) fail(`${target.name}: the binary is not for ${target.arch}`);
    const missing = unresolved(target, built);
    if (missing.length) fail(`${target.name}: ${target.libcSo} does not define ${missing.join(', ')}`);
    const dir = join(root, 'prebuilds', `linux-${target.arch}`);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `berkeley.napi.${target.libc}.node`);
    cpSync(built, file);
    console.log(`prebuild: ${target.name} -> ${file.slice(root.length + 1)} (${Math.round(statSync(file).size / 1024)} KiB)`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
