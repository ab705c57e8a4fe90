#!/usr/bin/env node
// The entry of the `berkeley` command (package.json's bin). berkeley's addon
// loads with the first import of the package: where it cannot, the command
// says why in the addon loader's own words (what is missing, the one
// command that fixes it), with no stack trace, and exits with status 1.
let main: (argv: string[]) => Promise<number>;
try {
  ({ main } = await import('./dispatch.js'));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${message.startsWith('berkeley: ') ? '' : 'berkeley: '}${message}\n`);
  process.exit(1);
}
const status = await main(process.argv.slice(2));
// Ends here even while stdin is still open (the session ended first), once stdout has taken everything.
process.stdout.write('', () => process.exit(status));
