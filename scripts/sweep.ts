/**
 * The wider sweeps that size a checkpoint's thresholds file (its `evidence`): finding 1 at three region
 * sizes with random and bottom controls, where the core region concentrates and ×4 on single norm entries,
 * the six monolingual regions, and forgetting at two learning rates with the core and random 1% and 5%
 * frozen. Writes docs/sweep.json and docs/sweep.md (npm run sweep). The findings themselves, as the specs
 * measure them, are `npm run findings` (docs/findings.md). Everything is seeded; importance maps are cached
 * by content hash in .cache/regions/importance, so a rerun only repeats the perturbations and training.
 *
 *   npx tsx scripts/sweep.ts [--checkpoint DIR] [--steps N] [--out docs/sweep]
 *
 * Evaluation: perplexity on the first EVAL_TOKENS tokens of each language's UDHR text (windows of 128).
 * Importance: |θ ⊙ g| over the first 100k tokens of each region language's training text.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkpointHash, loadCheckpoint } from '../src/checkpoint/index.js';
import type { HostTensor } from '../src/checkpoint/types.js';
import { PAPER_LANGUAGES, REGION_LANGUAGES, readTexts } from '../src/corpus/texts.js';
import { regionConcentration } from '../src/dims/concentration.js';
import { cachedImportance } from '../src/importance/cache.js';
import { fromWindowNll, type LanguagePerplexity } from '../src/metrics/perplexity.js';
import { batchWindows, textWindows } from '../src/corpus/windows.js';
import { openForward } from '../src/engine/select.js';
import { monolingualRegion, regionSize, selectRegion, sumImportance, type Region } from '../src/regions/index.js';
import type { ImportanceMap } from '../src/importance/types.js';
import { compareFreezing, forgettingSummary } from '../src/train/forgetting.js';
import { furtherPretrain, type ForgettingCurve } from '../src/train/further.js';
import { loadTokenizer } from '../src/tokenizer/tokenizer.js';
import { mulberry32 } from '../src/util/random.js';
import { exitOnInterrupt, type InterruptCheck } from '../src/util/interrupt.js';

const { values: args } = parseArgs({
  options: {
    checkpoint: { type: 'string', default: 'fixtures/models/polyglot-v2' },
    corpus: { type: 'string', default: 'fixtures/corpora' },
    steps: { type: 'string', default: '100' },
    out: { type: 'string', default: 'docs/sweep' },
    skip: { type: 'string', default: '' },
    'eval-tokens': { type: 'string', default: '2048' },
    'importance-tokens': { type: 'string', default: '100000' },
  },
});
const EVAL_TOKENS = Number(args['eval-tokens']);
const SENSITIVITY_TOKENS = EVAL_TOKENS / 2;
const IMPORTANCE_TOKENS = Number(args['importance-tokens']);
const SEED = 1;
const FRACTIONS = [0.001, 0.01, 0.05];
const FORGET_STEPS = Number(args.steps);
const FORGET_LRS = [3e-4, 1e-3];
const RETAIN = ['en', 'ar', 'es', 'ru', 'ko', 'vi'];
const HELD_ZH = 'zh (held-out)';
const skip = new Set(args.skip!.split(',').filter(Boolean));
const t0 = Date.now();
const log = (msg: string) => console.error(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${msg}`);

type Table = Record<string, LanguagePerplexity>;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(check: InterruptCheck): Promise<void> {
  const dir = args.checkpoint!;
  const ckpt = loadCheckpoint(dir);
  const hash = checkpointHash(dir);
  const tokenizer = loadTokenizer(ckpt.tokenizerFile!, { bosId: ckpt.config.bosTokenId, eosId: ckpt.config.eosTokenId });
  const evalTexts = readTexts(join(args.corpus!, 'eval'), PAPER_LANGUAGES);
  const trainTexts = readTexts(join(args.corpus!, 'train'), PAPER_LANGUAGES);
  const windowsOf = (maxTokens: number) =>
    new Map([...evalTexts].map(([lang, text]) => [lang, textWindows(text, tokenizer, { seqLen: 128, maxTokens })]));
  const evalWindows = windowsOf(EVAL_TOKENS);
  const sensWindows = windowsOf(SENSITIVITY_TOKENS);
  // A copy of the weights: the engine reads these arrays; withWeights measures an overlay of some replaced.
  const copy = new Map([...ckpt.weights].map(([n, w]) => [n, { shape: w.shape, data: w.data }]));
  const opened = await openForward(ckpt.config, copy, 'ort-cpu', { threads: 2 });
  const model = opened.model;
  log(`engine ${opened.info.name} on ${opened.info.device}`);

  const evaluate = async (windows = evalWindows, on: Pick<typeof model, 'windowNll'> = model): Promise<Table> => {
    const out: Table = {};
    for (const [lang, w] of windows) {
      await check(() => `the sweep (perplexity of ${lang})`);
      const r = [];
      for (const batch of batchWindows(w.windows, 8)) r.push(...(await on.windowNll(batch)));
      out[lang] = fromWindowNll(r, w.bytes);
    }
    return out;
  };
  /** Runs `measure` on a view of the model with some weights replaced (the model itself is never changed). */
  const withWeights = async <T>(changed: Map<string, Float32Array>, measure: (view: typeof model) => Promise<T>): Promise<T> => {
    const view = model.overlay(changed);
    try {
      return await measure(view.model);
    } finally {
      view.release();
    }
  };
  const zeroed = (region: Region) =>
    new Map(
      [...region.masks].map(([name, mask]) => {
        const data = ckpt.weights.get(name)!.data.slice();
        for (let i = 0; i < data.length; i++) if (mask.data[i]) data[i] = 0;
        return [name, data];
      }),
    );
  const ratios = (t: Table, base: Table) => Object.fromEntries(Object.entries(t).map(([l, v]) => [l, v.ppl / base[l]!.ppl]));

  const baseline = await evaluate();
  const baselineSens = await evaluate(sensWindows);
  log('baseline measured');

  // Importance per region language (cached by content hash).
  const perLanguage = new Map<string, ImportanceMap>();
  for (const language of REGION_LANGUAGES) {
    const r = await cachedImportance(model, { language, checkpointHash: hash, text: trainTexts.get(language)!, tokenizer }, { maxTokens: IMPORTANCE_TOKENS });
    perLanguage.set(language, r.map);
    log(`importance ${language}: ${r.source}`);
  }
  const core = sumImportance(perLanguage);

  // Finding 1: core vs random vs bottom at three fractions.
  const finding1: Record<string, unknown>[] = [];
  const regions = new Map<string, Region>();
  for (const fraction of FRACTIONS) {
    for (const kind of ['top', 'random', 'bottom'] as const) {
      const region = selectRegion(core, { kind, fraction, seed: SEED });
      regions.set(`${kind}@${fraction}`, region);
      const table = await withWeights(zeroed(region), (view) => evaluate(evalWindows, view));
      const r = ratios(table, baseline);
      finding1.push({ kind, fraction, entries: regionSize(region), ppl: Object.fromEntries(Object.entries(table).map(([l, v]) => [l, v.ppl])), ratio: r, median_ratio: median(Object.values(r)), min_ratio: Math.min(...Object.values(r)) });
      log(`zero ${kind} ${fraction}: median ppl ratio ${median(Object.values(r)).toFixed(3)}`);
    }
  }

  // Finding 2: where the core region concentrates, and ×4 on a single parameter.
  const conc = regionConcentration(regions.get('top@0.01')!, ckpt.config);
  const concentration = Object.fromEntries(
    (['writes', 'reads', 'norms'] as const).map((role) => [role, { entries: conc[role].entries, top: conc[role].top.slice(0, 5), flagged: conc[role].flagged.map((d) => d.dim) }]),
  );
  const d = ckpt.config.hiddenSize;
  const rng = mulberry32(SEED);
  const randomDims = Array.from({ length: 3 }, () => Math.floor(rng() * d));
  const topDims = [...new Set([...conc.norms.top.slice(0, 2), ...conc.writes.top.slice(0, 2)].map((x) => x.dim))];
  const sensitivity: Record<string, unknown>[] = [];
  if (!skip.has('sensitivity')) {
    for (const layer of [0, 1]) {
      for (const norm of ['input_layernorm', 'post_attention_layernorm'] as const) {
        const name = `model.layers.${layer}.${norm}.weight`;
        for (const [group, dims] of [['top', topDims], ['random', randomDims]] as const) {
          for (const dim of dims) {
            const data = ckpt.weights.get(name)!.data.slice();
            data[dim] = data[dim]! * 4;
            const table = await withWeights(new Map([[name, data]]), (view) => evaluate(sensWindows, view));
            const r = ratios(table, baselineSens);
            sensitivity.push({ layer, tensor: norm, dim, group, median_ratio: median(Object.values(r)), max_ratio: Math.max(...Object.values(r)) });
          }
        }
      }
    }
    log('sensitivity measured');
  }

  // Finding 3: monolingual regions.
  const monolingual: Record<string, unknown>[] = [];
  for (const language of REGION_LANGUAGES) {
    const region = monolingualRegion(perLanguage, language, 0.01);
    const table = await withWeights(zeroed(region), (view) => evaluate(evalWindows, view));
    const r = ratios(table, baseline);
    const others = Object.entries(r).filter(([l]) => l !== language).map(([, v]) => v);
    monolingual.push({ language, entries: regionSize(region), ratio: r, own: r[language], others_median: median(others), others_max: Math.max(...others) });
    log(`monolingual ${language}: own ×${r[language]!.toFixed(3)}, others median ×${median(others).toFixed(3)}`);
  }
  await opened.close();

  // Finding 4: forgetting during further pre-training on Chinese.
  const forgetting: Record<string, unknown>[] = [];
  if (!skip.has('forgetting')) {
    // zh's own learning on held-out documentation (its training domain) as well as on UDHR.
    const evaluateTexts = [...[...RETAIN, 'zh'].map((language) => ({ language, text: evalTexts.get(language)! })), { language: HELD_ZH, text: readTexts(join(args.corpus!, 'heldout'), ['zh']).get('zh')! }];
    for (const lr of FORGET_LRS) {
      const run = (freeze: Region | null): Promise<ForgettingCurve> =>
        furtherPretrain(ckpt.config, ckpt.weights, {
          tokenizer,
          train: { language: 'zh', text: trainTexts.get('zh')! },
          evaluate: evaluateTexts,
          steps: FORGET_STEPS,
          lr,
          seqLen: 128,
          batch: 8,
          freeze,
          evalAt: [0, FORGET_STEPS],
          evalMaxTokens: EVAL_TOKENS,
          seed: SEED,
          engine: 'ort-cpu',
          threads: 2,
        });
      const none = await run(null);
      const noneSummary = forgettingSummary(none, { retain: RETAIN, trained: 'zh' });
      forgetting.push({ lr, freeze: 'none', summary: noneSummary, heldout: forgettingSummary(none, { retain: RETAIN, trained: HELD_ZH }).trained });
      log(`forgetting lr ${lr} none: ${JSON.stringify(Object.fromEntries(Object.entries(noneSummary.retained).map(([l, v]) => [l, +v.forgetting.toFixed(3)])))}`);
      for (const fraction of [0.01, 0.05]) {
        for (const kind of ['top', 'random'] as const) {
          const curve = await run(regions.get(`${kind}@${fraction}`)!);
          const cmp = compareFreezing(none, curve, { retain: RETAIN, trained: 'zh' });
          const held = compareFreezing(none, curve, { retain: RETAIN, trained: HELD_ZH }).trained;
          forgetting.push({ lr, freeze: kind === 'top' ? 'core' : 'random', fraction, frozen_entries: curve.frozenEntries, summary: forgettingSummary(curve, { retain: RETAIN, trained: 'zh' }), heldout: forgettingSummary(curve, { retain: RETAIN, trained: HELD_ZH }).trained, comparison: cmp, comparison_heldout: held });
          log(`forgetting lr ${lr} ${kind} ${fraction}: prevented ${JSON.stringify(Object.fromEntries(Object.entries(cmp.retained).map(([l, v]) => [l, v.forgettingPrevented === null ? null : +v.forgettingPrevented.toFixed(3)])))}`);
        }
      }
    }
  }

  const result = {
    checkpoint: dir,
    checkpoint_sha256: hash,
    backend: { name: opened.info.name, device: opened.info.device },
    settings: { eval_tokens: EVAL_TOKENS, sensitivity_tokens: SENSITIVITY_TOKENS, seq_len: 128, seed: SEED, importance_tokens: IMPORTANCE_TOKENS, importance_text: 'fixtures/corpora/train', region_languages: REGION_LANGUAGES, forgetting_steps: FORGET_STEPS, forgetting_lrs: FORGET_LRS, forgetting_batch: 8, forgetting_seq_len: 128 },
    seconds: Math.round((Date.now() - t0) / 1000),
    baseline: Object.fromEntries(Object.entries(baseline).map(([l, v]) => [l, v.ppl])),
    finding1,
    concentration,
    sensitivity: { random_dims: randomDims, top_dims: topDims, factor: 4, results: sensitivity },
    monolingual,
    forgetting,
  };
  writeFileSync(`${args.out}.json`, `${JSON.stringify(result, null, 1)}\n`);
  log(`wrote ${args.out}.json`);
}

// Ctrl-C or SIGTERM stops it between two runs of the engine; only complete importance maps were cached.
await exitOnInterrupt('sweep', main, () => `importance maps already computed stay cached; ${args.out}.json was not written`);
