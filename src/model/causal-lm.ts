/**
 * The causal LM of every supported family: embedding (× √d for Gemma) → decoder layers → final norm → LM head
 * (soft-capped for Gemma-2), and the next-token NLL, written once over {@link Ops} (the blocks are in ./layers.ts). tfjs runs it eagerly (./forward.ts); the ONNX
 * engine records it as a graph (../engine/onnx/ort-model.ts).
 */
import type { ModelConfig } from '../checkpoint/config.js';
import { EMBED, FINAL_NORM, LM_HEAD } from '../checkpoint/names.js';
import { attentionMask, decoderLayer, norm, param, softcap, type DownProjObserver, type ForwardContext, type LinearInputObserver } from './layers.js';
import type { Ops } from './ops.js';
import { applyEdits, type ResidualEdit } from './residual-edit.js';
import { ropeTables, type RopeKind, type RopeTables } from './rope.js';

/** Observes the residual stream: layer −1 is the embedding output, layer i the output of decoder layer i. hidden: [batch·seq, d]. */
export type Observer<T> = (layer: number, hidden: T) => void;

/** What a forward pass is asked to do besides computing: observe its values, and edit the residual stream. */
export interface ForwardHooks<T> {
  /** Sees the residual stream after the embedding and after each layer (after that layer's edits). */
  observe?: Observer<T>;
  observeDownProj?: DownProjObserver<T>;
  observeLinearInput?: LinearInputObserver<T>;
  /** Residual-stream edits (./residual-edit.ts), applied where the observer would see the stream. */
  edits?: readonly ResidualEdit[];
}

/** The final hidden states, normed: ids [batch, seq] (int) → [batch·seq, d]. */
export function forwardHidden<T>(ops: Ops<T>, config: ModelConfig, ids: T, hooks: ForwardHooks<T> = {}): T {
  const { observe, observeDownProj, observeLinearInput, edits } = hooks;
  const [batch, seq] = ops.shape(ids) as [number, number];
  // One constant per distinct window and RoPE kind, made when a layer first asks for it.
  const masks = new Map<number | null, T>();
  const ropes = new Map<RopeKind, RopeTables<T>>();
  const ropeKind = (i: number): RopeKind => (config.localRopeTheta !== null && config.layerWindows[i] !== null ? 'local' : 'global');
  const ctx: ForwardContext<T> = {
    config,
    batch,
    seq,
    rope: (i) => ropes.get(ropeKind(i)) ?? ropes.set(ropeKind(i), ropeTables(ops, config, seq, ropeKind(i))).get(ropeKind(i))!,
    mask: (i) => {
      const window = config.layerWindows[i] ?? null;
      return masks.get(window) ?? masks.set(window, ops.constant(attentionMask(seq, window), [seq, seq])).get(window)!;
    },
    observeDownProj,
    observeLinearInput,
  };
  const embed = param(ops, EMBED);
  let h = ops.gatherRows(embed, ops.reshape(ids, [batch * seq])); // [batch·seq, d]
  if (config.embedScale !== null) h = ops.mulScalar(h, config.embedScale);
  h = applyEdits(ops, h, -1, edits, batch, seq, config.hiddenSize);
  observe?.(-1, h);
  for (let i = 0; i < config.numLayers; i++) {
    h = applyEdits(ops, decoderLayer(ops, h, i, ctx), i, edits, batch, seq, config.hiddenSize);
    observe?.(i, h);
  }
  return norm(ops, config, h, FINAL_NORM);
}

/** The LM head (tied: the embedding), soft-capped where the family does: hidden [n, d] → logits [n, vocab]. */
export function lmHead<T>(ops: Ops<T>, config: ModelConfig, hidden: T): T {
  const logits = ops.matMul(hidden, param(ops, config.tieWordEmbeddings ? EMBED : LM_HEAD), true);
  return config.finalSoftcap === null ? logits : softcap(ops, logits, config.finalSoftcap);
}

/** Logits of every position: ids [batch, seq] → [batch·seq, vocab]. */
export function logitsOf<T>(ops: Ops<T>, config: ModelConfig, ids: T, hooks: ForwardHooks<T> = {}): T {
  return lmHead(ops, config, forwardHidden(ops, config, ids, hooks));
}

/**
 * Rows of [rows, vocab] logits computed at once by {@link nllOf}: 64 MiB of float32 per chunk, so a
 * 150k vocabulary (Qwen) never needs the whole [batch·seq, vocab] matrix and its log-softmax at once.
 */
export const LOGITS_CHUNK_BYTES = 64 * 2 ** 20;

/**
 * Next-token NLL of every predicted position: ids [batch, seq] → [batch, seq − 1] (position t predicts
 * token t + 1). The LM head, log-softmax and target pick run on chunks of rows (see
 * {@link LOGITS_CHUNK_BYTES}); rows are independent, so chunking changes no value.
 */
export function nllOf<T>(ops: Ops<T>, config: ModelConfig, ids: T, options: { chunkBytes?: number; edits?: readonly ResidualEdit[] } = {}): T {
  const chunkBytes = options.chunkBytes ?? LOGITS_CHUNK_BYTES;
  const [batch, seq] = ops.shape(ids) as [number, number];
  const d = config.hiddenSize;
  const rows = batch * (seq - 1);
  const hidden = ops.reshape(forwardHidden(ops, config, ids, { edits: options.edits }), [batch, seq, d]);
  // The last position predicts nothing: drop it before the (vocab-wide) head.
  const predicting = ops.reshape(ops.slice(hidden, [0, 0, 0], [batch, seq - 1, d]), [rows, d]);
  const targets = ops.reshape(ops.slice(ids, [0, 1], [batch, seq - 1]), [rows]);
  const chunk = Math.max(1, Math.floor(chunkBytes / (4 * config.vocabSize)));
  const picked: T[] = [];
  for (let start = 0; start < rows; start += chunk) {
    const n = Math.min(chunk, rows - start);
    const h = n === rows ? predicting : ops.slice(predicting, [start, 0], [n, d]);
    const t = n === rows ? targets : ops.slice(targets, [start], [n]);
    picked.push(ops.pick(ops.logSoftmaxLast(lmHead(ops, config, h)), t)); // [n]
  }
  const logLikelihood = picked.length === 1 ? picked[0]! : ops.concatLast(picked);
  return ops.reshape(ops.neg(logLikelihood), [batch, seq - 1]);
}
