/**
 * The operations the decoder (./layers.ts, ./causal-lm.ts) is written in. Each engine provides them once: tfjs runs
 * them eagerly on tensors (./tfjs-ops.ts), the ONNX builder records them as graph nodes
 * (../engine/onnx/onnx-ops.ts). The architecture is written once, over this interface; adding a model
 * family changes the layers (and this interface only for a new op), never an engine's model.
 *
 * Shapes are static: every engine knows the shape of every value it hands out ({@link Ops.shape}).
 */
export interface Ops<T> {
  /** A weight by HF name, or undefined when the checkpoint has none (optional biases). */
  weight(name: string): T | undefined;
  /** A float32 constant made on the host (RoPE tables, the attention mask). */
  constant(data: Float32Array, shape: readonly number[]): T;
  shape(x: T): readonly number[];

  /** Batched matrix product over the leading axes: [..., m, k]·[..., k, n], or ·[..., n, k]ᵀ with `transposeB`. */
  matMul(a: T, b: T, transposeB: boolean): T;
  /** Elementwise, with numpy broadcasting. */
  add(a: T, b: T): T;
  mul(a: T, b: T): T;
  mulScalar(x: T, s: number): T;
  addScalar(x: T, s: number): T;
  neg(x: T): T;
  square(x: T): T;
  rsqrt(x: T): T;
  sigmoid(x: T): T;
  tanh(x: T): T;
  /** Mean over the last axis, kept as a size-1 axis. */
  meanLast(x: T): T;
  softmaxLast(x: T): T;
  logSoftmaxLast(x: T): T;

  reshape(x: T, shape: readonly number[]): T;
  transpose(x: T, perm: readonly number[]): T;
  tile(x: T, reps: readonly number[]): T;
  /** x[begin : begin + size] on every axis (float or int values). */
  slice(x: T, begin: readonly number[], size: readonly number[]): T;
  /** Concatenation along the last axis. */
  concatLast(xs: readonly T[]): T;
  /** Rows of a table: table [v, d], ids [n] (int) → [n, d]. */
  gatherRows(table: T, ids: T): T;
  /** One entry per row: x [n, v], ids [n] (int) → [n], x[i, ids[i]]. */
  pick(x: T, ids: T): T;
}
