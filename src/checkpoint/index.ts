/** Checkpoint I/O: HF LLaMA-family checkpoints (config.json + safetensors) to float32 host tensors and back. */
export * from './config.js';
export * from './errors.js';
export * from './types.js';
export * from './safetensors.js';
export * from './load.js';
export * from './save.js';
export * from './generate.js';
export * from './hash.js';
