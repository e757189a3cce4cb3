/**
 * A signal during further pre-training, in-process: with an entry point's handlers in effect
 * (handleInterrupts), furtherPretrain stops after the step it is in with an InterruptedError saying which
 * step; without them, a signal is not its business.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCheckpoint } from '../../src/checkpoint/generate.js';
import { loadTokenizer } from '../../src/tokenizer/tokenizer.js';
import { furtherPretrain, type FurtherPretrainOptions } from '../../src/train/further.js';
import { handleInterrupts, InterruptedError } from '../../src/util/interrupt.js';

const ckpt = generateCheckpoint(mkdtempSync(join(tmpdir(), 'regions-further-int-')), { seed: 3, tokenizer: 'bytes', config: { max_position_embeddings: 64 } });
const zh = '我们在这里学习新的语言，每天读书写字。\n今天天气很好，我们去公园散步吧。\n'.repeat(8);

function options(onProgress: FurtherPretrainOptions['onProgress']): FurtherPretrainOptions {
  return {
    tokenizer: loadTokenizer(join(ckpt.dir, 'tokenizer.json')),
    train: { language: 'zh', text: zh },
    evaluate: [{ language: 'en', text: 'The quick brown fox jumps over the lazy dog.\n'.repeat(4) }],
    steps: 50,
    batch: 2,
    seqLen: 32,
    evalMaxTokens: 64,
    seed: 1,
    threads: 1,
    engine: 'ort-cpu',
    onProgress,
  };
}

describe('furtherPretrain, interrupted', () => {
  it('stops after the step in which SIGTERM came, naming it; the caller\'s weights are untouched', async () => {
    const before = Float32Array.from(ckpt.weights.get('model.layers.0.mlp.up_proj.weight')!.data);
    const release = handleInterrupts('test');
    const steps: number[] = [];
    try {
      const run = furtherPretrain(ckpt.config, ckpt.weights, options((step) => {
        steps.push(step);
        if (step === 2) process.emit('SIGTERM', 'SIGTERM'); // as the OS delivers it: to the listeners
      }));
      await expect(run).rejects.toThrow(new InterruptedError('SIGTERM', 'further pre-training on zh (step 3 of 50)'));
      await expect(run).rejects.toMatchObject({ exitCode: 143, message: 'interrupted during further pre-training on zh (step 3 of 50)' });
    } finally {
      release();
    }
    expect(steps).toEqual([1, 2]);
    expect(ckpt.weights.get('model.layers.0.mlp.up_proj.weight')!.data).toEqual(before);
    expect(process.listenerCount('SIGTERM')).toBe(0); // the handlers went with the release
  });
});
