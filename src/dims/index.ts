/**
 * Dimension analysis (the paper's "dimensional dependence"): does a region line up on a few hidden
 * dimensions ({@link regionConcentration}), which dimensions carry massive activations
 * ({@link activationOutliers}), and what one parameter on a dimension does to competence
 * ({@link dimensionSensitivity}).
 */
export * from './concentration.js';
export * from './outliers.js';
export * from './sensitivity.js';
