import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../checkpoint/config.js';
import { applyRope, type RopeTables } from './rope.js';

/** The model's weights as tfjs tensors, by HF name. */
export type Params = ReadonlyMap<string, tf.Tensor>;

function param(params: Params, name: string): tf.Tensor {
  const t = params.get(name);
  if (t === undefined) throw new Error(`model weight ${name} is missing`);
  return t;
}

/** RMSNorm: w ⊙ x / sqrt(mean(x²) + eps). x: [..., d]; w: [d]. */
export function rmsNorm(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  const variance = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, eps))), weight);
}

/** HF Linear: x·Wᵀ (+ b). x: [n, in]; W: [out, in]; b: [out]. */
export function linear(x: tf.Tensor2D, params: Params, prefix: string): tf.Tensor2D {
  const y = tf.matMul(x, param(params, `${prefix}.weight`) as tf.Tensor2D, false, true) as tf.Tensor2D;
  const bias = params.get(`${prefix}.bias`);
  return bias === undefined ? y : (tf.add(y, bias) as tf.Tensor2D);
}

/** [batch·seq, heads·hd] → [batch, heads, seq, hd] */
function splitHeads(x: tf.Tensor2D, batch: number, seq: number, heads: number, hd: number): tf.Tensor4D {
  return tf.transpose(tf.reshape(x, [batch, seq, heads, hd]), [0, 2, 1, 3]);
}

/** Repeats each kv head for the query heads it serves (HF repeat_kv): [b, kv, s, hd] → [b, kv·rep, s, hd]. */
function repeatKv(x: tf.Tensor4D, rep: number): tf.Tensor4D {
  if (rep === 1) return x;
  const [b, kv, s, hd] = x.shape;
  // tfjs has tile gradients up to rank 4: fold [s, hd] into one axis.
  const tiled = tf.tile(tf.reshape(x, [b, kv, 1, s * hd]), [1, 1, rep, 1]);
  return tf.reshape(tiled, [b, kv * rep, s, hd]);
}

/**
 * Additive attention mask [seq, seq]: 0 where query i may see key j (j ≤ i, and i − j < window when a
 * sliding window is set), a large negative number elsewhere (not −∞, so gradients stay finite).
 */
export function attentionMask(seq: number, slidingWindow: number | null): tf.Tensor2D {
  const mask = new Float32Array(seq * seq);
  for (let i = 0; i < seq; i++) {
    for (let j = 0; j < seq; j++) {
      const visible = j <= i && (slidingWindow === null || i - j < slidingWindow);
      mask[i * seq + j] = visible ? 0 : -1e9;
    }
  }
  return tf.tensor2d(mask, [seq, seq]);
}

/** Constants shared by every layer of one forward pass. */
export interface ForwardContext {
  config: ModelConfig;
  batch: number;
  seq: number;
  rope: RopeTables;
  mask: tf.Tensor2D;
}

/** Self-attention of layer `i`. x: [batch·seq, d] (already normed) → [batch·seq, d]. */
export function selfAttention(x: tf.Tensor2D, params: Params, i: number, ctx: ForwardContext): tf.Tensor2D {
  const { config, batch, seq } = ctx;
  const { numHeads, numKvHeads, headDim } = config;
  const p = `model.layers.${i}.self_attn`;
  const q = applyRope(splitHeads(linear(x, params, `${p}.q_proj`), batch, seq, numHeads, headDim), ctx.rope);
  const k = applyRope(splitHeads(linear(x, params, `${p}.k_proj`), batch, seq, numKvHeads, headDim), ctx.rope);
  const v = splitHeads(linear(x, params, `${p}.v_proj`), batch, seq, numKvHeads, headDim);
  const rep = numHeads / numKvHeads;
  // [batch·heads, seq, hd]
  const q3 = tf.reshape(q, [batch * numHeads, seq, headDim]);
  const k3 = tf.reshape(repeatKv(k, rep), [batch * numHeads, seq, headDim]);
  const v3 = tf.reshape(repeatKv(v, rep), [batch * numHeads, seq, headDim]);
  const scores = tf.add(tf.mul(tf.matMul(q3, k3, false, true), 1 / Math.sqrt(headDim)), ctx.mask);
  const context = tf.matMul(tf.softmax(scores), v3); // [batch·heads, seq, hd]
  const merged = tf.reshape(
    tf.transpose(tf.reshape(context, [batch, numHeads, seq, headDim]), [0, 2, 1, 3]),
    [batch * seq, numHeads * headDim],
  );
  return linear(merged as tf.Tensor2D, params, `${p}.o_proj`);
}

/** SwiGLU MLP of layer `i`: down(silu(gate(x)) ⊙ up(x)). x: [n, d] → [n, d]. */
export function mlp(x: tf.Tensor2D, params: Params, i: number): tf.Tensor2D {
  const p = `model.layers.${i}.mlp`;
  const gate = linear(x, params, `${p}.gate_proj`);
  const silu = tf.mul(gate, tf.sigmoid(gate));
  return linear(tf.mul(silu, linear(x, params, `${p}.up_proj`)) as tf.Tensor2D, params, `${p}.down_proj`);
}

/** One decoder layer: pre-norm attention and pre-norm MLP, each added to the residual stream. */
export function decoderLayer(h: tf.Tensor2D, params: Params, i: number, ctx: ForwardContext): tf.Tensor2D {
  const eps = ctx.config.rmsNormEps;
  const p = `model.layers.${i}`;
  const attnIn = rmsNorm(h, param(params, `${p}.input_layernorm.weight`), eps) as tf.Tensor2D;
  const h1 = tf.add(h, selfAttention(attnIn, params, i, ctx));
  const mlpIn = rmsNorm(h1, param(params, `${p}.post_attention_layernorm.weight`), eps) as tf.Tensor2D;
  return tf.add(h1, mlp(mlpIn, params, i));
}
