/**
 * Importance |θ ⊙ g| pinned to the independent float64 PyTorch reference (scripts/reference/make_reference.py):
 * g = d/dθ of Σ over the case's windows of each window's mean NLL. Like llm.c's test_gpt2, one OK / NOT OK
 * line per tensor with the worst error.
 *
 * Tolerance: for the entries that matter — those ≥ 1e-3 × the tensor's largest reference entry — the
 * relative error must be ≤ 1e-3. Smaller entries are float32 noise relative to the tensor and only have
 * to stay within 1e-3 × that largest entry in absolute terms.
 *
 * Masks: top-k per tensor chosen from our scores and from the reference scores, over every tensor
 * (embeddings and LM head included), must agree with an overall Jaccard ≥ 0.99 at k = 1%, 5% and 10%.
 * These tensors are tiny (16 to a few thousand entries): at 1% a 16×16 projection gives floor(2.56) = 2
 * entries and a 16-entry norm none (two empty masks count as equal), so 5% and 10% are the informative
 * fractions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointHash } from '../../src/checkpoint/hash.js';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { computeImportance } from '../../src/importance/compute.js';
import { OrtModel, openOrtSessions } from '../../src/engine/onnx/ort-model.js';
import { LlamaModel } from '../../src/engine/tfjs/model.js';
import { regionOverlap } from '../../src/regions/overlap.js';
import { selectRegion } from '../../src/regions/select.js';
import type { ImportanceMap } from '../../src/importance/types.js';

const ROOT = join(import.meta.dirname, '../fixtures/reference');
const CASES = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const REL = 1e-3;
const MATTERS = 1e-3;
const FRACTIONS = [0.01, 0.05, 0.1];
const MIN_JACCARD = 0.99;

interface Expected {
  ids: number[][];
  importance: Record<string, number[]>;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Worst relative error over the entries that matter, and worst absolute error / max over the rest. */
function compare(ours: Float32Array, ref: readonly number[]): { rel: number; small: number } {
  const max = Math.max(...ref);
  let rel = 0;
  let small = 0;
  for (let i = 0; i < ref.length; i++) {
    const err = Math.abs(ours[i]! - ref[i]!);
    if (ref[i]! >= MATTERS * max) rel = Math.max(rel, err / ref[i]!);
    else small = Math.max(small, err / max);
  }
  return { rel, small };
}

describe.each(CASES)('importance on reference case %s', (name) => {
  const dir = join(ROOT, name);
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;

  it.each(['tfjs-cpu', 'ort-cpu'])('on %s: matches PyTorch |θ ⊙ g| tensor by tensor, and top-k masks agree', async (engine) => {
    const ckpt = loadCheckpoint(dir);
    const input = { language: 'xx', checkpointHash: checkpointHash(dir), windows: expected.ids };
    let ours: ImportanceMap;
    if (engine === 'ort-cpu') {
      const sessions = openOrtSessions();
      const model = new OrtModel(ckpt.config, ckpt.weights, { threads: 1 });
      try {
        ours = await computeImportance(model, input);
      } finally {
        await model.release();
      }
      expect(openOrtSessions()).toBe(sessions);
    } else {
      const model = LlamaModel.fromWeights(ckpt.config, ckpt.weights);
      const before = tf.memory().numTensors;
      ours = await computeImportance(model, input);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    }

    expect([...ours.scores.keys()].sort()).toEqual(Object.keys(expected.importance).sort());
    const report: string[] = [];
    let worstRel = 0;
    let worstSmall = 0;
    for (const [tensor, ref] of Object.entries(expected.importance)) {
      const { rel, small } = compare(ours.scores.get(tensor)!.data, ref);
      worstRel = Math.max(worstRel, rel);
      worstSmall = Math.max(worstSmall, small);
      const ok = rel <= REL && small <= REL;
      report.push(`${ok ? 'OK    ' : 'NOT OK'} ${tensor} (worst rel ${rel.toExponential(2)}, small entries ${small.toExponential(2)} of max)`);
    }

    const reference: ImportanceMap = {
      languages: ['xx'],
      provenance: {},
      scores: new Map(Object.entries(expected.importance).map(([t, v]) => [t, { shape: ours.scores.get(t)!.shape, data: Float32Array.from(v) }])),
    };
    const jaccards: string[] = [];
    for (const fraction of FRACTIONS) {
      const include = (): boolean => true;
      const j = regionOverlap(
        selectRegion(ours, { kind: 'top', fraction, include }),
        selectRegion(reference, { kind: 'top', fraction, include }),
      ).jaccard;
      jaccards.push(`k=${fraction}: ${j.toFixed(4)}`);
      if (j < MIN_JACCARD) report.push(`NOT OK top-${fraction} masks Jaccard ${j} < ${MIN_JACCARD}`);
    }
    console.log(
      `${name} on ${engine}: worst relative error ${worstRel.toExponential(2)} (entries ≥ 1e-3·max), ` +
        `${worstSmall.toExponential(2)} of max (smaller entries); top-k Jaccard ${jaccards.join(', ')}`,
    );
    const failing = report.filter((l) => l.startsWith('NOT OK'));
    expect(failing, report.join('\n')).toEqual([]);
  });
});
