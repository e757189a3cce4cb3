import type { ModelConfig } from '../checkpoint/config.js';
import type { Ops } from './ops.js';

/** Which RoPE a layer uses: the model's (rope_theta with rope_scaling), or the sliding layers' local one (Gemma-3). */
export type RopeKind = 'global' | 'local';

/**
 * Rotary position embedding frequencies, as HF's `ROPE_INIT_FUNCTIONS` compute them (default, linear,
 * llama3), over the rotary dims (head_dim, or Phi-3's partial share). `local`: Gemma-3's sliding layers,
 * base rope_local_base_freq and no scaling. Returns inv_freq: [rotaryDim / 2].
 */
export function ropeInverseFrequencies(config: ModelConfig, kind: RopeKind = 'global'): Float32Array {
  const dim = config.rotaryDim;
  const local = kind === 'local' && config.localRopeTheta !== null;
  const theta = local ? config.localRopeTheta! : config.ropeTheta;
  const inv = new Float32Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) inv[i] = 1 / Math.pow(theta, (2 * i) / dim);
  const s: ModelConfig['ropeScaling'] = local ? { kind: 'none' } : config.ropeScaling;
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

/** cos and sin tables for positions 0..seqLen-1, each [seqLen, rotaryDim] (the half-table repeated twice). */
export interface RopeTables<T> {
  cos: T;
  sin: T;
}

/** The RoPE tables for a sequence length, on the host: cos and sin, each [seqLen, rotaryDim] row-major. */
export function ropeTableData(config: ModelConfig, seqLen: number, kind: RopeKind = 'global'): { cos: Float32Array; sin: Float32Array } {
  const inv = ropeInverseFrequencies(config, kind);
  const dim = config.rotaryDim;
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
export function ropeTables<T>(ops: Ops<T>, config: ModelConfig, seqLen: number, kind: RopeKind = 'global'): RopeTables<T> {
  const { cos, sin } = ropeTableData(config, seqLen, kind);
  const shape = [seqLen, config.rotaryDim];
  return { cos: ops.constant(cos, shape), sin: ops.constant(sin, shape) };
}

/**
 * Applies RoPE in HF's rotate-half convention: x·cos + rotate_half(x)·sin, rotate_half(x) = [-x2, x1], on the
 * first `rot` dims of each head (the tables' width); the rest pass through (Phi-3's partial rotary).
 * x: [batch, heads, seq, head_dim]; tables: [seq, rot].
 */
export function applyRope<T>(ops: Ops<T>, x: T, rope: RopeTables<T>): T {
  const [b, h, s, d] = ops.shape(x) as [number, number, number, number];
  const rot = ops.shape(rope.cos).at(-1)!;
  const xr = rot === d ? x : ops.slice(x, [0, 0, 0, 0], [b, h, s, rot]);
  const half = rot / 2;
  const x1 = ops.slice(xr, [0, 0, 0, 0], [b, h, s, half]);
  const x2 = ops.slice(xr, [0, 0, 0, half], [b, h, s, half]);
  const rotated = ops.concatLast([ops.neg(x2), x1]);
  const applied = ops.add(ops.mul(xr, rope.cos), ops.mul(rotated, rope.sin));
  return rot === d ? applied : ops.concatLast([applied, ops.slice(x, [0, 0, 0, rot], [b, h, s, d - rot])]);
}
