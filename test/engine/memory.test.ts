import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readModelConfig } from '../../src/checkpoint/config.js';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { assertFits, parameterCount } from '../../src/engine/memory.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/models/polyglot-v2');

describe('assertFits', () => {
  const config = readModelConfig(join(FIXTURE, 'config.json'));

  test('counts parameters from config.json as the loaded checkpoint has them; tied embeddings once', () => {
    const loaded = [...loadCheckpoint(FIXTURE).weights.values()].reduce((n, w) => n + w.data.length, 0);
    expect(parameterCount(config)).toBe(loaded);
    expect(config.tieWordEmbeddings).toBe(false);
    expect(parameterCount({ ...config, tieWordEmbeddings: true })).toBe(loaded - config.vocabSize * config.hiddenSize);
  });

  test('a checkpoint too large for the memory available fails before loading, naming it, its parameters and the memory it needs', () => {
    expect(() => assertFits(FIXTURE, config, { copies: 1, tokens: 1024, available: 1e6 })).toThrow(
      new RegExp(`^${FIXTURE}: [\\d,]+ parameters need 0\\.0 GiB as float32 \\(one copy\\) plus about 0\\.0 GiB of activations for 1024 tokens, more than the 0\\.0 GiB this machine has available$`),
    );
    expect(() => assertFits(FIXTURE, config, { copies: 2, tokens: 1024, available: 2 ** 34 })).not.toThrow();
  });
});
