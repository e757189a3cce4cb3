import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/tfjs/select.js';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { LlamaModel } from '../../src/engine/tfjs/model.js';
import { makeFixture, runCli, type CliFixture } from './helpers.js';

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

const lossJson = async (windows: number[][]) => {
  const file = fx.file('windows.json', JSON.stringify(windows));
  const run = await runCli(['loss', '--checkpoint', fx.checkpoint, '--windows', file, '--backend', 'cpu', '--json']);
  expect(run.stderr).not.toMatch(/^regions:/m);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
};

/** Mean NLL over every predicted token, scoring each window alone with the model directly. */
async function directMeanNll(windows: number[][]): Promise<{ meanNll: number; tokens: number }> {
  let nllSum = 0;
  let tokens = 0;
  for (const w of windows) {
    const [one] = await model.windowNll([w]);
    nllSum += one!.nllSum;
    tokens += one!.tokens;
  }
  return { meanNll: nllSum / tokens, tokens };
}

describe('regions loss', { timeout: 60_000 }, () => {
  it('--json matches LlamaModel.windowNll on the same windows', async () => {
    const windows = [
      [256, 72, 101, 108, 108, 111],
      [256, 87, 111, 114, 108, 100],
      [256, 1, 2, 3, 4, 5],
    ];
    const json = await lossJson(windows);
    const [a, b, c] = await model.windowNll(windows);
    const nllSum = a!.nllSum + b!.nllSum + c!.nllSum;
    expect(Object.keys(json)).toEqual(['backend', 'windows', 'tokens_predicted', 'mean_nll', 'ppl']);
    expect(json.backend.name).toBe('cpu');
    expect(json.windows).toBe(3);
    expect(json.tokens_predicted).toBe(15);
    expect(json.mean_nll).toBeCloseTo(nllSum / 15, 6);
    expect(json.ppl).toBeCloseTo(Math.exp(nllSum / 15), 4);
  });

  it('scores windows of mixed lengths, the mean taken over every predicted token', async () => {
    const windows = [[256, 10, 20], [256, 30, 40, 50, 60, 70, 80], [256, 90], [256, 11, 12]];
    const json = await lossJson(windows);
    const direct = await directMeanNll(windows);
    expect(json.windows).toBe(4);
    expect(json.tokens_predicted).toBe(2 + 6 + 1 + 2);
    expect(direct.tokens).toBe(json.tokens_predicted);
    expect(json.mean_nll).toBeCloseTo(direct.meanNll, 6);
  });

  it('gives the same answer with --batch-size 1', async () => {
    const windows = [[256, 10, 20], [256, 30, 40], [256, 50, 60, 70]];
    const file = fx.file('windows-b1.json', JSON.stringify(windows));
    const run = await runCli(['loss', '--checkpoint', fx.checkpoint, '--windows', file, '--backend', 'cpu', '--batch-size', '1', '--json']);
    expect(JSON.parse(run.stdout).mean_nll).toBeCloseTo((await lossJson(windows)).mean_nll, 6);
  });

  it('prints one human line with backend and checkpoint', async () => {
    const file = fx.file('windows-h.json', '[[256, 1, 2], [256, 3]]');
    const run = await runCli(['loss', '--checkpoint', fx.checkpoint, '--windows', file, '--backend', 'cpu']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^regions loss · backend cpu \(.+\) · checkpoint .+\n2 windows, 3 tokens predicted: mean NLL \d+\.\d{4} nats, ppl \d+\.\d{2}\n$/);
  });
});
