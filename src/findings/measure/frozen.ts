/**
 * Finding 4, freezing the core region mitigates catastrophic forgetting: further pre-train on one
 * language twice from the same checkpoint, with the same windows (same seed) — once with nothing frozen,
 * once with the region frozen — and compare (`compareFreezing`):
 * - every retained language (or their mean, `aggregate`) has at least `minPrevented` of its forgetting
 *   prevented, where prevented = 1 − ln f_frozen / ln f_baseline (f = ppl after / ppl before);
 * - the trained language keeps at least `minLearningKept` of its gain, ln g_frozen / ln g_baseline;
 * - optionally each retained language's ppl rises at most `maxForgetting` with freezing;
 * - optionally control regions of the same size, each frozen in a run of its own, each prevent less (mean over the
 *   retained languages) than the region.
 * Runs are expensive: each is cached on disk by a content hash of (checkpoint, texts, region, settings).
 */
import type { HostTensor } from '../../checkpoint/types.js';
import type { Region } from '../../regions/types.js';
import { compareFreezing, freezingIntervals, type FreezingComparison, type FreezingIntervals } from '../../train/forgetting.js';
import { seedFor } from '../../metrics/bootstrap.js';
import { furtherPretrain, type ForgettingCurve, type LanguageText } from '../../train/further.js';
import { GRADIENT_REVISION } from '../../engine/onnx/autodiff.js';
import { regionHash } from '../../regions/hash.js';
import { windowsHash, type CacheKeyInputs } from '../../cache/key.js';
import { textWindows } from '../../corpus/windows.js';
import type { TextTokenizer } from '../../tokenizer/tokenizer.js';
import { mean } from '../../util/stats.js';
import type { CheckpointSubject } from '../../subject/subject.js';
import { formatPpl, formatRatio, formatShare, mark } from './format.js';
import { summarizeRegion } from './regions.js';
import { subjectRecord, type FindingResult, type ResultTable } from './result.js';
import { atLeast, atMost, geSign } from './threshold.js';

/** Settings of {@link measureFrozenPretrain}. */
export interface FrozenPretrainSettings {
  freeze: Region;
  /** The language further pre-trained on (its training text; its evaluation text, if any, is the held-out measure). */
  train: string;
  /** Languages whose forgetting is measured. */
  retain: readonly string[];
  steps: number;
  lr: number;
  batch: number;
  /** Seeds the training windows; the same for every run, so the runs differ only by what is frozen. */
  seed: number;
  minPrevented: number;
  aggregate: 'every' | 'mean';
  minLearningKept: number;
  maxForgetting?: number;
  /** Controls of the region's size, each frozen in a run of its own (none: no control); the region must beat every one. */
  controls: readonly Region[];
  /** Evaluations along each run, evenly spaced from step 0 to `steps` (≥ 2). */
  curvePoints: number;
}

/** `points` evaluation steps evenly spaced over [0, steps], both ends included. */
export function curveSteps(steps: number, points: number): number[] {
  const n = Math.max(2, Math.min(points, steps + 1));
  return [...new Set(Array.from({ length: n }, (_, i) => Math.round((i * steps) / (n - 1))))];
}

/** The name the trained language's held-out training-domain text is measured under. */
export const heldoutName = (language: string): string => `${language} (held-out)`;

const shared = new WeakMap<TextTokenizer, TextTokenizer>();

/**
 * The tokenizer with `encode` memoised by text, one per tokenizer: the cache key and the three runs of a
 * comparison read the same training text (about 1.7 s to tokenize a megabyte here), so it is tokenized once.
 * The ids are shared: callers copy them (furtherPretrain takes an Int32Array of them).
 */
function sharedEncodings(tokenizer: TextTokenizer): TextTokenizer {
  let memo = shared.get(tokenizer);
  if (memo === undefined) {
    const byText = new Map<string, number[]>();
    const { bosId, eosId, addsBos, size, file } = tokenizer;
    memo = {
      encode: (text) => {
        let ids = byText.get(text);
        if (ids === undefined) byText.set(text, (ids = tokenizer.encode(text)));
        return ids;
      },
      decode: (ids) => tokenizer.decode(ids),
      bosId,
      eosId,
      addsBos,
      size,
      file,
    };
    shared.set(tokenizer, memo);
  }
  return memo;
}

/** One further pre-training run with `freeze` (null: nothing) frozen, cached. */
async function run(
  subject: CheckpointSubject,
  freeze: Region | null,
  s: FrozenPretrainSettings,
  weights: () => Promise<Map<string, HostTensor>>,
): Promise<ForgettingCurve> {
  const evaluate: LanguageText[] = s.retain.map((language) => ({ language, text: subject.texts.get(language)! }));
  const held = subject.texts.get(s.train);
  if (held !== undefined) evaluate.push({ language: s.train, text: held });
  const domain = subject.heldoutText(s.train);
  if (domain !== null) evaluate.push({ language: heldoutName(s.train), text: domain });
  const train = { language: s.train, text: subject.trainText(s.train) };
  const settings = {
    steps: s.steps,
    lr: s.lr,
    batch: s.batch,
    seqLen: subject.seqLen,
    evalMaxTokens: subject.options.evalTokens,
    seed: s.seed,
    evalAt: curveSteps(s.steps, s.curvePoints),
    // Training runs on ONNX Runtime: the subject's ORT engine, or `ort` under a tfjs one. Bit-identical per engine and thread count.
    engine: subject.engine.engine === 'onnxruntime' ? subject.engine.name : 'ort',
    threads: subject.options.threads,
  };
  // The token windows read, not the texts: the training stream's ids and each evaluated set's windows.
  const tokenizer = sharedEncodings(subject.tokenizer);
  const windows: Record<string, string> = { [`train:${train.language}`]: windowsHash([tokenizer.encode(train.text)]) };
  for (const e of evaluate) windows[e.language] = windowsHash(textWindows(e.text, tokenizer, { seqLen: settings.seqLen, maxTokens: settings.evalMaxTokens }).windows);
  const key: CacheKeyInputs = {
    computation: 'further',
    checkpoint: subject.hash,
    windows,
    engine: { name: settings.engine, device: subject.engine.device },
    settings: { ...settings, freeze: freeze === null ? null : regionHash(freeze), gradients: GRADIENT_REVISION },
  };
  return subject.cache.getOrCompute(key, async () => {
    const frozen = freeze === null ? 'nothing frozen' : `the ${freeze.kind} region (k = ${+(freeze.fraction * 100).toPrecision(3)}%) frozen`;
    subject.progress.start(`further pre-training on ${s.train}, ${frozen}`, s.steps, 'steps');
    const curve = await furtherPretrain(subject.config, await weights(), {
      tokenizer,
      train,
      evaluate,
      ...settings,
      freeze,
      onProgress: () => {
        subject.progress.advance();
        subject.progress.check();
      },
    });
    subject.progress.finish();
    return curve;
  });
}

/** The perplexity of every measured language at each evaluated step: what the report draws. */
const curveOf = (c: ForgettingCurve) => ({
  points: c.points.map((p) => ({ step: p.step, perplexity: Object.fromEntries(Object.entries(p.perplexity).map(([l, v]) => [l, { ppl: v.ppl }])) })),
});

function meanPrevented(c: FreezingComparison): number | null {
  const xs = Object.values(c.retained).map((r) => r.forgettingPrevented);
  return xs.some((x) => x === null) ? null : mean(xs as number[]);
}

/** Runs (or reads from the cache) the unfrozen, frozen and control runs and checks the thresholds. */
/** A forgetting curve as the record keeps it: the perplexity of each measured language at each evaluated step. */
export type RecordedCurve = ReturnType<typeof curveOf>;

/** What the three runs measured: the comparisons, the entries frozen, and the curves the report draws. */
export type FrozenMeasured = {
  comparison: FreezingComparison;
  /** The trained language on held-out text of its training domain (null without one): what learning kept is judged on. */
  heldout: FreezingComparison['trained'] | null;
  /** The strongest control (the largest mean share prevented), compared as `comparison` is; null without controls. */
  control: FreezingComparison | null;
  /** Every control run: its region's seed (null for a bottom or given region) and its mean share prevented. */
  controls: { seed: number | null; meanPrevented: number | null }[];
  /**
   * The shares' 95% intervals (each language's evaluation windows resampled, paired across the runs): the region's
   * per retained language and mean, the learning kept (on the text it is judged on), the control's mean.
   */
  intervals: { region: FreezingIntervals; learningKept: [number, number] | null; controlMeanPrevented: [number, number] | null };
  frozenEntries: number;
  droppedNormEntries: number;
  curves: { baseline: RecordedCurve; frozen: RecordedCurve; control?: RecordedCurve };
};

export async function measureFrozenPretrain(subject: CheckpointSubject, s: FrozenPretrainSettings): Promise<FindingResult<FrozenMeasured>> {
  for (const language of s.retain) {
    if (!subject.texts.has(language)) throw new Error(`toRetainAfterFrozenPretrain: no evaluation text for retained language "${language}" (have: ${subject.languages.join(', ')})`);
  }
  if (s.retain.includes(s.train)) throw new Error(`toRetainAfterFrozenPretrain: the trained language "${s.train}" cannot also be retained`);
  let host: Promise<Map<string, HostTensor>> | undefined;
  const weights = () => (host ??= subject.hostWeights());

  const baseline = await run(subject, null, s, weights);
  const frozen = await run(subject, s.freeze, s, weights);
  const controlRuns: ForgettingCurve[] = [];
  for (const c of s.controls) controlRuns.push(await run(subject, c, s, weights));
  const languages = { retain: [...s.retain], trained: s.train };
  const cmp = compareFreezing(baseline, frozen, languages);
  // The trained language's learning: on held-out text of its training domain where there is some (UDHR is
  // another domain, on which further pre-training on documentation may not improve at all), else on `texts`.
  const inDomain = heldoutName(s.train) in baseline.points[0]!.perplexity ? compareFreezing(baseline, frozen, { ...languages, trained: heldoutName(s.train) }) : null;
  const learning = inDomain ?? cmp;
  const learnedOn = inDomain === null ? s.train : `${s.train}'s held-out training-domain text`;
  // The controls as a distribution: the region must prevent more than every one; the strongest is shown and compared.
  const controlCmps = controlRuns.map((c) => compareFreezing(baseline, c, languages));
  const controlMeans = controlCmps.map(meanPrevented);
  const strongest = controlMeans.reduce<number>((best, m, i) => (m !== null && (controlMeans[best] == null || m > controlMeans[best]!) ? i : best), 0);
  const controlRun = controlRuns[strongest] ?? null;
  const controlCmp = controlCmps[strongest] ?? null;
  const controlRegion = s.controls[strongest] ?? null;
  const bootstrap = { resamples: subject.options.bootstrapResamples, seedOf: (language: string) => seedFor(subject.options.seed ?? 0, language) };
  const region = freezingIntervals(baseline, frozen, languages, bootstrap, controlRun);
  const intervals = {
    region,
    learningKept: inDomain === null ? region.learningKept : freezingIntervals(baseline, frozen, { retain: [], trained: heldoutName(s.train) }, bootstrap).learningKept,
    controlMeanPrevented: controlRun === null ? null : freezingIntervals(baseline, controlRun, languages, bootstrap).meanPrevented,
  };
  const ci = (interval: [number, number] | null | undefined, format: (x: number) => string) => (interval == null ? '' : ` (95%: ${format(interval[0])}–${format(interval[1])})`);
  /** "0.62 (95%: 0.40–0.80)", the interval left out where there is none. */
  const share = (x: number | null, ci: [number, number] | null) => `${formatShare(x)}${ci === null ? '' : ` (95%: ${formatShare(ci[0])}–${formatShare(ci[1])})`}`;

  const failures: string[] = [];
  const successes: string[] = [];
  const retained = s.retain.map((language) => ({ language, ...cmp.retained[language]! }));
  const nothing = retained.filter((r) => r.forgettingPrevented === null);
  if (nothing.length > 0) {
    failures.push(
      `without freezing, ${nothing.map((r) => `${r.language} (${formatRatio(r.baseline)})`).join(', ')} forgot nothing, so there was nothing to prevent: train longer or with a larger lr`,
    );
  } else if (s.aggregate === 'every') {
    const low = retained.filter((r) => !atLeast(r.forgettingPrevented, s.minPrevented));
    if (low.length > 0) failures.push(`freezing prevented less than ${formatShare(s.minPrevented)} of the forgetting in ${low.map((r) => `${r.language} (${share(r.forgettingPrevented, region.retained[r.language] ?? null)})`).join(', ')}`);
    else successes.push(`freezing prevented at least ${formatShare(s.minPrevented)} of the forgetting in every retained language`);
  } else {
    const m = meanPrevented(cmp)!;
    (atLeast(m, s.minPrevented) ? successes : failures).push(`freezing prevented ${share(m, region.meanPrevented)} of the forgetting on average (${geSign(m, s.minPrevented)} ${formatShare(s.minPrevented)})`);
  }
  if (s.maxForgetting !== undefined) {
    const over = retained.filter((r) => !atMost(r.frozen, s.maxForgetting!));
    if (over.length > 0) failures.push(`with freezing, perplexity still rose above ${formatRatio(s.maxForgetting)} in ${over.map((r) => `${r.language} (${formatRatio(r.frozen)}${ci(region.frozenForgetting[r.language], formatRatio)})`).join(', ')}`);
    else successes.push(`with freezing, perplexity rose at most ${formatRatio(s.maxForgetting)} in every retained language`);
  }
  const kept = learning.trained.learningKept;
  if (kept === null) failures.push(`without freezing, ${learnedOn} did not improve (${formatRatio(learning.trained.baseline)}): the run learned nothing to keep`);
  else (atLeast(kept, s.minLearningKept) ? successes : failures).push(`${learnedOn} kept ${share(kept, intervals.learningKept)} of its gain with freezing (${geSign(kept, s.minLearningKept)} ${formatShare(s.minLearningKept)})`);
  let controlMean: number | null = null;
  const regionMean = meanPrevented(cmp);
  if (controlCmp !== null) {
    controlMean = meanPrevented(controlCmp);
    if (regionMean !== null && controlMean !== null) {
      const which = controlRuns.length === 1 ? 'the control' : `the strongest of ${controlRuns.length} controls (means ${controlMeans.map(formatShare).join(', ')})`;
      (regionMean > controlMean ? successes : failures).push(
        `freezing the region prevented ${share(regionMean, region.meanPrevented)} on average, ${which} ${share(controlMean, intervals.controlMeanPrevented)}; ` +
          `the difference ${formatShare(regionMean - controlMean)}${ci(region.overControl, formatShare)}${regionMean > controlMean ? '' : ': the control did as well'}`,
      );
    }
  }

  const origin = baseline.points[0]!.perplexity;
  const after = (ratio: number, language: string) => `${formatPpl(origin[language]!.ppl * ratio)} (${formatRatio(ratio)})`;
  const tables: ResultTable[] = [
    {
      title: `retained languages after ${s.steps} steps on ${s.train}, region frozen: ${summarizeRegion(s.freeze).description.replace(/^zero /, '')}`,
      columns: ['language', 'before ppl', 'after, nothing frozen', 'after, region frozen', 'prevented', 'threshold', ''],
      rows: retained.map((r) => {
        const ok = Number.isFinite(r.forgettingPrevented) && (s.aggregate === 'mean' || atLeast(r.forgettingPrevented, s.minPrevented));
        return [r.language, formatPpl(origin[r.language]!.ppl), after(r.baseline, r.language), after(r.frozen, r.language), share(r.forgettingPrevented, region.retained[r.language] ?? null), `≥ ${formatShare(s.minPrevented)}${s.aggregate === 'mean' ? ' (mean)' : ''}`, s.aggregate === 'mean' ? '' : mark(ok)];
      }),
    },
    {
      title: `trained language (${inDomain === null ? 'its evaluation text' : 'held-out text of its training domain, and its evaluation text'})`,
      columns: ['text', 'before ppl', 'after, nothing frozen', 'after, region frozen', 'learning kept', 'threshold', ''],
      rows: [...(inDomain === null ? [] : [[heldoutName(s.train), inDomain] as const]), [s.train, cmp] as const].map(([name, c]) => {
        const used = c === learning;
        return [
          name,
          formatPpl(origin[name]!.ppl),
          after(1 / c.trained.baseline, name),
          after(1 / c.trained.frozen, name),
          used ? share(c.trained.learningKept, intervals.learningKept) : formatShare(c.trained.learningKept),
          used ? `≥ ${formatShare(s.minLearningKept)}` : '(reported)',
          used ? mark(atLeast(c.trained.learningKept, s.minLearningKept)) : '',
        ];
      }),
    },
  ];
  if (s.aggregate === 'mean') tables[0]!.rows.push(['mean', '', '', '', share(regionMean, region.meanPrevented), `≥ ${formatShare(s.minPrevented)}`, mark(atLeast(regionMean, s.minPrevented))]);
  if (controlCmp !== null) {
    tables.push({
      title: `${controlRuns.length === 1 ? 'control' : `the strongest of ${controlRuns.length} controls`} frozen instead: ${summarizeRegion(controlRegion!).description.replace(/^zero /, '')}`,
      columns: ['language', 'after, control frozen', 'prevented', 'region prevented', ''],
      rows: [
        ...s.retain.map((language) => {
          const c = controlCmp.retained[language]!;
          return [language, after(c.frozen, language), formatShare(c.forgettingPrevented), formatShare(cmp.retained[language]!.forgettingPrevented), ''];
        }),
        ['mean', '', share(controlMean, intervals.controlMeanPrevented), share(regionMean, region.meanPrevented), mark(regionMean !== null && controlMean !== null && regionMean > controlMean)],
      ],
    });
  }
  const regions = { region: summarizeRegion(s.freeze), ...(controlRegion !== null && { control: summarizeRegion(controlRegion) }) };
  return {
    finding: 'frozenPretrain',
    holds: failures.length === 0,
    claim:
      `further pre-training on ${s.train} for ${s.steps} steps with the region frozen prevents at least ${formatShare(s.minPrevented)} of ` +
      `${s.retain.join(', ')}'s forgetting (${s.aggregate === 'every' ? 'each language' : 'on average'}) and keeps at least ${formatShare(s.minLearningKept)} of ${s.train}'s gain` +
      (s.controls.length === 0 ? '' : s.controls.length === 1 ? ', and more than freezing the control' : `, and more than freezing each of ${s.controls.length} controls`),
    subject: subjectRecord(subject),
    tables,
    failures,
    successes,
    thresholds: { minPrevented: s.minPrevented, aggregate: s.aggregate, minLearningKept: s.minLearningKept, maxForgetting: s.maxForgetting ?? null, steps: s.steps, lr: s.lr, batch: s.batch },
    seeds: { training: s.seed, ...(s.controls[0]?.seed != null && { control: s.controls[0].seed }) },
    regions,
    measured: {
      comparison: cmp,
      heldout: inDomain?.trained ?? null,
      control: controlCmp,
      controls: s.controls.map((c, i) => ({ seed: c.seed ?? null, meanPrevented: controlMeans[i] ?? null })),
      intervals,
      frozenEntries: frozen.frozenEntries,
      droppedNormEntries: frozen.droppedNormEntries,
      curves: { baseline: curveOf(baseline), frozen: curveOf(frozen), ...(controlRun !== null && { control: curveOf(controlRun) }) },
    },
  };
}
