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
}

/** Baseline and perturbed perplexity of each language (both cached by the subject). */
export async function measureEffects(
  subject: CheckpointSubject,
  perturbation: PerturbationInput | readonly PerturbationInput[],
  languages: readonly string[],
): Promise<LanguageEffect[]> {
  const baseline = await subject.baseline(languages);
  const perturbed = await subject.perplexity(perturbation, languages);
  return languages.map((language) => {
    const b = baseline[language]!.ppl;
    const p = perturbed[language]!.ppl;
    return { language, baseline: b, perturbed: p, ratio: p / b };
  });
}

/**
 * The median of the languages' ratios as a threshold reads it: NaN unless every ratio is a finite number,
 * so one broken language (a NaN or infinite perplexity) fails the median rather than being outvoted.
 */
export function medianRatio(effects: readonly LanguageEffect[]): number {
  return effects.every((e) => Number.isFinite(e.ratio)) ? median(effects.map((e) => e.ratio)) : Number.NaN;
}

/** " (en ×NaN is not a finite number)" naming the languages whose ratio is not finite; '' when every one is. */
export function nonFiniteNote(effects: readonly LanguageEffect[]): string {
  const broken = effects.filter((e) => !Number.isFinite(e.ratio));
  if (broken.length === 0) return '';
  return ` (${broken.map((e) => `${e.language} ${formatRatio(e.ratio)}`).join(', ')} ${broken.length === 1 ? 'is' : 'are'} not a finite number)`;
}

/** The standard row: language | baseline ppl | perturbed ppl | ratio | threshold | ✓/✗. */
export const EFFECT_COLUMNS = ['language', 'baseline ppl', 'perturbed ppl', 'ratio', 'threshold', ''];

export function effectRow(e: LanguageEffect, threshold: string, ok: boolean | null): string[] {
  return [e.language, formatPpl(e.baseline), formatPpl(e.perturbed), formatRatio(e.ratio), threshold, ok === null ? '' : mark(ok)];
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
