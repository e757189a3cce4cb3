/** Regions: sets of parameters chosen from importance (core/top, bottom, random, monolingual), saved and compared. */
export * from './types.js';
export * from './select.js';
export * from './sum.js';
export * from './monolingual.js';
export * from './neurons.js';
export * from './overlap.js';
export * from './io.js';
export * from './hash.js';
