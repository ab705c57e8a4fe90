// berkeley ping: ICMP and ICMPv6 echoes on loopback with a raw socket (as
// root), with an ICMP datagram socket (as nobody, in a private network
// namespace whose net.ipv4.ping_group_range lets everyone), the message
// naming the privilege when neither is allowed (nobody in a namespace that
// keeps the default range), no reply (a namespace that ignores echoes),
// -c, -i, -W, -4, -6, and Ctrl-C's statistics.
//
// Needs: root for SOCK_RAW and for the namespaces (unshare -n, ip, sysctl,
// setpriv); each test skips with the reason where the machine cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Cli, hasLoopbackIPv6, rawPrivilege, type CliOptions } from '../support/index.js';

const ipv6 = hasLoopbackIPv6() || 'no ::1 here';

const raw = rawPrivilege();

/** true, or why a private network namespace with a child as nobody cannot be had. */
const namespace: true | string = (() => {
  if (process.getuid!() !== 0) return 'needs root for a private network namespace and setpriv';
  try {
    execFileSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && setpriv --reuid=65534 --regid=65534 --clear-groups true'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch (error) {
    return `no private network namespace here (${(error as Error).message.split('\n')[0]!})`;
  }
})();

/** Runs the command in a new network namespace (loopback up, `setup` done as root), as nobody if asked. */
function inNamespace(setup: string, asNobody: boolean): CliOptions {
  const drop = asNobody ? 'setpriv --reuid=65534 --regid=65534 --clear-groups ' : '';
  return { prefix: ['unshare', '-n', 'sh', '-c', `ip link set lo up${setup ? ` && ${setup}` : ''} && exec ${drop}"$@"`, 'sh'] };
}

/** The reply lines' sequence numbers, and the statistics' counts. */
function summary(stdout: Buffer): { seqs: number[]; transmitted: number; received: number; loss: number; rtt: boolean } {
  const text = stdout.toString();
  const seqs = [...text.matchAll(/^64 bytes from \S+: icmp_seq=(\d+) ttl=\d+ time=\d+\.\d{3} ms$/gm)].map(([, seq]) => Number(seq));
  const [, transmitted, received, loss] = /^(\d+) packets transmitted, (\d+) received, (\d+)% packet loss, time \d+ms$/m.exec(text)!.map(Number) as [number, number, number, number];
  return { seqs, transmitted, received, loss, rtt: /^rtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms$/m.test(text) };
}

test('raw ICMP: -c COUNT echoes -i SECONDS apart, a line each, then the statistics', { skip: raw !== true && raw }, async () => {
  const { code, stdout, stderr } = await Cli.run(['ping', '-c', '3', '-i', '0.1', '127.0.0.1']);
  assert.equal(code, 0, stderr);
  assert.match(stdout.toString(), /^PING 127\.0\.0\.1 \(127\.0\.0\.1\): 56 data bytes, raw socket\n/);
  assert.match(stdout.toString(), /\n--- 127\.0\.0\.1 ping statistics ---\n/);
  assert.deepEqual(summary(stdout), { seqs: [1, 2, 3], transmitted: 3, received: 3, loss: 0, rtt: true });
  assert.equal(stderr, '');
});

test('raw ICMPv6 with -6; -4 refuses an IPv6 host', { skip: (raw !== true && raw) || (ipv6 !== true && ipv6) }, async () => {
  const { code, stdout } = await Cli.run(['ping', '-6', '-c', '2', '-i', '0.1', '::1']);
  assert.equal(code, 0);
  assert.match(stdout.toString(), /^PING ::1 \(::1\): 56 data bytes, raw socket\n/);
  assert.deepEqual(summary(stdout).seqs, [1, 2]);
  const four = await Cli.run(['ping', '-4', '-c', '1', '127.0.0.1']);
  assert.equal(four.code, 0);
  const refused = await Cli.run(['ping', '-4', '::1']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^berkeley ping: getaddrinfo ::1: EAI_ADDRFAMILY/);
});

test('Ctrl-C ends it with the statistics, status 0 when replies came', { skip: raw !== true && raw }, async (t) => {
  const cli = Cli.start(t, ['ping', '-i', '0.1', '127.0.0.1']);
  await cli.until(() => (/icmp_seq=2 /.test(cli.stdout.toString()) ? true : undefined), 'two replies');
  cli.signal('SIGINT');
  const { code, stdout } = await cli.exit();
  assert.equal(code, 0);
  const { seqs, transmitted, received } = summary(stdout);
  assert.ok(received >= 2 && received === seqs.length && transmitted >= received);
});

test('-W SECONDS: no reply (echoes ignored) gives 100% loss and status 1', { skip: (raw !== true && raw) || (namespace !== true && namespace) }, async () => {
  const { code, stdout, stderr } = await Cli.run(['ping', '-c', '2', '-i', '0.1', '-W', '0.3', '127.0.0.1'], '', inNamespace('sysctl -qw net.ipv4.icmp_echo_ignore_all=1', false));
  assert.equal(code, 1);
  assert.deepEqual(summary(stdout), { seqs: [], transmitted: 2, received: 0, loss: 100, rtt: false });
  assert.equal(stderr, 'berkeley ping: 127.0.0.1: no reply\n');
});

test('unprivileged: an ICMP datagram socket where net.ipv4.ping_group_range allows (IPv4 and IPv6)', { skip: namespace !== true && namespace }, async () => {
  const everyone = inNamespace('sysctl -qw net.ipv4.ping_group_range="0 2147483647"', true);
  for (const host of ipv6 === true ? ['127.0.0.1', '::1'] : ['127.0.0.1']) {
    const { code, stdout, stderr } = await Cli.run(['ping', '-c', '2', '-i', '0.1', host], '', everyone);
    assert.equal(code, 0, stderr);
    assert.match(stdout.toString(), /^PING \S+ \(\S+\): 56 data bytes, ICMP datagram socket\n/);
    assert.deepEqual(summary(stdout).seqs, [1, 2]);
  }
});

test('neither raw sockets nor ICMP datagram sockets allowed: status 1, the message names CAP_NET_RAW and ping_group_range', { skip: namespace !== true && namespace }, async () => {
  // A new network namespace's ping_group_range is "1 0": no group at all.
  const { code, stdout, stderr } = await Cli.run(['ping', '-c', '1', '127.0.0.1'], '', inNamespace('', true));
  assert.equal(code, 1);
  assert.equal(stdout.length, 0);
  assert.match(stderr, /^berkeley ping: ping 127\.0\.0\.1: EPERM \(Operation not permitted\)\nping needs raw sockets \(root, or CAP_NET_RAW: .*setcap cap_net_raw\+ep.*\), or a group in sysctl net\.ipv4\.ping_group_range for ICMP datagram sockets\n$/);
});
