import { checkFraction } from './internals/checks.js';
import { selectRegion, type TensorFilter } from './select.js';
import { checkSameModel, pickLanguages } from './sum.js';
import type { Region } from './types.js';
import type { ImportanceMap } from '../importance/types.js';

/**
 * The monolingual region of `language`, as the paper defines it: the language's own per-matrix top-k
 * minus the union of the top-k of every OTHER language in `perLanguage` — a set difference, so it holds
 * at most floor(k·n) entries per tensor and usually far fewer. `include` picks the tensors as in
 * selectRegion (default: inside the transformer layers).
 * @throws Error for an unknown language (listing the known ones), k outside (0, 1), or maps of
 *   different tensors, shapes or checkpoints.
 */
export function monolingualRegion(
  perLanguage: ReadonlyMap<string, ImportanceMap>,
  language: string,
  fraction: number,
  include?: TensorFilter,
): Region {
  checkFraction(fraction, `monolingual region of "${language}"`);
  const others = [...perLanguage.keys()].filter((l) => l !== language);
  const languages = [language, ...others];
  const maps = pickLanguages(perLanguage, languages);
  checkSameModel(languages, maps);
  const [own, ...rest] = maps.map((map) => selectRegion(map, { kind: 'top', fraction, include }));
  const masks: Region['masks'] = new Map();
  const counts = new Map<string, number>();
  for (const [name, { shape, data }] of own!.masks) {
    const mask = Uint8Array.from(data);
    for (const other of rest) {
      const theirs = other.masks.get(name)!.data;
      for (let i = 0; i < mask.length; i++) if (theirs[i] === 1) mask[i] = 0;
    }
    masks.set(name, { shape: [...shape], data: mask });
    counts.set(name, mask.reduce((n, v) => n + v, 0));
  }
  return {
    kind: `monolingual:${language}`,
    fraction,
    languages,
    masks,
    counts,
    seed: null,
    provenance: { ...perLanguage.get(language)!.provenance, minus_languages: others.join(',') },
  };
}
