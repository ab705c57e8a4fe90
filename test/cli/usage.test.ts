// The berkeley command's conventions: --help on every command (usage,
// every flag, examples) on stdout with status 0; usage errors with status 2,
// a clear message and the hint to --help on stderr, nothing on stdout;
// the package's bin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cli, cliPath, packageRoot, tempDir } from '../support/index.js';

/** Each command's flags, as its help lists them (each has its tests in this folder). */
const FLAGS: Record<string, string[]> = {
  connect: ['-u, --udp', '-U, --unix PATH', '-4, --ipv4', '-6, --ipv6', '-s, --source ADDR', '-w, --wait SECONDS', '-z, --scan', '-C, --crlf', '-q, --quit SECONDS', '--tls', '--ca FILE', '--insecure', '--sni NAME', '--alpn LIST', '-v, --verbose'],
  listen: ['-u, --udp', '-U, --unix PATH', '-4, --ipv4', '-6, --ipv6', '-k, --keep', '-e, --exec CMD', '-C, --crlf', '-q, --quit SECONDS', '--tls', '--cert FILE', '--key FILE', '--alpn LIST', '-v, --verbose'],
  serve: ['-u, --udp', '-4, --ipv4', '-6, --ipv6', '-v, --verbose'],
  send: ['-4, --ipv4', '-6, --ipv6', '-w, --wait SECONDS', '-v, --verbose'],
  recv: ['-b, --bind ADDR', '-4, --ipv4', '-6, --ipv6', '-w, --wait SECONDS', '-v, --verbose'],
  ping: ['-c, --count COUNT', '-i, --interval SECONDS', '-W, --timeout SECONDS', '-4, --ipv4', '-6, --ipv6'],
  resolve: ['-4, --ipv4', '-6, --ipv6', '-t, --tcp', '-u, --udp', '-c, --canonical'],
  interfaces: [],
};
const COMMANDS = Object.keys(FLAGS);
const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };

test("package.json's bin is the built CLI, a node script", () => {
  assert.equal(join(packageRoot, pkg.bin.berkeley!), cliPath);
  assert.match(readFileSync(cliPath, 'utf8'), /^#!\/usr\/bin\/env node\n/);
});

for (const name of COMMANDS) {
  test(`berkeley ${name} --help (and -h): usage, every flag and examples on stdout, status 0`, async () => {
    for (const flag of ['--help', '-h']) {
      const { code, stdout, stderr } = await Cli.run([name, flag]);
      const text = stdout.toString();
      assert.equal(code, 0, stderr);
      assert.equal(stderr, '');
      assert.match(text, new RegExp(`^usage: berkeley ${name}\\b`));
      const options = /\noptions:\n((?: {2}.*\n)*)/.exec(text)![1]!.split('\n').filter(Boolean);
      assert.deepEqual(
        options.map((line) => line.trim().split(/ {2,}/)[0]),
        [...FLAGS[name]!, '-h, --help'],
      );
      assert.match(text, new RegExp(`\\nexamples:\\n  .*berkeley ${name}\\b`));
    }
  });
}

test('berkeley --help, -h and help list every command; --version is the package version', async () => {
  for (const flag of ['--help', '-h', 'help']) {
    const { code, stdout } = await Cli.run([flag]);
    assert.equal(code, 0);
    for (const name of COMMANDS) assert.match(stdout.toString(), new RegExp(`^  ${name} +\\S`, 'm'));
  }
  const { code, stdout } = await Cli.run(['--version']);
  assert.equal(code, 0);
  assert.equal(stdout.toString(), `berkeley ${pkg.version}\n`);
});

test('berkeley with no command, or an unknown one: the overview on stderr, status 2', async () => {
  for (const [args, message] of [
    [[], /^usage: berkeley COMMAND/],
    [['nc'], /^berkeley: unknown command 'nc'\nusage: berkeley COMMAND/],
  ] as const) {
    const { code, stdout, stderr } = await Cli.run([...args]);
    assert.equal(code, 2);
    assert.equal(stdout.length, 0);
    assert.match(stderr, message);
  }
});

const USAGE_ERRORS: [string[], RegExp][] = [
  [['connect'], /missing HOST/],
  [['connect', '127.0.0.1'], /missing PORT/],
  [['connect', '-x', '127.0.0.1', '1'], /Unknown option '-x'/],
  [['connect', '127.0.0.1', '70000'], /PORT must be a port number \(0 to 65535\), not '70000'/],
  [['connect', '127.0.0.1', 'http'], /PORT must be a port number/],
  [['connect', '127.0.0.1', '1', '2'], /too many arguments \(from '2'\)/],
  [['connect', '-w', 'soon', '127.0.0.1', '1'], /-w takes seconds/],
  [['connect', '-q', '-', '127.0.0.1', '1'], /-q takes seconds/],
  [['connect', '127.0.0.1', '1', '-w'], /Option '-w, --wait <value>' argument missing/],
  [['connect', '-4', '-6', 'localhost', '1'], /-4 and -6 exclude each other/],
  [['connect', '-6', '-s', '127.0.0.1', 'localhost', '1'], /-s 127.0.0.1 is not an address of the family -6/],
  [['connect', '-U', '/tmp/x', '127.0.0.1', '1'], /-U takes no HOST PORT/],
  [['connect', '-U', '/tmp/x', '-4'], /-4 and -6 are for IP/],
  [['connect', '-U', ''], /-U needs a path/],
  [['connect', '-z', '127.0.0.1', '30-20'], /the port range '30-20' is empty/],
  [['connect', '-z', '-U', '/tmp/x'], /-z scans HOST PORT/],
  [['connect', '--ca', 'ca.pem', '127.0.0.1', '1'], /--ca needs --tls/],
  [['connect', '--sni', 'x', '127.0.0.1', '1'], /--sni needs --tls/],
  [['connect', '--tls', '--alpn', ',', '127.0.0.1', '1'], /--alpn takes protocol names/],
  [['connect', '-u', '--tls', '127.0.0.1', '1'], /--tls is for streams/],
  [['connect', '--tls', '-U', '/tmp/x.sock'], /--tls over -U needs --sni NAME/],
  [['listen'], /missing PORT/],
  [['listen', '127.0.0.1', '1', '2'], /too many arguments/],
  [['listen', '--tls', '0'], /--tls needs --cert FILE and --key FILE/],
  [['listen', '--key', 'k.pem', '0'], /--key needs --tls/],
  [['listen', '-u', '-k', '--exec', 'cat', '127.0.0.1', '0'], /--exec with -u takes one peer/],
  [['serve'], /missing SERVICE/],
  [['serve', 'qotd'], /unknown service 'qotd' \(echo, discard, daytime, chargen, time\)/],
  [['serve', 'echo', '127.0.0.1', 'x'], /PORT must be a port number/],
  [['send', '127.0.0.1', '1'], /missing FILE/],
  [['recv'], /missing PORT/],
  [['recv', 'file.txt'], /PORT must be a port number/],
  [['recv', '-w', 'soon', '0'], /-w takes seconds/],
  [['send', '-w', '1m', '127.0.0.1', '1', 'f'], /-w takes seconds/],
  [['ping'], /missing HOST/],
  [['ping', '-c', '0', '127.0.0.1'], /-c takes a count \(1 or more\), not '0'/],
  [['ping', '-i', 'often', '127.0.0.1'], /-i takes seconds/],
  [['ping', '-W', '1s', '127.0.0.1'], /-W takes seconds/],
  [['resolve'], /missing NAME/],
  [['resolve', '-t', '-u', 'localhost'], /-t and -u exclude each other/],
  [['interfaces', 'lo'], /too many arguments \(from 'lo'\)/],
];

test('usage errors: status 2, the message and the hint to --help on stderr, nothing on stdout', async (t) => {
  for (const [args, message] of USAGE_ERRORS) {
    await t.test(args.join(' '), async () => {
      const { code, stdout, stderr } = await Cli.run(args);
      assert.equal(code, 2, stderr);
      assert.equal(stdout.length, 0);
      assert.match(stderr, new RegExp(`^berkeley ${args[0]!}: ${message.source}`));
      assert.match(stderr, new RegExp(`\\nTry 'berkeley ${args[0]!} --help'\\.\\n$`));
    });
  }
});

test('without its addon (nothing compiled, no prebuild): status 1 and the loader\'s explanation, no stack trace', async (t) => {
  const copy = tempDir();
  t.after(() => copy.cleanup());
  for (const part of ['dist', 'addon']) cpSync(join(packageRoot, part), copy.path(part), { recursive: true });
  writeFileSync(copy.path('package.json'), JSON.stringify(pkg));
  symlinkSync(join(packageRoot, 'node_modules'), copy.path('node_modules'));
  const { code, stdout, stderr } = await Cli.run(['--version'], '', { entry: copy.path('dist/cli/main.js') });
  assert.equal(code, 1);
  assert.equal(stdout.length, 0);
  assert.match(stderr, /^berkeley: cannot load its native addon for linux-/);
  assert.match(stderr, /npm rebuild berkeley/);
  assert.doesNotMatch(stderr, /^\s+at /m);
});
