import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../checkpoint/config.js';

/**
 * Rotary position embedding frequencies, as HF's `ROPE_INIT_FUNCTIONS` compute them (default, linear,
 * llama3). Returns inv_freq: [head_dim / 2].
 */
export function ropeInverseFrequencies(config: ModelConfig): Float32Array {
  const dim = config.headDim;
  const inv = new Float32Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) inv[i] = 1 / Math.pow(config.ropeTheta, (2 * i) / dim);
  const s = config.ropeScaling;
  if (s.kind === 'linear') {
    for (let i = 0; i < inv.length; i++) inv[i] = inv[i]! / s.factor;
  } else if (s.kind === 'llama3') {
    const lowFreqWavelen = s.originalMaxPositionEmbeddings / s.lowFreqFactor;
    const highFreqWavelen = s.originalMaxPositionEmbeddings / s.highFreqFactor;
    for (let i = 0; i < inv.length; i++) {
      const f = inv[i]!;
      const wavelen = (2 * Math.PI) / f;
      if (wavelen > lowFreqWavelen) {
        inv[i] = f / s.factor;
      } else if (wavelen >= highFreqWavelen) {
        // HF: medium band = neither wavelen < high_freq_wavelen nor wavelen > low_freq_wavelen.
        const smooth =
          (s.originalMaxPositionEmbeddings / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
        inv[i] = (1 - smooth) * (f / s.factor) + smooth * f;
      }
    }
  }
  return inv;
}

/** cos and sin tables for positions 0..seqLen-1, each [seqLen, head_dim] (the half-table repeated twice). */
export interface RopeTables {
  cos: tf.Tensor2D;
  sin: tf.Tensor2D;
}

/** Builds the RoPE tables for a sequence length. The caller owns (disposes) them. */
export function ropeTables(config: ModelConfig, seqLen: number): RopeTables {
  const inv = ropeInverseFrequencies(config);
  const dim = config.headDim;
  const half = dim / 2;
  const cos = new Float32Array(seqLen * dim);
  const sin = new Float32Array(seqLen * dim);
  for (let t = 0; t < seqLen; t++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(t * inv[i]!);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[t * dim + i] = c;
      cos[t * dim + half + i] = c;
      sin[t * dim + i] = s;
      sin[t * dim + half + i] = s;
    }
  }
  return { cos: tf.tensor2d(cos, [seqLen, dim]), sin: tf.tensor2d(sin, [seqLen, dim]) };
}

/**
 * Applies RoPE in HF's rotate-half convention: x·cos + rotate_half(x)·sin, rotate_half(x) = [-x2, x1].
 * x: [batch, heads, seq, head_dim]; tables: [seq, head_dim].
 */
export function applyRope(x: tf.Tensor4D, rope: RopeTables): tf.Tensor4D {
  const half = x.shape[3] / 2;
  const [x1, x2] = tf.split(x, [half, half], 3);
  const rotated = tf.concat([tf.neg(x2!), x1!], 3);
  return tf.add(tf.mul(x, rope.cos), tf.mul(rotated, rope.sin));
}
