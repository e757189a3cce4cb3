import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCheckpoint, type GeneratedCheckpoint } from '../../src/checkpoint/generate.js';
import { LlamaModel } from '../../src/engine/tfjs/model.js';

/** A tiny seeded random checkpoint (byte-level tokenizer) in a fresh temp dir, and its model. */
export function tinyModel(seed = 1, config: Record<string, unknown> = {}): { ckpt: GeneratedCheckpoint; model: LlamaModel } {
  const dir = mkdtempSync(join(tmpdir(), 'regions-tiny-'));
  const ckpt = generateCheckpoint(dir, { seed, tokenizer: 'bytes', config: { hidden_size: 32, num_hidden_layers: 2, ...config } });
  return { ckpt, model: LlamaModel.fromWeights(ckpt.config, ckpt.weights) };
}
