/**
 * The forward pass, loss and gradients pinned to an independent float64 PyTorch implementation of HF
 * LlamaForCausalLM / MistralForCausalLM / Qwen2ForCausalLM (scripts/reference/make_reference.py; the
 * values are committed under test/fixtures/reference/). Like llm.c's test_gpt2, each tensor is compared
 * with a stated tolerance and the worst error is reported.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { LlamaModel, disposeAll } from '../../src/engine/tfjs/model.js';
import { GRADS, LOGITS, LOSS, readExpected, REFERENCE_CASES as CASES, REFERENCE_ROOT as ROOT, worst } from '../helpers/reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(CASES)('reference case %s', (name) => {
  const dir = join(ROOT, name);
  const expected = readExpected(name);

  it('logits, loss and every gradient match PyTorch (float64) within tolerance', async () => {
    const before = tf.memory().numTensors;
    const ckpt = loadCheckpoint(dir);
    const model = LlamaModel.fromWeights(ckpt.config, ckpt.weights);
    const report: string[] = [];
    const flatLogits = expected.logits.flat(2);
    const wLogits = worst(await model.logits(expected.ids), flatLogits, LOGITS.rel, LOGITS.abs);
    report.push(`${wLogits <= 1 ? 'OK    ' : 'NOT OK'} logits (worst/tolerance ${wLogits.toExponential(2)})`);

    const last = await model.logits([expected.ids[0]!]);
    const v = ckpt.config.vocabSize;
    const wLast = worst(last.subarray(last.length - v), expected.logits_last, LOGITS.rel, LOGITS.abs);
    report.push(`${wLast <= 1 ? 'OK    ' : 'NOT OK'} logits_last (${wLast.toExponential(2)})`);

    const { loss, grads } = await model.lossAndGrads(expected.ids, 'mean');
    const wLoss = Math.abs(loss - expected.loss) / (LOSS.rel * Math.abs(expected.loss));
    report.push(`${wLoss <= 1 ? 'OK    ' : 'NOT OK'} loss ${loss} vs ${expected.loss} (${wLoss.toExponential(2)})`);

    expect(new Set(grads.keys())).toEqual(new Set(Object.keys(expected.grads)));
    let wGrad = 0;
    for (const [gname, ref] of Object.entries(expected.grads)) {
      const scale = Math.max(...ref.map(Math.abs));
      const w = worst(await grads.get(gname)!.data(), ref, 0, GRADS.rel * scale);
      wGrad = Math.max(wGrad, w);
      report.push(`${w <= 1 ? 'OK    ' : 'NOT OK'} grad ${gname} (${w.toExponential(2)})`);
    }
    disposeAll(grads);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const failing = report.filter((l) => l.startsWith('NOT OK'));
    expect(failing, report.join('\n')).toEqual([]);
    expect(Math.max(wLogits, wLast, wLoss, wGrad)).toBeLessThanOrEqual(1);
  });
});
