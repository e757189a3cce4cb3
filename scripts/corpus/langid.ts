import { franc } from 'franc';
import type { Language } from './languages.js';

/**
 * Lines shorter than this (in code points) are not given to franc: its trigram statistics are
 * unreliable on them, so the script-share rule alone decides.
 */
export const FRANC_MIN_CHARS = 30;

/** Lines at least this long (code points) enter the franc-agreement statistic. */
export const AGREEMENT_MIN_CHARS = 50;

/**
 * franc's candidates when it judges a line of `lang`: the language itself, its confusable siblings
 * and English. Translated documentation is contaminated by untranslated English, not by other
 * languages; letting franc choose among all 30 languages drops real text instead (on Polish
 * debian-handbook, gnome-user-docs and man pages it called 62 KB of Polish lines Spanish, Czech or
 * Croatian). For non-Latin scripts franc decides by script first, so there the script-share rule
 * does the work; for English (the sources' original language) the rule keeps everything.
 */
export function francCandidates(lang: Language): string[] {
  return [...new Set([...lang.franc, ...lang.siblings, 'eng'])];
}

const VIETNAMESE_TONES = /[\u0300\u0301\u0303\u0309\u0323]/u;

/**
 * Vietnamese with the five tone marks as combining characters after otherwise precomposed letters
 * (the Windows-1258 convention): `ề` becomes `ê` + U+0300. franc's Vietnamese trigrams were built
 * from text in this form, so on NFC text it misses one Vietnamese line in fifteen (checked on
 * debian-handbook lines: 93.4 % recognised as NFC, 98.9 % as NFD, 99.9 % in this form). Only franc
 * sees this form; the corpus itself stays NFC.
 */
export function vietnameseToneMarksDecomposed(line: string): string {
  return line.normalize('NFD').replace(/(\P{M})(\p{M}+)/gu, (_whole, base: string, marks: string) => {
    const all = [...marks];
    const tones = all.filter((m) => VIETNAMESE_TONES.test(m)).join('');
    const others = all.filter((m) => !VIETNAMESE_TONES.test(m)).join('');
    return `${(base + others).normalize('NFC')}${tones}`;
  });
}

/** The text franc is given for a line of `lang`. */
function francInput(line: string, lang: Language): string {
  return lang.code === 'vi' ? vietnameseToneMarksDecomposed(line) : line;
}

/** Number of code points of `line`. */
export function codePoints(line: string): number {
  let n = 0;
  for (const _ of line) n++;
  return n;
}

/**
 * The language-id rule: true when franc (restricted to {@link francCandidates}) places `line` in
 * `lang`, or in one of its siblings and the line is short enough for that to be a plausible
 * confusion. Lines under {@link FRANC_MIN_CHARS} always pass.
 */
export function passesLangid(line: string, lang: Language): boolean {
  const length = codePoints(line);
  if (length < FRANC_MIN_CHARS) return true;
  const guess = franc(francInput(line, lang), { only: francCandidates(lang), minLength: 1 });
  if (lang.franc.includes(guess)) return true;
  return lang.siblings.includes(guess) && length <= lang.siblingMaxChars;
}

/**
 * The independent check reported as "franc agreement" in stats.json: unrestricted franc (all its
 * 187 languages, default settings; Vietnamese in the form its model expects, as in the filter) on
 * the lines of at least {@link AGREEMENT_MIN_CHARS} code points. Returns how many such lines there
 * are, the share franc places in `lang`, and the three languages it most often names instead.
 */
export function francAgreement(
  lines: readonly string[],
  lang: Language,
): { lines: number; share: number | null; others: Record<string, number> } {
  let n = 0;
  let agree = 0;
  const others = new Map<string, number>();
  for (const line of lines) {
    if (codePoints(line) < AGREEMENT_MIN_CHARS) continue;
    n++;
    const guess = franc(francInput(line, lang));
    if (lang.franc.includes(guess)) agree++;
    else others.set(guess, (others.get(guess) ?? 0) + 1);
  }
  const top = [...others].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3);
  return { lines: n, share: n === 0 ? null : agree / n, others: Object.fromEntries(top) };
}
