/**
 * `regions plan`: each job's peak memory (the one memory model) and time (operations at a measured rate), what does
 * not fit or takes longer than a day, and the cheaper setting — from config.json alone.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseModelConfig, readModelConfig } from '../../src/checkpoint/config.js';
import { estimateSeconds, forwardFlopsPerToken, matmulFlopsPerToken } from '../../src/engine/cost.js';
import { parameterCount } from '../../src/engine/memory.js';
import { formatDuration, planDefaults, planJobs } from '../../src/plan/plan.js';
import { runCli } from '../cli/helpers.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/models/polyglot-v2');
const GiB = 2 ** 30;
const llama = (raw: Record<string, unknown>) => parseModelConfig({ model_type: 'llama', ...raw });
/** Llama-2-7B's public shape. */
const LLAMA_7B = llama({ hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 32, intermediate_size: 11008, vocab_size: 32000, tie_word_embeddings: false });
const TINYLLAMA = llama({ hidden_size: 2048, num_hidden_layers: 22, num_attention_heads: 32, num_key_value_heads: 4, intermediate_size: 5632, vocab_size: 32000, tie_word_embeddings: false });

describe('the operation count', () => {
  test("2 × the weights' matrix products per token (embeddings a lookup), plus the attention's two over the window", () => {
    const config = readModelConfig(join(FIXTURE, 'config.json'));
    const embedding = config.vocabSize * config.hiddenSize; // the fixture is untied: its LM head is a product, its embedding not
    expect(matmulFlopsPerToken(config)).toBe(2 * (parameterCount(config) - embedding - (2 * config.numLayers + 1) * config.hiddenSize));
    expect(forwardFlopsPerToken(config, 128) - matmulFlopsPerToken(config)).toBe(4 * config.numLayers * 128 * config.hiddenSize);
    // Gradient tokens cost three forward passes' operations, at a lower efficiency.
    const forward = estimateSeconds(config, { forwardTokens: 1e6, gradientTokens: 0, seqLen: 128 }, 100);
    expect(estimateSeconds(config, { forwardTokens: 0, gradientTokens: 1e6, seqLen: 128 }, 100)).toBeGreaterThan(3 * forward);
  });
});

describe('planJobs', () => {
  const machine = { available: 21.7 * GiB, gflops: 200 };

  test('the fixture: every job fits and takes seconds', () => {
    const rows = planJobs(readModelConfig(join(FIXTURE, 'config.json')), planDefaults(), machine);
    expect(rows.map((r) => r.job)).toEqual([
      'regions ppl (30 languages × 2,048 tokens)',
      'regions importance (one language, 16,384 tokens)',
      "the specs' warm-up (baseline of 30 languages; importance of 6 region languages × 16,384 tokens, the maps held)",
      'one perturbation measured (30 languages × 2,048 tokens; a finding measures a few)',
      'one further pre-training run (finding 4: 200 steps × 8 windows; it runs three)',
    ]);
    for (const r of rows) {
      expect(r.fits, r.job).toBe(true);
      expect(r.problem, r.job).toBeNull();
      expect(r.seconds, r.job).toBeLessThan(60);
    }
  });

  test('a 7B checkpoint on 21.7 GiB: nothing fits, at any setting the plan tries (its weights alone are 25.1 GiB)', () => {
    const rows = planJobs(LLAMA_7B, planDefaults(), machine);
    for (const r of rows) {
      expect(r.fits, r.job).toBe(false);
      expect(r.problem).toMatch(/^needs \d+\.\d GiB, 21\.7 GiB available$/);
      expect(r.cheaper).toMatch(/^none on this machine: even 1 window a pass(, one pass)?(, one region language)? needs (2[5-9]|[3-9]\d|\d{3})\.\d GiB$/);
    }
  });

  test('TinyLlama-1.1B: ppl and importance fit on 21.7 GiB; on 16 and 14 GiB importance fits in ever more slices, which cost time', () => {
    const rows = planJobs(TINYLLAMA, planDefaults(), machine);
    expect(rows.find((r) => r.job.startsWith('regions ppl'))!.fits).toBe(true);
    const importance = (available: number) => planJobs(TINYLLAMA, planDefaults(), { ...machine, available }).find((r) => r.job.startsWith('regions importance'))!;
    const [at21, at16, at14] = [importance(machine.available), importance(16 * 2 ** 30), importance(14 * 2 ** 30)];
    expect(at21.memory.parts.map((p) => p.what)).toContain('the allocator\'s growth over 17 passes (measured: docs/performance.md, "Memory and plan")');
    for (const r of [at21, at16, at14]) expect(r.fits).toBe(true);
    expect(at16.slices).toBeGreaterThan(at21.slices);
    expect(at14.slices).toBeGreaterThan(at16.slices);
    expect(at16.seconds).toBeGreaterThan(at21.seconds);
    expect(at14.memory.total).toBeLessThanOrEqual(14 * 2 ** 30);
  });

  test('a job longer than a day names the setting that would take about an hour', () => {
    const slow = planJobs(TINYLLAMA, { ...planDefaults(), importanceTokens: 10_000_000 }, { available: 1e15, gflops: 50 });
    const importance = slow.find((r) => r.job.startsWith('regions importance'))!;
    expect(importance.seconds).toBeGreaterThan(86_400);
    expect(importance.problem).toMatch(/^about \d+\.\d days$/);
    const tokens = Number(/^--max-tokens ([\d,]+) \(about 1 h\)$/.exec(importance.cheaper!)![1]!.replace(/,/g, ''));
    const hour = planJobs(TINYLLAMA, { ...planDefaults(), importanceTokens: tokens }, { available: 1e15, gflops: 50 }).find((r) => r.job.startsWith('regions importance'))!;
    expect(hour.seconds).toBeGreaterThan(3000);
    expect(hour.seconds).toBeLessThan(4200);
  });

  test('durations read as a person would say them', () => {
    expect([formatDuration(12), formatDuration(600), formatDuration(7200), formatDuration(3 * 86_400)]).toEqual(['12 s', '10 min', '2.0 h', '3.0 days']);
  });
});

describe('regions plan', () => {
  test('measures this machine and prints the jobs, as a table and as JSON', async () => {
    const json = await runCli(['plan', '--checkpoint', FIXTURE, '--threads', '1', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const plan = JSON.parse(json.stdout) as { parameters: number; machine: { matmul: { gflops: number } }; jobs: { fits: boolean; seconds: number }[] };
    expect(plan.parameters).toBe(857_728);
    expect(plan.machine.matmul.gflops).toBeGreaterThan(1);
    expect(plan.jobs).toHaveLength(5);
    const text = await runCli(['plan', '--checkpoint', FIXTURE, '--threads', '1', '--max-tokens', '512']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^regions plan · .* · 857,728 parameters \(llama, 4 layers, d 128, vocab 258\)\n/);
    expect(text.stdout).toContain('regions ppl (30 languages × 512 tokens)');
    expect(text.stdout).toMatch(/float32 MatMul \d+ GFLOP\/s on 1 thread/);
  }, 60_000);

  test('a folder without config.json is refused, naming it', async () => {
    const r = await runCli(['plan', '--checkpoint', import.meta.dirname]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('config.json');
  });
});
