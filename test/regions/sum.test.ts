import { describe, expect, it } from 'vitest';
import { REGION_LANGUAGES } from '../../src/corpus/texts.js';
import { sumImportance } from '../../src/regions/sum.js';
import type { ImportanceMap } from '../../src/importance/types.js';
import { scoreMap } from './helpers.js';

const A = 'model.layers.0.self_attn.q_proj.weight';

function perLanguage(langs: readonly string[]): Map<string, ImportanceMap> {
  return new Map(
    langs.map((lang, i) => [lang, scoreMap({ [A]: [[2, 2], [i, 2 * i, 3 * i, 0.5]] }, [lang], { checkpoint: 'c1', windows_sha256: `w${i}` })]),
  );
}

describe('sumImportance', () => {
  it('sums the six region languages by default, entry by entry, and says what it summed', () => {
    const maps = perLanguage([...REGION_LANGUAGES, 'en']);
    const sum = sumImportance(maps);
    expect(sum.languages).toEqual([...REGION_LANGUAGES]);
    // Σ_{i=0..5} i = 15; en (i = 6) is left out.
    expect([...sum.scores.get(A)!.data]).toEqual([15, 30, 45, 3]);
    expect(sum.scores.get(A)!.shape).toEqual([2, 2]);
    expect(sum.provenance.checkpoint).toBe('c1');
    expect(sum.provenance['ar.windows_sha256']).toBe('w0');
    expect(sumImportance(maps, ['en', 'ar']).languages).toEqual(['en', 'ar']);
  });

  it('refuses a missing language (listing the known ones), another checkpoint, other shapes and double counting', () => {
    expect(() => sumImportance(perLanguage(['ar', 'es']))).toThrow('no importance for language "ru" (known: ar, es)');
    const mixed = perLanguage(['ar', 'es']);
    mixed.get('es')!.provenance.checkpoint = 'c2';
    expect(() => sumImportance(mixed, ['ar', 'es'])).toThrow('importance of "ar" was computed on checkpoint c1 but that of "es" on c2');
    const shapes = perLanguage(['ar', 'es']);
    shapes.set('es', scoreMap({ [A]: [[4], [1, 2, 3, 4]] }, ['es']));
    expect(() => sumImportance(shapes, ['ar', 'es'])).toThrow(`${A} has shape [2, 2] in the importance of "ar" but [4] in that of "es"`);
    const twice = perLanguage(['ar', 'es']);
    twice.set('es', scoreMap({ [A]: [[2, 2], [1, 2, 3, 4]] }, ['ar']));
    expect(() => sumImportance(twice, ['ar', 'es'])).toThrow(/"ar" would be summed twice/);
    expect(() => sumImportance(perLanguage(['ar']), [])).toThrow(/no languages/);
  });
});
