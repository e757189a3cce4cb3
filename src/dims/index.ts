/**
 * Dimension analysis (the paper's "dimensional dependence"): does a region line up on a few hidden
 * dimensions ({@link regionConcentration}) and what one parameter on a dimension does to competence
 * ({@link dimensionSensitivity}), and mean- against zero-ablation of a dimension's activation ({@link meanAblation},
 * Sun et al.'s control). Which dimensions carry massive activations is a detector's question (../detect/).
 */
export * from './concentration.js';
export * from './sensitivity.js';
export * from './mean-ablation.js';
