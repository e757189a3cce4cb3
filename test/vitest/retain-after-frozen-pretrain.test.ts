/**
 * toRetainAfterFrozenPretrain on the `competent` instrument (trained on en, es, ru; never saw zh), further
 * pre-trained on zh for 20 steps at a high learning rate so that, with nothing frozen, English and
 * Spanish perplexity rise ×25–×230.
 *
 * Positive control: freezing every layer weight and the embedding and LM-head rows of the ASCII bytes
 * (everything en and es use) must prevent most of that forgetting, while zh is still learned through its
 * own byte rows and the norms (the paper never freezes norms). Negative controls: freezing nothing
 * (an empty region) prevents nothing; a region no better than its control fails the control condition.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe } from 'vitest';
import type { Region } from '../../src/regions/types.js';
import { expect, test } from '../../src/vitest/fixtures.js';
import type { RegionsSubject } from '../../src/findings/subject.js';
import { curveSteps, measureFrozenPretrain } from '../../src/findings/measure/frozen.js';
import { measureRetainAfterFrozenPretrain } from '../../src/findings/retain-after-frozen-pretrain.js';
import { competent } from './helpers/instruments.js';
import { instrumentOptions } from './helpers/options.js';

const instrument = await competent();
const options = instrumentOptions(instrument, { languages: ['en', 'es', 'ru', 'zh'] });
test.override('regions', options);

const RUN = { train: 'zh', retain: ['en', 'es'], steps: 20, lr: 1e-2, batch: 4, seed: 1 };

/** A custom region of the subject's weights: the entries `pick` selects. */
function customRegion(subject: RegionsSubject, pick: (name: string, shape: number[], index: number) => boolean): Region {
  const masks: Region['masks'] = new Map();
  const counts = new Map<string, number>();
  for (const name of subject.model.weightNames()) {
    const shape = [...subject.model.weightShape(name)];
    const data = new Uint8Array(shape.reduce((a, b) => a * b, 1));
    let n = 0;
    for (let i = 0; i < data.length; i++) if (pick(name, shape, i)) (data[i] = 1), n++;
    masks.set(name, { shape, data });
    counts.set(name, n);
  }
  return { kind: 'custom', fraction: 0, languages: [], masks, counts, seed: null, provenance: {} };
}

/** Every layer matrix, and the embedding / LM-head rows of ASCII bytes: all that en and es use. */
const latinCompetence = (subject: RegionsSubject) =>
  customRegion(subject, (name, shape, i) =>
    name === 'model.embed_tokens.weight' || name === 'lm_head.weight' ? Math.floor(i / shape[1]!) < 128 : /^model\.layers\..*_proj\.weight$/.test(name),
  );
const nothing = (subject: RegionsSubject) => customRegion(subject, () => false);

describe('positive control: freezing what the retained languages use', () => {
  test('passes, and creates no tensor in this thread', async ({ subject }) => {
    const before = tf.memory().numTensors;
    await expect(subject).toRetainAfterFrozenPretrain({ ...RUN, freeze: latinCompetence(subject), minPrevented: 0.5, minLearningKept: 0.3 });
    expect(tf.memory().numTensors).toBe(before);
  });

  test('passes against a control that prevents less (nothing frozen)', async ({ subject }) => {
    await expect(subject).toRetainAfterFrozenPretrain({
      ...RUN,
      freeze: latinCompetence(subject),
      control: nothing(subject),
      aggregate: 'mean',
      minPrevented: 0.5,
      minLearningKept: 0.3,
    });
  });

  test('random controls as a distribution: one run per seed, and the region is held against the strongest', async ({ subject }) => {
    const result = await measureRetainAfterFrozenPretrain(subject as never, {
      ...RUN,
      freeze: latinCompetence(subject),
      control: 'random',
      controlCount: 3,
      aggregate: 'mean',
      minPrevented: 0.5,
      minLearningKept: 0.3,
    });
    const m = result.measured;
    expect(m.controls.map((c) => c.seed)).toEqual([1, 2, 3]);
    const means = m.controls.map((c) => c.meanPrevented!);
    expect(new Set(means).size).toBe(3); // three regions, three runs
    expect(result.claim).toContain('more than freezing each of 3 controls');
    // Compared with the strongest (here the random regions, as large as this region, prevent more than it does).
    const line = [...result.failures, ...result.successes].find((l) => l.includes('the strongest of 3 controls'));
    expect(line).toContain(`(means ${means.map((x) => x.toFixed(2)).join(', ')})`);
    // The one shown and compared is the strongest.
    const shown = Object.values(m.control!.retained).reduce((a, r) => a + r.forgettingPrevented!, 0) / RUN.retain.length;
    expect(shown).toBeCloseTo(Math.max(...means), 12);
  });

  test('the runs are cached on disk: asking again trains nothing', async ({ subject }) => {
    const runs = () => readdirSync(join(options.cacheDir, 'results')).filter((f) => f.startsWith('further-'));
    const assertion = () => expect(subject).toRetainAfterFrozenPretrain({ ...RUN, freeze: latinCompetence(subject), minPrevented: 0.5, minLearningKept: 0.3 });
    await assertion();
    const files = runs();
    const started = Date.now();
    await assertion();
    expect(runs()).toEqual(files);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('negative controls', () => {
  test('freezing nothing prevents nothing', async ({ subject }) => {
    await expect(subject).not.toRetainAfterFrozenPretrain({ ...RUN, freeze: nothing(subject), minPrevented: 0.5, minLearningKept: 0.3 });
  });

  test('a region that prevents no more than its control fails the control condition', async ({ subject }) => {
    const region = latinCompetence(subject);
    const error = await expect(subject)
      .toRetainAfterFrozenPretrain({ ...RUN, freeze: region, control: region, minPrevented: 0.5, minLearningKept: 0.3 })
      .then(() => null, (err: Error) => err);
    expect(error?.message).toContain(': the control did as well');
  });

  test('a retained language without an evaluation text is a usage error', async ({ subject }) => {
    await expect(expect(subject).toRetainAfterFrozenPretrain({ ...RUN, retain: ['fr'], freeze: nothing(subject) })).rejects.toThrow(
      'no evaluation text for retained language "fr"',
    );
  });
});

describe('forgetting curves for the report', () => {
  test('curveSteps spreads the evaluations evenly over [0, steps], both ends included', () => {
    expect(curveSteps(20, 5)).toEqual([0, 5, 10, 15, 20]);
    expect(curveSteps(100, 2)).toEqual([0, 100]);
    expect(curveSteps(3, 10)).toEqual([0, 1, 2, 3]);
    expect(curveSteps(10, 4)).toEqual([0, 3, 7, 10]);
  });

  test('the result records every run at every evaluated step', async ({ subject }) => {
    const result = await measureFrozenPretrain(subject, {
      ...RUN,
      freeze: latinCompetence(subject),
      controls: [nothing(subject)],
      minPrevented: 0.5,
      aggregate: 'every',
      minLearningKept: 0.3,
      curvePoints: 3,
    });
    const curves = result.measured.curves as Record<string, { points: { step: number; perplexity: Record<string, { ppl: number }> }[] }>;
    expect(Object.keys(curves).sort()).toEqual(['baseline', 'control', 'frozen']);
    for (const curve of Object.values(curves)) {
      expect(curve.points.map((p) => p.step)).toEqual([0, 10, 20]);
      expect(Object.keys(curve.points[0]!.perplexity).sort()).toEqual(['en', 'es', 'zh', 'zh (held-out)']); // zh's held-out documentation too (heldoutTexts)
    }
    // Every run starts from the same model; without freezing, English has risen by the end.
    expect(curves.frozen!.points[0]!.perplexity.en!.ppl).toBe(curves.baseline!.points[0]!.perplexity.en!.ppl);
    expect(curves.baseline!.points[2]!.perplexity.en!.ppl).toBeGreaterThan(curves.baseline!.points[0]!.perplexity.en!.ppl);
  });
});
