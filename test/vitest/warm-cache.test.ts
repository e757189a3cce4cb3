/**
 * The cache warm-up of the plugin's global setup (src/vitest/warm-cache.ts): on ONNX Runtime's CPU provider
 * the region languages' importance is computed in child processes side by side, and each map must be the
 * one this process computes alone, to the bit; a child's failure must reach the caller with its message.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { FIXTURE_OPTIONS } from '../../specs/options.js';
import { resolveRegionsOptions } from '../../src/subject/options.js';
import { parseModelConfig } from '../../src/checkpoint/config.js';
import { openSubject, type RegionsSubject } from '../../src/findings/subject.js';
import { dealLanguages, importanceProcesses, importanceProgressLine, warmRegionsCache } from '../../src/subject/warm-cache.js';
import { competent } from './helpers/instruments.js';
import { instrumentOptions } from './helpers/options.js';

test('languages are dealt round-robin, every one once', () => {
  expect(dealLanguages(['ar', 'es', 'ru', 'zh', 'ko', 'vi'], 2)).toEqual([['ar', 'ru', 'ko'], ['es', 'zh', 'vi']]);
  expect(dealLanguages(['ar', 'es', 'ru'], 1)).toEqual([['ar', 'es', 'ru']]);
});

test('processes: two sharing 2 cores for a small model, one per `threads` cores otherwise, capped by languages and memory', () => {
  const shape = (config: Record<string, number>) => parseModelConfig({ model_type: 'llama', max_position_embeddings: 2048, ...config });
  const fixture = shape({ vocab_size: 258, hidden_size: 128, intermediate_size: 344, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 4 });
  // TinyLlama-1.1B's shape: 4.4 GB a float32 copy.
  const tinyllama = shape({ vocab_size: 32000, hidden_size: 2048, intermediate_size: 5632, num_hidden_layers: 22, num_attention_heads: 32, num_key_value_heads: 4 });
  const six = ['ar', 'es', 'ru', 'zh', 'ko', 'vi'];
  const subject = (config: typeof fixture, engine = 'ort-cpu', regionLanguages = six) =>
    ({ engine: { name: engine }, options: { regionLanguages, threads: 2, batchSize: 8, importanceTokens: 16_384 }, config, seqLen: 128 }) as unknown as RegionsSubject;
  const plenty = 2 ** 40;
  expect(importanceProcesses(subject(fixture), { cores: 2, available: plenty })).toBe(2);
  expect(importanceProcesses(subject(fixture), { cores: 16, available: plenty })).toBe(6); // 8 by cores, 6 languages
  expect(importanceProcesses(subject(fixture, 'ort-cpu', ['ar']), { cores: 2, available: plenty })).toBe(1);
  expect(importanceProcesses(subject(fixture, 'ort-webgpu'), { cores: 16, available: plenty })).toBe(1);
  expect(importanceProcesses(subject(fixture, 'wasm'), { cores: 16, available: plenty })).toBe(1);
  expect(importanceProcesses(subject(tinyllama), { cores: 2, available: plenty })).toBe(1); // large: no sharing of 2 cores
  expect(importanceProcesses(subject(tinyllama), { cores: 16, available: plenty })).toBe(6);
  // Each child holds its weights, the gradient sum and one pass's gradients twice, its activations and the allocator's
  // growth over its 17 passes (20.3 GiB at TinyLlama's size, src/engine/memory.ts): 24 and 40 GiB hold one, 41 two, 100 four.
  expect(importanceProcesses(subject(tinyllama), { cores: 16, available: 24 * 2 ** 30 })).toBe(1);
  expect(importanceProcesses(subject(tinyllama), { cores: 16, available: 40 * 2 ** 30 })).toBe(1);
  expect(importanceProcesses(subject(tinyllama), { cores: 16, available: 41 * 2 ** 30 })).toBe(2);
  expect(importanceProcesses(subject(tinyllama), { cores: 16, available: 100 * 2 ** 30 })).toBe(4);
});

test('the warm-up says how far importance is and how long it has left, at the rate so far', () => {
  const board = new Map([
    ['ar', { done: 200, total: 800 }],
    ['es', { done: 100, total: 800 }],
  ]);
  // 300 of 1,600 windows in 60 s: 1,300 left at 5 windows/s is 260 s.
  expect(importanceProgressLine(board, 60_000)).toBe('importance: ar 200/800, es 100/800 windows (19% of 1,600), about 4 min left');
  expect(importanceProgressLine(new Map([['ar', { done: 0, total: 800 }]]), 5_000)).toBe('importance: ar 0/800 windows (0% of 800), time left not yet known');
  expect(importanceProgressLine(new Map([['ar', { done: 790, total: 800 }]]), 79_000)).toBe('importance: ar 790/800 windows (99% of 800), about 1 s left');
});

test('a computing subject reports its importance windows as they are done; a cached one reports none', async () => {
  const instrument = await competent();
  const options = resolveRegionsOptions({ checkpoint: instrument.checkpoint, texts: instrument.texts, trainTexts: instrument.trainTexts, regionLanguages: ['en'], languages: ['en'], importanceTokens: 512, cacheDir: mkdtempSync(join(tmpdir(), 'regions-progress-')) }, { env: {} });
  const seen: [string, number, number][] = [];
  for (const round of [0, 1]) {
    const subject = await openSubject(options);
    const stop = subject.onImportanceProgress((l, done, total) => seen.push([l, done, total]));
    try {
      await subject.importance('en');
    } finally {
      stop();
      await subject.close();
    }
    if (round === 0) {
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.at(-1)![1]).toBe(seen.at(-1)![2]);
      seen.length = 0;
    } else {
      expect(seen).toEqual([]);
    }
  }
});

test('importance warmed in two processes is bit-identical to importance computed here', async () => {
  // The shipped fixture, not an instrument: its matrices are large enough that ONNX Runtime's thread count
  // changes the gradients' bits, so a child that ran with another thread count than the subject's fails here.
  const options = resolveRegionsOptions(
    { ...FIXTURE_OPTIONS, importanceTokens: 2048, regionLanguages: ['ar', 'es', 'ru'], languages: ['ar', 'es', 'ru'], cacheDir: mkdtempSync(join(tmpdir(), 'regions-warm-')) },
    { env: {} },
  );
  await warmRegionsCache(options);
  const cached = await openSubject(options);
  const fresh = await openSubject({ ...options, cache: false });
  try {
    expect(importanceProcesses(cached)).toBeGreaterThanOrEqual(2); // the side-by-side path ran
    for (const language of options.regionLanguages) {
      const [a, b] = [await cached.importance(language), await fresh.importance(language)];
      expect([...a.scores.keys()]).toEqual([...b.scores.keys()]);
      for (const [name, s] of a.scores) expect(Buffer.from(s.data.buffer).equals(Buffer.from(b.scores.get(name)!.data.buffer)), `${language} ${name}`).toBe(true);
    }
  } finally {
    await cached.close();
    await fresh.close();
  }
}, 120_000);

test("a child's failure reaches the caller with the language and the child's message", async () => {
  const instrument = await competent();
  // No training text for qq: the child dealt en and qq computes en, then fails on qq.
  const options = instrumentOptions(instrument, { backend: 'ort-cpu', regionLanguages: ['en', 'es', 'qq'] });
  await expect(warmRegionsCache(options)).rejects.toThrow(
    `importance for en, qq: regions(): option "trainTexts": ${instrument.trainTexts}/qq.txt: no text for language "qq" (the folder has: en, es, ru, zh)`,
  );
}, 120_000);
