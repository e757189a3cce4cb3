/** Forward-only detectors: massive activations and super weights (./activations.ts), language neurons by LAPE (./language-neurons.ts), residual-stream outliers at the first and other positions (./outliers.ts, `regions dims --texts`), published coordinates (./known.ts); the registry (./registry.ts). */
export * from './activations.js';
export * from './known.js';
export * from './language-neurons.js';
export * from './outliers.js';
export * from './registry.js';
