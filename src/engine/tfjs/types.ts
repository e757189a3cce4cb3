/** The tfjs backends' names and what a started one reports: shared by ./select.ts and the starters in ./internals/. */

/**
 * Which compute backend runs the model:
 * - `tensorflow`: libtensorflow via `@tensorflow/tfjs-node-gpu` (CUDA) or `@tensorflow/tfjs-node`.
 * - `wasm`: XNNPACK in WebAssembly, one thread under Node, with our kernel fixes. The default here.
 * - `cpu`: plain JavaScript; a slow reference.
 * - `webgpu`: Dawn through the `webgpu` package. Read tensors with async `data()`: `dataSync()` fails.
 * - `auto`: `tensorflow` if it loads, else `wasm`. Never `webgpu` (on a machine without a GPU it
 *   runs on llvmpipe, slower than wasm); ask for it by name.
 */
export type BackendName = 'auto' | 'tensorflow' | 'wasm' | 'cpu' | 'webgpu';

/** The backend that {@link initBackend} started: what runs, where, and what we patched. */
export interface BackendInfo {
  /** Our name for it; never `auto`. */
  name: Exclude<BackendName, 'auto'>;
  /** tfjs's name for it, as `tf.getBackend()` reports it. */
  tfBackend: string;
  /** The device in words, e.g. 'CPU: AMD EPYC 9654 (wasm SIMD, 1 thread)', 'GPU: NVIDIA H200 (CUDA)'. */
  device: string;
  /** One line per tfjs kernel we replaced or added for this backend; empty when none. */
  kernelFixes: string[];
}
