/**
 * ONNX Runtime's WebGPU execution provider, the GPU path. CI runs it on a software Vulkan adapter (Mesa's
 * lavapipe from bookworm-backports, installed by .ci/run, which sets REGIONS_REQUIRE_WEBGPU=1 so that a
 * missing adapter fails here instead of skipping). Correctness only: the adapter is a CPU, and slow.
 *
 * What ran, each with its tolerance:
 * - the PyTorch float64 reference cases (scripts/reference/): logits, loss and every gradient, within the
 *   tolerances the CPU provider is held to (test/helpers/reference.ts);
 * - the fixture against the CPU provider: per-window NLL (perplexity), importance, the detectors'
 *   observations (activations, gate-positive counts, linear-input square sums) and one AdamW training step.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../src/checkpoint/types.js';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { readTexts } from '../../src/corpus/texts.js';
import { textWindows } from '../../src/corpus/windows.js';
import { OrtModel, type OrtProvider } from '../../src/engine/onnx/ort-model.js';
import { computeImportance } from '../../src/importance/compute.js';
import { loadTokenizer } from '../../src/tokenizer/tokenizer.js';
import { Trainer } from '../../src/train/trainer.js';
import { runCli } from '../cli/helpers.js';
import { probeWebgpu, WEBGPU_REQUIRED } from '../helpers/webgpu.js';
import { GRADS, LOGITS, LOSS, readExpected, REFERENCE_CASES, REFERENCE_ROOT, relativeToMax, worst } from '../helpers/reference.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/models/polyglot-v2');

const probe = await probeWebgpu();

describe('the WebGPU provider starts', () => {
  it.runIf(WEBGPU_REQUIRED)('where CI requires it (REGIONS_REQUIRE_WEBGPU=1)', () => {
    expect(probe.reason).toBe('');
  });
});

/** The fixture on one provider. */
function fixtureOn(provider: OrtProvider): { model: OrtModel; weights: Map<string, HostTensor> } {
  const ckpt = loadCheckpoint(FIXTURE);
  return { model: new OrtModel(ckpt.config, ckpt.weights, { provider, threads: 2 }), weights: ckpt.weights };
}


/** Runs `measure` on the fixture on the CPU and the WebGPU provider, releasing both. */
async function onBoth<T>(measure: (model: OrtModel) => Promise<T>): Promise<{ cpu: T; gpu: T }> {
  const cpu = fixtureOn('cpu');
  const gpu = fixtureOn('webgpu');
  try {
    return { cpu: await measure(cpu.model), gpu: await measure(gpu.model) };
  } finally {
    await Promise.all([cpu.model.release(), gpu.model.release()]);
  }
}

const tokenizer = loadTokenizer(join(FIXTURE, 'tokenizer.json'), { bosId: loadCheckpoint(FIXTURE).config.bosTokenId });
const texts = readTexts(join(import.meta.dirname, '../../fixtures/corpora/eval'), ['en', 'zh']);
/** The full windows of 64 tokens among the first 4 × 63 tokens of en and of zh. */
const windows = [...texts.values()].flatMap((t) => textWindows(t, tokenizer, { seqLen: 64, maxTokens: 4 * 63 }).windows.filter((w) => w.length === 64));

describe.skipIf(!probe.available)(`ONNX Runtime on WebGPU${probe.available ? '' : ` — skipped: ${probe.reason}`}`, () => {
  describe.each(REFERENCE_CASES)('reference case %s', (name) => {
    it('logits, loss and every gradient match PyTorch (float64) within the CPU provider\'s tolerances', async () => {
      const expected = readExpected(name);
      const ckpt = loadCheckpoint(join(REFERENCE_ROOT, name));
      const model = new OrtModel(ckpt.config, ckpt.weights, { provider: 'webgpu' });
      const report: string[] = [];
      try {
        const wLogits = worst(await model.logits(expected.ids), expected.logits.flat(2), LOGITS.rel, LOGITS.abs);
        report.push(`${wLogits <= 1 ? 'OK    ' : 'NOT OK'} logits (worst/tolerance ${wLogits.toExponential(2)})`);
        const nll = await model.windowNll(expected.ids);
        const loss = nll.reduce((s, w) => s + w.nllSum, 0) / nll.reduce((s, w) => s + w.tokens, 0);
        const wLoss = Math.abs(loss - expected.loss) / (LOSS.rel * Math.abs(expected.loss));
        report.push(`${wLoss <= 1 ? 'OK    ' : 'NOT OK'} loss ${loss} vs ${expected.loss} (${wLoss.toExponential(2)})`);
        const trained = await model.lossAndGrads(expected.ids, 'mean');
        for (const [gname, ref] of Object.entries(expected.grads)) {
          const w = worst(trained.grads.get(gname)!, ref, 0, GRADS.rel * Math.max(...ref.map(Math.abs)));
          report.push(`${w <= 1 ? 'OK    ' : 'NOT OK'} grad ${gname} (${w.toExponential(2)})`);
        }
      } finally {
        await model.release();
      }
      expect(report.filter((l) => l.startsWith('NOT OK')), report.join('\n')).toEqual([]);
    });
  });

  describe('weights resident on the device', () => {
    it('are uploaded once: a forward pass after the first moves no weight bytes, only the ids and the outputs', async () => {
      const { model, weights } = fixtureOn('webgpu');
      const weightBytes = [...weights.values()].reduce((n, w) => n + w.data.byteLength, 0);
      try {
        const first = await model.windowNll(windows);
        const after1 = model.transfers;
        expect(after1.weightBytes).toBe(weightBytes);
        const second = await model.windowNll(windows);
        const after2 = model.transfers;
        expect(second).toEqual(first);
        expect(after2.weightBytes - after1.weightBytes).toBe(0);
        expect(after2.inputBytes - after1.inputBytes).toBe(windows.length * 64 * 4); // int32 ids
        expect(after2.outputBytes - after1.outputBytes).toBe(windows.length * 4); // one float32 NLL sum per window
        console.log(`webgpu residency: first run moved ${after1.weightBytes} weight bytes, the second ${after2.weightBytes - after1.weightBytes}`);
      } finally {
        await model.release();
      }
    });

    it('a perturbation uploads only the tensors it touches, and the model reads its own weights after', async () => {
      const { model } = fixtureOn('webgpu');
      const name = 'model.layers.0.mlp.down_proj.weight';
      try {
        const before = await model.windowNll(windows);
        const up = model.transfers.weightBytes;
        const zeros = new Float32Array(model.weights.get(name)!.data.length);
        const view = model.overlay(new Map([[name, zeros]]));
        const perturbed = await view.model.windowNll(windows);
        view.release();
        expect(perturbed).not.toEqual(before);
        expect(model.transfers.weightBytes - up).toBe(zeros.byteLength);
        expect(await model.windowNll(windows)).toEqual(before);
        expect(model.transfers.weightBytes - up).toBe(zeros.byteLength); // the original's device copy was kept
      } finally {
        await model.release();
      }
    });

    it('an optimizer step re-uploads what it changed, once per step, and trains as on the CPU (above)', async () => {
      const { config, weights } = loadCheckpoint(FIXTURE);
      const bytes = [...weights.values()].reduce((n, w) => n + w.data.byteLength, 0);
      const trainer = await Trainer.open(config, weights, { adam: { lr: 1e-3 }, engine: 'ort-webgpu', threads: 2, batch: 2, seqLen: 64 });
      try {
        await trainer.trainStep(windows.slice(0, 2), 1e-3);
        await trainer.trainStep(windows.slice(0, 2), 1e-3);
        // Two steps: the first uploads every weight; the second what the first changed (every weight has a gradient).
        expect(trainer.transfers.weightBytes).toBe(2 * bytes);
      } finally {
        await trainer.close();
      }
    });
  });

  it('regions ppl --json on ort-webgpu says what moved: the weights once, the ids and the NLL per run', async () => {
    const run = await runCli(['ppl', '--checkpoint', FIXTURE, '--texts', 'udhr', '--languages', 'en,zh', '--max-tokens', '256', '--backend', 'ort-webgpu', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as { backend: { name: string }; transfers: { runs: number; weight_bytes: number; input_bytes: number; output_bytes: number } };
    const weightBytes = [...loadCheckpoint(FIXTURE).weights.values()].reduce((n, w) => n + w.data.byteLength, 0);
    expect(json.backend.name).toBe('ort-webgpu');
    expect(json.transfers.weight_bytes).toBe(weightBytes);
    expect(json.transfers.runs).toBeGreaterThan(1);
  });

  describe('the fixture, against the CPU provider', () => {
    it('per-window NLL (the perplexity of en and zh) within 1e-6 relative', async () => {
      const { cpu, gpu } = await onBoth((m) => m.windowNll(windows));
      const errors = cpu.map((w, i) => Math.abs(gpu[i]!.nllSum - w.nllSum) / w.nllSum);
      console.log(`webgpu vs cpu, per-window NLL: worst relative error ${Math.max(...errors).toExponential(2)} over ${errors.length} windows`);
      errors.forEach((e, i) => expect(e, `window ${i}`).toBeLessThan(1e-6));
    });

    it('importance |θ ⊙ g| of every weight within 1e-5 of the tensor\'s largest entry', async () => {
      const { cpu, gpu } = await onBoth((m) => computeImportance(m, { language: 'en', checkpointHash: 'x', windows }, { batchSize: 4 }));
      const errors = [...cpu.scores].map(([name, t]) => [name, relativeToMax(gpu.scores.get(name)!.data, t.data)] as const);
      console.log(`webgpu vs cpu, importance: worst tensor ${Math.max(...errors.map(([, e]) => e)).toExponential(2)} of its largest entry`);
      expect(errors.filter(([, e]) => !(e <= 1e-5)), errors.map(([n, e]) => `${n} ${e.toExponential(2)}`).join('\n')).toEqual([]);
    });

    it("the detectors' observations: activations within 1e-5, gate-positive counts equal but for a few sign flips, linear-input square sums within 1e-5", async () => {
      const few = windows.slice(0, 2);
      const { cpu, gpu } = await onBoth(async (m) => ({ acts: await m.observe('activations', few), gates: await m.observe('gate-positive', few), sq: await m.observe('input-square-sums', few) }));
      expect(relativeToMax(gpu.acts.hidden, cpu.acts.hidden)).toBeLessThan(1e-5);
      expect(relativeToMax(gpu.acts.downInMax, cpu.acts.downInMax)).toBeLessThan(1e-5);
      expect(relativeToMax(gpu.acts.downOutMax, cpu.acts.downOutMax)).toBeLessThan(1e-5);
      // A gate within rounding of 0 may fall on the other side: counts differ by at most a handful in all.
      const flips = cpu.gates.reduce((n, c, i) => n + Math.abs(c - gpu.gates[i]!), 0);
      console.log(`webgpu vs cpu, observations: hidden ${relativeToMax(gpu.acts.hidden, cpu.acts.hidden).toExponential(2)}, gate sign flips ${flips}`);
      expect(flips).toBeLessThanOrEqual(4);
      for (const [name, s] of cpu.sq) expect(relativeToMax(gpu.sq.get(name)!, s), name).toBeLessThan(1e-5);
    });

    it('one AdamW training step: the same loss and gradient norm; the same update but where a gradient is within rounding of zero', async () => {
      const lr = 1e-3;
      const before = loadCheckpoint(FIXTURE).weights;
      const step = async (engine: 'ort-cpu' | 'ort-webgpu') => {
        const { config, weights } = loadCheckpoint(FIXTURE);
        const trainer = await Trainer.open(config, weights, { adam: { lr, weightDecay: 0.1 }, engine, threads: 2, batch: 4, seqLen: 64 });
        try {
          const r = await trainer.trainStep(windows.slice(0, 4), lr);
          return { ...r, weights: new Map([...trainer.weights].map(([n, w]) => [n, Float32Array.from(w.data)])) };
        } finally {
          await trainer.close();
        }
      };
      const cpu = await step('ort-cpu');
      const gpu = await step('ort-webgpu');
      // AdamW's first step moves an entry by lr·g/(|g| + ε): ±lr wherever |g| ≫ ε, whatever g's rounding — but
      // an entry whose gradient is within rounding of zero may move by anything in [−lr, lr] on either engine.
      let entries = 0;
      let apart = 0;
      let worstApart = 0;
      for (const [name, w] of cpu.weights) {
        const g = gpu.weights.get(name)!;
        const w0 = before.get(name)!.data;
        for (let i = 0; i < w.length; i++) {
          const d = Math.abs(g[i]! - w0[i]! - (w[i]! - w0[i]!)) / lr;
          entries++;
          worstApart = Math.max(worstApart, d);
          if (d > 0.01) apart++;
        }
      }
      console.log(`webgpu vs cpu, training step: loss ${(Math.abs(gpu.loss - cpu.loss) / cpu.loss).toExponential(2)}, |g| ${(Math.abs(gpu.gradNorm - cpu.gradNorm) / cpu.gradNorm).toExponential(2)}; updates apart by more than 1% of lr: ${apart} of ${entries} (worst ${worstApart.toFixed(3)}·lr)`);
      expect(Math.abs(gpu.loss - cpu.loss) / cpu.loss).toBeLessThan(1e-6);
      expect(Math.abs(gpu.gradNorm - cpu.gradNorm) / cpu.gradNorm).toBeLessThan(1e-5);
      expect(apart / entries).toBeLessThan(1e-4); // measured on lavapipe: 21 of 857,728 (2.4e-5)
    });
  });
});
