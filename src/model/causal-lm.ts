/**
 * LlamaForCausalLM: embedding → decoder layers → final norm → LM head, and the next-token NLL, written
 * once over {@link Ops} (the blocks are in ./layers.ts). tfjs runs it eagerly (./forward.ts); the ONNX
 * engine records it as a graph (../engine/onnx/ort-model.ts).
 */
import type { ModelConfig } from '../checkpoint/config.js';
import { attentionMask, decoderLayer, param, rmsNorm, type ForwardContext } from './layers.js';
import type { Ops } from './ops.js';
import { ropeTables } from './rope.js';

/** Observes the residual stream: layer −1 is the embedding output, layer i the output of decoder layer i. hidden: [batch·seq, d]. */
export type Observer<T> = (layer: number, hidden: T) => void;

/** The final hidden states, normed: ids [batch, seq] (int) → [batch·seq, d]. */
export function forwardHidden<T>(ops: Ops<T>, config: ModelConfig, ids: T, observe?: Observer<T>): T {
  const [batch, seq] = ops.shape(ids) as [number, number];
  const ctx: ForwardContext<T> = {
    config,
    batch,
    seq,
    rope: ropeTables(ops, config, seq),
    mask: ops.constant(attentionMask(seq, config.slidingWindow), [seq, seq]),
  };
  const embed = param(ops, 'model.embed_tokens.weight');
  let h = ops.gatherRows(embed, ops.reshape(ids, [batch * seq])); // [batch·seq, d]
  observe?.(-1, h);
  for (let i = 0; i < config.numLayers; i++) {
    h = decoderLayer(ops, h, i, ctx);
    observe?.(i, h);
  }
  return rmsNorm(ops, h, param(ops, 'model.norm.weight'), config.rmsNormEps);
}

/** The LM head (tied: the embedding): hidden [n, d] → logits [n, vocab]. */
export function lmHead<T>(ops: Ops<T>, config: ModelConfig, hidden: T): T {
  const head = param(ops, config.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight');
  return ops.matMul(hidden, head, true);
}

/** Logits of every position: ids [batch, seq] → [batch·seq, vocab]. */
export function logitsOf<T>(ops: Ops<T>, config: ModelConfig, ids: T, observe?: Observer<T>): T {
  return lmHead(ops, config, forwardHidden(ops, config, ids, observe));
}

/**
 * Next-token NLL of every predicted position: ids [batch, seq] → [batch, seq − 1] (position t predicts
 * token t + 1).
 */
export function nllOf<T>(ops: Ops<T>, config: ModelConfig, ids: T): T {
  const [batch, seq] = ops.shape(ids) as [number, number];
  const d = config.hiddenSize;
  const hidden = ops.reshape(forwardHidden(ops, config, ids), [batch, seq, d]);
  // The last position predicts nothing: drop it before the (vocab-wide) head.
  const predicting = ops.reshape(ops.slice(hidden, [0, 0, 0], [batch, seq - 1, d]), [batch * (seq - 1), d]);
  const logProbs = ops.logSoftmaxLast(lmHead(ops, config, predicting));
  const targets = ops.reshape(ops.slice(ids, [0, 1], [batch, seq - 1]), [batch * (seq - 1)]);
  return ops.reshape(ops.neg(ops.pick(logProbs, targets)), [batch, seq - 1]);
}
