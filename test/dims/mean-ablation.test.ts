/**
 * Mean-ablation (Sun et al.'s control for massive activations): the `activation` perturbation sets one dim of the
 * residual stream inside every forward pass — on both engines alike, leaving every other activation and every weight
 * as it was, and overlapping measurements each see their own — and `residualMeans` gives the probe's mean to set.
 * The instrument's test: on a model whose first position carries a planted activation the model depends on, setting
 * it to its mean keeps perplexity within 5% and setting it to zero does not.
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { readTexts } from '../../src/corpus/texts.js';
import { textWindows } from '../../src/corpus/windows.js';
import { meanAblation, meanAt, residualMeans, zeroAblation } from '../../src/dims/mean-ablation.js';
import { openForward } from '../../src/engine/select.js';
import { windowsPerplexity } from '../../src/metrics/perplexity.js';
import { PerturbationError, parsePerturbation, setActivation, setParameter, withPerturbation } from '../../src/perturb/index.js';
import { loadTokenizer } from '../../src/tokenizer/tokenizer.js';
import type { EngineModel } from '../../src/engine/select.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/models/polyglot-v2');
const EVAL = join(import.meta.dirname, '../../fixtures/corpora/eval');
const ckpt = loadCheckpoint(FIXTURE);
const tokenizer = loadTokenizer(ckpt.tokenizerFile!, { bosId: ckpt.config.bosTokenId, eosId: ckpt.config.eosTokenId });
const texts = readTexts(EVAL);
const windowsOf = (language: string, maxTokens: number) => textWindows(texts.get(language)!, tokenizer, { seqLen: 128, maxTokens }).windows;
const probe = windowsOf('en', 512);
const measured = windowsOf('de', 512);
const d = ckpt.config.hiddenSize;
const BOS = ckpt.config.bosTokenId!;
/** The fixture's largest first-position activation: dim 118, 38.0 after layer 0 (`regions detect massive-activations`). */
const DIM = 118;

async function withModel<T>(backend: 'ort-cpu' | 'wasm', use: (model: EngineModel) => Promise<T>): Promise<T> {
  const opened = await openForward(ckpt.config, ckpt.weights, backend);
  try {
    return await use(opened.model as EngineModel);
  } finally {
    await opened.close();
  }
}

const ppl = (model: EngineModel, windows = measured) => windowsPerplexity(model, windows, 1).then((p) => p.ppl);

describe('residual means', () => {
  test('equal the mean of every residual activation the `activations` observation returns, per layer, dim and position kind', async () => {
    await withModel('ort-cpu', async (model) => {
      const means = await residualMeans(model, probe);
      const full = probe.filter((w) => w.length === probe[0]!.length);
      const a = await model.observe('activations', full);
      const seq = full[0]!.length;
      const n = full.length * seq;
      // The probe's last window may be shorter: compare on the full-length ones only.
      const onFull = await residualMeans(model, full);
      for (const layer of [-1, 0, 3]) {
        const block = a.hidden.subarray((layer + 1) * n * d, (layer + 2) * n * d);
        for (const dim of [DIM, 51, 0]) {
          let first = 0;
          let rest = 0;
          for (let t = 0; t < n; t++) (t % seq === 0 ? (first += block[t * d + dim]!) : (rest += block[t * d + dim]!));
          first /= full.length;
          rest /= n - full.length;
          expect(meanAt(onFull, layer, dim, 'first')).toBeCloseTo(first, 4);
          expect(meanAt(onFull, layer, dim, 'rest')).toBeCloseTo(rest, 4);
          expect(meanAt(onFull, layer, dim, 'all')).toBeCloseTo((first * full.length + rest * (n - full.length)) / n, 4);
        }
      }
      expect(means.windows).toBe(probe.length);
      expect(() => meanAt(means, 4, 0, 'first')).toThrow(/layer 4 is not −1 .* or a decoder layer \(0–3\)/);
      expect(() => meanAt(means, 0, d, 'first')).toThrow(/dim 128 is outside the hidden size \(0–127\)/);
    });
  }, 60_000);
});

describe('the activation perturbation', () => {
  test('gives the same perplexity on ONNX Runtime and tfjs (1e-5 relative), for each kind of position', async () => {
    const perturbations = [
      setActivation({ layer: 0, dim: DIM, positions: 'first', value: 0 }),
      setActivation({ layer: 2, dim: 51, positions: 'rest', value: -3 }),
      setActivation({ layer: -1, dim: 7, positions: 'all', value: 1.5 }),
    ];
    const measure = (backend: 'ort-cpu' | 'wasm') =>
      withModel(backend, async (model) => {
        const out = [await ppl(model)];
        for (const p of perturbations) out.push(await withPerturbation(model, p, (view) => ppl(view)));
        return out;
      });
    const [ort, wasm] = [await measure('ort-cpu'), await measure('wasm')];
    ort.forEach((x, i) => expect(Math.abs(x - wasm[i]!) / wasm[i]!, `perplexity ${i}`).toBeLessThanOrEqual(1e-5));
    // Each edit changes the model's perplexity.
    for (const x of ort.slice(1)) expect(x).not.toBe(ort[0]);
  }, 60_000);

  test('set to the value it already has, it changes no bit of any window NLL; the loss of a gradient run reads the edited stream too', async () => {
    await withModel('ort-cpu', async (model) => {
      const full = measured.filter((w) => w.length === measured[0]!.length);
      const before = await model.windowNll(full);
      // BOS is every window's first token, so the embedding output there is the BOS row, whatever the window.
      const bosValue = ckpt.weights.get('model.embed_tokens.weight')!.data[BOS * d + DIM]!;
      const same = await withPerturbation(model, setActivation({ layer: -1, dim: DIM, positions: 'first', value: bosValue }), (v) => v.windowNll(full));
      expect(same.map((w) => w.nllSum)).toEqual(before.map((w) => w.nllSum));
      const zero = setActivation({ layer: 0, dim: DIM, positions: 'first', value: 0 });
      const [nll, grads] = await withPerturbation(model, zero, async (v) => [await v.windowNll(full), await v.hostLossAndGrads(full, 'mean', [])] as const);
      const meanNll = nll.reduce((s, w) => s + w.nllSum, 0) / nll.reduce((s, w) => s + w.tokens, 0);
      expect(grads.loss).toBeCloseTo(meanNll, 5);
      expect(grads.loss).not.toBeCloseTo((await model.hostLossAndGrads(full, 'mean', [])).loss, 5);
    });
  }, 60_000);

  test('overlapping measurements (Promise.all) each give the number they give alone, and the model keeps its own', async () => {
    await withModel('ort-cpu', async (model) => {
      const ps = [zeroAblation({ layer: 0, dim: DIM, positions: 'first' }), setActivation({ layer: 1, dim: 51, positions: 'all', value: 2 }), null];
      const alone: number[] = [];
      for (const p of ps) alone.push(p === null ? await ppl(model) : await withPerturbation(model, p, (v) => ppl(v)));
      const together = await Promise.all(ps.map((p) => (p === null ? ppl(model) : withPerturbation(model, p, (v) => ppl(v)))));
      expect(together).toEqual(alone);
      expect(await ppl(model)).toBe(alone[2]);
    });
  }, 60_000);

  test('on tfjs, a view with edits leaves no tensor behind', async () => {
    await withModel('wasm', async (model) => {
      await ppl(model);
      const tensors = tf.memory().numTensors;
      await withPerturbation(model, zeroAblation({ layer: 0, dim: DIM, positions: 'first' }), (v) => ppl(v));
      expect(tf.memory().numTensors).toBe(tensors);
    });
  }, 60_000);

  test('bad input is refused before anything runs, naming the field', async () => {
    expect(() => parsePerturbation({ kind: 'activation', layer: -2, dim: 0, value: 0 })).toThrow(/invalid perturbation: layer: .*-1/);
    expect(() => parsePerturbation({ kind: 'activation', layer: 0, dim: 0, positions: 'middle', value: 0 })).toThrow(/positions: .*first.*rest.*all/);
    expect(() => parsePerturbation({ kind: 'activation', layer: 0, dim: 0, value: Number.POSITIVE_INFINITY })).toThrow(/value: .*Infinity/);
    await withModel('ort-cpu', async (model) => {
      await expect(withPerturbation(model, setActivation({ layer: 4, dim: 0, value: 0 }), () => 0)).rejects.toThrow(PerturbationError);
      await expect(withPerturbation(model, setActivation({ layer: 4, dim: 0, value: 0 }), () => 0)).rejects.toThrow(/layer 4 is not −1 .* or a decoder layer \(0–3\)/);
      await expect(withPerturbation(model, setActivation({ layer: 0, dim: 128, value: 0 }), () => 0)).rejects.toThrow(/dim 128 is outside the hidden size \(0–127\)/);
      expect(() => model.overlay(new Map(), [{ layer: 0, dim: 1, positions: 'first', value: Number.NaN }])).toThrow(/value must be a finite number/);
    });
  }, 60_000);
});

describe("Sun et al.'s control on a planted activation", () => {
  test('with a large first-position activation the model reads, its mean keeps perplexity within 5% and zero does not', async () => {
    // The plant: BOS's embedding on dim 118 set to 100 (the fixture has 0.64 there), an activation at the first
    // position that every later position attends to. It is a constant of the input, as Sun et al. find massive
    // activations to be; what the model computes from it is the model's.
    const plant = setParameter({ tensor: 'model.embed_tokens.weight', index: [BOS, DIM], value: 100 });
    const rows = await withModel('ort-cpu', (model) =>
      withPerturbation(model, plant, async (planted) => {
        const means = await residualMeans(planted, probe);
        const base = await ppl(planted);
        const out: { layer: number; mean: number; zero: number }[] = [];
        for (const layer of [-1, 0, 1]) {
          const at = { layer, dim: DIM, positions: 'first' as const };
          const mean = await withPerturbation(planted, meanAblation(means, at), (v) => ppl(v));
          const zero = await withPerturbation(planted, zeroAblation(at), (v) => ppl(v));
          out.push({ layer, mean: mean / base, zero: zero / base });
        }
        return out;
      }),
    );
    for (const r of rows) {
      expect(Math.abs(r.mean - 1), `layer ${r.layer}: mean ×${r.mean}`).toBeLessThanOrEqual(0.05);
      expect(Math.abs(r.zero - 1), `layer ${r.layer}: zero ×${r.zero}`).toBeGreaterThan(0.05);
    }
  }, 60_000);
});
