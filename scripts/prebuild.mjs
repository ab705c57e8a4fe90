// Maintainer's tool (`npm run build:prebuilds`, before `npm pack`): builds
// the Node-API prebuilds that the package ships, one per platform, arch and
// libc, in node-gyp-build's layout:
//   prebuilds/linux-x64/berkeley.napi.glibc.node
//   prebuilds/linux-x64/berkeley.napi.musl.node
//   prebuilds/linux-arm64/berkeley.napi.glibc.node
// Each is node-gyp's Release build of binding.gyp with that target's C
// compiler (Debian: gcc, musl-tools, gcc-aarch64-linux-gnu), made in a
// scratch folder so that ./build is left alone. Node-API is ABI-stable, so
// one binary serves every Node version >= 20. Name targets to build only
// those: `npm run build:prebuilds -- linux-arm64-glibc`.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, openSync, readSync, closeSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ELF_MACHINE = { x64: 0x3e, arm64: 0xb7 };
const TARGETS = [
  { name: 'linux-x64-glibc', arch: 'x64', libc: 'glibc', cc: 'gcc', strip: 'strip', apt: 'gcc' },
  { name: 'linux-x64-musl', arch: 'x64', libc: 'musl', cc: 'musl-gcc', strip: 'strip', apt: 'musl-tools' },
  { name: 'linux-arm64-glibc', arch: 'arm64', libc: 'glibc', cc: 'aarch64-linux-gnu-gcc', strip: 'aarch64-linux-gnu-strip', apt: 'gcc-aarch64-linux-gnu' },
];

function fail(message) {
  process.stderr.write(`prebuild: ${message}\n`);
  process.exit(1);
}

function onPath(command) {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' }).status === 0;
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
const missing = targets.filter((t) => !onPath(t.cc));
if (missing.length) fail(`${missing.map((t) => `${t.name} needs ${t.cc} (Debian: apt-get install ${t.apt})`).join('; ')}`);

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
    if (spawnSync(target.strip, ['--strip-unneeded', built], { stdio: 'inherit' }).status !== 0) fail(`${target.name}: ${target.strip} failed`);
    if (elfMachine(built) !== ELF_MACHINE[target.arch]) fail(`${target.name}: the binary is not for ${target.arch}`);
    const dir = join(root, 'prebuilds', `linux-${target.arch}`);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `berkeley.napi.${target.libc}.node`);
    cpSync(built, file);
    console.log(`prebuild: ${target.name} -> ${file.slice(root.length + 1)} (${Math.round(statSync(file).size / 1024)} KiB)`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
