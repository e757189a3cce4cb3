/**
 * Measurements that overlap on one subject — `Promise.all`, `test.concurrent`, a timed-out test still running
 * in the background — give the numbers each gives alone, bit for bit, leave the model's weights bit-identical,
 * and write only their own numbers to the disk cache. On ONNX Runtime, what users and the specs run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { HostTensor } from '../../src/checkpoint/types.js';
import { zeroRegion } from '../../src/perturb/index.js';
import { furtherPretrain } from '../../src/train/further.js';
import { measureZeroing } from '../../src/findings/measure/zeroing.js';
import type { ResolvedRegionsOptions } from '../../src/subject/options.js';
import { openSubject, type RegionsSubject } from '../../src/findings/subject.js';
import { competent } from './helpers/instruments.js';
import { instrumentOptions } from './helpers/options.js';

const instrument = await competent();
const LANGUAGES = ['en', 'es', 'ru'];

/** ONNX Runtime, 2 threads, a fresh cache folder (or none). */
function options(cache: boolean): ResolvedRegionsOptions {
  return { ...instrumentOptions(instrument), backend: 'ort-cpu', threads: 2, cache, cacheDir: mkdtempSync(join(tmpdir(), 'regions-overlap-')) };
}

/** Every weight's bits, by name. */
async function bits(subject: RegionsSubject): Promise<Map<string, Uint32Array>> {
  const out = new Map<string, Uint32Array>();
  for (const name of subject.model.weightNames()) out.set(name, new Uint32Array(Float32Array.from(await subject.model.readWeight(name)).buffer));
  return out;
}

/** Five steps of further pre-training on ru from the subject's weights: reads every weight, as the training finding does. */
async function train(subject: RegionsSubject): Promise<number[]> {
  const weights: Map<string, HostTensor> = await subject.hostWeights();
  const curve = await furtherPretrain(subject.config, weights, {
    tokenizer: subject.tokenizer,
    train: { language: 'ru', text: subject.trainText('ru') },
    evaluate: [{ language: 'en', text: subject.texts.get('en')! }],
    steps: 5,
    batch: 2,
    seqLen: subject.seqLen,
    evalMaxTokens: 256,
    evalAt: [5],
    seed: 1,
    threads: 2,
  });
  return [...curve.trainLoss, curve.points[0]!.perplexity.en!.ppl];
}

/** The mixed operations, by name; `top` and `random` are regions chosen beforehand. */
function operations(subject: RegionsSubject, top: Awaited<ReturnType<RegionsSubject['region']>>, random: typeof top) {
  return {
    zeroTop: () => subject.perplexity(zeroRegion(top), LANGUAGES),
    zeroRandom: () => subject.perplexity(zeroRegion(random), LANGUAGES),
    baseline: () => subject.baseline(LANGUAGES),
    importance: async () => Array.from((await subject.importance('es')).scores.get('model.layers.0.mlp.down_proj.weight')!.data),
    massive: () => subject.massiveActivations(),
    training: () => train(subject),
    matcher: () => measureZeroing(subject, top, { languages: LANGUAGES, minRatio: 2, control: 'random', controlMaxRatio: 1.2, seed: 3, controlCount: 1, assertOn: 'estimate' }),
  };
}

describe('overlapping measurements on one subject', () => {
  for (const cache of [false, true]) {
    test(`Promise.all over perturbed perplexities, the baseline, importance, a detector, training and a matcher equals each alone (cache ${cache ? 'on' : 'off'})`, async () => {
      // Alone: a subject that runs each operation after the other.
      const first = await openSubject(options(false));
      const top = await first.region({ kind: 'top', fraction: 0.05 });
      const random = await first.region({ kind: 'random', fraction: 0.05, seed: 7 });
      const alone: Record<string, unknown> = {};
      for (const [name, run] of Object.entries(operations(first, top, random))) alone[name] = await run();
      await first.close();
      // The top region hurts: the two perplexities a shared model would mix up are far apart.
      const ratio = (alone.zeroTop as Record<string, { ppl: number }>).en!.ppl / (alone.baseline as Record<string, { ppl: number }>).en!.ppl;
      expect(ratio).toBeGreaterThan(1.5);

      // Together, on a fresh subject: every operation at once, then the baseline again.
      const o = options(cache);
      const subject = await openSubject(o);
      const before = await bits(subject);
      const ops = operations(subject, top, random);
      const names = Object.keys(ops);
      const together = await Promise.all(names.map((name) => ops[name as keyof typeof ops]()));
      names.forEach((name, i) => expect(together[i], name).toEqual(alone[name]));
      expect(await subject.baseline(LANGUAGES)).toEqual(alone.baseline);
      expect(await bits(subject)).toEqual(before);
      await subject.close();

      if (cache) {
        // What the overlapping run wrote to the disk cache is each measurement's own number.
        const again = await openSubject(o);
        expect(await again.perplexity(zeroRegion(top), LANGUAGES)).toEqual(alone.zeroTop);
        expect(await again.perplexity(zeroRegion(random), LANGUAGES)).toEqual(alone.zeroRandom);
        expect(await again.baseline(LANGUAGES)).toEqual(alone.baseline);
        await again.close();
      }
    }, 120_000);
  }
});
