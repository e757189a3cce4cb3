/** Forward-only detectors: massive activations and super weights (./activations.ts), language neurons by LAPE (./language-neurons.ts), published coordinates (./known.ts). */
export * from './activations.js';
export * from './known.js';
export * from './language-neurons.js';
