import { readFileSync } from 'node:fs';
import { MODEL_TYPES } from '../checkpoint/families.js';
import { UsageError, wrap, type Command } from './args.js';
import { checkReportCommand } from './commands/check-report.js';
import { compareCommand } from './commands/compare.js';
import { detectCommand } from './commands/detect.js';
import { dimsCommand } from './commands/dims.js';
import { importanceCommand } from './commands/importance.js';
import { initCommand } from './commands/init.js';
import { logitsCommand } from './commands/logits.js';
import { lossCommand } from './commands/loss.js';
import { overlapCommand } from './commands/overlap.js';
import { planCommand } from './commands/plan.js';
import { pplCommand } from './commands/ppl.js';
import { selectCommand } from './commands/select.js';
import { thresholdsCommand } from './commands/thresholds.js';
import { processIo, type CliIo } from './io.js';
import { InterruptedError } from '../util/interrupt.js';

export { handleInterrupts } from '../util/interrupt.js';

const COMMANDS: readonly Command[] = [
  initCommand,
  planCommand,
  pplCommand,
  lossCommand,
  logitsCommand,
  importanceCommand,
  selectCommand,
  overlapCommand,
  dimsCommand,
  detectCommand,
  compareCommand,
  thresholdsCommand,
  checkReportCommand,
];

const TOP_USAGE = `regions <${COMMANDS.map((c) => c.name).join('|')}> [options]`;

const wrapText = (text: string): string[] => wrap(text.split(' '), 100, 0).split('\n');

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 3;
  return [
    `Usage: ${TOP_USAGE}`,
    '',
    ...wrapText(
      `Measures a HuggingFace decoder checkpoint (model_type ${MODEL_TYPES.join(', ')}): perplexity, importance, ` +
        'regions, perturbations, detectors; scaffolds region specs for vitest and compares their results. Runs on ONNX ' +
        'Runtime (CPU, or WebGPU/CUDA on a GPU), or on a tfjs backend by name.',
    ),
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show this help; regions <command> --help shows a command\'s options',
    '  -V, --version  show the version',
    '',
    'Environment:',
    '  REGIONS_BACKEND   engine when --backend is not given: auto (default: ONNX Runtime), ort-cpu, ort-webgpu,',
    '                    ort-cuda, or a tfjs backend (tensorflow, wasm, cpu, webgpu)',
    '  REGIONS_PROGRESS  1: draw progress bars on stderr even when it is not a terminal',
    '  REGIONS_DEBUG     1: print the stack trace of an error',
    '',
    'Exit codes:',
    '  0    done (compare: no regression)',
    '  1    the command failed: a checkpoint, text or file it cannot use, an engine that does not start, a',
    '       model too large for this machine (the message names which); compare: a regression',
    '  2    a usage error: the command line itself is wrong (the usage line is shown)',
    '  130  interrupted by Ctrl-C (143: by SIGTERM); nothing half-written is left behind',
    '',
  ].join('\n');
}

function version(): string {
  // src/cli/main.ts and dist/cli/main.js are both two folders below package.json.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  return `${pkg.name} ${pkg.version}`;
}

const isHelp = (arg: string): boolean => arg === '--help' || arg === '-h';

/**
 * Reports a failure on stderr as `regions: <message>`. A {@link UsageError} (what was typed is wrong)
 * adds the usage line and gives exit code 2; an {@link InterruptedError} (Ctrl-C, SIGTERM) gives 130 or
 * 143; anything else (a checkpoint, text or windows file that cannot be used, a backend that does not
 * start) gives 1. Stack traces only with REGIONS_DEBUG=1.
 */
function report(err: unknown, io: CliIo, command: Command | undefined): number {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof UsageError) {
    const help = command === undefined ? 'regions --help' : `regions ${command.name} --help`;
    io.stderr.write(`regions: ${message}\nUsage: ${command?.usage ?? TOP_USAGE}\n(more: ${help})\n`);
    return 2;
  }
  io.stderr.write(`regions: ${message}\n`);
  if (err instanceof InterruptedError) return err.exitCode;
  if (process.env.REGIONS_DEBUG === '1' && err instanceof Error && err.stack !== undefined) io.stderr.write(`${err.stack}\n`);
  return 1;
}

/**
 * Runs the `regions` command line: `argv` are the arguments after the program name. Returns the exit
 * code (0 success, 1 runtime failure, 2 usage error, 130/143 interrupted) and never exits the process
 * itself, so tests run it in-process with string sinks for `io`. Results go to stdout; progress and errors
 * to stderr. Signals stop a computation only under `handleInterrupts` (bin/regions.js calls it).
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [first, ...rest] = argv;
  const command = COMMANDS.find((c) => c.name === first);
  try {
    if (first === undefined) {
      io.stderr.write(topHelp());
      return 2;
    }
    if (isHelp(first)) {
      io.stdout.write(topHelp());
      return 0;
    }
    if (first === '--version' || first === '-V') {
      io.stdout.write(`${version()}\n`);
      return 0;
    }
    if (command === undefined) {
      throw new UsageError(
        first.startsWith('-')
          ? `unknown option ${first} (options go after the command)`
          : `unknown command ${JSON.stringify(first)} (commands: ${COMMANDS.map((c) => c.name).join(', ')})`,
      );
    }
    if (rest.some(isHelp)) {
      io.stdout.write(command.help);
      return 0;
    }
    await command.execute(rest, io);
    return 0;
  } catch (err) {
    return report(err, io, command);
  }
}
