import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { monolingualRegion } from '../../src/regions/monolingual.js';
import { entriesPerTensor } from '../../src/regions/select.js';
import type { ImportanceMap } from '../../src/importance/types.js';
import { naiveTop, ones, scoreMap } from './helpers.js';

const A = 'model.layers.0.self_attn.o_proj.weight';
const B = 'model.layers.0.mlp.down_proj.weight';

/** 2–4 languages, each scoring the same two small tensors with values from a small set (many ties). */
const perLanguageArb = fc
  .record({ langs: fc.integer({ min: 2, max: 4 }), a: fc.integer({ min: 1, max: 40 }), b: fc.integer({ min: 1, max: 40 }) })
  .chain(({ langs, a, b }) =>
    fc.array(
      fc.tuple(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: a, maxLength: a }), fc.array(fc.integer({ min: 0, max: 5 }), { minLength: b, maxLength: b })),
      { minLength: langs, maxLength: langs },
    ),
  )
  .map((tensors) => {
    const m = new Map<string, ImportanceMap>();
    tensors.forEach(([a, b], i) => {
      const lang = `l${i}`;
      m.set(lang, scoreMap({ [A]: [[a.length], a], [B]: [[b.length], b] }, [lang]));
    });
    return m;
  });

describe('monolingualRegion', () => {
  it("is the language's own top-k minus the union of the other languages' top-k (property)", () => {
    fc.assert(
      fc.property(perLanguageArb, fc.double({ min: 0.01, max: 0.99, noNaN: true }), (perLanguage, k) => {
        const langs = [...perLanguage.keys()];
        const lang = langs[0]!;
        const region = monolingualRegion(perLanguage, lang, k);
        expect(region.kind).toBe(`monolingual:${lang}`);
        expect(region.languages).toEqual(langs);
        for (const name of [A, B]) {
          const top = (l: string) => {
            const data = perLanguage.get(l)!.scores.get(name)!.data;
            return naiveTop(data, entriesPerTensor(k, data.length));
          };
          const expected = [...top(lang)].filter((i) => langs.slice(1).every((o) => !top(o).has(i))).sort((x, y) => x - y);
          expect(ones(region.masks.get(name)!.data)).toEqual(expected);
          expect(region.counts.get(name)).toBe(expected.length);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('with one language it is that language\'s top-k', () => {
    const map = new Map([['ar', scoreMap({ [A]: [[4], [4, 3, 2, 1]] }, ['ar'])]]);
    expect(ones(monolingualRegion(map, 'ar', 0.5).masks.get(A)!.data)).toEqual([0, 1]);
  });

  it('refuses an unknown language (listing the known ones), a bad k and maps of different shapes', () => {
    const map = new Map([
      ['ar', scoreMap({ [A]: [[4], [4, 3, 2, 1]] }, ['ar'])],
      ['es', scoreMap({ [A]: [[4], [1, 2, 3, 4]] }, ['es'])],
    ]);
    expect(() => monolingualRegion(map, 'zz', 0.5)).toThrow('no importance for language "zz" (known: ar, es)');
    expect(() => monolingualRegion(map, 'ar', 1)).toThrow(/must be a number in \(0, 1\)/);
    map.set('ru', scoreMap({ [A]: [[2, 2], [1, 2, 3, 4]] }, ['ru']));
    expect(() => monolingualRegion(map, 'ar', 0.5)).toThrow(`${A} has shape [4] in the importance of "ar" but [2, 2] in that of "ru"`);
  });
});
