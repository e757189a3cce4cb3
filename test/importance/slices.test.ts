/**
 * Importance in slices (ImportanceOptions.gradientSlices): each slice's passes compute and sum only its weights'
 * gradients, and the map is the unsliced one bit for bit — on the shipped fixture, on ONNX Runtime. The unsliced map
 * is pinned to PyTorch in ./reference.test.ts.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { expectedWeightShapes, readModelConfig } from '../../src/checkpoint/config.js';
import { estimateMemory, importanceSlices, weightSlices } from '../../src/engine/memory.js';
import { buildGraph, OrtModel, openOrtSessions } from '../../src/engine/onnx/ort-model.js';
import { computeImportance } from '../../src/importance/compute.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/models/polyglot-v2');

describe('importance in slices', () => {
  it('gives the unsliced map bit for bit, whatever the number of slices, and reports every slice’s passes', async () => {
    const ckpt = loadCheckpoint(FIXTURE);
    const model = new OrtModel(ckpt.config, ckpt.weights, { threads: 2 });
    const windows = Array.from({ length: 10 }, (_, w) => [ckpt.config.bosTokenId ?? 1, ...Array.from({ length: 31 }, (_, t) => (w * 37 + t * 11) % ckpt.config.vocabSize)]);
    const input = { language: 'xx', checkpointHash: 'h', windows };
    try {
      const whole = await computeImportance(model, input, { batchSize: 4, gradientSlices: 1 });
      const shapes = new Map(model.weightNames().map((n) => [n, model.weightShape(n)]));
      for (const slices of [2, 3, 7]) {
        const progress: [number, number][] = [];
        const sessions = model.sessionCount;
        const sliced = await computeImportance(model, input, { batchSize: 4, gradientSlices: slices, onProgress: (d, t) => progress.push([d, t]) });
        // A graph of its own per slice and batch shape (4 and 2 windows): the engine computed the slice's gradients only.
        expect(weightSlices(shapes, slices)).toHaveLength(slices);
        expect(model.sessionCount - sessions).toBe(2 * slices);
        expect([...sliced.scores.keys()]).toEqual([...whole.scores.keys()]);
        for (const [name, { data }] of whole.scores) expect(sliced.scores.get(name)!.data, `${slices} slices: ${name}`).toEqual(data);
        expect(sliced.provenance).toEqual(whole.provenance);
        expect(progress.at(-1)).toEqual([10 * slices, 10 * slices]);
      }
    } finally {
      await model.release();
    }
    expect(openOrtSessions()).toBe(0);
  });

  it('builds a gradient graph of the slice only: its gradients as outputs, none of the backward below it', () => {
    const config = readModelConfig(join(FIXTURE, 'config.json'));
    const shapes = expectedWeightShapes(config);
    const last = [...shapes.keys()].filter((n) => n.startsWith(`model.layers.${config.numLayers - 1}.`));
    const whole = buildGraph(config, shapes, 2, 16, 'grads-sum-of-window-means');
    const slice = buildGraph(config, shapes, 2, 16, 'grads-sum-of-window-means', undefined, [], last);
    expect(slice.outputs.map((o) => o.name)).toEqual(['loss', ...last.map((n) => `grad.${n}`)]);
    expect(whole.outputs).toHaveLength(1 + shapes.size);
    // Recorded alike up to the outputs; serialized without the dead backward (every earlier layer's).
    const bytes = (g: ReturnType<typeof buildGraph>) => g.toBytes('g').length;
    expect(bytes(slice)).toBeLessThan(0.75 * bytes(whole));
  });

  it('cuts the weights into contiguous slices, each within its share plus one tensor', () => {
    const shapes = expectedWeightShapes(readModelConfig(join(FIXTURE, 'config.json')));
    const size = (n: string) => shapes.get(n)!.reduce((a, b) => a * b, 1);
    const total = [...shapes.keys()].reduce((n, name) => n + size(name), 0);
    const largestTensor = Math.max(...[...shapes.keys()].map(size));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), (k) => {
        const slices = weightSlices(shapes, k);
        expect(slices.flat()).toEqual([...shapes.keys()]);
        expect(slices.length).toBeLessThanOrEqual(k);
        expect(slices.every((s) => s.length > 0)).toBe(true);
        for (const s of slices) expect(s.reduce((n, name) => n + size(name), 0)).toBeLessThanOrEqual(total / k + largestTensor);
      }),
    );
  });

  it('chooses the fewest slices that fit, and holds less with more of them', () => {
    const config = readModelConfig(join(FIXTURE, 'config.json'));
    const job = { kind: 'importance', engine: 'onnxruntime', maps: 0, batch: 8, seqLen: 128 } as const;
    const at = (slices: number) => estimateMemory(config, { ...job, slices }).total;
    expect(at(2)).toBeLessThan(at(1));
    expect(at(4)).toBeLessThan(at(2));
    expect(importanceSlices(config, job, at(1))).toBe(1);
    expect(importanceSlices(config, job, at(1) - 1)).toBe(2);
    expect(importanceSlices(config, job, at(4))).toBe(4);
    // What the open model holds already is not asked of the memory available.
    expect(importanceSlices(config, job, at(1) - 1000, 1000)).toBe(1);
  });
});
