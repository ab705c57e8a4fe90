// listen --exec CMD: a command (run by sh) for a connection, the
// connection's data to its stdin and its stdout to the connection (its
// stderr stays this process's). The session lasts until the command's
// output ends; the peer's end closes the command's stdin.
import { spawn } from 'node:child_process';
import type { Log } from './log.js';
import { session, type Connection, type SessionOptions } from './pump.js';

/** Runs cmd wired to conn until its output ends; a command still running then is sent SIGTERM. */
export async function runCommand(cmd: string, conn: Connection, options: SessionOptions, log: Log): Promise<void> {
  const child = spawn('/bin/sh', ['-c', cmd], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.on('error', (error) => log.warn(`berkeley listen: ${cmd}: ${error.message}`));
  child.on('exit', (code, signal) => log.note(`${cmd} (pid ${child.pid ?? '?'}) exited with ${code ?? signal ?? '?'}`));
  log.note(`running ${cmd} (pid ${child.pid ?? '?'}) for ${options.peer}`);
  try {
    await session(conn, child.stdout, child.stdin, { ...options, endsWith: 'input' });
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
}
