/**
 * The decoder of every supported family, one small function per piece (norm → attention → MLP → block), written
 * once over the {@link Ops} every engine provides: tfjs runs it eagerly, the ONNX builder records it as a graph.
 * What differs between families is read from the config's {@link BlockLayout} and family parts
 * (../checkpoint/families.ts); weight names come from ../checkpoint/names.ts. ./causal-lm.ts puts the blocks
 * together. Shapes are in the comments.
 */
import type { ModelConfig } from '../checkpoint/config.js';
import { layerWeight, linearPrefix, type LayerNormName } from '../checkpoint/names.js';
import type { Ops } from './ops.js';
import { applyRope, type RopeTables } from './rope.js';

/** A weight that must exist. */
export function param<T>(ops: Ops<T>, name: string): T {
  const t = ops.weight(name);
  if (t === undefined) throw new Error(`model weight ${name} is missing`);
  return t;
}

/**
 * RMSNorm: w ⊙ x / sqrt(mean(x²) + eps), over the last axis; with `offset` 1, (1 + w) ⊙ … (Gemma, whose stored
 * weights are offsets from 1). x: [..., d]; w: [d].
 */
export function rmsNorm<T>(ops: Ops<T>, x: T, weight: T, eps: number, offset: 0 | 1 = 0): T {
  const variance = ops.meanLast(ops.square(x));
  return ops.mul(ops.mul(x, ops.rsqrt(ops.addScalar(variance, eps))), offset === 1 ? ops.addScalar(weight, 1) : weight);
}

/** The model's RMSNorm with the weight `name` (its eps and offset). */
export function norm<T>(ops: Ops<T>, config: ModelConfig, x: T, name: string): T {
  return rmsNorm(ops, x, param(ops, name), config.rmsNormEps, config.block.normOffset);
}

/** cap · tanh(x / cap): Gemma-2's soft-capping of attention scores and logits. */
export function softcap<T>(ops: Ops<T>, x: T, cap: number): T {
  return ops.mulScalar(ops.tanh(ops.mulScalar(x, 1 / cap)), cap);
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
  /** Layer i's RoPE tables (Gemma-3's sliding layers have their own). */
  rope: (layer: number) => RopeTables<T>;
  /** Layer i's [seq, seq] mask, see {@link attentionMask} (sliding layers have their window). */
  mask: (layer: number) => T;
  /** Sees every layer's down_proj input and output (the super-weight detector). */
  observeDownProj?: DownProjObserver<T>;
  /** Sees the input of every linear layer (Wanda's ‖X‖₂ per input channel). */
  observeLinearInput?: LinearInputObserver<T>;
}

/**
 * Observes what the linear layers of layer i read: `weights` (HF names) all take `input` [n, in]: q/k/v (or qkv)
 * the attention's input, o_proj the merged heads, gate/up (or gate_up) the MLP's input, down_proj act(gate) ⊙ up.
 */
export type LinearInputObserver<T> = (layer: number, weights: readonly string[], input: T) => void;

/** Self-attention of layer `i`. x: [batch·seq, d] (the attention's input) → [batch·seq, d]. */
export function selfAttention<T>(ops: Ops<T>, x: T, i: number, ctx: ForwardContext<T>): T {
  const { config, batch, seq } = ctx;
  const { numHeads, numKvHeads, headDim, block } = config;
  const [qw, kvw] = [numHeads * headDim, numKvHeads * headDim];
  let q: T, k: T, v: T;
  if (block.fused) {
    // Phi-3: one qkv_proj whose outputs are q, then k, then v.
    ctx.observeLinearInput?.(i, [layerWeight(i, 'qkv_proj')], x);
    const qkv = linear(ops, x, linearPrefix(i, 'qkv_proj')); // [n, qw + 2·kvw]
    const n = batch * seq;
    [q, k, v] = [ops.slice(qkv, [0, 0], [n, qw]), ops.slice(qkv, [0, qw], [n, kvw]), ops.slice(qkv, [0, qw + kvw], [n, kvw])];
  } else {
    ctx.observeLinearInput?.(i, [layerWeight(i, 'q_proj'), layerWeight(i, 'k_proj'), layerWeight(i, 'v_proj')], x);
    [q, k, v] = [linear(ops, x, linearPrefix(i, 'q_proj')), linear(ops, x, linearPrefix(i, 'k_proj')), linear(ops, x, linearPrefix(i, 'v_proj'))];
  }
  if (block.qkNorm === 'projection') {
    // OLMo-2: over the whole projection, before the heads are split.
    [q, k] = [norm(ops, config, q, layerWeight(i, 'q_norm')), norm(ops, config, k, layerWeight(i, 'k_norm'))];
  }
  let qh = splitHeads(ops, q, batch, seq, numHeads, headDim);
  let kh = splitHeads(ops, k, batch, seq, numKvHeads, headDim);
  if (block.qkNorm === 'head') {
    // Qwen3, Gemma-3: per head over head_dim, before RoPE.
    [qh, kh] = [norm(ops, config, qh, layerWeight(i, 'q_norm')), norm(ops, config, kh, layerWeight(i, 'k_norm'))];
  }
  const rope = ctx.rope(i);
  qh = applyRope(ops, qh, rope);
  kh = applyRope(ops, kh, rope);
  const vh = splitHeads(ops, v, batch, seq, numKvHeads, headDim);
  const rep = numHeads / numKvHeads;
  // [batch·heads, seq, hd]
  const q3 = ops.reshape(qh, [batch * numHeads, seq, headDim]);
  const k3 = ops.reshape(repeatKv(ops, kh, rep), [batch * numHeads, seq, headDim]);
  const v3 = ops.reshape(repeatKv(ops, vh, rep), [batch * numHeads, seq, headDim]);
  let scores = ops.mulScalar(ops.matMul(q3, k3, true), config.attnScale);
  if (config.attnSoftcap !== null) scores = softcap(ops, scores, config.attnSoftcap); // before the mask, as HF
  const context = ops.matMul(ops.softmaxLast(ops.add(scores, ctx.mask(i))), v3, false); // [batch·heads, seq, hd]
  const merged = ops.reshape(
    ops.transpose(ops.reshape(context, [batch, numHeads, seq, headDim]), [0, 2, 1, 3]),
    [batch * seq, numHeads * headDim],
  );
  ctx.observeLinearInput?.(i, [layerWeight(i, 'o_proj')], merged);
  return linear(ops, merged, linearPrefix(i, 'o_proj'));
}

/**
 * Observes layer i's MLP: `mlp.down_proj`'s input [n, ffn] (act(gate) ⊙ up) and output [n, d] (the
 * super-weight detector), and the gate's output [n, ffn] before the activation (language neurons: SiLU and
 * GeLU are both positive exactly where the gate is).
 */
export type DownProjObserver<T> = (layer: number, input: T, output: T, gate: T) => void;

/** GeLU's tanh approximation (torch's `gelu(approximate="tanh")`, HF's gelu_pytorch_tanh): ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
function geluTanh<T>(ops: Ops<T>, x: T): T {
  const inner = ops.mulScalar(ops.add(x, ops.mulScalar(ops.mul(ops.square(x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return ops.mul(ops.mulScalar(x, 0.5), ops.addScalar(ops.tanh(inner), 1));
}

/** The gated MLP of layer `i`: down(act(gate(x)) ⊙ up(x)), act SiLU or GeLU-tanh. x: [n, d] → [n, d]. */
export function mlp<T>(ops: Ops<T>, x: T, i: number, config: ModelConfig, observe?: DownProjObserver<T>, observeInput?: LinearInputObserver<T>): T {
  let gate: T, up: T;
  if (config.block.fused) {
    // Phi-3: one gate_up_proj whose first half is the gate, the second the up projection.
    observeInput?.(i, [layerWeight(i, 'gate_up_proj')], x);
    const gu = linear(ops, x, linearPrefix(i, 'gate_up_proj')); // [n, 2·ffn]
    const [n, f] = [ops.shape(gu)[0]!, config.intermediateSize];
    [gate, up] = [ops.slice(gu, [0, 0], [n, f]), ops.slice(gu, [0, f], [n, f])];
  } else {
    observeInput?.(i, [layerWeight(i, 'gate_proj'), layerWeight(i, 'up_proj')], x);
    [gate, up] = [linear(ops, x, linearPrefix(i, 'gate_proj')), linear(ops, x, linearPrefix(i, 'up_proj'))];
  }
  const act = config.block.activation === 'silu' ? ops.mul(gate, ops.sigmoid(gate)) : geluTanh(ops, gate);
  const input = ops.mul(act, up);
  observeInput?.(i, [layerWeight(i, 'down_proj')], input);
  const output = linear(ops, input, linearPrefix(i, 'down_proj'));
  observe?.(i, input, output, gate);
  return output;
}

/**
 * One decoder layer, its norms placed as the family's layout says (../checkpoint/families.ts): pre-norm
 * (LLaMA), Gemma's sandwich, or OLMo-2's post-norm on each branch's output. h: [batch·seq, d].
 */
export function decoderLayer<T>(ops: Ops<T>, h: T, i: number, ctx: ForwardContext<T>): T {
  const { config } = ctx;
  const n = (x: T, name: LayerNormName) => norm(ops, config, x, layerWeight(i, name));
  const attention = (x: T) => selfAttention(ops, x, i, ctx);
  const ffn = (x: T) => mlp(ops, x, i, config, ctx.observeDownProj, ctx.observeLinearInput);
  switch (config.block.norms) {
    case 'pre': {
      const h1 = ops.add(h, attention(n(h, 'input_layernorm')));
      return ops.add(h1, ffn(n(h1, 'post_attention_layernorm')));
    }
    case 'sandwich': {
      const h1 = ops.add(h, n(attention(n(h, 'input_layernorm')), 'post_attention_layernorm'));
      return ops.add(h1, n(ffn(n(h1, 'pre_feedforward_layernorm')), 'post_feedforward_layernorm'));
    }
    case 'post': {
      const h1 = ops.add(h, n(attention(h), 'post_attention_layernorm'));
      return ops.add(h1, n(ffn(h1), 'post_feedforward_layernorm'));
    }
  }
}
