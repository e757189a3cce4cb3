import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../checkpoint/config.js';
import { attentionMask, decoderLayer, rmsNorm, type ForwardContext, type Params } from './layers.js';
import { ropeTables } from './rope.js';

/** Observes the residual stream after each layer (hidden: [batch·seq, d]); used for activation outliers. */
export type ResidualObserver = (layer: number, hidden: tf.Tensor2D) => void;

/**
 * LlamaForCausalLM forward pass: ids [batch, seq] (int32) → logits [batch·seq, vocab].
 * Pure in `params`, so tf.grads can differentiate it. Call inside tf.tidy.
 */
export function forwardLogits(
  params: Params,
  config: ModelConfig,
  ids: tf.Tensor2D,
  observe?: ResidualObserver,
): tf.Tensor2D {
  const [batch, seq] = ids.shape;
  const ctx: ForwardContext = {
    config,
    batch,
    seq,
    rope: ropeTables(config, seq),
    mask: attentionMask(seq, config.slidingWindow),
  };
  const embed = params.get('model.embed_tokens.weight')!;
  let h = tf.gather(embed, tf.reshape(ids, [-1])) as tf.Tensor2D; // [batch·seq, d]
  observe?.(-1, h);
  for (let i = 0; i < config.numLayers; i++) {
    h = decoderLayer(h, params, i, ctx);
    observe?.(i, h);
  }
  const normed = rmsNorm(h, params.get('model.norm.weight')!, config.rmsNormEps) as tf.Tensor2D;
  const head = config.tieWordEmbeddings ? embed : params.get('lm_head.weight')!;
  return tf.matMul(normed, head as tf.Tensor2D, false, true);
}

/**
 * Next-token negative log-likelihood of every predicted position: ids [batch, seq] → [batch, seq − 1]
 * (position t predicts token t + 1). Call inside tf.tidy.
 */
export function tokenNll(params: Params, config: ModelConfig, ids: tf.Tensor2D): tf.Tensor2D {
  const [batch, seq] = ids.shape;
  const logits = tf.reshape(forwardLogits(params, config, ids), [batch, seq, config.vocabSize]);
  const predicting = tf.reshape(tf.slice(logits, [0, 0, 0], [batch, seq - 1, config.vocabSize]), [
    batch * (seq - 1),
    config.vocabSize,
  ]);
  const logProbs = tf.logSoftmax(predicting);
  const targets = tf.reshape(tf.slice(ids, [0, 1], [batch, seq - 1]), [-1]);
  // Pick log p(target) per row by a gather on the flattened matrix (its gradient is a scatter-add).
  const rowStarts = tf.mul(tf.range(0, batch * (seq - 1), 1, 'int32'), tf.scalar(config.vocabSize, 'int32'));
  const picked = tf.gather(tf.reshape(logProbs, [-1]), tf.add(rowStarts, targets));
  return tf.reshape(tf.neg(picked), [batch, seq - 1]);
}
