import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/tfjs/select.js';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { LlamaModel } from '../../src/engine/tfjs/model.js';
import { makeFixture, runCli, type CliFixture } from './helpers.js';

const VOCAB = 258; // the byte tokenizer: 256 bytes, <s>, </s>

let fx: CliFixture;
let model: LlamaModel;
beforeAll(async () => {
  fx = makeFixture();
  await initBackend('cpu');
  const checkpoint = loadCheckpoint(fx.checkpoint);
  model = LlamaModel.fromWeights(checkpoint.config, checkpoint.weights);
});
afterAll(() => {
  model.dispose();
  fx.remove();
});

const logitsJson = async (ids: string) => {
  const run = await runCli(['logits', '--checkpoint', fx.checkpoint, '--ids', ids, '--backend', 'cpu', '--json']);
  expect(run.stderr).not.toMatch(/^regions:/m);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as { backend: { name: string }; logits_last: number[] };
};

describe('regions logits', { timeout: 60_000 }, () => {
  it('--json prints one logit per vocabulary id: the last position of model.logits', async () => {
    const json = await logitsJson('256,72,105');
    expect(json.logits_last).toHaveLength(VOCAB);
    const all = await model.logits([[256, 72, 105]]); // [1][3][vocab]
    expect(json.logits_last).toEqual(Array.from(all.slice(2 * VOCAB, 3 * VOCAB)));
  });

  it('a single id gives the logits at position 0 of any longer window starting with it (causal)', async () => {
    const json = await logitsJson('256');
    expect(json.logits_last).toHaveLength(VOCAB);
    const all = await model.logits([[256, 72]]);
    const first = Array.from(all.slice(0, VOCAB));
    json.logits_last.forEach((x, i) => expect(x).toBeCloseTo(first[i]!, 6));
  });

  it('prints the top 10 ids with logits, probabilities and decoded tokens', async () => {
    const run = await runCli(['logits', '--checkpoint', fx.checkpoint, '--ids', '256,72,105', '--backend', 'cpu']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^regions logits · backend cpu \(.+\) · checkpoint /);
    expect(run.stdout).toMatch(/rank\s+id\s+logit\s+prob\s+token/);
    const rows = run.stdout.split('\n').filter((line) => /^\s+\d+\s+\d+\s+-?\d+\.\d{4}\s+\d\.\d{4}\s+".*"$/.test(line));
    expect(rows).toHaveLength(10);
    const logits = rows.map((row) => Number(row.trim().split(/\s+/)[2]));
    expect(logits).toEqual([...logits].sort((a, b) => b - a));
    const json = await logitsJson('256,72,105');
    expect(logits[0]).toBeCloseTo(Math.max(...json.logits_last), 4);
  });

  it('without a tokenizer, the table has no token column', async () => {
    const bare = join(fx.root, 'no-tokenizer');
    cpSync(fx.checkpoint, bare, { recursive: true });
    rmSync(join(bare, 'tokenizer.json'));
    const run = await runCli(['logits', '--checkpoint', bare, '--ids', '1,2', '--backend', 'cpu']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^rank\s+id\s+logit\s+prob$/m);
    expect(run.stdout.split('\n').filter((line) => /^\s+\d+\s+\d+\s+-?\d+\.\d{4}\s+\d\.\d{4}$/.test(line))).toHaveLength(10);
  });
});
