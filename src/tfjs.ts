/**
 * vitest-regions/tfjs: the tfjs engine — its backends and its model — for those who drive it directly. Importing
 * this loads @tensorflow/tfjs; nothing else in the package does until a tfjs backend (`wasm`, `cpu`, `tensorflow`,
 * `webgpu`) is asked for by name.
 */
export { initBackend, currentBackend, type BackendInfo, type BackendName } from './engine/tfjs/select.js';
export { LlamaModel, disposeAll, type LossAndGrads } from './engine/tfjs/model.js';
export { forwardLogits, tokenNll, type ResidualObserver } from './engine/tfjs/forward.js';
