/**
 * Every tool on every family: a tiny generated checkpoint of Qwen3, Gemma-2, Gemma-3 (text), Phi-3 and OLMo-2
 * (byte tokenizer) goes through the CLI (`logits`, `loss`, `ppl`, `importance` by gradient and by Wanda, `detect`),
 * the subject (baseline, core and Wanda regions, zeroing, a norm perturbation, the detectors, LAPE neurons as a
 * region, the matchers' measurements of findings 1 and 2) and further pre-training with the core region frozen. The numbers themselves are pinned by the PyTorch
 * reference (test/fixtures/reference/<family>); here each path runs, gives finite numbers, and touches the
 * family's own tensors (fused projections, q/k norms, the extra norms).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCheckpoint } from '../../src/checkpoint/generate.js';
import type { RawModelConfig } from '../../src/checkpoint/config.js';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { loadTokenizer } from '../../src/tokenizer/tokenizer.js';
import { measureDimensionSensitive, measureLoseCompetence } from '../../src/findings/index.js';
import { openSubject } from '../../src/findings/subject.js';
import { perturbNorm } from '../../src/perturb/norm.js';
import { withPerturbation } from '../../src/perturb/with-perturbation.js';
import { zeroRegion } from '../../src/perturb/zero-region.js';
import { furtherPretrain } from '../../src/train/further.js';
import { runCli } from '../cli/helpers.js';
import { tinyModel } from '../helpers/tiny.js';
import { regionOf } from '../perturb/helpers.js';
import { SENTENCES } from '../vitest/helpers/instruments.js';

const FAMILIES: Record<string, { config: Partial<RawModelConfig> & Record<string, unknown>; own: string[] }> = {
  qwen3: { config: { model_type: 'qwen3', head_dim: 8, num_key_value_heads: 2, tie_word_embeddings: true }, own: ['self_attn.q_norm.weight', 'self_attn.k_norm.weight'] },
  gemma2: {
    config: { model_type: 'gemma2', head_dim: 8, num_key_value_heads: 2, query_pre_attn_scalar: 8, sliding_window: 8, attn_logit_softcapping: 50, final_logit_softcapping: 30 },
    own: ['pre_feedforward_layernorm.weight', 'post_feedforward_layernorm.weight'],
  },
  gemma3: {
    config: { model_type: 'gemma3_text', head_dim: 8, num_key_value_heads: 2, query_pre_attn_scalar: 8, sliding_window: 8, sliding_window_pattern: 2 },
    own: ['self_attn.q_norm.weight', 'post_feedforward_layernorm.weight'],
  },
  phi3: { config: { model_type: 'phi3', num_key_value_heads: 2, partial_rotary_factor: 0.5 }, own: ['self_attn.qkv_proj.weight', 'mlp.gate_up_proj.weight'] },
  olmo2: { config: { model_type: 'olmo2', num_key_value_heads: 2 }, own: ['self_attn.q_norm.weight', 'post_feedforward_layernorm.weight'] },
};

const root = mkdtempSync(join(tmpdir(), 'regions-families-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const texts = join(root, 'texts');
mkdirSync(texts);
const LANGUAGES = ['en', 'ru', 'zh'];
for (const l of LANGUAGES) writeFileSync(join(texts, `${l}.txt`), SENTENCES[l]!.repeat(20));
const finite = (v: number) => Number.isFinite(v);

describe.each(Object.keys(FAMILIES))('%s', (family) => {
  const { config, own } = FAMILIES[family]!;
  const checkpoint = join(root, family);
  generateCheckpoint(checkpoint, { seed: 3, tokenizer: 'bytes', config: { max_position_embeddings: 64, ...config } });
  const base = ['--checkpoint', checkpoint];

  it("loads with its family's tensors", () => {
    const ckpt = loadCheckpoint(checkpoint);
    expect(ckpt.config.family).toBe(family);
    for (const suffix of own) expect([...ckpt.weights.keys()].some((n) => n.endsWith(suffix)), suffix).toBe(true);
  });

  it('the CLI: logits, loss, ppl, importance (gradient and Wanda) and both detectors run', async () => {
    const ids = loadTokenizer(join(checkpoint, 'tokenizer.json')).encode('The cat sat.');
    const logits = await runCli(['logits', ...base, '--ids', [256, ...ids].join(','), '--json']);
    expect(logits.code, logits.stderr).toBe(0);
    const windows = join(root, `${family}-windows.json`);
    writeFileSync(windows, JSON.stringify([[256, ...ids]]));
    const loss = await runCli(['loss', ...base, '--windows', windows, '--json']);
    expect(loss.code, loss.stderr).toBe(0);
    expect(finite((JSON.parse(loss.stdout) as { mean_nll: number }).mean_nll)).toBe(true);
    const ppl = await runCli(['ppl', ...base, '--texts', texts, '--seq-len', '16', '--max-tokens', '64', '--json']);
    expect(ppl.code, ppl.stderr).toBe(0);
    const languages = (JSON.parse(ppl.stdout) as { languages: Record<string, { ppl: number }> }).languages;
    expect(Object.keys(languages)).toEqual(LANGUAGES);
    expect(Object.values(languages).every((l) => finite(l.ppl))).toBe(true);
    for (const method of ['gradient', 'wanda']) {
      const out = join(root, `${family}-${method}.safetensors`);
      const importance = await runCli(['importance', ...base, '--texts', texts, '--languages', 'en', '--method', method, '--seq-len', '16', '--max-tokens', '64', '--no-cache', '--out', out]);
      expect(importance.code, `${method}: ${importance.stderr}`).toBe(0);
    }
    for (const detector of ['super-weights', 'massive-activations']) {
      const detect = await runCli(['detect', detector, ...base, '--texts', texts, '--seq-len', '16', '--json']);
      expect(detect.code, `${detector}: ${detect.stderr}`).toBe(0);
    }
  });

  it('the subject: baseline, regions over its own tensors, perturbations, detectors, LAPE; frozen further pre-training', async () => {
    const subject = await openSubject({
      checkpoint,
      texts,
      trainTexts: texts,
      languages: LANGUAGES,
      regionLanguages: LANGUAGES,
      backend: 'ort-cpu',
      threads: 1,
      cacheDir: join(root, `${family}-cache`),
      evalTokens: 64,
      importanceTokens: 128,
      seqLen: 16,
    });
    try {
      const baseline = await subject.baseline();
      expect(Object.values(baseline).every((l) => finite(l.ppl))).toBe(true);
      const core = await subject.coreRegion(0.05);
      // A fused matrix is one matrix for the per-matrix top-k; q/k norms and the family's extra norms are in the layers too.
      for (const suffix of own) expect([...core.masks.keys()].some((n) => n.endsWith(suffix)), suffix).toBe(true);
      const zeroed = await subject.perplexity(zeroRegion(core));
      expect(Object.values(zeroed).every((l) => finite(l.ppl))).toBe(true);
      expect(zeroed.en!.ppl).not.toBe(baseline.en!.ppl);
      const wanda = await subject.region({ kind: 'top', fraction: 0.05, source: 'wanda' });
      expect(wanda.masks.size).toBeGreaterThan(0);
      const norm = subject.config.block.norms === 'post' ? 'post_feedforward_layernorm' : 'input_layernorm';
      const scaled = await subject.perplexity(perturbNorm({ norm, layer: 0, dim: 3, op: { type: 'scale', factor: 4 } }));
      expect(scaled.en!.ppl).not.toBe(baseline.en!.ppl);
      const massive = await subject.massiveActivations();
      expect(massive.layers.length).toBeGreaterThan(0);
      const superWeights = await subject.superWeights();
      expect(superWeights.layers.length).toBe(subject.config.numLayers);
      const neurons = await subject.languageNeuronRegion('ru');
      expect(neurons.kind).toBe('neurons:ru');
      // The matchers' measurements (what the plugin's expect(subject).… runs): a verdict either way, on finite numbers.
      const core1 = await measureLoseCompetence(subject, { kind: 'top', fraction: 0.05 });
      expect(typeof core1.holds).toBe('boolean');
      expect((core1.measured.effects as { ratio: number }[]).every((e) => finite(e.ratio))).toBe(true);
      const dim = await measureDimensionSensitive(subject, { layer: 0, dim: 3, controlDims: [5] });
      expect(typeof dim.holds).toBe('boolean');

      const frozenName = [...core.masks.keys()].find((n) => !n.endsWith('norm.weight'))!;
      const weights = await subject.hostWeights();
      const before = weights.get(frozenName)!.data.slice();
      const mask = core.masks.get(frozenName)!.data;
      const curve = await furtherPretrain(subject.config, weights, {
        tokenizer: subject.tokenizer,
        train: { language: 'zh', text: SENTENCES.zh!.repeat(20) },
        evaluate: [{ language: 'en', text: SENTENCES.en!.repeat(20) }],
        steps: 2,
        lr: 1e-2,
        batch: 2,
        seqLen: 16,
        freeze: core,
        seed: 1,
        threads: 1,
        engine: 'ort-cpu',
        onEval: (step, trained) => {
          if (step === 0) return;
          const after = trained.get(frozenName)!.data;
          let moved = 0;
          for (let i = 0; i < mask.length; i++) {
            if (mask[i] !== 0) expect(after[i]).toBe(before[i]);
            else if (after[i] !== before[i]) moved++;
          }
          expect(moved).toBeGreaterThan(0);
        },
      });
      expect(curve.points.every((p) => Object.values(p.perplexity).every((l) => finite(l.ppl)))).toBe(true);
    } finally {
      await subject.close();
    }
  });
});

describe("a norm perturbation on Gemma's (1 + w) norms", () => {
  it('acts on the effective gain: ×4 stores 4(1 + w) − 1, "= 0" stores −1; zeroing a region stores 0 (the parameter)', async () => {
    const { model, ckpt } = tinyModel(5, { model_type: 'gemma2', head_dim: 8 });
    const name = 'model.layers.1.pre_feedforward_layernorm.weight';
    // Generated Gemma norms are 0 (gain 1): give entry 3 a non-trivial stored value first.
    const w = Math.fround(0.25);
    const stored = await withPerturbation(model, [{ kind: 'parameter', tensor: name, index: [3], op: { type: 'set', value: w } }, perturbNorm({ norm: 'pre_feedforward_layernorm', layer: 1, dim: 3, op: { type: 'scale', factor: 4 } })], (m) => m.readWeight(name));
    expect(stored[3]).toBe(Math.fround(Math.fround(4 * Math.fround(1 + w)) - 1));
    const silenced = await withPerturbation(model, perturbNorm({ norm: 'pre_feedforward_layernorm', layer: 1, dim: 3, op: { type: 'set', value: 0 } }), (m) => m.readWeight(name));
    expect(silenced[3]).toBe(-1);
    const zeroed = await withPerturbation(model, zeroRegion(regionOf(model, { [name]: [3] })), (m) => m.readWeight(name));
    expect(zeroed[3]).toBe(0);
    expect(ckpt.config.block.normOffset).toBe(1);
    model.dispose();
  });
});
