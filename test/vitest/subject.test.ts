/**
 * openSubject outside vitest fixtures: errors that name the option, caching in memory and on disk, and
 * that closing frees every tensor.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { generateCheckpoint } from '../../src/checkpoint/generate.js';
import { openOrtSessions } from '../../src/engine/onnx/ort-model.js';
import { regionOverlap } from '../../src/regions/overlap.js';
import { regionSize } from '../../src/regions/types.js';
import { resolveRegionsOptions } from '../../src/subject/options.js';
import { openSubject } from '../../src/findings/subject.js';
import { DEFAULT_THRESHOLDS } from '../../src/findings/thresholds.js';
import { competent } from './helpers/instruments.js';
import { instrumentOptions } from './helpers/options.js';

const instrument = await competent();
const scratch = () => mkdtempSync(join(tmpdir(), 'regions-subject-'));

describe('openSubject: errors name the option', () => {
  test('a checkpoint folder that does not exist, from the option or from REGIONS_CHECKPOINT', async () => {
    await expect(openSubject(instrumentOptions({ ...instrument, checkpoint: '/nowhere/model' }))).rejects.toThrow(
      'regions(): option "checkpoint": checkpoint folder not found: /nowhere/model',
    );
    const fromEnv = resolveRegionsOptions({ texts: instrument.texts }, { env: { REGIONS_CHECKPOINT: '/ci/missing' } });
    await expect(openSubject(fromEnv)).rejects.toThrow('regions(): environment variable REGIONS_CHECKPOINT: checkpoint folder not found: /ci/missing');
  });

  test('a folder without config.json, or a checkpoint without tokenizer.json', async () => {
    const empty = scratch();
    await expect(openSubject(instrumentOptions({ ...instrument, checkpoint: empty }))).rejects.toThrow(
      `regions(): option "checkpoint": ${empty} is not a checkpoint: config.json is missing`,
    );
    const noTokenizer = scratch();
    generateCheckpoint(noTokenizer, { seed: 1 });
    await expect(openSubject(instrumentOptions({ ...instrument, checkpoint: noTokenizer }))).rejects.toThrow(
      `regions(): option "checkpoint": ${noTokenizer} has no tokenizer.json`,
    );
  });

  test('missing texts, a language without a text, a bad thresholds file', async () => {
    await expect(openSubject(instrumentOptions({ ...instrument, texts: '/nowhere/eval' }))).rejects.toThrow(
      'regions(): option "texts": /nowhere/eval: texts folder not found',
    );
    await expect(openSubject(instrumentOptions(instrument, { languages: ['en', 'fr'] }))).rejects.toThrow(
      'regions(): option "languages": ' + join(instrument.texts, 'fr.txt') + ': no text for language "fr"',
    );
    const dir = scratch();
    cpSync(instrument.checkpoint, dir, { recursive: true });
    writeFileSync(join(dir, 'regions.thresholds.json'), JSON.stringify({ coreRegion: { minRatio: 'ten' } }));
    await expect(openSubject(instrumentOptions({ ...instrument, checkpoint: dir }))).rejects.toThrow(
      `regions(): option "thresholds": ${join(dir, 'regions.thresholds.json')}: coreRegion.minRatio: must be a number (got "ten")`,
    );
    writeFileSync(join(dir, 'regions.thresholds.json'), JSON.stringify({ monolingual: { expectedFor: { xx: 'does-not-hold' } } }));
    await expect(openSubject(instrumentOptions({ ...instrument, checkpoint: dir }, { regionLanguages: ['en', 'zh'] }))).rejects.toThrow(
      `regions(): option "thresholds": ${join(dir, 'regions.thresholds.json')}: monolingual.expectedFor.xx: "xx" is not a region language (en, zh)`,
    );
  });

  test('a region language without a training text fails when importance is first needed', async () => {
    const subject = await openSubject(instrumentOptions(instrument, { regionLanguages: ['en', 'fr'] }));
    try {
      await expect(subject.coreRegion(0.01)).rejects.toThrow(`regions(): option "trainTexts": ${join(instrument.trainTexts, 'fr.txt')}: no text for language "fr"`);
    } finally {
      await subject.close();
    }
  });
});

describe('openSubject: what it holds and caches', () => {
  test('thresholds default to the paper’s without a file; languages to every text', async () => {
    const subject = await openSubject(instrumentOptions(instrument, { languages: undefined }));
    try {
      expect(subject.thresholds).toEqual(DEFAULT_THRESHOLDS);
      expect(subject.thresholdsFile).toBeNull();
      expect(subject.languages).toEqual(['en', 'es', 'ru', 'zh']);
      expect(subject.engine.name).toBe('ort-cpu');
      expect(subject.label).toMatch(/^model \(sha256 [0-9a-f]{12}\)$/);
    } finally {
      await subject.close();
    }
  });

  test('on ONNX Runtime (auto): the same perplexities as on tfjs, perturbations restore the host arrays, close releases every session', async () => {
    const sessions = openOrtSessions();
    const onOrt = await openSubject(instrumentOptions(instrument, { backend: 'auto' }));
    const onTfjs = await openSubject(instrumentOptions(instrument, { backend: 'wasm' }));
    try {
      expect(onOrt.engine.name).toBe('ort-cpu');
      expect(onTfjs.engine.name).toBe('wasm');
      const p = { kind: 'norm', norm: 'input_layernorm', layer: 0, dim: 1, op: { type: 'scale', factor: 4 } } as const;
      const name = 'model.layers.0.input_layernorm.weight';
      const before = await onOrt.model.readWeight(name);
      const bits = new Uint32Array(before.slice().buffer);
      for (const [a, b] of [
        [await onOrt.baseline(), await onTfjs.baseline()],
        [await onOrt.perplexity(p), await onTfjs.perplexity(p)],
      ] as const) {
        for (const language of onOrt.languages) expect(Math.abs(a[language]!.ppl / b[language]!.ppl - 1)).toBeLessThan(1e-5);
      }
      // Importance on ONNX Runtime's gradient graph picks the same core region as on tfjs.
      const [a, b] = [await onOrt.coreRegion(0.03), await onTfjs.coreRegion(0.03)];
      expect((await onOrt.importance('en')).provenance.backend).toMatch(/^onnxruntime \d/);
      expect(regionOverlap(a, b).jaccard).toBeGreaterThanOrEqual(0.99);
      expect(await onOrt.model.readWeight(name)).toBe(before); // the very same array, put back
      expect(new Uint32Array((await onOrt.model.readWeight(name)).slice().buffer)).toEqual(bits);
    } finally {
      await onOrt.close();
      await onTfjs.close();
    }
    expect(openOrtSessions()).toBe(sessions);
  });

  test('baseline, importance and regions are computed once, cached on disk, and read back by a new subject', async () => {
    const options = instrumentOptions(instrument);
    const first = await openSubject(options);
    const baseline = await first.baseline();
    expect(await first.baseline()).toEqual(baseline);
    const core = await first.coreRegion(0.03);
    expect(await first.coreRegion(0.03)).toBe(core);
    const random = await first.region({ kind: 'random', fraction: 0.03, seed: 4 });
    expect(regionSize(random)).toBe(regionSize(core));
    expect([...random.counts]).toEqual([...core.counts]);
    await first.close();

    const files = () => ({ importance: readdirSync(join(options.cacheDir, 'importance')), results: readdirSync(join(options.cacheDir, 'results')) });
    const written = files();
    expect(written.importance).toHaveLength(3); // en, es, ru
    expect(written.results.filter((f) => f.startsWith('perplexity-'))).toHaveLength(3);

    const second = await openSubject(options);
    try {
      expect(await second.baseline()).toEqual(baseline);
      expect((await second.coreRegion(0.03)).masks).toEqual(core.masks);
      expect(files()).toEqual(written);
    } finally {
      await second.close();
    }
  });

  test('a damaged cache file is recomputed, not trusted', async () => {
    const options = instrumentOptions(instrument);
    const first = await openSubject(options);
    const baseline = await first.baseline(['en']);
    await first.close();
    const [file] = readdirSync(join(options.cacheDir, 'results'));
    writeFileSync(join(options.cacheDir, 'results', file!), '{"key": "other", "value": {"en": 1}}');
    const second = await openSubject(options);
    try {
      expect(await second.baseline(['en'])).toEqual(baseline);
    } finally {
      await second.close();
    }
    rmSync(options.cacheDir, { recursive: true });
  });

  test('closing frees every tensor it made; a closed subject refuses work', async () => {
    const before = tf.memory().numTensors;
    const subject = await openSubject(instrumentOptions(instrument));
    await subject.baseline();
    await subject.perplexity({ kind: 'norm', norm: 'input_layernorm', layer: 0, dim: 1, op: { type: 'scale', factor: 4 } });
    await subject.close();
    expect(tf.memory().numTensors).toBe(before);
    await expect(subject.baseline()).rejects.toThrow('was closed');
  });
});
