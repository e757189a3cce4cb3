/**
 * Every cache key holds every input that changes the result: change one — the token windows (through
 * tokenizer_config.json's BOS), the thread count, the batch size, the code revision — and the subject
 * recomputes (a new cache file appears) instead of reading another input's number back. Importance too.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { REVISIONS } from '../../src/cache/key.js';
import { checkpointHash } from '../../src/checkpoint/hash.js';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { openForward, plannedEngine } from '../../src/engine/select.js';
import { cachedImportance } from '../../src/importance/cache.js';
import type { ResolvedRegionsOptions } from '../../src/subject/options.js';
import { openSubject } from '../../src/findings/subject.js';
import { loadTokenizer } from '../../src/tokenizer/tokenizer.js';
import { competent } from './helpers/instruments.js';
import { instrumentOptions } from './helpers/options.js';

const instrument = await competent();
const scratch = () => mkdtempSync(join(tmpdir(), 'regions-keys-'));

/** ONNX Runtime on the instrument, caching into `cacheDir`. */
const options = (cacheDir: string, extra: Partial<ResolvedRegionsOptions> = {}): ResolvedRegionsOptions => ({
  ...instrumentOptions(instrument, { languages: ['en'] }),
  backend: 'ort-cpu',
  threads: 2,
  cacheDir,
  ...extra,
});

/** The perplexity cache files in a cache folder. */
const perplexityFiles = (cacheDir: string) => readdirSync(join(cacheDir, 'results')).filter((f) => f.startsWith('perplexity-'));

/** Measures en's baseline perplexity on a fresh subject and says whether it was computed (a new cache file) or read. */
async function measured(o: ResolvedRegionsOptions): Promise<{ computed: boolean; ppl: number }> {
  let before: string[] = [];
  try {
    before = perplexityFiles(o.cacheDir);
  } catch {
    // no cache folder yet
  }
  const subject = await openSubject(o);
  try {
    const ppl = (await subject.baseline(['en'])).en!.ppl;
    return { computed: perplexityFiles(o.cacheDir).length > before.length, ppl };
  } finally {
    await subject.close();
  }
}

const revision = REVISIONS.perplexity;
afterEach(() => void ((REVISIONS as { perplexity: number }).perplexity = revision));

describe('perplexity: a changed input is recomputed, never read from another input\'s entry', () => {
  test('the same inputs are read back', async () => {
    const cacheDir = scratch();
    expect((await measured(options(cacheDir))).computed).toBe(true);
    expect((await measured(options(cacheDir))).computed).toBe(false);
  });

  test('windows: tokenizer_config.json decides BOS where config.json names none', async () => {
    const cacheDir = scratch();
    const copy = (bos: string) => {
      const dir = scratch();
      cpSync(instrument.checkpoint, dir, { recursive: true });
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
      delete config.bos_token_id;
      writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
      writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ bos_token: bos, eos_token: '</s>' }));
      return dir;
    };
    const a = await measured(options(cacheDir, { checkpoint: copy('<s>') }));
    const b = await measured(options(cacheDir, { checkpoint: copy('</s>') }));
    expect([a.computed, b.computed]).toEqual([true, true]);
    expect(b.ppl).not.toBe(a.ppl);
  });

  test('threads, batch size and the code revision', async () => {
    const cacheDir = scratch();
    expect((await measured(options(cacheDir))).computed).toBe(true);
    expect((await measured(options(cacheDir, { threads: 1 }))).computed).toBe(true);
    expect((await measured(options(cacheDir, { batchSize: 3 }))).computed).toBe(true);
    (REVISIONS as { perplexity: number }).perplexity = revision + 1;
    expect((await measured(options(cacheDir))).computed).toBe(true);
  });
});

describe('importance: a changed input is recomputed', () => {
  test('the thread count and the batch size (the CLI and the subject key the same way)', async () => {
    const cacheDir = scratch();
    const dir = instrument.checkpoint;
    const ckpt = loadCheckpoint(dir);
    const tokenizer = loadTokenizer(join(dir, 'tokenizer.json'), { bosId: ckpt.config.bosTokenId, eosId: ckpt.config.eosTokenId });
    const input = { language: 'en', checkpointHash: checkpointHash(dir), text: 'Hello world. '.repeat(40), tokenizer };
    const shapes = new Map([...ckpt.weights].map(([n, w]) => [n, w.shape]));
    const sources: string[] = [];
    for (const [threads, batchSize] of [[2, 4], [2, 4], [1, 4], [2, 2]] as const) {
      const opened = await openForward(ckpt.config, ckpt.weights, 'ort-cpu', { threads });
      try {
        const engine = { shapes, engine: await plannedEngine('ort-cpu', threads), start: async () => opened.model as never };
        const r = await cachedImportance(engine, input, { cacheDir, seqLen: 32, maxTokens: 256, batchSize });
        sources.push(r.source);
      } finally {
        await opened.close();
      }
    }
    expect(sources).toEqual(['computed', 'cache', 'computed', 'computed']);
  });
});
