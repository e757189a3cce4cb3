/** The model ladder (./causal-lm.ts) on tfjs tensors. */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../../checkpoint/config.js';
import { logitsOf, nllOf, type Observer } from '../../model/causal-lm.js';
import type { ResidualEdit } from '../../model/residual-edit.js';
import { tfjsOps, type Params } from './ops.js';

/** Observes the residual stream after each layer on tfjs (hidden: [batch·seq, d]); used for activation outliers. */
export type ResidualObserver = Observer<tf.Tensor2D>;

/**
 * tfjs: ids [batch, seq] (int32) → logits [batch·seq, vocab]. Pure in `params`, so tf.grads can
 * differentiate it. Call inside tf.tidy.
 */
export function forwardLogits(params: Params, config: ModelConfig, ids: tf.Tensor2D, observe?: ResidualObserver, edits?: readonly ResidualEdit[]): tf.Tensor2D {
  return logitsOf(tfjsOps(params), config, ids, { observe: observe as Observer<tf.Tensor> | undefined, edits }) as tf.Tensor2D;
}

/** tfjs: next-token NLL, ids [batch, seq] → [batch, seq − 1], with `edits` applied to the residual stream. Call inside tf.tidy. */
export function tokenNll(params: Params, config: ModelConfig, ids: tf.Tensor2D, edits?: readonly ResidualEdit[]): tf.Tensor2D {
  return nllOf(tfjsOps(params), config, ids, { edits }) as tf.Tensor2D;
}
