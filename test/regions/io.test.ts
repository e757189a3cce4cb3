import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSafetensors } from '../../src/checkpoint/safetensors.js';
import { loadRegion, saveRegion } from '../../src/regions/io.js';
import { monolingualRegion } from '../../src/regions/monolingual.js';
import { selectRegion } from '../../src/regions/select.js';
import { scoreMap } from './helpers.js';

const A = 'model.layers.0.self_attn.q_proj.weight';
const B = 'model.layers.1.post_attention_layernorm.weight';
const map = scoreMap({ [A]: [[3, 4], [5, 1, 4, 2, 3, 0, 9, 8, 7, 6, 11, 10]], [B]: [[4], [1, 2, 3, 4]] }, ['ar', 'es'], { checkpoint: 'c' });
const dir = mkdtempSync(join(tmpdir(), 'regions-io-'));

describe('saveRegion / loadRegion', () => {
  it('round-trips masks, counts, kind, fraction, languages, seed and provenance', () => {
    for (const region of [
      selectRegion(map, { kind: 'top', fraction: 0.25 }),
      selectRegion(map, { kind: 'random', fraction: 0.5, seed: 4_000_000_000 }),
      monolingualRegion(new Map([['ar', map], ['es', scoreMap({ [A]: [[3, 4], new Array(12).fill(1)], [B]: [[4], [4, 3, 2, 1]] }, ['es'])]]), 'ar', 0.5),
    ]) {
      const file = join(dir, `${region.kind.replace(':', '-')}.safetensors`);
      saveRegion(file, region);
      const back = loadRegion(file, new Map([[A, [3, 4]], [B, [4]]]));
      expect(back).toEqual(region);
    }
  });

  it('refuses files that are not valid regions, naming the file and the field or tensor', () => {
    const file = join(dir, 'top.safetensors');
    saveRegion(file, selectRegion(map, { kind: 'top', fraction: 0.25 }));
    expect(() => loadRegion(file, new Map([[A, [4, 3]], [B, [4]]]))).toThrow(`${file} (${A}): mask has shape [3, 4] but the model's weight has [4, 3]`);
    expect(() => loadRegion(file, new Map([[B, [4]]]))).toThrow(`(${A}): the model has no weight of this name`);

    const write = (name: string, meta: Record<string, string>, data: Uint8Array = Uint8Array.of(0, 1), dtype: 'U8' | 'F32' = 'U8') => {
      const f = join(dir, name);
      writeSafetensors(f, [{ name: A, dtype, shape: [dtype === 'U8' ? data.length : data.length / 4], data }], meta);
      return f;
    };
    const good = { content: 'region', kind: 'top', fraction: '0.5', languages: '["ar"]', seed: 'null', provenance: '{}' };
    expect(loadRegion(write('ok.safetensors', good)).counts.get(A)).toBe(1);
    expect(() => loadRegion(write('imp.safetensors', { ...good, content: 'importance' }))).toThrow(/not a region file: __metadata__.content is "importance"/);
    expect(() => loadRegion(write('k.safetensors', { ...good, kind: 'best' }))).toThrow(/__metadata__.kind must be top, bottom, random, custom, super-weight, wanda:top, wanda:bottom, monolingual:<lang> or neurons:<lang> \(got "best"\)/);
    expect(() => loadRegion(write('f.safetensors', { ...good, fraction: '1' }))).toThrow(/__metadata__.fraction must be a number in \(0, 1\) \(got "1"\)/);
    expect(() => loadRegion(write('s.safetensors', { ...good, kind: 'random' }))).toThrow(/__metadata__.seed must be an integer/);
    expect(() => loadRegion(write('l.safetensors', { ...good, languages: 'ar' }))).toThrow(/__metadata__.languages must be a JSON list/);
    expect(() => loadRegion(write('v.safetensors', good, Uint8Array.of(0, 2)))).toThrow(/mask value at flat index 1 is 2/);
    expect(() => loadRegion(write('d.safetensors', good, new Uint8Array(8), 'F32'))).toThrow(/a region mask must be U8, found F32/);
    const truncated = join(dir, 'truncated.safetensors');
    writeFileSync(truncated, readFileSync(file).subarray(0, 20));
    expect(() => loadRegion(truncated)).toThrow(truncated);
  });
});
