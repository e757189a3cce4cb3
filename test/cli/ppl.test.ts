import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { saveRegion } from '../../src/regions/io.js';
import { makeFixture, runCli, TEXTS, type CliFixture } from './helpers.js';

let fx: CliFixture;
beforeAll(() => {
  fx = makeFixture();
});
afterAll(() => fx.remove());
afterEach(() => vi.unstubAllEnvs());

const pplArgs = (...extra: string[]) => ['ppl', '--checkpoint', fx.checkpoint, '--texts', fx.texts, '--backend', 'cpu', ...extra];

describe('regions ppl', { timeout: 60_000 }, () => {
  it('--json prints backend, checkpoint, settings and one entry per language', async () => {
    const run = await runCli(pplArgs('--seq-len', '16', '--max-tokens', '40', '--json'));
    expect(run.stderr).not.toMatch(/^regions:/m);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(Object.keys(json)).toEqual(['backend', 'checkpoint', 'seq_len', 'max_tokens', 'zeroed', 'transfers', 'languages']);
    expect(json.zeroed).toBeNull();
    expect(json.transfers).toBeNull(); // no device: nothing moved between host and GPU
    expect(json.backend).toEqual({ name: 'cpu', device: expect.any(String) });
    expect(json.checkpoint).toBe(fx.checkpoint);
    expect(json.seq_len).toBe(16);
    expect(json.max_tokens).toBe(40);
    expect(Object.keys(json.languages)).toEqual(Object.keys(TEXTS).sort());
    for (const result of Object.values(json.languages) as Record<string, number>[]) {
      expect(Object.keys(result)).toEqual(['tokens', 'mean_nll', 'ppl', 'bits_per_byte']);
      expect(result.tokens).toBeGreaterThan(0);
      expect(result.tokens).toBeLessThanOrEqual(40);
      // A random-init model over 258 ids is close to uniform: ppl near 258, NLL near ln 258.
      expect(result.ppl).toBeCloseTo(Math.exp(result.mean_nll!), 6);
      expect(result.mean_nll).toBeGreaterThan(Math.log(258) - 0.5);
      expect(result.mean_nll).toBeLessThan(Math.log(258) + 0.5);
      expect(result.bits_per_byte).toBeGreaterThan(0);
    }
  });

  it("--texts udhr scores the built-in UDHR texts; a folder that does not exist is a usage error naming it", async () => {
    const run = await runCli(['ppl', '--checkpoint', fx.checkpoint, '--texts', 'udhr', '--languages', 'en,sw', '--max-tokens', '16', '--seq-len', '16', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(Object.keys(JSON.parse(run.stdout).languages)).toEqual(['en', 'sw']);
    const missing = await runCli(['ppl', '--checkpoint', fx.checkpoint, '--texts', 'no-such-folder']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--texts.*must name an existing folder \(or udhr\)/);
  });

  it('--zero sets a region file’s entries to 0 while scoring: zeroing the final norm makes every next token uniform', async () => {
    const file = join(fx.root, 'final-norm.safetensors');
    const shape = [32];
    const masks = new Map([['model.norm.weight', { shape, data: new Uint8Array(32).fill(1) }]]);
    saveRegion(file, { kind: 'custom', fraction: 1, languages: [], masks, counts: new Map([['model.norm.weight', 32]]), seed: null, provenance: {} });
    const args = pplArgs('--languages', 'en', '--seq-len', '16', '--max-tokens', '40', '--json');
    const zeroed = JSON.parse((await runCli([...args, '--zero', file])).stdout);
    expect(zeroed.zeroed).toEqual({ file, kind: 'custom', fraction: 1, languages: [], entries: 32, weights: 1 });
    expect(zeroed.languages.en.mean_nll).toBeCloseTo(Math.log(258), 5); // h = 0 → logits 0 → uniform over 258 ids
    const plain = JSON.parse((await runCli(args)).stdout);
    expect(plain.languages.en.mean_nll).not.toBeCloseTo(Math.log(258), 3);
    const bad = await runCli([...args, '--zero', join(fx.root, 'missing.safetensors')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--zero.*must name an existing file/);
  });

  it('is deterministic: two runs print the same JSON', async () => {
    const args = pplArgs('--languages', 'en,zh', '--seq-len', '8', '--max-tokens', '24', '--json');
    const first = await runCli(args);
    const second = await runCli(args);
    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(Object.keys(JSON.parse(first.stdout).languages)).toEqual(['en', 'zh']);
    expect(JSON.parse(first.stdout).max_tokens).toBe(24);
  });

  it('max_tokens is null without --max-tokens, and seq_len defaults to 128', async () => {
    const run = await runCli(pplArgs('--languages', 'de', '--json'));
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.max_tokens).toBeNull();
    expect(json.seq_len).toBe(128);
    // The byte tokenizer: one token per UTF-8 byte of the non-empty lines.
    expect(json.languages.de.tokens).toBe(new TextEncoder().encode(TEXTS.de!).length);
  });

  it('prints a table with a header naming backend, device and checkpoint', async () => {
    const run = await runCli(pplArgs('--seq-len', '16', '--max-tokens', '20'));
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^regions ppl · backend cpu \(.+\) · checkpoint /);
    expect(lines[0]).toContain(fx.checkpoint);
    expect(run.stdout).toMatch(/language\s+tokens\s+mean NLL\s+ppl\s+bits\/byte/);
    for (const lang of Object.keys(TEXTS)) expect(run.stdout).toMatch(new RegExp(`^${lang}\\s+20\\s+\\d+\\.\\d{4}\\s+\\d+\\.\\d{2}\\s+\\d+\\.\\d{4}$`, 'm'));
  });

  it('frees every tensor it makes', async () => {
    await runCli(pplArgs('--languages', 'en', '--max-tokens', '10', '--json')); // backend started
    const before = tf.memory().numTensors;
    const run = await runCli(pplArgs('--languages', 'en', '--max-tokens', '10', '--json'));
    expect(run.code).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('draws progress on stderr with REGIONS_PROGRESS=1, keeping stdout pure JSON', async () => {
    vi.stubEnv('REGIONS_PROGRESS', '1');
    const run = await runCli(pplArgs('--languages', 'en', '--max-tokens', '10', '--json'));
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).languages.en.tokens).toBe(10);
    expect(run.stderr).toMatch(/loading .*100% \d+\/\d+ weights/);
    expect(run.stderr).toMatch(/scoring en \(1\/1\) .*100% 1\/1 windows/);
  });
});
