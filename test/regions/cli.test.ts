/** `regions select` and `regions overlap` on importance files written by saveImportance. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { overlapCommand } from '../../src/cli/commands/overlap.js';
import { selectCommand } from '../../src/cli/commands/select.js';
import type { CliIo } from '../../src/cli/io.js';
import { saveImportance } from '../../src/importance/io.js';
import { loadRegion } from '../../src/regions/io.js';
import { scoreMap } from './helpers.js';

function sinks(): CliIo & { out: () => string } {
  let out = '';
  return { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true }, out: () => out };
}

const Q = 'model.layers.0.self_attn.q_proj.weight';
const N = 'model.layers.0.input_layernorm.weight';
const tmp = mkdtempSync(join(tmpdir(), 'regions-cli-sel-'));
const files = ['ar', 'es', 'ru'].map((lang, k) => {
  const file = join(tmp, `${lang}.safetensors`);
  const q = Array.from({ length: 40 }, (_, i) => ((i + 13 * k) % 40) + 1);
  saveImportance(file, scoreMap({ 'model.embed_tokens.weight': [[10], new Array(10).fill(9)], [Q]: [[4, 10], q], [N]: [[10], q.slice(0, 10)] }, [lang], { checkpoint: 'c' }));
  return file;
});

describe('regions select / overlap', () => {
  it('select --kind top sums several files and writes per-matrix masks of the layers', async () => {
    const io = sinks();
    await selectCommand.execute(['--importance', files.join(','), '--kind', 'top', '--fraction', '0.1', '--out', join(tmp, 'core.safetensors')], io);
    const core = loadRegion(join(tmp, 'core.safetensors'));
    expect(core).toMatchObject({ kind: 'top', fraction: 0.1, languages: ['ar', 'es', 'ru'] });
    expect([...core.counts]).toEqual([[Q, 4], [N, 1]]);
    expect(io.out()).toContain('5 of 50 entries (10.000%) in 2 tensors');
    expect(io.out()).toContain('model.layers.*.self_attn.q_proj.weight');
    const json = sinks();
    await selectCommand.execute(['--importance', files.join(','), '--kind', 'top', '--fraction', '0.1', '--out', join(tmp, 'core.safetensors'), '--json'], json);
    expect(JSON.parse(json.out())).toMatchObject({ kind: 'top', fraction: 0.1, seed: null, entries: 5, of: 50, per_tensor: { [Q]: { entries: 4, of: 40 }, [N]: { entries: 1, of: 10 } } });
  });

  it('select --kind monolingual:es takes one file per language; random records its seed', async () => {
    await selectCommand.execute(['--importance', files.join(','), '--kind', 'monolingual:es', '--fraction', '0.2', '--out', join(tmp, 'es.safetensors')], sinks());
    const es = loadRegion(join(tmp, 'es.safetensors'));
    expect(es).toMatchObject({ kind: 'monolingual:es', languages: ['es', 'ar', 'ru'] });
    expect(es.counts.get(Q)).toBeLessThanOrEqual(8);
    await selectCommand.execute([`--importance=${files[0]}`, '--kind', 'random', '--fraction', '0.5', '--seed', '9', '--out', join(tmp, 'r.safetensors')], sinks());
    expect(loadRegion(join(tmp, 'r.safetensors')).seed).toBe(9);
    await expect(selectCommand.execute(['--importance', files[0]!, '--kind', 'monolingual:zh', '--fraction', '0.2', '--out', join(tmp, 'x')], sinks())).rejects.toThrow(
      /no importance file for "zh" \(the files cover ar\)/,
    );
    await expect(selectCommand.execute(['--importance', files[0]!, '--kind', 'top', '--fraction', '1', '--out', join(tmp, 'x')], sinks())).rejects.toThrow(
      /--fraction must be less than 1/,
    );
    await expect(selectCommand.execute(['--importance', `${files[0]!},${files[0]!}`, '--kind', 'top', '--fraction', '0.1', '--out', join(tmp, 'x')], sinks())).rejects.toThrow(
      /both hold the importance of ar/,
    );
    // A repeated option is refused rather than keeping only the last; a missing file is named.
    await expect(selectCommand.execute(['--importance', files[0]!, '--importance', files[1]!, '--kind', 'top', '--fraction', '0.1', '--out', join(tmp, 'x')], sinks())).rejects.toThrow(
      '--importance is given twice (a list is comma-separated: --importance a,b)',
    );
    await expect(selectCommand.execute(['--importance', `${files[0]!},nope.safetensors`, '--kind', 'top', '--fraction', '0.1', '--out', join(tmp, 'x')], sinks())).rejects.toThrow(
      '--importance must name existing files ("nope.safetensors" is not one)',
    );
    await expect(selectCommand.execute(['--importance', files[0]!, '--kind', 'top', '--fraction', '1e-1x', '--out', join(tmp, 'x')], sinks())).rejects.toThrow(
      '--fraction must be a decimal number such as 0.05',
    );
  });

  it('overlap --regions A,B prints per-tensor and overall Jaccard; --json too', async () => {
    await selectCommand.execute(['--importance', files[0]!, '--kind', 'top', '--fraction', '0.1', '--out', join(tmp, 'a.safetensors')], sinks());
    await selectCommand.execute(['--importance', files[0]!, '--kind', 'bottom', '--fraction', '0.1', '--out', join(tmp, 'b.safetensors')], sinks());
    const io = sinks();
    await overlapCommand.execute(['--regions', `${join(tmp, 'a.safetensors')},${join(tmp, 'a.safetensors')}`], io);
    expect(io.out()).toMatch(/all tensors\s+5\s+5\s+1\.0000/);
    const json = sinks();
    await overlapCommand.execute(['--regions', `${join(tmp, 'a.safetensors')},${join(tmp, 'b.safetensors')}`, '--json'], json);
    expect(JSON.parse(json.out())).toMatchObject({ intersection: 0, union: 10, jaccard: 0, a: { kind: 'top', size: 5 }, b: { kind: 'bottom' } });
    await expect(overlapCommand.execute(['--regions', join(tmp, 'a.safetensors')], sinks())).rejects.toThrow('--regions must name at least 2 files (got "');
    expect(overlapCommand.help).toContain('Usage: regions overlap --regions LIST [--json]');
    await expect(overlapCommand.execute([join(tmp, 'a.safetensors'), join(tmp, 'b.safetensors')], sinks())).rejects.toThrow(/unexpected argument/);
    // Three or more: every pair over all tensors.
    const many = sinks();
    await overlapCommand.execute(['--regions', [join(tmp, 'a.safetensors'), join(tmp, 'b.safetensors'), join(tmp, 'a.safetensors')].join(',')], many);
    expect(many.out()).toMatch(/A · B\s+0\s+10\s+0\.0000\n.*A · C\s+5\s+5\s+1\.0000\n.*B · C\s+0\s+10\s+0\.0000/s);
    const manyJson = sinks();
    await overlapCommand.execute(['--regions', [join(tmp, 'a.safetensors'), join(tmp, 'b.safetensors'), join(tmp, 'a.safetensors')].join(','), '--json'], manyJson);
    expect(JSON.parse(manyJson.out()).pairs.map((p: { jaccard: number }) => p.jaccard)).toEqual([0, 1, 0]);
  });
});
