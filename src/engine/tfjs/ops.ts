/** {@link Ops} on tfjs tensors, eagerly (call inside tf.tidy; tf.grads differentiates through them). */
import * as tf from '@tensorflow/tfjs';
import type { ObservationOps } from '../../model/observations.js';
import type { Ops } from '../../model/ops.js';

/** The model's weights as tfjs tensors, by HF name. */
export type Params = ReadonlyMap<string, tf.Tensor>;

export function tfjsOps(params: Params): Ops<tf.Tensor> {
  return {
    weight: (name) => params.get(name),
    constant: (data, shape) => tf.tensor(data, [...shape], 'float32'),
    shape: (x) => x.shape,
    matMul: (a, b, transposeB) => tf.matMul(a, b, false, transposeB),
    add: (a, b) => tf.add(a, b),
    mul: (a, b) => tf.mul(a, b),
    mulScalar: (x, s) => tf.mul(x, s),
    addScalar: (x, s) => tf.add(x, s),
    neg: (x) => tf.neg(x),
    square: (x) => tf.square(x),
    rsqrt: (x) => tf.rsqrt(x),
    sigmoid: (x) => tf.sigmoid(x),
    tanh: (x) => tf.tanh(x),
    meanLast: (x) => tf.mean(x, -1, true),
    softmaxLast: (x) => tf.softmax(x),
    logSoftmaxLast: (x) => tf.logSoftmax(x),
    reshape: (x, shape) => tf.reshape(x, [...shape]),
    transpose: (x, perm) => tf.transpose(x, [...perm]),
    tile: (x, reps) => tf.tile(x, [...reps]),
    slice: (x, begin, size) => tf.slice(x, [...begin], [...size]),
    concatLast: (xs) => tf.concat([...xs], -1),
    gatherRows: (table, ids) => tf.gather(table, ids),
    pick: (x, ids) => {
      // A gather on the flattened matrix (its gradient is a scatter-add).
      const [n, v] = x.shape as [number, number];
      const rowStarts = tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(v, 'int32'));
      return tf.gather(tf.reshape(x, [-1]), tf.add(rowStarts, ids));
    },
  };
}

/** {@link tfjsOps} with the reductions the observations (../../model/observations.ts) run. */
export function tfjsObservationOps(params: Params): ObservationOps<tf.Tensor> {
  return {
    ...tfjsOps(params),
    abs: (x) => tf.abs(x),
    maxOver: (x, axes) => tf.max(x, [...axes]),
    sumRows: (x) => tf.sum(x, 0),
    positive: (x) => tf.cast(tf.greater(x, 0), 'float32'),
    concatFirst: (xs) => tf.concat([...xs], 0),
    zeros: (shape) => tf.zeros([...shape]),
  };
}
