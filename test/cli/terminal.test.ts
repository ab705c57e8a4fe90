// berkeley in a real terminal (tmux), as a person uses it: `listen` in one
// pane and `connect` in another, lines typed on each side read on the
// other, Ctrl-C ending both cleanly; `send` drawing its progress bar.
//
// Needs tmux (installed from Debian's package when missing and root:
// tmuxReady()); skips with the reason otherwise.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cliPath, tempDir, Terminal, tmuxReady } from '../support/index.js';

const tmux = tmuxReady();
const dir = tempDir();
let terminal: Terminal;
before(() => {
  if (tmux === true) terminal = new Terminal(dir.dir);
});
after(() => {
  if (tmux === true) terminal.close();
  dir.cleanup();
});

const berkeley = `${process.execPath} ${cliPath}`;

test('listen and connect in two panes: typed lines cross over; Ctrl-C ends both, sockets closed', { skip: tmux !== true && tmux }, async () => {
  const left = terminal.open();
  const right = terminal.open();
  terminal.type(left, `${berkeley} listen -v 127.0.0.1 0; echo "listen ended: $?"`);
  const [, port] = await terminal.waitFor(left, /listening on 127\.0\.0\.1:(\d+) \(tcp\)/);
  terminal.type(right, `${berkeley} connect -v 127.0.0.1 ${port!}; echo "connect ended: $?"`);
  await terminal.waitFor(left, /connection from 127\.0\.0\.1:\d+/);
  await terminal.waitFor(right, /connected to 127\.0\.0\.1:\d+ \(tcp\)/);
  terminal.type(right, 'hello from the right');
  await terminal.waitFor(left, /^hello from the right$/m);
  terminal.type(left, 'and from the left');
  await terminal.waitFor(right, /^and from the left$/m);
  terminal.press(right, 'C-c');
  await terminal.waitFor(right, /connect ended: 130$/m); // after the terminal's ^C
  // The listener's peer has gone, and a person at a terminal has nothing left to say: it ends too.
  await terminal.waitFor(left, /^closed 127\.0\.0\.1:\d+\nlisten ended: 0$/m);
  assert.doesNotMatch(terminal.screen(left) + terminal.screen(right), /berkeley (listen|connect):/, 'no error on either side');
});

test('Ctrl-D (EOF) at the terminal half-closes: the peer reads EOF and answers, the connection ends', { skip: tmux !== true && tmux }, async () => {
  const left = terminal.open();
  const right = terminal.open();
  terminal.type(left, `${berkeley} listen --exec 'tr a-z A-Z' -v 127.0.0.1 0; echo "listen ended: $?"`);
  const [, port] = await terminal.waitFor(left, /listening on 127\.0\.0\.1:(\d+) \(tcp\)/);
  terminal.type(right, `${berkeley} connect 127.0.0.1 ${port!}; echo "connect ended: $?"`);
  terminal.type(right, 'shout this');
  // tr answers at its input's end: Ctrl-D's EOF reaches it through the connection's half-close.
  terminal.press(right, 'C-d');
  await terminal.waitFor(right, /^SHOUT THIS\nconnect ended: 0$/m);
  await terminal.waitFor(left, /^listen ended: 0$/m);
});

test('send at a terminal: a progress bar redrawn in place, then the summary line', { skip: tmux !== true && tmux }, async () => {
  const receiving = terminal.open();
  const sending = terminal.open();
  writeFileSync(dir.path('big.bin'), randomBytes(64 * 1024 * 1024));
  terminal.type(receiving, `mkdir -p in && cd in && ${berkeley} recv -v -b 127.0.0.1 0`);
  const [, port] = await terminal.waitFor(receiving, /listening on 127\.0\.0\.1:(\d+)/);
  const raw = dir.path('send.out');
  terminal.record(sending, raw);
  terminal.type(sending, `${berkeley} send 127.0.0.1 ${port!} big.bin`);
  await terminal.waitFor(sending, /^sent big\.bin: 64\.0 MiB in [\d.]+ s \([\d.]+ \w+\/s\), SHA-256 checked by the receiver *$/m);
  await terminal.waitFor(receiving, /^received big\.bin: 64\.0 MiB in .*SHA-256 ok *$/m);
  const printed = await terminal.waitForFile(raw, /SHA-256 checked/);
  // The bar: redrawn with a carriage return, the percentage, the rate and the time left; in colour.
  // eslint-disable-next-line no-control-regex -- the bar's colour and the line's erasing are escape sequences
  assert.match(printed, /\rbig\.bin \[(\x1b\[32m#*\x1b\[0m)?[.]*\] +\d+% +[\d.]+ \w+\/s {2}ETA \d+:\d\d\x1b\[K/);
  assert.doesNotMatch(printed, /sent \d+% of/, 'no plain progress lines on a terminal');
});
