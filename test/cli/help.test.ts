import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

describe('help and version', () => {
  it('--help lists the commands on stdout', async () => {
    for (const flag of ['--help', '-h']) {
      const run = await runCli([flag]);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^Usage: regions <init\|plan\|ppl\|loss\|logits[|>].* \[options\]/);
      for (const command of ['ppl', 'loss', 'logits']) expect(run.stdout).toMatch(new RegExp(`^  ${command}\\s+\\S`, 'm'));
    }
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`vitest-regions ${pkg.version}\n`);
  });

  it.each([
    ['ppl', ['--checkpoint DIR', '--texts DIR', '--languages LIST', '--seq-len N', '--max-tokens N', '--batch-size N', '--backend NAME', '--json']],
    ['loss', ['--checkpoint DIR', '--windows FILE', '--batch-size N', '--backend NAME', '--json']],
    ['logits', ['--checkpoint DIR', '--ids LIST', '--backend NAME', '--json']],
  ])('%s --help documents every option the command accepts, with usage line and defaults', async (command, terms) => {
    const run = await runCli([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: regions ${command} --checkpoint DIR`));
    for (const term of terms) expect(run.stdout).toMatch(new RegExp(`^  ${term}\\s+\\S`, 'm'));
    expect(run.stdout).toMatch(/^ {2}--checkpoint DIR .*\(required\)/ms);
    expect(run.stdout).toMatch(
      /--backend NAME\s+engine \(ort\*: ONNX Runtime; the others: tfjs\): auto, ort, ort-cpu, ort-webgpu,\s+ort-cuda, tensorflow, wasm, cpu, webgpu \(default: \$REGIONS_BACKEND, else auto =\s+ort\)/,
    );
  });

  it('ppl --help shows the defaults the command uses', async () => {
    const run = await runCli(['ppl', '--help']);
    expect(run.stdout).toMatch(/--seq-len N\s+tokens per window, BOS included \(default: 128\)/);
    expect(run.stdout).toMatch(/--batch-size N\s+windows per forward pass \(default: 8\)/);
    expect(run.stdout).toMatch(/--max-tokens N\s+.*\(default: the whole text\)/);
  });

  // One dialect: every command prints JSON with --json; every command that runs the model takes --threads;
  // languages are --languages everywhere; no command takes positional arguments.
  it.each([
    ['ppl', true],
    ['loss', true],
    ['logits', true],
    ['importance', true],
    ['select', false],
    ['overlap', false],
    ['dims', true],
    ['detect super-weights', true],
    ['detect massive-activations', true],
    ['detect language-neurons', true],
    ['compare', false],
    ['init', false],
    ['thresholds', false],
    ['check-report', false],
  ])('%s speaks the one dialect (--json; --threads where the model runs)', async (command, runsModel) => {
    const run = await runCli([...command.split(' '), '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}--json\s+\S/m);
    if (runsModel) expect(run.stdout.replace(/\s+/g, ' ')).toMatch(/ --threads N ONNX Runtime intra-op threads .*\(default: this machine's cores, \d+\)/);
    expect(run.stdout).not.toMatch(/--language\b(?!s)/);
    expect(run.stdout).not.toMatch(/^Arguments:/m);
  });

  it("the README's command table names every command --help lists", async () => {
    const run = await runCli(['--help']);
    const commands = [...run.stdout.split('Commands:\n')[1]!.split('\n\n')[0]!.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!);
    expect(commands.length).toBeGreaterThan(10);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.split('## The command line')[1]!.split('\n\n')[1]!;
    for (const command of commands) expect(table, command).toMatch(new RegExp(`^\\| [^|]*\`${command}\``, 'm'));
  });

  it('--help wins over other, even invalid, arguments', async () => {
    const run = await runCli(['loss', '--frob', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: regions loss /);
  });
});
