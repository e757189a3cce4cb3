import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCheckpoint } from '../../src/checkpoint/generate.js';
import type { HostTensor } from '../../src/checkpoint/types.js';
import { openOrtSessions } from '../../src/engine/onnx/ort-model.js';
import type { Region } from '../../src/regions/types.js';
import { loadTokenizer, type TextTokenizer } from '../../src/tokenizer/tokenizer.js';
import { compareFreezing, forgettingSummary, freezingIntervals } from '../../src/train/forgetting.js';
import { seedFor } from '../../src/metrics/bootstrap.js';
import { furtherPretrain, type ForgettingCurve, type FurtherPretrainOptions } from '../../src/train/further.js';
import { mulberry32 } from '../../src/util/random.js';

// Training runs on ONNX Runtime; 2 intra-op threads as in the specs.
const BACKEND = 'ort-cpu';

const zh = '我们在这里学习新的语言，每天读书写字。\n今天天气很好，我们去公园散步吧。\n'.repeat(8);
const en = 'The quick brown fox jumps over the lazy dog.\nA stitch in time saves nine, they say.\n'.repeat(4);
const es = 'El perro come pan en la casa grande.\nMañana vamos a la playa con mis amigos.\n'.repeat(4);

/** A tiny seeded checkpoint (byte tokenizer, vocab 258, 2 layers) written to a temp dir; no tensors made. */
function tinyCheckpoint(seed: number, hidden: number) {
  const dir = mkdtempSync(join(tmpdir(), 'regions-further-'));
  return generateCheckpoint(dir, { seed, tokenizer: 'bytes', config: { hidden_size: hidden, num_hidden_layers: 2, max_position_embeddings: 64 } });
}

const ckpt = tinyCheckpoint(11, 32);
const tokenizer: TextTokenizer = loadTokenizer(join(ckpt.dir, 'tokenizer.json'));
const weights = ckpt.weights;

/** A seeded region holding ~fraction of every weight inside the layers, norm weights included. */
function randomRegion(shapes: ReadonlyMap<string, HostTensor>, fraction: number, seed: number): Region {
  const rng = mulberry32(seed);
  const masks = new Map<string, { shape: number[]; data: Uint8Array }>();
  const counts = new Map<string, number>();
  for (const [name, w] of shapes) {
    if (!name.startsWith('model.layers.')) continue;
    const data = Uint8Array.from(w.data, () => (rng() < fraction ? 1 : 0));
    masks.set(name, { shape: [...w.shape], data });
    counts.set(name, data.reduce((a, b) => a + b, 0));
  }
  return { kind: 'random', fraction, languages: ['zh'], masks, counts, seed, provenance: {} };
}

const region = randomRegion(weights, 0.2, 5);

function options(extra: Partial<FurtherPretrainOptions> = {}): FurtherPretrainOptions {
  return {
    tokenizer,
    train: { language: 'zh', text: zh },
    evaluate: [{ language: 'en', text: en }, { language: 'es', text: es }],
    steps: 4,
    lr: 1e-2,
    batch: 4,
    seqLen: 32,
    evalAt: [0, 2, 4],
    evalMaxTokens: 128,
    seed: 7,
    threads: 1,
    engine: BACKEND,
    ...extra,
  };
}

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

function snapshot(w: ReadonlyMap<string, HostTensor>): Map<string, Uint32Array> {
  return new Map([...w].map(([name, t]) => [name, bits(t.data).slice()]));
}

/** Checks every frozen entry kept its bits; returns how many unfrozen entries of masked weights moved, of how many. */
function checkFrozen(start: ReadonlyMap<string, HostTensor>, now: ReadonlyMap<string, HostTensor>, r: Region) {
  let moved = 0;
  let free = 0;
  let frozenChanged = 0;
  for (const [name, mask] of r.masks) {
    if (name.endsWith('norm.weight')) continue;
    const a = bits(start.get(name)!.data);
    const b = bits(now.get(name)!.data);
    for (let i = 0; i < a.length; i++) {
      if (mask.data[i] === 1) {
        if (a[i] !== b[i]) frozenChanged++;
      } else {
        free++;
        if (a[i] !== b[i]) moved++;
      }
    }
  }
  return { frozenChanged, moved, free };
}

describe('furtherPretrain', () => {
  let frozenRun: ForgettingCurve;
  let baselineRun: ForgettingCurve;
  const checks: { step: number; frozenChanged: number; moved: number; free: number; normMoved: boolean }[] = [];
  let sessionsBefore = 0;
  let original: Map<string, Uint32Array>;

  beforeAll(async () => {
    sessionsBefore = openOrtSessions();
    original = snapshot(weights);
    frozenRun = await furtherPretrain(
      ckpt.config,
      weights,
      options({
        freeze: region,
        threads: 2,
        onEval: (step, now) => {
          const norm = 'model.layers.0.input_layernorm.weight';
          const normMoved = bits(now.get(norm)!.data).some((b, i) => b !== original.get(norm)![i]);
          checks.push({ step, ...checkFrozen(weights, now, region), normMoved });
        },
      }),
    );
    baselineRun = await furtherPretrain(ckpt.config, weights, options({ threads: 2 }));
  });

  it('leaves the caller’s weights bit-for-bit untouched and releases every ONNX Runtime session', () => {
    for (const [name, w] of weights) expect(bits(w.data), name).toEqual(original.get(name));
    expect(openOrtSessions()).toBe(sessionsBefore);
  });

  it('keeps the frozen entries bit-identical at every measured step while the unfrozen ones move', () => {
    expect(checks.map((c) => c.step)).toEqual([0, 2, 4]);
    for (const c of checks) expect(c.frozenChanged, `step ${c.step}`).toBe(0);
    const last = checks[checks.length - 1]!;
    expect(last.moved).toBeGreaterThan(0.9 * last.free);
    expect(last.normMoved).toBe(true); // the region held entries of this norm weight: they trained anyway
  });

  it('drops the region’s norm-weight masks and reports them', () => {
    const norms = [...region.masks.keys()].filter((n) => n.endsWith('norm.weight'));
    expect(norms.length).toBe(4);
    expect(frozenRun.droppedNormMasks.sort()).toEqual(norms.sort());
    const normEntries = norms.reduce((a, n) => a + region.counts.get(n)!, 0);
    const all = [...region.counts.values()].reduce((a, b) => a + b, 0);
    expect(frozenRun.droppedNormEntries).toBe(normEntries);
    expect(frozenRun.frozenEntries).toBe(all - normEntries);
    expect(frozenRun.settings.freeze).toMatchObject({ kind: 'random', entries: all });
    expect(baselineRun.frozenEntries).toBe(0);
    expect(baselineRun.settings.freeze).toBeNull();
  });

  it('learns the trained language: training loss and its perplexity go down', () => {
    for (const run of [frozenRun, baselineRun]) {
      expect(run.trainLoss).toHaveLength(4);
      expect(run.trainLoss[3]!).toBeLessThan(run.trainLoss[0]!);
      const ppl = run.points.map((p) => p.perplexity.zh!.ppl);
      expect(ppl[2]!).toBeLessThan(ppl[0]!);
    }
  });

  it('records the curve: measured steps, languages, settings with texts as hashes', () => {
    expect(frozenRun.points.map((p) => [p.step, p.samples])).toEqual([
      [0, 0],
      [2, 8],
      [4, 16],
    ]);
    expect(Object.keys(frozenRun.points[0]!.perplexity)).toEqual(['en', 'es', 'zh']);
    expect(frozenRun.trainedLanguageHeldOut).toBe(false);
    const s = frozenRun.settings;
    expect(s).toMatchObject({ steps: 4, lr: 1e-2, batch: 4, seqLen: 32, weightDecay: 0.001, warmup: 0, clipNorm: 1, zeroFrozen: false });
    expect(s).toMatchObject({ evalAt: [0, 2, 4], evalMaxTokens: 128, seed: 7, threads: 2, backend: BACKEND });
    expect(s.train).toEqual({ language: 'zh', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(JSON.stringify(s)).not.toContain('quick brown fox');
    // Step 0 is the same model in both runs.
    expect(frozenRun.points[0]!.perplexity).toEqual(baselineRun.points[0]!.perplexity);
  });

  it('is deterministic: the same seed and thread count give a bit-identical curve', async () => {
    const again = await furtherPretrain(ckpt.config, weights, options({ freeze: region, threads: 2 }));
    expect(again.points).toEqual(frozenRun.points);
    expect(again.trainLoss).toEqual(frozenRun.trainLoss);
  });

  it('zeroFrozen zeroes the region first and keeps it at exactly zero', async () => {
    const zeros: { step: number; nonZero: number }[] = [];
    const run = await furtherPretrain(
      ckpt.config,
      weights,
      options({
        freeze: region,
        zeroFrozen: true,
        evalAt: [0, 4],
        onEval: (step, now) => {
          let nonZero = 0;
          for (const [name, mask] of region.masks) {
            if (name.endsWith('norm.weight')) continue;
            const b = bits(now.get(name)!.data);
            mask.data.forEach((m, i) => (nonZero += m === 1 && b[i] !== 0 ? 1 : 0));
          }
          zeros.push({ step, nonZero });
        },
      }),
    );
    expect(zeros).toEqual([
      { step: 0, nonZero: 0 },
      { step: 4, nonZero: 0 },
    ]);
    expect(run.settings.zeroFrozen).toBe(true);
    expect(run.points[0]!.perplexity.en!.ppl).not.toBe(baselineRun.points[0]!.perplexity.en!.ppl);
    for (const [name, w] of weights) expect(bits(w.data), name).toEqual(original.get(name));
  });

  it('compares with a baseline run', () => {
    const cmp = compareFreezing(baselineRun, frozenRun);
    expect(cmp.step).toBe(4);
    expect(Object.keys(cmp.retained)).toEqual(['en', 'es']);
    expect(cmp.trained.language).toBe('zh');
    expect(cmp.trained.baseline).toBeGreaterThan(1);
    const summary = forgettingSummary(baselineRun);
    expect(cmp.retained.en!.baseline).toBeCloseTo(summary.retained.en!.forgetting, 10);
    expect(() => compareFreezing(baselineRun, { ...frozenRun, settings: { ...frozenRun.settings, seed: 8 } })).toThrow(
      /differ in settings\.seed \(baseline 7, frozen 8\)/,
    );
  });

  it("gives the shares 95% intervals over the evaluation windows (paired across the runs), seeded, around the estimates", () => {
    const cmp = compareFreezing(baselineRun, frozenRun);
    const options = { resamples: 400, seedOf: (language: string) => seedFor(3, language) };
    const languages = { retain: ['en', 'es'], trained: 'zh' };
    const ci = freezingIntervals(baselineRun, frozenRun, languages, options);
    expect(freezingIntervals(baselineRun, frozenRun, languages, options)).toEqual(ci);
    // Against itself as the control, the difference is 0 on every resample.
    expect(freezingIntervals(baselineRun, frozenRun, languages, options, frozenRun).overControl).toEqual([0, 0]);
    expect(ci.overControl).toBeNull();
    const shown = JSON.stringify({ cmp, ci });
    for (const language of ['en', 'es']) {
      const estimate = cmp.retained[language]!.forgettingPrevented;
      const interval = ci.retained[language] ?? null;
      if (estimate === null || interval === null) continue;
      expect(interval[0], shown).toBeLessThanOrEqual(estimate);
      expect(interval[1], shown).toBeGreaterThanOrEqual(estimate);
    }
    const kept = cmp.trained.learningKept;
    if (kept !== null && ci.learningKept !== null) {
      expect(ci.learningKept[0], shown).toBeLessThanOrEqual(kept);
      expect(ci.learningKept[1], shown).toBeGreaterThanOrEqual(kept);
    }
  });
});

describe('furtherPretrain rejects bad input with the option named', () => {
  const run = (extra: Partial<FurtherPretrainOptions>, w: ReadonlyMap<string, HostTensor> = weights) =>
    furtherPretrain(ckpt.config, w, options(extra));

  it.each([
    [{ steps: -1 }, /options\.steps: must be ≥ 0 \(got -1\)/],
    [{ steps: 1.5 }, /options\.steps: must be a whole number \(got 1\.5\)/],
    [{ lr: 0 }, /options\.lr: must be > 0 \(got 0\)/],
    [{ lr: -1e-3 }, /options\.lr: must be > 0/],
    [{ steps: 5, evalAt: [0, 7] }, /options\.evalAt\[1\]: must be within \[0, steps\] = \[0, 5\] \(got 7\)/],
    [{ evalAt: [-1] }, /options\.evalAt\[0\]: must be within \[0, steps\]/],
    [{ train: { language: 'zh', text: '' } }, /options\.train\.text: the training text of "zh" is empty/],
    [{ train: { language: 'zh', text: '短' } }, /options\.train\.text: "zh" has 3 tokens, fewer than one window of seqLen = 32/],
    [{ evaluate: [{ language: 'en', text: ' \n' }] }, /options\.evaluate\[0\]\.text: the text of "en" is empty/],
    [{ evaluate: [{ language: 'en', text: en }, { language: 'en', text: es }] }, /options\.evaluate\[1\]\.language: "en" is listed twice/],
    [{ zeroFrozen: true }, /options\.zeroFrozen: needs a region to zero/],
    [{ seqLen: 100 }, /options\.seqLen: must be ≤ max_position_embeddings = 64 \(got 100\)/],
    [{ threads: 0 }, /options\.threads: must be ≥ 1/],
    [{ engine: 'wasm' }, /training runs on ONNX Runtime \(ort, ort-cpu, ort-webgpu, ort-cuda\); wasm is a tfjs backend/],
    [{ engine: 'nope' }, /'nope' is not a backend; expected one of auto, ort/],
  ] as [Partial<FurtherPretrainOptions>, RegExp][])('%o', async (extra, message) => {
    await expect(run(extra)).rejects.toThrow(message);
  });

  it('rejects a region found on a model of another shape, naming the weight and both shapes', async () => {
    const foreign = randomRegion(tinyCheckpoint(2, 16).weights, 0.1, 1);
    await expect(run({ freeze: foreign })).rejects.toThrow(
      /options\.freeze: the mask for model\.layers\.0\.\S+ has shape \[16(,16)?\] .*but the model's weight has shape \[32(,32)?\] \(was the region found on another model\?\)/,
    );
  });

  it('rejects weights that do not match the config', async () => {
    const missing = new Map(weights);
    missing.delete('model.norm.weight');
    await expect(run({}, missing)).rejects.toThrow(/weights: model\.norm\.weight is missing \(expected shape \[32\]\)/);
  });
});

describe('forgettingSummary and compareFreezing on a known curve', () => {
  const perplexity = (en: number, zh: number) => ({
    en: { tokens: 10, bytes: 10, meanNll: Math.log(en), ppl: en, bitsPerByte: 0 },
    zh: { tokens: 10, bytes: 10, meanNll: Math.log(zh), ppl: zh, bitsPerByte: 0 },
  });
  const curve = (freeze: boolean, end: [number, number]): ForgettingCurve =>
    ({
      points: [
        { step: 0, samples: 0, perplexity: perplexity(10, 40) },
        { step: 5, samples: 40, perplexity: perplexity(...end) },
      ],
      trainLoss: [],
      frozenEntries: freeze ? 100 : 0,
      droppedNormMasks: [],
      droppedNormEntries: 0,
      trainedLanguageHeldOut: true,
      settings: { train: { language: 'zh', sha256: 'x' }, evaluate: [], steps: 5, evalAt: [0, 5], zeroFrozen: false, freeze: null },
      device: '',
      seconds: 0,
    }) as unknown as ForgettingCurve;

  it('gives forgetting = ppl(final)/ppl(0) per retained language and improvement = ppl(0)/ppl(final) for the trained one', () => {
    const s = forgettingSummary(curve(false, [40, 20]));
    expect(s).toEqual({
      step: 5,
      retained: { en: { before: 10, after: 40, forgetting: 4 } },
      trained: { language: 'zh', before: 40, after: 20, improvement: 2 },
    });
  });

  it('measures forgetting prevented and learning kept in NLL (log-ratio) space', () => {
    // baseline: en ×4 (ΔNLL ln 4), zh ÷2; frozen: en ×2 (ΔNLL ln 2 = half of ln 4), zh ÷√2.
    const cmp = compareFreezing(curve(false, [40, 20]), curve(true, [20, 40 / Math.SQRT2]));
    expect(cmp.retained.en!.baseline).toBeCloseTo(4, 12);
    expect(cmp.retained.en!.frozen).toBeCloseTo(2, 12);
    expect(cmp.retained.en!.forgettingPrevented).toBeCloseTo(0.5, 12);
    expect(cmp.trained.learningKept).toBeCloseTo(0.5, 12);
    // A baseline that forgot nothing leaves nothing to prevent.
    expect(compareFreezing(curve(false, [9, 20]), curve(true, [20, 20])).retained.en!.forgettingPrevented).toBeNull();
  });

  it('gives no interval for a curve without per-window NLLs (one cached before they were recorded)', () => {
    const ci = freezingIntervals(curve(false, [40, 20]), curve(true, [20, 40 / Math.SQRT2]), { retain: ['en'], trained: 'zh' }, { resamples: 10, seedOf: () => 1 });
    expect(ci).toEqual({ retained: { en: null }, meanPrevented: null, learningKept: null, frozenForgetting: { en: null }, overControl: null });
  });

  it('names what is missing', () => {
    const c = curve(false, [40, 20]);
    expect(() => forgettingSummary(c, { retain: ['fr'] })).toThrow(/"fr" was not measured \(measured: en, zh\)/);
    expect(() => forgettingSummary({ ...c, points: c.points.slice(1) })).toThrow(/no measurement at step 0/);
    expect(() => forgettingSummary({ ...c, points: c.points.slice(0, 1) })).toThrow(/no measurement after training/);
  });
});
