/** Importance |θ ⊙ g| of every parameter for one language: computed, cached, saved and loaded. */
export * from './compute.js';
export * from './cache.js';
export * from './io.js';
export * from './settings.js';
export * from './types.js';
export * from './windows.js';
export * from './wanda.js';
