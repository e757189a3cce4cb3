/**
 * openSubject checks memory before it reads a weight: what the subject will hold — the weights, one
 * importance map per region language, one importance pass — against what this process may take, the
 * cgroup's limit where it is below MemAvailable.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { availableMemory, type MemorySources } from '../../src/engine/memory.js';
import { resolveRegionsOptions } from '../../src/subject/options.js';
import { openSubject } from '../../src/findings/subject.js';

const GiB = 2 ** 30;

/** A folder with SmolLM2-135M's config.json and no weights: loading it would fail, so a refusal came first. */
function configOnly(): { checkpoint: string; texts: string } {
  const root = mkdtempSync(join(tmpdir(), 'regions-subject-memory-'));
  const checkpoint = join(root, 'smollm2-135m');
  mkdirSync(checkpoint);
  writeFileSync(
    join(checkpoint, 'config.json'),
    JSON.stringify({
      model_type: 'llama', vocab_size: 49152, hidden_size: 576, intermediate_size: 1536, num_hidden_layers: 30, num_attention_heads: 9,
      num_key_value_heads: 3, max_position_embeddings: 8192, rms_norm_eps: 1e-5, rope_theta: 100000, tie_word_embeddings: true,
      bos_token_id: 1, eos_token_id: 2, hidden_act: 'silu',
    }),
  );
  const texts = join(root, 'texts');
  mkdirSync(texts);
  writeFileSync(join(texts, 'en.txt'), 'The cat sat on the mat.\n');
  return { checkpoint, texts };
}

/** A container: the host has 64 GiB available, the cgroup allows 6 GiB and this process uses 2 GiB of it. */
const container: MemorySources = {
  meminfo: () => `MemTotal:       67108864 kB\nMemAvailable:   ${64 * 1024 * 1024} kB\n`,
  constrained: () => 6 * GiB,
  cgroupFile: () => undefined,
  rss: () => 2 * GiB,
  total: () => 64 * GiB,
};

describe('openSubject: memory', () => {
  const { checkpoint, texts } = configOnly();
  const options = resolveRegionsOptions({ checkpoint, texts, languages: ['en'], backend: 'ort-cpu' }, { env: {} });

  test('a subject that would not fit is refused before a weight is read, naming the checkpoint, each part and what is available', async () => {
    await expect(openSubject(options, { available: availableMemory(container) })).rejects.toThrow(
      `${checkpoint}: 134,515,008 parameters: computing importance would hold 0.5 GiB for the weights as float32, 3.0 GiB for 6 importance maps held, ` +
        '0.5 GiB for the gradient sum, finished into the map, 1.7 GiB for the activations of a gradient pass over 8 windows of 128 tokens, ' +
        // Even with the gradients in the most slices tried.
        "0.1 GiB for one pass's gradients of the largest of 32 slices of the weights, ours and the engine's, at 50% (the two peak apart), " +
        '3.0 GiB for the allocator\'s growth over 17 passes (measured: docs/performance.md, "Memory and plan"), ' +
        '0.2 GiB for the runtime (Node, ONNX Runtime, the tokenizer, the texts); ' +
        "8.9 GiB in all, more than the 4.0 GiB this machine has available (the cgroup's limit of 6.0 GiB less 2.0 GiB in use). " +
        `\`regions plan --checkpoint ${checkpoint}\` lists settings that fit`,
    );
  });

  test('one that fits goes on to load the checkpoint (here: no weights to load)', async () => {
    await expect(openSubject(options, { available: 10 * GiB })).rejects.toThrow(/safetensors/);
  });
});

describe('availableMemory', () => {
  const host = (extra: Partial<MemorySources>): MemorySources => ({ ...container, constrained: () => undefined, ...extra });

  test('the cgroup limit from process.constrainedMemory(), less this process, wins where it is below MemAvailable', () => {
    expect(availableMemory(container)).toEqual({ bytes: 4 * GiB, source: "the cgroup's limit of 6.0 GiB less 2.0 GiB in use" });
    expect(availableMemory(host({ constrained: () => 100 * GiB }))).toEqual({ bytes: 64 * GiB, source: 'MemAvailable' });
  });

  test('no limit: constrainedMemory() of 0, undefined or ~2⁶⁴, memory.max of "max" — MemAvailable, else the total', () => {
    for (const constrained of [0, undefined, 18446744073709552000]) {
      expect(availableMemory(host({ constrained: () => constrained, cgroupFile: (f) => (f === 'memory.max' ? 'max\n' : undefined) }))).toEqual({ bytes: 64 * GiB, source: 'MemAvailable' });
    }
    expect(availableMemory(host({ meminfo: () => undefined, total: () => 16 * GiB }))).toEqual({ bytes: 16 * GiB, source: 'total memory' });
  });

  test('without constrainedMemory(): cgroup v2 memory.max less memory.current, or v1 limit_in_bytes less usage_in_bytes', () => {
    const files = (entries: Record<string, string>) => (f: string) => entries[f];
    expect(availableMemory(host({ cgroupFile: files({ 'memory.max': `${3 * GiB}\n`, 'memory.current': `${GiB}\n` }) }))).toEqual({
      bytes: 2 * GiB,
      source: "the cgroup's limit of 3.0 GiB less 1.0 GiB in use",
    });
    const v1 = { 'memory/memory.limit_in_bytes': `${5 * GiB}\n`, 'memory/memory.usage_in_bytes': `${GiB / 2}\n` };
    expect(availableMemory(host({ cgroupFile: files(v1) })).bytes).toBe(4.5 * GiB);
    // v1 without a limit writes ~2⁶³.
    expect(availableMemory(host({ cgroupFile: files({ 'memory/memory.limit_in_bytes': '9223372036854771712\n' }) })).source).toBe('MemAvailable');
  });
});
