/**
 * The ONNX Runtime engine pinned to the same float64 PyTorch reference as the tfjs model
 * (test/model/reference.test.ts; scripts/reference/make_reference.py): logits, loss and every gradient of
 * all 11 cases (the gradient graph of ./autodiff.ts), with the same tolerances, one OK / NOT OK line per tensor. And no inference session left behind.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { OrtModel, openOrtSessions } from '../../src/engine/onnx/ort-model.js';
import { wandaImportance } from '../../src/importance/wanda.js';
import { GRADS, LOGITS, LOSS, readExpected, REFERENCE_CASES as CASES, REFERENCE_ROOT as ROOT, worst } from '../helpers/reference.js';

describe.each(CASES)('reference case %s on ONNX Runtime (cpu)', (name) => {
  const dir = join(ROOT, name);
  const expected = readExpected(name);

  it('logits, loss and every gradient match PyTorch (float64) within tolerance', async () => {
    const sessions = openOrtSessions();
    const ckpt = loadCheckpoint(dir);
    const model = new OrtModel(ckpt.config, ckpt.weights, { threads: 1 });
    const report: string[] = [];
    try {
      const wLogits = worst(await model.logits(expected.ids), expected.logits.flat(2), LOGITS.rel, LOGITS.abs);
      report.push(`${wLogits <= 1 ? 'OK    ' : 'NOT OK'} logits (worst/tolerance ${wLogits.toExponential(2)})`);
      const last = await model.logits([expected.ids[0]!]);
      const wLast = worst(last.subarray(last.length - ckpt.config.vocabSize), expected.logits_last, LOGITS.rel, LOGITS.abs);
      report.push(`${wLast <= 1 ? 'OK    ' : 'NOT OK'} logits_last (${wLast.toExponential(2)})`);
      const nll = await model.windowNll(expected.ids);
      const loss = nll.reduce((s, w) => s + w.nllSum, 0) / nll.reduce((s, w) => s + w.tokens, 0);
      const wLoss = Math.abs(loss - expected.loss) / (LOSS.rel * Math.abs(expected.loss));
      report.push(`${wLoss <= 1 ? 'OK    ' : 'NOT OK'} loss ${loss} vs ${expected.loss} (${wLoss.toExponential(2)})`);

      const trained = await model.lossAndGrads(expected.ids, 'mean');
      const wTrainLoss = Math.abs(trained.loss - expected.loss) / (LOSS.rel * Math.abs(expected.loss));
      report.push(`${wTrainLoss <= 1 ? 'OK    ' : 'NOT OK'} loss of the gradient graph ${trained.loss} (${wTrainLoss.toExponential(2)})`);
      expect(new Set(trained.grads.keys())).toEqual(new Set(Object.keys(expected.grads)));
      for (const [gname, ref] of Object.entries(expected.grads)) {
        const scale = Math.max(...ref.map(Math.abs));
        const w = worst(trained.grads.get(gname)!, ref, 0, GRADS.rel * scale);
        report.push(`${w <= 1 ? 'OK    ' : 'NOT OK'} grad ${gname} (${w.toExponential(2)})`);
      }
    } finally {
      await model.release();
    }
    expect(openOrtSessions()).toBe(sessions);
    expect(report.filter((l) => l.startsWith('NOT OK')), report.join('\n')).toEqual([]);
  });

  it("Wanda's |W|·‖X‖₂ of every linear weight matches PyTorch within 1e-4 of the tensor's largest entry", async () => {
    const ckpt = loadCheckpoint(dir);
    const model = new OrtModel(ckpt.config, ckpt.weights, { threads: 1 });
    try {
      // One window per call (batchSize 1): the sums over calls are the host's, over positions the graph's.
      const map = await wandaImportance(model, expected.ids, { batchSize: 1 });
      expect(new Set(map.scores.keys())).toEqual(new Set(Object.keys(expected.wanda)));
      const report = Object.entries(expected.wanda).map(([name, ref]) => {
        const w = worst(map.scores.get(name)!.data, ref, 0, 1e-4 * Math.max(...ref.map(Math.abs)));
        return `${w <= 1 ? 'OK    ' : 'NOT OK'} wanda ${name} (${w.toExponential(2)})`;
      });
      expect(report.filter((l) => l.startsWith('NOT OK')), report.join('\n')).toEqual([]);
    } finally {
      await model.release();
    }
  });
});
