/**
 * The measurements behind the matchers, as pure functions of (checkpoint, texts, settings) returning
 * plain JSON ({@link FindingResult}): the matchers, the reporter and scripts all read the same numbers.
 * No vitest imports here.
 */
export * from './result.js';
export * from './format.js';
export * from './effects.js';
export * from './regions.js';
export * from './zeroing.js';
export * from './dimension.js';
export * from './monolingual.js';
export * from './frozen.js';
