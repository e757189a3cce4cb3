import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../../src/checkpoint/config.js';
import { generateCheckpoint } from '../../src/checkpoint/generate.js';
import type { HostTensor } from '../../src/checkpoint/types.js';
import { openOrtSessions } from '../../src/engine/onnx/ort-model.js';
import type { AdamState } from '../../src/train/adam.js';
import { Trainer, TrainingError } from '../../src/train/trainer.js';

/**
 * fixture:train checkpoints weights and AdamW moments and resumes from them; a resumed run must be the run
 * that never stopped, bit for bit, or a rebuilt fixture model would not match the shipped one.
 */
const adam = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };
const batches = Array.from({ length: 4 }, (_, s) =>
  Array.from({ length: 4 }, (_, w) => [256, ...Array.from({ length: 9 }, (_, t) => (s * 53 + w * 31 + t * 7) % 256)]),
);
const lrAt = (step: number) => (1e-2 * (step + 1)) / batches.length;
const ckpt = generateCheckpoint(mkdtempSync(join(tmpdir(), 'regions-trainer-')), { seed: 21, tokenizer: 'bytes', config: { hidden_size: 32, num_hidden_layers: 2 } });
const open = (weights: ReadonlyMap<string, HostTensor>, extra: { resume?: AdamState; microBatch?: number } = {}) =>
  Trainer.open(ckpt.config, weights, { adam, engine: 'ort-cpu', threads: 2, batch: 1, seqLen: 40, ...extra });

async function train(trainer: Trainer, from: number, to: number): Promise<void> {
  for (let step = from; step < to; step++) await trainer.trainStep(batches[step]!, lrAt(step));
}

describe('Trainer (ONNX Runtime gradients, host AdamW)', () => {
  it('resumes exactly: 4 steps straight = 2 steps, weights and AdamW state into a new trainer, 2 more', async () => {
    const sessions = openOrtSessions();
    const straight = await open(ckpt.weights);
    await train(straight, 0, 4);
    await straight.close();

    const first = await open(ckpt.weights);
    await train(first, 0, 2);
    await first.close();
    const second = await open(first.weights, { resume: first.adamState() });
    await train(second, 2, 4);
    await second.close();

    expect(second.step).toBe(4);
    const [want, got] = [straight.adamState(), second.adamState()];
    for (const [name, w] of straight.weights) {
      expect(w.data.some((x, i) => x !== ckpt.weights.get(name)!.data[i]), `${name} trained`).toBe(true);
      expect(second.weights.get(name)!.data, name).toEqual(w.data);
      expect(got.m.get(name), `m.${name}`).toEqual(want.m.get(name));
      expect(got.v.get(name), `v.${name}`).toEqual(want.v.get(name));
    }
    expect(openOrtSessions()).toBe(sessions);
  });

  it('never writes the caller’s weights, and learns: the loss of a repeated batch goes down', async () => {
    const before = new Map([...ckpt.weights].map(([n, w]) => [n, w.data.slice()]));
    const trainer = await open(ckpt.weights);
    const losses: number[] = [];
    for (let s = 0; s < 5; s++) losses.push((await trainer.trainStep(batches[0]!, 5e-3)).loss);
    await trainer.close();
    expect(losses[4]!).toBeLessThan(losses[0]!);
    for (const [n, w] of ckpt.weights) expect(w.data, n).toEqual(before.get(n));
  });

  it('micro-batches give the whole batch’s step (token-weighted mean gradient), to float rounding', async () => {
    const whole = await open(ckpt.weights);
    const split = await open(ckpt.weights, { microBatch: 1 });
    const [a, b] = [await whole.trainStep(batches[1]!, 1e-3), await split.trainStep(batches[1]!, 1e-3)];
    await whole.close();
    await split.close();
    expect(b.loss).toBeCloseTo(a.loss, 5);
    expect(b.gradNorm).toBeCloseTo(a.gradNorm, 5);
    for (const [name, w] of whole.weights) {
      const other = split.weights.get(name)!.data;
      const worst = w.data.reduce((m, x, i) => Math.max(m, Math.abs(x - other[i]!)), 0);
      expect(worst, name).toBeLessThan(1e-5);
    }
  });

  it('a NaN loss or gradient norm stops training with a TrainingError naming the step, before the update: weights and AdamW state bit-identical', async () => {
    const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));
    for (const microBatch of [undefined, 1]) {
      const trainer = await open(ckpt.weights, { microBatch });
      await train(trainer, 0, 1);
      // A weight gone NaN (as after an overflow): the next step's loss and gradients are NaN.
      trainer.weights.get('model.norm.weight')!.data[0] = Number.NaN;
      const weights = new Map([...trainer.weights].map(([n, w]) => [n, bits(w.data)]));
      const state = trainer.adamState();
      await expect(trainer.trainStep(batches[1]!, lrAt(1))).rejects.toThrow(TrainingError);
      await expect(trainer.trainStep(batches[1]!, lrAt(1))).rejects.toThrow(/^step 2: the loss is NaN and the gradient norm NaN/);
      await trainer.close();
      expect(trainer.step).toBe(1);
      const after = trainer.adamState();
      expect(after.step).toBe(1);
      for (const [name, w] of trainer.weights) {
        expect(bits(w.data), name).toEqual(weights.get(name));
        expect(bits(after.m.get(name)!), `m.${name}`).toEqual(bits(state.m.get(name)!));
        expect(bits(after.v.get(name)!), `v.${name}`).toEqual(bits(state.v.get(name)!));
      }
    }
  });

  it('refuses a learning rate that is not a positive finite number, naming the step', async () => {
    const trainer = await open(ckpt.weights);
    for (const lr of [Number.NaN, Number.POSITIVE_INFINITY, 0]) await expect(trainer.trainStep(batches[0]!, lr)).rejects.toThrow(/^Trainer\.trainStep: lr at step 1 must be a finite number > 0/);
    await trainer.close();
    expect(trainer.step).toBe(0);
  });

  it('refuses up front a model whose weights, gradients and AdamW moments would not fit, with the memory needed', async () => {
    await expect(Trainer.open(ckpt.config, ckpt.weights, { adam, batch: 1, seqLen: 40, available: 1e5 })).rejects.toThrow(TrainingError);
    await expect(Trainer.open(ckpt.config, ckpt.weights, { adam, batch: 1, seqLen: 40, available: 1e5 })).rejects.toThrow(
      /^training cannot run on this machine: [\d,]+ parameters: further pre-training would hold 0\.0 GiB for the weights as float32, 0\.0 GiB for the trained copy of the weights, AdamW's two moments, and one batch's gradients twice \(ours and the engine's\), 0\.0 GiB for the activations of a gradient pass over 1 window of 40 tokens, 0\.2 GiB for the runtime \(Node, ONNX Runtime, the tokenizer, the texts\); 0\.2 GiB in all, more than the 0\.0 GiB this machine has available$/,
    );
  });

  it('refuses TinyLlama-1.1B’s shape where 20 GiB is available, before reading a weight', async () => {
    const config = parseModelConfig({
      model_type: 'llama', hidden_size: 2048, num_hidden_layers: 22, num_attention_heads: 32, num_key_value_heads: 4,
      intermediate_size: 5632, vocab_size: 32000, tie_word_embeddings: false,
    });
    await expect(Trainer.open(config, new Map(), { adam, batch: 8, seqLen: 128, available: 20 * 2 ** 30 })).rejects.toThrow(
      /^training cannot run on this machine: 1,100,048,384 parameters: further pre-training would hold 4\.1 GiB for the weights as float32, 20\.5 GiB for the trained copy .* 26\.2 GiB in all, more than the 20\.0 GiB this machine has available$/,
    );
  });

  it('rejects bad options, naming them, and leaves no session open', async () => {
    const sessions = openOrtSessions();
    await expect(Trainer.open(ckpt.config, ckpt.weights, { adam, batch: 1, seqLen: 40, microBatch: 0 })).rejects.toThrow(/microBatch must be a whole number ≥ 1 \(got 0\)/);
    await expect(Trainer.open(ckpt.config, ckpt.weights, { adam, batch: 1, seqLen: 40, clipNorm: -1 })).rejects.toThrow(/clipNorm must be ≥ 0/);
    await expect(Trainer.open(ckpt.config, ckpt.weights, { adam: { lr: -1 }, batch: 1, seqLen: 40, engine: 'ort-cpu' })).rejects.toThrow(/AdamW: lr must be > 0/);
    expect(openOrtSessions()).toBe(sessions);
  });
});
