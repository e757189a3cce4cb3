import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseModelConfig, readModelConfig } from '../../src/checkpoint/config.js';
import { SHAPES } from '../../scripts/shapes.js';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { assertFits, estimateMemory, forwardActivationBytes, gradientActivationBytes, parameterCount } from '../../src/engine/memory.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/models/polyglot-v2');

describe('assertFits', () => {
  const config = readModelConfig(join(FIXTURE, 'config.json'));

  test('counts parameters from config.json as the loaded checkpoint has them; tied embeddings once', () => {
    const loaded = [...loadCheckpoint(FIXTURE).weights.values()].reduce((n, w) => n + w.data.length, 0);
    expect(parameterCount(config)).toBe(loaded);
    expect(config.tieWordEmbeddings).toBe(false);
    expect(parameterCount({ ...config, tieWordEmbeddings: true })).toBe(loaded - config.vocabSize * config.hiddenSize);
  });

  test('a checkpoint too large for the memory available fails before loading, naming it, its parameters and each part of what the job holds', () => {
    expect(() => assertFits(FIXTURE, config, { kind: 'forward', engine: 'onnxruntime', batch: 8, seqLen: 128 }, 1e6)).toThrow(
      new RegExp(
        `^${FIXTURE}: [\\d,]+ parameters: forward passes would hold 0\\.0 GiB for the weights as float32, 0\\.\\d GiB for the activations of a forward pass over 8 windows of 128 tokens, ` +
          `0\\.\\d GiB for the runtime \\(Node, ONNX Runtime, the tokenizer, the texts\\); 0\\.\\d GiB in all, more than the 0\\.0 GiB this machine has available\\. ` +
          `\`regions plan --checkpoint ${FIXTURE}\` lists settings that fit$`,
      ),
    );
    expect(() => assertFits(FIXTURE, config, { kind: 'forward', engine: 'tfjs', batch: 8, seqLen: 128 }, 2 ** 34)).not.toThrow();
  });

  test('each job counts what it holds: importance adds three copies of the weights and a gradient pass, each map held one more, training five', () => {
    const shape = { engine: 'onnxruntime', batch: 8, seqLen: 128 } as const;
    const copy = parameterCount(config) * 4;
    const forward = estimateMemory(config, { kind: 'forward', ...shape });
    const importance = estimateMemory(config, { kind: 'importance', maps: 0, ...shape });
    const withMaps = estimateMemory(config, { kind: 'importance', maps: 6, ...shape });
    const training = estimateMemory(config, { kind: 'training', ...shape });
    const grad = gradientActivationBytes(config, 8, 128);
    expect(importance.total - forward.total).toBeCloseTo(3 * copy + grad - forwardActivationBytes(config, 8, 128), 0);
    expect(withMaps.total - importance.total).toBeCloseTo(6 * copy, 0);
    expect(training.total - importance.total).toBeCloseTo(2 * copy, 0);
    // More tokens per pass, more activations; tfjs holds the weights twice.
    expect(estimateMemory(config, { kind: 'forward', ...shape, batch: 16 }).total).toBeGreaterThan(forward.total);
    expect(estimateMemory(config, { kind: 'forward', ...shape, engine: 'tfjs' }).total - forward.total).toBeCloseTo(copy, 0);
    for (const e of [forward, importance, withMaps, training]) expect(e.total).toBeCloseTo(e.parts.reduce((n, p) => n + p.bytes, 0), 0);
  });
});

describe('the memory model against measured peaks at real size', () => {
  const peaks = JSON.parse(readFileSync(join(import.meta.dirname, 'memory-peaks.json'), 'utf8')) as {
    runs: { shape: string; job: 'forward' | 'importance'; batch: number; passes: number; slices?: number; peakGiB?: number; killedAboveGiB?: number }[];
  };

  test('predicts every measured peak within 15% (SmolLM2-135M, Qwen3-0.6B, Gemma-3-1B, TinyLlama-1.1B, Qwen2.5-1.5B; gradients in slices too), and more than a killed run reached', () => {
    const rows: string[] = [];
    for (const r of peaks.runs) {
      const config = parseModelConfig(SHAPES[r.shape]!.config);
      const shape = { engine: 'onnxruntime', batch: r.batch, seqLen: 128 } as const;
      const job = r.job === 'forward' ? ({ kind: 'forward', ...shape } as const) : ({ kind: 'importance', maps: 0, gradientPasses: r.passes, slices: r.slices ?? 1, ...shape } as const);
      const predicted = estimateMemory(config, job).total / 2 ** 30;
      if (r.peakGiB !== undefined) {
        const error = (predicted - r.peakGiB) / r.peakGiB;
        rows.push(`${Math.abs(error) <= 0.15 ? 'ok' : 'OFF'} ${r.shape} ${r.job} ×${r.batch} (${r.passes} pass${r.passes === 1 ? '' : 'es'}, ${r.slices ?? 1} slice${(r.slices ?? 1) === 1 ? '' : 's'}): measured ${r.peakGiB}, predicted ${predicted.toFixed(2)} GiB (${(error * 100).toFixed(0)}%)`);
      } else {
        rows.push(`${predicted > r.killedAboveGiB! ? 'ok' : 'OFF'} ${r.shape} ${r.job} ×${r.batch}: killed above ${r.killedAboveGiB}, predicted ${predicted.toFixed(2)} GiB`);
      }
    }
    console.log(rows.join('\n'));
    expect(rows.filter((r) => r.startsWith('OFF')), rows.join('\n')).toEqual([]);
    expect(new Set(peaks.runs.map((r) => r.shape)).size).toBe(5);
  });
});
