/** Forward-only detectors: massive activations and super weights (./activations.ts), published coordinates (./known.ts). */
export * from './activations.js';
export * from './known.js';
