import { REGION_LANGUAGES } from '../corpus/texts.js';
import { checkSameShape } from './internals/checks.js';
import type { ImportanceMap } from '../importance/types.js';

/**
 * Picks the maps of `languages` from per-language importance.
 * @throws Error for a language without a map (listing the known ones) or an empty list.
 */
export function pickLanguages(perLanguage: ReadonlyMap<string, ImportanceMap>, languages: readonly string[]): ImportanceMap[] {
  if (languages.length === 0) throw new Error('no languages given');
  const known = [...perLanguage.keys()];
  return languages.map((lang) => {
    const map = perLanguage.get(lang);
    if (map === undefined) throw new Error(`no importance for language "${lang}" (known: ${known.join(', ') || 'none'})`);
    return map;
  });
}

/**
 * Checks that every map scores the same tensors with the same shapes and on the same checkpoint.
 * @throws Error naming the tensor (and both shapes) or both checkpoint hashes.
 */
export function checkSameModel(languages: readonly string[], maps: readonly ImportanceMap[]): void {
  const [first, ...rest] = maps;
  const lang0 = languages[0]!;
  rest.forEach((map, i) => {
    const lang = languages[i + 1]!;
    const a = first!.provenance.checkpoint;
    const b = map.provenance.checkpoint;
    if (a !== undefined && b !== undefined && a !== b) {
      throw new Error(`importance of "${lang0}" was computed on checkpoint ${a} but that of "${lang}" on ${b}`);
    }
    for (const [name, { shape }] of first!.scores) {
      const other = map.scores.get(name);
      if (other === undefined) throw new Error(`importance of "${lang}" has no tensor ${name} (that of "${lang0}" has)`);
      checkSameShape(name, shape, other.shape, `the importance of "${lang0}"`, `that of "${lang}"`);
    }
    for (const name of map.scores.keys()) {
      if (!first!.scores.has(name)) throw new Error(`importance of "${lang0}" has no tensor ${name} (that of "${lang}" has)`);
    }
  });
}

/** Provenance of a sum: entries every map agrees on as they are, the others as `<lang>.<key>`. */
function mergeProvenance(languages: readonly string[], maps: readonly ImportanceMap[]): Record<string, string> {
  const out: Record<string, string> = {};
  const keys = new Set(maps.flatMap((m) => Object.keys(m.provenance)));
  for (const key of keys) {
    const values = maps.map((m) => m.provenance[key]);
    if (values.every((v) => v === values[0]) && values[0] !== undefined) out[key] = values[0];
    else values.forEach((v, i) => v !== undefined && (out[`${languages[i]}.${key}`] = v));
  }
  return out;
}

/**
 * The importance the core region is chosen by: the sum over languages of each language's |θ ⊙ g|
 * (default the paper's six: ar, es, ru, zh, ko, vi). Summed in float64, stored as float32. The result's
 * `languages` are those of the maps summed (a map may itself be a sum; no language may be counted twice).
 * @throws Error for a missing language (listing the known ones), or maps of different tensors, shapes
 *   or checkpoints.
 */
export function sumImportance(
  perLanguage: ReadonlyMap<string, ImportanceMap>,
  languages: readonly string[] = REGION_LANGUAGES,
): ImportanceMap {
  const maps = pickLanguages(perLanguage, languages);
  checkSameModel(languages, maps);
  const summed = maps.flatMap((m) => m.languages);
  const twice = summed.find((lang, i) => summed.indexOf(lang) !== i);
  if (twice !== undefined) throw new Error(`the importance of "${twice}" would be summed twice (the maps cover ${summed.join(', ')})`);
  const scores: ImportanceMap['scores'] = new Map();
  for (const [name, { shape, data }] of maps[0]!.scores) {
    const acc = Float64Array.from(data);
    for (const map of maps.slice(1)) {
      const other = map.scores.get(name)!.data;
      for (let i = 0; i < acc.length; i++) acc[i]! += other[i]!;
    }
    scores.set(name, { shape: [...shape], data: Float32Array.from(acc) });
  }
  return { languages: summed, scores, provenance: mergeProvenance(languages, maps) };
}
