/** `regions importance --method wanda`: Wanda's |W|·‖X‖₂ over the text's windows, as the library computes it, written for `regions select`. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { textWindows } from '../../src/corpus/windows.js';
import { OrtModel } from '../../src/engine/onnx/ort-model.js';
import { loadImportance } from '../../src/importance/io.js';
import { wandaImportance } from '../../src/importance/wanda.js';
import { loadTokenizer } from '../../src/tokenizer/tokenizer.js';
import { makeFixture, runCli, TEXTS } from './helpers.js';

const fx = makeFixture();
afterAll(() => fx.remove());

describe('regions importance --method wanda', { timeout: 60_000 }, () => {
  it('writes the scores of every linear weight, equal to wandaImportance on the same windows', async () => {
    const out = join(fx.root, 'wanda-en.safetensors');
    const r = await runCli(['importance', '--checkpoint', fx.checkpoint, '--texts', fx.texts, '--languages', 'en', '--method', 'wanda', '--seq-len', '16', '--threads', '1', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/regions importance --method wanda · .* language en\n\d+ windows, \d+ tokens; \|W\|·‖X‖₂ in [\d.]+ s on ort-cpu\nwrote .*\(14 linear weights, \d+ parameters\)/);
    const written = loadImportance(out);
    const ckpt = loadCheckpoint(fx.checkpoint);
    const model = new OrtModel(ckpt.config, ckpt.weights, { threads: 1 });
    try {
      const windows = textWindows(TEXTS.en!, loadTokenizer(join(fx.checkpoint, 'tokenizer.json')), { seqLen: 16, maxTokens: 100_000 }).windows;
      const direct = await wandaImportance(model, windows, { batchSize: 8 });
      expect([...written.scores.keys()].sort()).toEqual([...direct.scores.keys()].sort());
      for (const [name, t] of direct.scores) expect(written.scores.get(name)!.data).toEqual(t.data);
    } finally {
      await model.release();
    }
    const select = await runCli(['select', '--importance', out, '--kind', 'top', '--fraction', '0.05', '--out', join(fx.root, 'wanda-top.safetensors')]);
    expect(select.code, select.stderr).toBe(0);
  });

  it('runs on a tfjs backend too: the same scores within 1e-4 of each tensor’s largest', async () => {
    const [a, b] = [join(fx.root, 'wanda-ort.safetensors'), join(fx.root, 'wanda-wasm.safetensors')];
    for (const [backend, out] of [['ort-cpu', a], ['wasm', b]] as const) {
      const r = await runCli(['importance', '--checkpoint', fx.checkpoint, '--texts', fx.texts, '--languages', 'de', '--method', 'wanda', '--seq-len', '16', '--backend', backend, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
    }
    const [ort, wasm] = [loadImportance(a), loadImportance(b)];
    for (const [name, t] of ort.scores) {
      const max = t.data.reduce((m, v) => Math.max(m, v), 0);
      const other = wasm.scores.get(name)!.data;
      expect(t.data.reduce((w, v, i) => Math.max(w, Math.abs(v - other[i]!)), 0) / max, name).toBeLessThan(1e-4);
    }
  });
});
