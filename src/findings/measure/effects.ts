import { pplInterval, ratioInterval, seedFor, statisticInterval } from '../../metrics/bootstrap.js';
import type { LanguagePerplexity } from '../../metrics/perplexity.js';
import type { PerturbationInput } from '../../perturb/perturbation.js';
import { median } from '../../util/stats.js';
import type { CheckpointSubject } from '../../subject/subject.js';
import { formatPpl, formatRatio, mark } from './format.js';

/** One language under one perturbation: perplexity before and after, and their ratio (after / before). */
export interface LanguageEffect {
  language: string;
  baseline: number;
  perturbed: number;
  ratio: number;
  /** The ratio's 95% interval, a paired bootstrap over the evaluation windows; null where a window's NLL is not finite. */
  ci95: [number, number] | null;
  /** The baseline perplexity's own 95% interval over the windows (what `regions compare` holds a change against). */
  baselineCi95: [number, number] | null;
}

/**
 * The effect of a perturbation on one language, with the ratio's interval: resampled with a seed drawn from
 * the subject's seed and the language, so every condition measured on a language resamples the same windows.
 */
export function languageEffect(subject: CheckpointSubject, language: string, baseline: LanguagePerplexity, perturbed: LanguagePerplexity): LanguageEffect {
  const options = { resamples: subject.options.bootstrapResamples, seed: seedFor(subject.options.seed ?? 0, language), confidence: 0.95 };
  const ci95 = ratioInterval({ baseline: baseline.windows.nll, perturbed: perturbed.windows.nll, tokens: baseline.windows.tokens }, options);
  const baselineCi95 = pplInterval(baseline.windows, options);
  return { language, baseline: baseline.ppl, perturbed: perturbed.ppl, ratio: perturbed.ppl / baseline.ppl, ci95: finite(ci95), baselineCi95: finite(baselineCi95) };
}

/** An interval is two finite numbers or none (JSON has no Infinity: results.json could not carry it). */
function finite(interval: [number, number] | null): [number, number] | null {
  return interval !== null && Number.isFinite(interval[0]) && Number.isFinite(interval[1]) ? interval : null;
}

/** Baseline and perturbed perplexity of each language (both cached by the subject). */
export async function measureEffects(
  subject: CheckpointSubject,
  perturbation: PerturbationInput | readonly PerturbationInput[],
  languages: readonly string[],
): Promise<LanguageEffect[]> {
  const baseline = await subject.baseline(languages);
  const perturbed = await subject.perplexity(perturbation, languages);
  return languages.map((language) => languageEffect(subject, language, baseline[language]!, perturbed[language]!));
}

/**
 * The 95% interval of a statistic of the languages' ratios under one perturbation (their median, a selectivity): a
 * joint bootstrap in which each language resamples its own windows with its own seed — the very resamples its
 * ratio's interval is read from (see {@link languageEffect}) — and the statistic is taken on each resample's ratios.
 * Baseline and perturbed perplexities come from the subject's caches (measured already by {@link measureEffects}).
 */
export async function ratiosInterval(
  subject: CheckpointSubject,
  perturbation: PerturbationInput | readonly PerturbationInput[],
  languages: readonly string[],
  statistic: (ratios: number[]) => number,
): Promise<[number, number] | null> {
  const baseline = await subject.baseline(languages);
  const perturbed = await subject.perplexity(perturbation, languages);
  const texts = languages.map((language) => ({
    nll: [baseline[language]!.windows.nll, perturbed[language]!.windows.nll],
    tokens: baseline[language]!.windows.tokens,
    seed: seedFor(subject.options.seed ?? 0, language),
  }));
  return finite(statisticInterval(texts, (means) => statistic(means.map(([b, p]) => Math.exp(p! - b!))), { resamples: subject.options.bootstrapResamples, confidence: 0.95 }));
}

/** The median of ratios, NaN unless every one is finite (as {@link medianRatio} reads effects). */
export const medianOf = (ratios: readonly number[]): number => (ratios.every(Number.isFinite) ? median([...ratios]) : Number.NaN);

/**
 * The median of the languages' ratios as a threshold reads it: NaN unless every ratio is a finite number,
 * so one broken language (a NaN or infinite perplexity) fails the median rather than being outvoted.
 */
export function medianRatio(effects: readonly LanguageEffect[]): number {
  return medianOf(effects.map((e) => e.ratio));
}

/** " (en ×NaN is not a finite number)" naming the languages whose ratio is not finite; '' when every one is. */
export function nonFiniteNote(effects: readonly LanguageEffect[]): string {
  const broken = effects.filter((e) => !Number.isFinite(e.ratio));
  if (broken.length === 0) return '';
  return ` (${broken.map((e) => `${e.language} ${formatRatio(e.ratio)}`).join(', ')} ${broken.length === 1 ? 'is' : 'are'} not a finite number)`;
}

/**
 * What a threshold on a ratio reads: the estimate (the ratio), or its 95% interval — "at least" its lower end,
 * "at most" its upper end, so a finding holds on the interval only where the windows leave no doubt.
 */
export type AssertOn = 'estimate' | 'interval';

/** The value an "at least" threshold reads (NaN for an interval that could not be computed: it meets none). */
export function lowerOf(e: LanguageEffect, on: AssertOn): number {
  return on === 'estimate' ? e.ratio : (e.ci95?.[0] ?? Number.NaN);
}

/** The value an "at most" threshold reads. */
export function upperOf(e: LanguageEffect, on: AssertOn): number {
  return on === 'estimate' ? e.ratio : (e.ci95?.[1] ?? Number.NaN);
}

/** "×3.90–×4.81", or "n/a" where the interval could not be computed. */
export function formatInterval(ci95: readonly [number, number] | null): string {
  return ci95 === null ? 'n/a' : `${formatRatio(ci95[0])}–${formatRatio(ci95[1])}`;
}

/** The standard row: language | baseline ppl | perturbed ppl | ratio | 95% interval | threshold | ✓/✗. */
export const EFFECT_COLUMNS = ['language', 'baseline ppl', 'perturbed ppl', 'ratio', '95% interval', 'threshold', ''];

export function effectRow(e: LanguageEffect, threshold: string, ok: boolean | null): string[] {
  return [e.language, formatPpl(e.baseline), formatPpl(e.perturbed), formatRatio(e.ratio), formatInterval(e.ci95), threshold, ok === null ? '' : mark(ok)];
}

/**
 * The languages a matcher measures: its `languages` option, else the thresholds file's for the finding,
 * else every language of the subject.
 */
export function languagesFor(subject: CheckpointSubject, given: readonly string[] | undefined, fromThresholds: readonly string[] | undefined): string[] {
  const languages = [...(given ?? fromThresholds ?? subject.languages)];
  if (languages.length === 0) throw new Error('no languages to measure');
  return languages;
}
