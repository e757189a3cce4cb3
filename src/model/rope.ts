import type { ModelConfig } from '../checkpoint/config.js';
import type { Ops } from './ops.js';

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
export interface RopeTables<T> {
  cos: T;
  sin: T;
}

/** The RoPE tables for a sequence length, on the host: cos and sin, each [seqLen, head_dim] row-major. */
export function ropeTableData(config: ModelConfig, seqLen: number): { cos: Float32Array; sin: Float32Array } {
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
  return { cos, sin };
}

/** The RoPE tables as constants of an engine. */
export function ropeTables<T>(ops: Ops<T>, config: ModelConfig, seqLen: number): RopeTables<T> {
  const { cos, sin } = ropeTableData(config, seqLen);
  const shape = [seqLen, config.headDim];
  return { cos: ops.constant(cos, shape), sin: ops.constant(sin, shape) };
}

/**
 * Applies RoPE in HF's rotate-half convention: x·cos + rotate_half(x)·sin, rotate_half(x) = [-x2, x1].
 * x: [batch, heads, seq, head_dim]; tables: [seq, head_dim].
 */
export function applyRope<T>(ops: Ops<T>, x: T, rope: RopeTables<T>): T {
  const [b, h, s, d] = ops.shape(x) as [number, number, number, number];
  const half = d / 2;
  const x1 = ops.slice(x, [0, 0, 0, 0], [b, h, s, half]);
  const x2 = ops.slice(x, [0, 0, 0, half], [b, h, s, half]);
  const rotated = ops.concatLast([ops.neg(x2), x1]);
  return ops.add(ops.mul(x, rope.cos), ops.mul(rotated, rope.sin));
}
