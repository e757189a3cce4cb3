/**
 * The PyTorch reference cases (scripts/reference/make_reference.py; values under test/fixtures/reference/)
 * and the tolerances every engine is held to: one definition for the tfjs and the ONNX Runtime tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

export const REFERENCE_ROOT = join(import.meta.dirname, '../fixtures/reference');

/** The case folders, sorted. */
export const REFERENCE_CASES = readdirSync(REFERENCE_ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

/** Tolerances: |ours − ref| ≤ rel·|ref| + abs, elementwise. */
export const LOGITS = { rel: 1e-4, abs: 1e-5 };
export const LOSS = { rel: 1e-5, abs: 0 };
/** Gradients are relative to the tensor's largest reference entry (float32 sums over the batch). */
export const GRADS = { rel: 1e-4 };

/** What a case's expected.json holds. */
export interface ReferenceExpected {
  ids: number[][];
  logits: number[][][];
  logits_last: number[];
  loss: number;
  grads: Record<string, number[]>;
  /** Wanda's |W_ij|·‖X_j‖₂ of every linear weight over `ids`. */
  wanda: Record<string, number[]>;
}

export function readExpected(name: string): ReferenceExpected {
  return JSON.parse(readFileSync(join(REFERENCE_ROOT, name, 'expected.json'), 'utf8')) as ReferenceExpected;
}

/** Worst violation ratio: max |a − b| / (rel·|b| + abs); ≤ 1 passes. */
export function worst(ours: ArrayLike<number>, ref: readonly number[], rel: number, abs: number): number {
  expect(ours.length).toBe(ref.length);
  let w = 0;
  for (let i = 0; i < ref.length; i++) w = Math.max(w, Math.abs(ours[i]! - ref[i]!) / (rel * Math.abs(ref[i]!) + abs));
  return w;
}


export { relativeToMax } from '../../src/util/stats.js';
