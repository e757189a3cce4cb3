/**
 * The LLaMA decoder, one small function per piece (norm → attention → MLP → block), written once over
 * the {@link Ops} every engine provides: tfjs runs it eagerly, the ONNX builder records it as a graph.
 * HF tensor names are visible; shapes are in the comments. ./forward.ts puts the blocks together.
 */
import type { ModelConfig } from '../checkpoint/config.js';
import type { Ops } from './ops.js';
import { applyRope, type RopeTables } from './rope.js';

/** A weight that must exist. */
export function param<T>(ops: Ops<T>, name: string): T {
  const t = ops.weight(name);
  if (t === undefined) throw new Error(`model weight ${name} is missing`);
  return t;
}

/** RMSNorm: w ⊙ x / sqrt(mean(x²) + eps). x: [..., d]; w: [d]. */
export function rmsNorm<T>(ops: Ops<T>, x: T, weight: T, eps: number): T {
  const variance = ops.meanLast(ops.square(x));
  return ops.mul(ops.mul(x, ops.rsqrt(ops.addScalar(variance, eps))), weight);
}

/** HF Linear: x·Wᵀ (+ b). x: [n, in]; W: [out, in]; b: [out]. */
export function linear<T>(ops: Ops<T>, x: T, prefix: string): T {
  const y = ops.matMul(x, param(ops, `${prefix}.weight`), true);
  const bias = ops.weight(`${prefix}.bias`);
  return bias === undefined ? y : ops.add(y, bias);
}

/** [batch·seq, heads·hd] → [batch, heads, seq, hd] */
function splitHeads<T>(ops: Ops<T>, x: T, batch: number, seq: number, heads: number, hd: number): T {
  return ops.transpose(ops.reshape(x, [batch, seq, heads, hd]), [0, 2, 1, 3]);
}

/** Repeats each kv head for the query heads it serves (HF repeat_kv): [b, kv, s, hd] → [b, kv·rep, s, hd]. */
function repeatKv<T>(ops: Ops<T>, x: T, rep: number): T {
  if (rep === 1) return x;
  const [b, kv, s, hd] = ops.shape(x) as [number, number, number, number];
  // tfjs has tile gradients up to rank 4: fold [s, hd] into one axis.
  const tiled = ops.tile(ops.reshape(x, [b, kv, 1, s * hd]), [1, 1, rep, 1]);
  return ops.reshape(tiled, [b, kv * rep, s, hd]);
}

/**
 * Additive attention mask [seq, seq], on the host: 0 where query i may see key j (j ≤ i, and i − j < window
 * when a sliding window is set), a large negative number elsewhere (not −∞, so gradients stay finite).
 */
export function attentionMask(seq: number, slidingWindow: number | null): Float32Array {
  const mask = new Float32Array(seq * seq);
  for (let i = 0; i < seq; i++) {
    for (let j = 0; j < seq; j++) {
      const visible = j <= i && (slidingWindow === null || i - j < slidingWindow);
      mask[i * seq + j] = visible ? 0 : -1e9;
    }
  }
  return mask;
}

/** Constants shared by every layer of one forward pass. */
export interface ForwardContext<T> {
  config: ModelConfig;
  batch: number;
  seq: number;
  rope: RopeTables<T>;
  /** [seq, seq], see {@link attentionMask}. */
  mask: T;
  /** Sees every layer's down_proj input and output (the super-weight detector). */
  observeDownProj?: DownProjObserver<T>;
  /** Sees the input of every linear layer (Wanda's ‖X‖₂ per input channel). */
  observeLinearInput?: LinearInputObserver<T>;
}

/**
 * Observes what the linear layers of layer i read: `weights` (HF names) all take `input` [n, in]: q/k/v the
 * normed residual, o_proj the merged heads, gate/up the normed residual, down_proj silu(gate) ⊙ up.
 */
export type LinearInputObserver<T> = (layer: number, weights: readonly string[], input: T) => void;

/** Self-attention of layer `i`. x: [batch·seq, d] (already normed) → [batch·seq, d]. */
export function selfAttention<T>(ops: Ops<T>, x: T, i: number, ctx: ForwardContext<T>): T {
  const { config, batch, seq } = ctx;
  const { numHeads, numKvHeads, headDim } = config;
  const p = `model.layers.${i}.self_attn`;
  ctx.observeLinearInput?.(i, [`${p}.q_proj.weight`, `${p}.k_proj.weight`, `${p}.v_proj.weight`], x);
  const q = applyRope(ops, splitHeads(ops, linear(ops, x, `${p}.q_proj`), batch, seq, numHeads, headDim), ctx.rope);
  const k = applyRope(ops, splitHeads(ops, linear(ops, x, `${p}.k_proj`), batch, seq, numKvHeads, headDim), ctx.rope);
  const v = splitHeads(ops, linear(ops, x, `${p}.v_proj`), batch, seq, numKvHeads, headDim);
  const rep = numHeads / numKvHeads;
  // [batch·heads, seq, hd]
  const q3 = ops.reshape(q, [batch * numHeads, seq, headDim]);
  const k3 = ops.reshape(repeatKv(ops, k, rep), [batch * numHeads, seq, headDim]);
  const v3 = ops.reshape(repeatKv(ops, v, rep), [batch * numHeads, seq, headDim]);
  const scores = ops.add(ops.mulScalar(ops.matMul(q3, k3, true), 1 / Math.sqrt(headDim)), ctx.mask);
  const context = ops.matMul(ops.softmaxLast(scores), v3, false); // [batch·heads, seq, hd]
  const merged = ops.reshape(
    ops.transpose(ops.reshape(context, [batch, numHeads, seq, headDim]), [0, 2, 1, 3]),
    [batch * seq, numHeads * headDim],
  );
  ctx.observeLinearInput?.(i, [`${p}.o_proj.weight`], merged);
  return linear(ops, merged, `${p}.o_proj`);
}

/**
 * Observes layer i's MLP: `mlp.down_proj`'s input [n, ffn] (silu(gate) ⊙ up) and output [n, d] (the
 * super-weight detector), and gate_proj's output [n, ffn] before the SiLU (language neurons: it is positive
 * exactly where the SiLU is).
 */
export type DownProjObserver<T> = (layer: number, input: T, output: T, gate: T) => void;

/** SwiGLU MLP of layer `i`: down(silu(gate(x)) ⊙ up(x)). x: [n, d] → [n, d]. */
export function mlp<T>(ops: Ops<T>, x: T, i: number, observe?: DownProjObserver<T>, observeInput?: LinearInputObserver<T>): T {
  const p = `model.layers.${i}.mlp`;
  observeInput?.(i, [`${p}.gate_proj.weight`, `${p}.up_proj.weight`], x);
  const gate = linear(ops, x, `${p}.gate_proj`);
  const silu = ops.mul(gate, ops.sigmoid(gate));
  const input = ops.mul(silu, linear(ops, x, `${p}.up_proj`));
  observeInput?.(i, [`${p}.down_proj.weight`], input);
  const output = linear(ops, input, `${p}.down_proj`);
  observe?.(i, input, output, gate);
  return output;
}

/** One decoder layer: pre-norm attention and pre-norm MLP, each added to the residual stream. h: [batch·seq, d]. */
export function decoderLayer<T>(ops: Ops<T>, h: T, i: number, ctx: ForwardContext<T>): T {
  const eps = ctx.config.rmsNormEps;
  const p = `model.layers.${i}`;
  const attnIn = rmsNorm(ops, h, param(ops, `${p}.input_layernorm.weight`), eps);
  const h1 = ops.add(h, selfAttention(ops, attnIn, i, ctx));
  const mlpIn = rmsNorm(ops, h1, param(ops, `${p}.post_attention_layernorm.weight`), eps);
  return ops.add(h1, mlp(ops, mlpIn, i, ctx.observeDownProj, ctx.observeLinearInput));
}
