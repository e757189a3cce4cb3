import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { LlamaModel } from '../../src/engine/tfjs/model.js';
import type { Region } from '../../src/regions/types.js';

/** Every weight's tensor object and its bits (a Uint32 view of the float32 data), by HF name. */
export interface Snapshot {
  objects: Map<string, tf.Tensor>;
  bits: Map<string, Uint32Array>;
}

export function snapshot(model: LlamaModel): Snapshot {
  const objects = new Map<string, tf.Tensor>();
  const bits = new Map<string, Uint32Array>();
  for (const name of model.weightNames()) {
    const t = model.weight(name);
    objects.set(name, t);
    bits.set(name, new Uint32Array(Float32Array.from(t.dataSync() as Float32Array).buffer));
  }
  return { objects, bits };
}

/** The model holds the very same tensor objects as at `before`, with the very same bits. */
export function expectRestored(model: LlamaModel, before: Snapshot): void {
  expect(model.weightNames()).toEqual([...before.objects.keys()]);
  for (const [name, object] of before.objects) {
    const now = model.weight(name);
    expect(now, name).toBe(object);
    const bits = new Uint32Array(Float32Array.from(now.dataSync() as Float32Array).buffer);
    expect(bits.every((b, i) => b === before.bits.get(name)![i]), `bits of ${name}`).toBe(true);
  }
}

/** Flat indices where two snapshots' bits differ, by weight (weights with no difference left out). */
export function changedEntries(a: Snapshot, b: Snapshot): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [name, bits] of a.bits) {
    const other = b.bits.get(name)!;
    const changed: number[] = [];
    bits.forEach((x, i) => {
      if (x !== other[i]) changed.push(i);
    });
    if (changed.length > 0) out.set(name, changed);
  }
  return out;
}

/** A custom region holding the given flat entries of the given weights (shapes from the model). */
export function regionOf(model: LlamaModel, entries: Record<string, number[]>): Region {
  const masks = new Map<string, { shape: number[]; data: Uint8Array }>();
  const counts = new Map<string, number>();
  for (const [name, flat] of Object.entries(entries)) {
    const shape = [...model.weight(name).shape];
    const data = new Uint8Array(shape.reduce((n, d) => n * d, 1));
    for (const i of flat) data[i] = 1;
    masks.set(name, { shape, data });
    counts.set(name, new Set(flat).size);
  }
  return { kind: 'custom', fraction: 0.01, languages: [], masks, counts, seed: null, provenance: {} };
}

/** Two BOS-led windows of byte tokens for the tiny byte-level models. */
export const WINDOWS = [
  [256, 72, 101, 108, 108, 111],
  [256, 119, 111, 114, 108, 100],
];
