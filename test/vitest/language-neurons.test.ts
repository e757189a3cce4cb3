/**
 * toHaveSelectiveLanguageNeurons on a hand-built instrument (helpers/instruments.ts `languageNeuronsModel`; not
 * any real model's finding): two FFN neurons, one firing on Cyrillic lead bytes and one on CJK lead bytes, each
 * telling lm_head that a UTF-8 continuation byte comes next. LAPE selects exactly those two; deactivating ru's
 * raises ru's ppl ×1.84 and nothing else, zh's ×1.53 (a third of zh's bytes follow a lead byte: its ceiling is
 * about ×1.59, so the instrument's threshold is ×1.4). Negative controls: en (no neuron of its own), and
 * `competent`, whose one selected neuron moves nothing.
 */
import { describe } from 'vitest';
import { expect, test } from '../../src/vitest/fixtures.js';
import { openSubject } from '../../src/findings/subject.js';
import { measureLanguageNeurons } from '../../src/findings/index.js';
import { competent, LANGUAGE_NEURONS, languageNeuronsModel } from './helpers/instruments.js';
import { instrumentOptions } from './helpers/options.js';

test.override('regions', instrumentOptions(languageNeuronsModel(), { backend: 'ort-cpu', seqLen: 64 }));
const AT = { minRatio: 1.4, minSelectivity: 3 };

describe('positive control: planted language neurons', () => {
  test('LAPE (the authors’ defaults) selects exactly the planted neurons, each for its language', async ({ subject }) => {
    const found = await subject.languageNeurons();
    expect(found.neurons.map((n) => [n.layer, n.neuron, n.languages])).toEqual([
      [LANGUAGE_NEURONS.ru.layer, LANGUAGE_NEURONS.ru.neuron, ['ru']],
      [LANGUAGE_NEURONS.zh.layer, LANGUAGE_NEURONS.zh.neuron, ['zh']],
    ]);
  });

  test.for(['ru', 'zh'])('%s: deactivating its neurons hurts it alone', async (language, { subject }) => {
    await expect(subject).toHaveSelectiveLanguageNeurons(language, AT);
    const r = await measureLanguageNeurons(subject, language, AT);
    expect(r.finding).toBe('languageNeurons');
    expect(r.regions.region!.kind).toBe(`neurons:${language}`);
  });
});

describe('negative controls', () => {
  test('en has no neuron of its own', async ({ subject }) => {
    await expect(subject).not.toHaveSelectiveLanguageNeurons('en', AT);
    expect((await measureLanguageNeurons(subject, 'en', AT)).failures[0]).toBe('no language neuron of en: LAPE assigned none of its selected neurons to it');
  });

  test('competent: its language neurons are not where a language lives', async () => {
    const subject = await openSubject(instrumentOptions(await competent(), { backend: 'ort-cpu' }));
    try {
      for (const language of ['en', 'es', 'ru']) await expect(subject).not.toHaveSelectiveLanguageNeurons(language, AT);
    } finally {
      await subject.close();
    }
  });
});
