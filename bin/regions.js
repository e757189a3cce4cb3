#!/usr/bin/env node
// The `regions` command. Runs the built CLI (dist/cli/main.js) when there is one; in a development
// checkout without a build it compiles src/cli/main.ts on the fly with tsx (a devDependency).
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli/main.js', import.meta.url);
let cli;
if (existsSync(built)) {
  cli = await import(built.href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('regions: no build found (dist/cli/main.js) and tsx is not installed: run `npm run build` first\n');
    process.exit(1);
  }
  register();
  cli = await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
// Ctrl-C and SIGTERM stop a computation between two batches, with a message (src/util/interrupt.ts).
const release = cli.handleInterrupts('regions');
process.exitCode = await cli.main(process.argv.slice(2));
release();
