/** Checkpoint I/O: HF decoder checkpoints of the supported families (config.json + safetensors) to float32 host tensors and back. */
export * from './config.js';
export * from './families.js';
export * from './names.js';
export * from './errors.js';
export * from './types.js';
export * from './safetensors.js';
export * from './load.js';
export * from './save.js';
export * from './generate.js';
export * from './hash.js';
