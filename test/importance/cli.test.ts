/**
 * `regions importance` end to end: on a reference checkpoint with --windows its output matches the PyTorch
 * |θ ⊙ g|; a second run reads the cache; on --texts it scores the language's text.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { importanceCommand } from '../../src/cli/commands/importance.js';
import type { CliIo } from '../../src/cli/io.js';
import { loadImportance } from '../../src/importance/io.js';
import { generateCheckpoint } from '../../src/checkpoint/generate.js';

function sinks(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, out: () => out, err: () => err };
}

const CASE = join(import.meta.dirname, '../fixtures/reference/llama-gqa');

describe('regions importance', () => {
  it('--windows: writes |θ ⊙ g| matching the reference; the second run reads the cache', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'regions-cli-imp-'));
    const expected = JSON.parse(readFileSync(join(CASE, 'expected.json'), 'utf8')) as { ids: number[][]; importance: Record<string, number[]> };
    writeFileSync(join(tmp, 'windows.json'), JSON.stringify(expected.ids));
    const argv = ['--checkpoint', CASE, '--languages', 'xx', '--windows', join(tmp, 'windows.json'), '--cache-dir', join(tmp, 'cache'), '--threads', '1'];

    const io = sinks();
    await importanceCommand.execute([...argv, '--out', join(tmp, 'a.safetensors')], io);
    expect(io.out()).toMatch(/2 windows, \d+ tokens predicted, mean window NLL [\d.]+ nats; computed in [\d.]+ s on onnxruntime \S+ cpu \(1 thread\)/);
    const map = loadImportance(join(tmp, 'a.safetensors'));
    expect([...map.scores.keys()].sort()).toEqual(Object.keys(expected.importance).sort());
    for (const [name, ref] of Object.entries(expected.importance)) {
      const ours = map.scores.get(name)!.data;
      const max = Math.max(...ref);
      const worst = ref.reduce((w, r, i) => (r >= 1e-3 * max ? Math.max(w, Math.abs(ours[i]! - r) / r) : w), 0);
      expect(worst, name).toBeLessThanOrEqual(1e-3);
    }

    const again = sinks();
    await importanceCommand.execute([...argv, '--out', join(tmp, 'b.safetensors')], again);
    expect(again.out()).toContain('read from the cache');
    expect(readFileSync(join(tmp, 'b.safetensors'))).toEqual(readFileSync(join(tmp, 'a.safetensors')));

    // Without --languages, the label is the windows file's name.
    const unlabeled = sinks();
    await importanceCommand.execute([...argv.filter((a) => a !== '--languages' && a !== 'xx'), '--out', join(tmp, 'c.safetensors')], unlabeled);
    expect(unlabeled.out()).toContain('language windows');
    expect(loadImportance(join(tmp, 'c.safetensors')).languages).toEqual(['windows']);
  });

  it('--texts: scores at most --max-tokens of <lang>.txt; wrong combinations are usage errors', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'regions-cli-imp-'));
    const ckpt = join(tmp, 'ckpt');
    generateCheckpoint(ckpt, { seed: 3, tokenizer: 'bytes', config: { hidden_size: 16, num_hidden_layers: 1, intermediate_size: 24 } });
    mkdirSync(join(tmp, 'texts'));
    writeFileSync(join(tmp, 'texts', 'de.txt'), 'Zwei Boxkämpfer jagen Eva quer durch Sylt.\n'.repeat(20));
    const base = ['--checkpoint', ckpt, '--backend', 'cpu', '--no-cache']; // a tfjs backend: in process
    const io = sinks();
    await importanceCommand.execute([...base, '--languages', 'de', '--texts', join(tmp, 'texts'), '--max-tokens', '200', '--seq-len', '32', '--out', join(tmp, 'out', 'de.safetensors')], io);
    const map = loadImportance(join(tmp, 'out', 'de.safetensors'));
    expect(map.languages).toEqual(['de']);
    expect(map.provenance).toMatchObject({ max_tokens: '200', seq_len: '32', language: 'de' });
    expect(Number(map.provenance.tokens)).toBeLessThanOrEqual(200);

    await expect(importanceCommand.execute([...base, '--languages', 'de', '--out', join(tmp, 'x')], sinks())).rejects.toThrow(UsageError);
    await expect(importanceCommand.execute([...base, '--texts', join(tmp, 'texts'), '--out', join(tmp, 'x')], sinks())).rejects.toThrow(
      '--languages is required with --texts',
    );
    await expect(importanceCommand.execute([...base, '--languages', 'fr', '--texts', join(tmp, 'texts'), '--out', join(tmp, 'x')], sinks())).rejects.toThrow(
      /--languages: \S+ has no fr\.txt \(it has: de\)/,
    );
    writeFileSync(join(tmp, 'x.json'), '[[1,2,3]]');
    await expect(importanceCommand.execute([...base, '--languages', 'de,en', '--windows', join(tmp, 'x.json'), '--out', join(tmp, 'x')], sinks())).rejects.toThrow(UsageError);

    // Several languages: one model, --out a folder of <lang>.safetensors; --json lists what was written.
    writeFileSync(join(tmp, 'texts', 'en.txt'), 'The quick brown fox jumps over the lazy dog.\n'.repeat(20));
    const many = sinks();
    await importanceCommand.execute([...base, '--languages', 'en,de', '--texts', join(tmp, 'texts'), '--max-tokens', '64', '--seq-len', '32', '--out', join(tmp, 'both'), '--json'], many);
    const json = JSON.parse(many.out()) as { languages: { language: string; out: string; source: string; tokens: number }[] };
    expect(json.languages.map((l) => [l.language, l.out, l.source])).toEqual([
      ['en', join(tmp, 'both', 'en.safetensors'), 'computed'],
      ['de', join(tmp, 'both', 'de.safetensors'), 'computed'],
    ]);
    expect(loadImportance(join(tmp, 'both', 'en.safetensors')).languages).toEqual(['en']);
    expect(loadImportance(join(tmp, 'both', 'de.safetensors')).languages).toEqual(['de']);
  });
});
