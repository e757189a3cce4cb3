import type { Script } from './languages.js';

/** Letters of each script (the lookahead keeps non-letters such as 〇 out of the count). */
const TARGET: Record<Script, RegExp> = {
  Latin: /(?=\p{L})\p{Script=Latin}/gu,
  Arabic: /(?=\p{L})\p{Script=Arabic}/gu,
  Cyrillic: /(?=\p{L})\p{Script=Cyrillic}/gu,
  Greek: /(?=\p{L})\p{Script=Greek}/gu,
  Han: /(?=\p{L})\p{Script=Han}/gu,
  Japanese: /(?=\p{L})[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]/gu,
  Hangul: /(?=\p{L})\p{Script=Hangul}/gu,
  Malayalam: /(?=\p{L})\p{Script=Malayalam}/gu,
  Tamil: /(?=\p{L})\p{Script=Tamil}/gu,
};

const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
const LETTER = /\p{L}/gu;

/**
 * Smallest share of a line's letters that must be in the language's own script. Latin-script
 * languages get a strict bar (a Cyrillic word in a Danish line means foreign content); the others
 * allow the Latin command and product names that technical prose is full of.
 */
export const MIN_SCRIPT_SHARE: Record<Script, number> = {
  Latin: 0.9,
  Arabic: 0.5,
  Cyrillic: 0.5,
  Greek: 0.5,
  Han: 0.5,
  Japanese: 0.5,
  Hangul: 0.5,
  Malayalam: 0.5,
  Tamil: 0.5,
};

/** Share of the letters (`\p{L}`) of `line` written in `script`; 0 for a line without letters. */
export function scriptShare(line: string, script: Script): number {
  const letters = line.match(LETTER)?.length ?? 0;
  const own = line.match(TARGET[script])?.length ?? 0;
  return letters === 0 ? 0 : own / letters;
}

/**
 * The script-share rule: true when `line` is written mostly in `script`. Japanese must also contain
 * kana, and Chinese must not, since Han characters alone do not tell the two apart.
 */
export function passesScript(line: string, script: Script): boolean {
  if (scriptShare(line, script) < MIN_SCRIPT_SHARE[script]) return false;
  if (script === 'Japanese') return KANA.test(line);
  if (script === 'Han') return !KANA.test(line);
  return true;
}
