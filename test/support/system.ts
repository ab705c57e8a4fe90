// What the machine offers the tests: fds, temporary directories, IPv6 on
// loopback, private namespaces, emulation, and where the package is.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as socket from 'berkeley';

/** The test's own package root (for child processes that import 'berkeley'). */
export const packageRoot: string = new URL('../../..', import.meta.url).pathname;

/** The compiled addon (for the suites that call the native layer directly). */
export const addonPath: string = join(packageRoot, 'build/Release/berkeley.node');

/** The number of fds this process has open; with `kind`, only those whose /proc link is it ('anon_inode:[eventpoll]': epoll fds). */
export function openFds(kind?: string): number {
  const fds = readdirSync('/proc/self/fd');
  if (kind === undefined) return fds.length;
  return fds.filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === kind;
    } catch {
      return false; // readdir's own fd, closed by now
    }
  }).length;
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; path(name: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'berkeley-test-'));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Set (to the emulator's name) when the suite runs under user-mode emulation
 * (.ci/platforms runs arm64 Node under qemu-user), where a few calls are not
 * translated as a real kernel of that arch answers them.
 */
export const emulated = process.env.BERKELEY_TEST_EMULATED || false;

/** The URL of berkeley's entry point, for code a worker evaluates (it has no package scope to resolve 'berkeley' in). */
export const berkeleyUrl = import.meta.resolve('berkeley');

/** Whether ::1 can be bound here (IPv6 tests skip cleanly without it). */
export function hasLoopbackIPv6(): boolean {
  try {
    using s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM);
    s.bind(['::1', 0]);
    return true;
  } catch {
    return false;
  }
}

/** true, or why SOCK_RAW (ICMP, or ICMPv6 for AF_INET6) cannot be opened here (the skip message). */
export function rawPrivilege(family: number = socket.AF_INET): true | string {
  try {
    socket.socket(family, socket.SOCK_RAW, family === socket.AF_INET6 ? socket.IPPROTO_ICMPV6 : socket.IPPROTO_ICMP).close();
    return true;
  } catch (error) {
    if (error instanceof socket.PermissionError) return `needs CAP_NET_RAW for SOCK_RAW (${error.message})`;
    throw error;
  }
}

/**
 * The argv prefix that runs a command with private copies of some /etc files
 * (`unshare --mount`, bind mounts seen by that command only); cleanup removes the copies.
 */
export function withPrivateFiles(files: Record<string, string>, extraUnshare: string[] = []): { prefix: string[]; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'berkeley-etc-'));
  const mounts = Object.entries(files).map(([target, text], k) => {
    const source = join(dir, `f${k}`);
    writeFileSync(source, text);
    return `mount --bind ${source} ${target}`;
  });
  return {
    prefix: ['unshare', '--mount', ...extraUnshare, 'sh', '-c', `${mounts.join(' && ')} && exec "$@"`, 'sh'],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Whether this process may make private mount/UTS namespaces (root, with unshare(1)): else the tests that need one skip. */
export const privateNamespaces: string | true = (() => {
  try {
    execFileSync('unshare', ['--mount', '--uts', 'true'], { stdio: 'ignore', timeout: 10000 });
    return true;
  } catch (error) {
    return `no private namespaces here (unshare --mount --uts: ${(error as Error).message.split('\n')[0]})`;
  }
})();

/** A buffer whose memory has been transferred away (detached), with a view made before. */
export function detachedBuffer(size = 16): { buffer: ArrayBuffer; view: Uint8Array } {
  const buffer = new ArrayBuffer(size);
  const view = new Uint8Array(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  return { buffer, view };
}
