/**
 * Perturbations of a model's weights that always restore: zero a region, change one parameter, a hidden
 * dimension or a norm entry, add noise, set an activation (mean-ablation) — as data ({@link Perturbation}), applied by {@link withPerturbation}.
 */
export * from './errors.js';
export * from './op.js';
export * from './hidden-axis.js';
export * from './region-fit.js';
export * from './zero-region.js';
export * from './parameter.js';
export * from './dimension.js';
export * from './norm.js';
export * from './noise.js';
export * from './activation.js';
export * from './perturbation.js';
export * from './with-perturbation.js';
export type { Perturbable } from '../model/perturbable.js';
