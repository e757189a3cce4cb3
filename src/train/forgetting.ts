/**
 * Reading a {@link ForgettingCurve}: how much each language forgot, how much the trained language
 * gained, and how much of the forgetting a frozen region prevented (the paper's finding 4).
 *
 * All measures are ratios of perplexity, i.e. differences of mean NLL: ln(ppl_b / ppl_a) =
 * meanNll_b − meanNll_a (nats per token).
 */
import { statisticInterval, type ConditionWindows } from '../metrics/bootstrap.js';
import type { LanguagePerplexity } from '../metrics/perplexity.js';
import type { FurtherPretrainSettings, ForgettingCurve, ForgettingPoint } from './further.js';

/** Which languages a summary reads (defaults: the curve's trained language; every other measured one). */
export interface ForgettingLanguages {
  retain?: string[];
  trained?: string;
}

/** How one retained language fared: perplexity before and after, and their ratio. */
export interface LanguageForgetting {
  /** Perplexity at step 0. */
  before: number;
  /** Perplexity at the last measured step. */
  after: number;
  /** after / before: 1 = nothing forgotten, > 1 = forgotten (2 = perplexity doubled). */
  forgetting: number;
}

/** Forgetting over one further pre-training run, from step 0 to its last measured step. */
export interface ForgettingSummary {
  /** The last measured step (compared with step 0). */
  step: number;
  retained: Record<string, LanguageForgetting>;
  trained: {
    language: string;
    before: number;
    after: number;
    /** before / after: > 1 = the new language was learned (2 = perplexity halved). */
    improvement: number;
  };
}

function point(curve: ForgettingCurve, step: 'first' | 'last'): ForgettingPoint {
  const p = step === 'first' ? curve.points[0] : curve.points[curve.points.length - 1];
  if (step === 'first' && p?.step !== 0) {
    throw new Error(`forgetting: the curve has no measurement at step 0 (evalAt = [${curve.settings.evalAt}]); include 0 in evalAt`);
  }
  if (step === 'last' && (p === undefined || p.step === 0)) {
    throw new Error(`forgetting: the curve has no measurement after training (evalAt = [${curve.settings.evalAt}])`);
  }
  return p!;
}

function ppl(p: ForgettingPoint, language: string): { ppl: number; meanNll: number } {
  const m = p.perplexity[language];
  if (m === undefined) {
    throw new Error(`forgetting: "${language}" was not measured (measured: ${Object.keys(p.perplexity).join(', ')})`);
  }
  return m;
}

function languagesOf(curve: ForgettingCurve, which: ForgettingLanguages): { retain: string[]; trained: string } {
  const trained = which.trained ?? curve.settings.train.language;
  const retain = which.retain ?? Object.keys(curve.points[0]?.perplexity ?? {}).filter((l) => l !== trained);
  return { retain, trained };
}

/**
 * Per retained language, ppl(last step) / ppl(step 0) ("forgetting"); for the trained language,
 * ppl(step 0) / ppl(last step) ("improvement"). In a `zeroFrozen` curve step 0 is measured after zeroing.
 * @throws Error if the curve lacks step 0, a later step, or one of the languages.
 */
export function forgettingSummary(curve: ForgettingCurve, languages: ForgettingLanguages = {}): ForgettingSummary {
  const { retain, trained } = languagesOf(curve, languages);
  const first = point(curve, 'first');
  const last = point(curve, 'last');
  const retained: Record<string, LanguageForgetting> = {};
  for (const language of retain) {
    const before = ppl(first, language).ppl;
    const after = ppl(last, language).ppl;
    retained[language] = { before, after, forgetting: after / before };
  }
  const before = ppl(first, trained).ppl;
  const after = ppl(last, trained).ppl;
  return { step: last.step, retained, trained: { language: trained, before, after, improvement: before / after } };
}

/** One retained language under both runs. */
export interface RetainedComparison {
  /** Forgetting (ppl ratio to the original model) without the frozen region. */
  baseline: number;
  /** Forgetting with it. */
  frozen: number;
  /**
   * Share of the baseline's forgetting that freezing prevented, in NLL:
   * 1 − ln(frozen) / ln(baseline) = (ΔNLL_baseline − ΔNLL_frozen) / ΔNLL_baseline.
   * 1 = none left, 0 = no help, < 0 = freezing made it worse; null when the baseline forgot nothing
   * (ΔNLL_baseline ≤ 0), so there was nothing to prevent.
   */
  forgettingPrevented: number | null;
}

/** How two further pre-training runs with the same data and settings differ by their frozen region. */
export interface FreezingComparison {
  step: number;
  retained: Record<string, RetainedComparison>;
  trained: {
    language: string;
    /** Improvement (ppl ratio) without freezing. */
    baseline: number;
    /** Improvement with it. */
    frozen: number;
    /**
     * Share of the baseline's gain in the new language that the frozen run kept, in NLL:
     * ln(frozen) / ln(baseline). 1 = learned as well, 0 = nothing learned; null when the baseline did
     * not improve.
     */
    learningKept: number | null;
  };
}

/** Settings two runs must share for their difference to be the frozen region's doing. */
const SHARED: (keyof FurtherPretrainSettings)[] = [
  'train',
  'evaluate',
  'steps',
  'lr',
  'batch',
  'seqLen',
  'weightDecay',
  'warmup',
  'clipNorm',
  'evalMaxTokens',
  'seed',
];

/**
 * Compares a run with a frozen region against a baseline run (usually nothing frozen; a random or bottom
 * region of the same size is the paper's control) trained on the same data with the same settings.
 * Both runs' forgetting is taken against the baseline's step 0 — the original model — so a `zeroFrozen`
 * run is charged for the damage zeroing did. Languages default to those of {@link forgettingSummary}.
 * @throws Error naming the first setting the runs differ in, or a missing measurement.
 */
export function compareFreezing(
  baseline: ForgettingCurve,
  frozen: ForgettingCurve,
  languages: ForgettingLanguages = {},
): FreezingComparison {
  for (const key of SHARED) {
    const a = JSON.stringify(baseline.settings[key]);
    const b = JSON.stringify(frozen.settings[key]);
    if (a !== b) throw new Error(`compareFreezing: the runs differ in settings.${key} (baseline ${a}, frozen ${b}); only the frozen region may differ`);
  }
  if (baseline.settings.zeroFrozen) throw new Error('compareFreezing: the baseline run zeroed its region; its step 0 is not the original model');
  const { retain, trained } = languagesOf(baseline, languages);
  const origin = point(baseline, 'first');
  const lastBase = point(baseline, 'last');
  const lastFrozen = point(frozen, 'last');
  if (lastBase.step !== lastFrozen.step) {
    throw new Error(`compareFreezing: the runs were last measured at different steps (baseline ${lastBase.step}, frozen ${lastFrozen.step})`);
  }
  const delta = (p: ForgettingPoint, language: string) => ppl(p, language).meanNll - ppl(origin, language).meanNll;

  const retained: Record<string, RetainedComparison> = {};
  for (const language of retain) {
    const dBase = delta(lastBase, language);
    const dFrozen = delta(lastFrozen, language);
    retained[language] = {
      baseline: Math.exp(dBase),
      frozen: Math.exp(dFrozen),
      forgettingPrevented: dBase > 0 ? 1 - dFrozen / dBase : null,
    };
  }
  const gBase = -delta(lastBase, trained);
  const gFrozen = -delta(lastFrozen, trained);
  return {
    step: lastBase.step,
    retained,
    trained: { language: trained, baseline: Math.exp(gBase), frozen: Math.exp(gFrozen), learningKept: gBase > 0 ? gFrozen / gBase : null },
  };
}

/** The 95% intervals of a {@link FreezingComparison}'s shares: null where one cannot be computed. */
export interface FreezingIntervals {
  /** Each retained language's share of forgetting prevented. */
  retained: Record<string, [number, number] | null>;
  /** The retained languages' mean share (each language's windows resampled on its own). */
  meanPrevented: [number, number] | null;
  /** The trained language's share of learning kept. */
  learningKept: [number, number] | null;
  /** Each retained language's forgetting with the region frozen, ppl(last) / ppl(original). */
  frozenForgetting: Record<string, [number, number] | null>;
  /** With a control run: the mean share prevented by the region minus the control's, on the same resamples. */
  overControl: [number, number] | null;
}

/**
 * How sure the shares of {@link compareFreezing} are: a bootstrap over each language's evaluation windows, paired
 * across the original model and both runs' last step (the runs measure the same windows), each language resampled
 * with `seedOf(language)`. A share has no interval (null) where a curve kept no per-window NLLs (a run cached
 * before they were recorded) or where a resample's baseline forgot (or learned) nothing: the share is a ratio of
 * two changes, undefined there.
 */
export function freezingIntervals(
  baseline: ForgettingCurve,
  frozen: ForgettingCurve,
  languages: { retain: readonly string[]; trained: string },
  options: { resamples: number; seedOf: (language: string) => number },
  control: ForgettingCurve | null = null,
): FreezingIntervals {
  const origin = point(baseline, 'first');
  const lastBase = point(baseline, 'last');
  const lastFrozen = point(frozen, 'last');
  const lastControl = control === null ? null : point(control, 'last');
  const text = (language: string, withControl = false): ConditionWindows | null => {
    const points = withControl && lastControl !== null ? [origin, lastBase, lastFrozen, lastControl] : [origin, lastBase, lastFrozen];
    const runs = points.map((p) => ppl(p, language) as Partial<LanguagePerplexity>);
    if (runs.some((r) => r.windows === undefined)) return null;
    return { nll: runs.map((r) => r.windows!.nll), tokens: runs[0]!.windows!.tokens, seed: options.seedOf(language) };
  };
  const settings = { resamples: options.resamples, confidence: 0.95 };
  // means[text] = [origin, baseline's last step, frozen's last step], in nats per token.
  const prevented = ([m0, mB, mF]: number[]) => (mB! - m0! > 0 ? 1 - (mF! - m0!) / (mB! - m0!) : Number.NaN);
  const interval = (texts: (ConditionWindows | null)[], statistic: (means: number[][]) => number) =>
    texts.length === 0 || texts.some((t) => t === null) ? null : statisticInterval(texts as ConditionWindows[], statistic, settings);
  const retainedTexts = languages.retain.map((l) => text(l));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    retained: Object.fromEntries(languages.retain.map((l, i) => [l, interval([retainedTexts[i]!], ([m]) => prevented(m!))])),
    frozenForgetting: Object.fromEntries(languages.retain.map((l, i) => [l, interval([retainedTexts[i]!], ([m]) => Math.exp(m![2]! - m![0]!))])),
    overControl:
      control === null
        ? null
        : interval(
            languages.retain.map((l) => text(l, true)),
            (means) => mean(means.map(prevented)) - mean(means.map(([m0, mB, , mC]) => prevented([m0!, mB!, mC!]))),
          ),
    meanPrevented: interval(retainedTexts, (means) => means.reduce((s, m) => s + prevented(m), 0) / means.length),
    learningKept: interval([text(languages.trained)], ([m]) => {
      const [m0, mB, mF] = m!;
      return m0! - mB! > 0 ? (m0! - mF!) / (m0! - mB!) : Number.NaN;
    }),
  };
}
