import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byteTokenizerJson, generateCheckpoint } from '../../src/checkpoint/generate.js';
import { saveCheckpoint } from '../../src/checkpoint/save.js';
import { UsageError } from '../../src/cli/args.js';
import { dimsCommand } from '../../src/cli/commands/dims.js';
import { saveRegion } from '../../src/regions/io.js';
import { configOf, plantColumn, randomRegion } from './helpers.js';

let root: string;
let checkpoint: string;
let texts: string;
let regionFile: string;
let foreignRegionFile: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'regions-cli-dims-'));
  checkpoint = join(root, 'checkpoint');
  // A tiny checkpoint whose embedding column 7 is 50 for every token: dim 7 is a massive-activation dim.
  const ckpt = generateCheckpoint(checkpoint, { seed: 41, tokenizer: 'bytes' });
  const embed = ckpt.weights.get('model.embed_tokens.weight')!;
  for (let id = 0; id < embed.shape[0]!; id++) embed.data[id * 32 + 7] = 50;
  saveCheckpoint(checkpoint, { config: ckpt.rawConfig, weights: ckpt.weights, tokenizerJson: byteTokenizerJson() });
  texts = join(root, 'texts');
  mkdirSync(texts);
  writeFileSync(join(texts, 'en.txt'), 'The cat sat on the mat.\nIt was a sunny day.\n');
  writeFileSync(join(texts, 'de.txt'), 'Die Katze saß auf der Matte.\n');
  // A region planted on hidden dim 19: column 19 of every reader.
  regionFile = join(root, 'region.safetensors');
  saveRegion(
    regionFile,
    randomRegion(ckpt.config, 0.02, 1, (name, shape, mask) => {
      if (/(q|k|v|gate|up)_proj\.weight$/.test(name)) plantColumn(mask, shape, 19);
    }),
  );
  foreignRegionFile = join(root, 'foreign.safetensors');
  saveRegion(foreignRegionFile, randomRegion(configOf({ hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2 }), 0.02, 2));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  await dimsCommand.execute(['--checkpoint', checkpoint, '--backend', 'cpu', ...args], {
    stdout: { write: (t: string) => (out.stdout += t) },
    stderr: { write: (t: string) => (out.stderr += t), isTTY: false },
  });
  return out;
}

describe('regions dims', { timeout: 60_000 }, () => {
  it('--region --json: the planted reader dim is flagged; no model is loaded', async () => {
    const { stdout } = await run('--region', regionFile, '--json');
    const json = JSON.parse(stdout);
    expect(Object.keys(json)).toEqual(['checkpoint', 'backend', 'region', 'activations']);
    expect(json.backend).toBeNull();
    expect(json.activations).toBeNull();
    expect(json.region).toMatchObject({ file: regionFile, kind: 'custom', z_threshold: 6, min_count: 5 });
    expect(json.region.reads.flagged.map((x: { dim: number }) => x.dim)).toEqual([19]);
    expect(json.region.reads.top).toHaveLength(5);
    expect(json.region.reads.top[0]).toMatchObject({ dim: 19, flagged: true });
    expect(json.region.writes.flagged).toEqual([]);
  });

  it('--texts: a table per layer with the massive dim on top, in words', async () => {
    const { stdout } = await run('--texts', texts, '--seq-len', '16', '--top', '2');
    expect(stdout).toMatch(/^regions dims · backend cpu .* · checkpoint /);
    expect(stdout).toContain('residual stream on en: 3 windows');
    for (const layer of ['embedding', 'layer 0', 'layer 1']) expect(stdout).toMatch(new RegExp(`^${layer} +\\S+ +7 \\(\\d+\\.\\d×\\), \\d+`, 'm'));
    expect(stdout).toMatch(/most outlying dims: 7 \(/);
    expect(stdout).not.toContain('per hidden dim: z');
  });

  it('both, as JSON, on another language', async () => {
    const { stdout } = await run('--region', regionFile, '--texts', texts, '--languages', 'de', '--max-tokens', '10', '--json');
    const json = JSON.parse(stdout);
    expect(json.backend.name).toBe('cpu');
    expect(json.region.reads.flagged[0].dim).toBe(19);
    expect(json.activations).toMatchObject({ languages: ['de'], seq_len: 128, max_tokens: 10, windows: 1, tokens: 11 });
    expect(json.activations.layers).toHaveLength(3);
    expect(json.activations.layers[0].first.top[0]).toMatchObject({ dim: 7, max_abs: 50 });
    expect(json.activations.top[0].dim).toBe(7);
  });

  it('says what is wrong with the command line or the files', async () => {
    await expect(run()).rejects.toThrow(new UsageError('give --region FILE, --texts DIR, or both'));
    await expect(run('--texts', texts, '--languages', 'fr')).rejects.toThrow(`--languages: ${texts} has no fr.txt (it has: de, en)`);
    await expect(run('--region', foreignRegionFile)).rejects.toThrow(/foreign\.safetensors \(model\.layers\.0\.input_layernorm\.weight\): mask has shape \[16\] but the model's weight has \[32\]/);
    await expect(run('--region', join(root, 'nope.safetensors'))).rejects.toThrow(/--region must name an existing file/);
  });
});
