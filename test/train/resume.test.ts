/**
 * Resume states survive a crash at any moment: a save that dies between its writes leaves the previous
 * state loadable, bit for bit, and a state holding a NaN is never written over a good one.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../src/checkpoint/types.js';
import type { AdamState } from '../../src/train/adam.js';
import { loadResumeState, saveResumeState } from '../../src/train/resume.js';

const SHAPES = [
  ['a', [2, 3]],
  ['b', [4]],
] as const;

/** Weights and AdamW moments whose every value tells the step: w = step + i/10, m = −w, v = w². */
function at(step: number): { state: { step: number; note: string }; weights: Map<string, HostTensor>; adam: AdamState } {
  const weights = new Map(SHAPES.map(([name, shape]) => [name, { shape: [...shape], data: Float32Array.from({ length: shape.reduce((n, d) => n * d, 1) }, (_, i) => step + i / 10) }]));
  const m = new Map([...weights].map(([n, w]) => [n, w.data.map((x) => -x)]));
  const v = new Map([...weights].map(([n, w]) => [n, w.data.map((x) => x * x)]));
  return { state: { step, note: `at ${step}` }, weights, adam: { step, m, v } };
}

const save = (dir: string, s: ReturnType<typeof at>) => saveResumeState(dir, s.state, s.weights, s.adam);
const load = (dir: string) => loadResumeState<{ step: number; note: string }>(dir, SHAPES);

describe('resume states', () => {
  it('load gives back what was saved, bit for bit; the newest wins and the older is deleted; none in an empty folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'regions-resume-'));
    expect(load(dir)).toBeNull();
    save(dir, at(100));
    save(dir, at(200));
    expect(load(dir)).toEqual(at(200));
    expect(readdirSync(dir)).toEqual(['resume-2']);
  });

  it('a save that fails between its writes (the weights written, the moments not) leaves the previous state loadable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'regions-resume-'));
    save(dir, at(100));
    const broken = at(200);
    broken.adam.v.delete('b'); // the optimizer file cannot be written: the save dies after the weights file
    expect(() => save(dir, broken)).toThrow(/AdamW has a first moment of b but no second moment/);
    expect(load(dir)).toEqual(at(100));
    save(dir, at(300));
    expect(load(dir)).toEqual(at(300));
  });

  it('a folder a killed save left half-written is ignored, and removed by the next save', () => {
    const dir = mkdtempSync(join(tmpdir(), 'regions-resume-'));
    save(dir, at(100));
    const partial = join(dir, '.partial-resume-999-abc');
    mkdirSync(partial);
    writeFileSync(join(partial, 'model.safetensors'), 'half a file');
    expect(load(dir)).toEqual(at(100));
    save(dir, at(200));
    expect(readdirSync(dir)).toEqual(['resume-2']);
  });

  it('refuses, before writing anything, a state with a NaN or infinite weight or moment: the previous state stays', () => {
    const dir = mkdtempSync(join(tmpdir(), 'regions-resume-'));
    save(dir, at(100));
    for (const [poison, want] of [
      [(s: ReturnType<typeof at>) => (s.weights.get('a')!.data[4] = Number.NaN), /weight a\[4\] is NaN/],
      [(s: ReturnType<typeof at>) => (s.adam.m.get('b')![1] = Number.POSITIVE_INFINITY), /first moment of b\[1\] is Infinity/],
      [(s: ReturnType<typeof at>) => (s.adam.v.get('a')![0] = Number.NaN), /second moment of a\[0\] is NaN/],
    ] as const) {
      const s = at(200);
      poison(s);
      expect(() => save(dir, s)).toThrow(want);
      expect(load(dir)).toEqual(at(100));
    }
    expect(readdirSync(dir)).toEqual(['resume-1']);
  });

  it('refuses a state in the old flat layout, naming it, and a weight of another shape', () => {
    const old = mkdtempSync(join(tmpdir(), 'regions-resume-'));
    writeFileSync(join(old, 'state.json'), '{"step":5}');
    expect(() => load(old)).toThrow(/state\.json: a resume state in the old layout/);
    const dir = mkdtempSync(join(tmpdir(), 'regions-resume-'));
    save(dir, at(100));
    expect(() => loadResumeState(dir, [['a', [3, 2]]])).toThrow(/model\.safetensors: a has shape \[2, 3\], expected \[3, 2\]/);
  });
});
