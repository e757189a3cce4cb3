import type { ImportanceMap } from './types.js';
import { scoreWindows, type ImportanceEngine } from './internals/score.js';
import { parseImportanceSettings, type ImportanceOptions } from './settings.js';
import { importanceWindows, type ImportanceText } from './windows.js';

export { IMPORTANCE_OBJECTIVE, engineShapes, type ImportanceEngine } from './internals/score.js';

/** The language, the checkpoint it runs on, and the text to score. */
export type ImportanceInput = {
  /** Language of the text (ISO 639-1), recorded in the map. */
  language: string;
  /** Content hash of the checkpoint (`checkpointHash(dir)`), recorded as provenance. */
  checkpointHash: string;
} & ImportanceText;

/**
 * Importance of every parameter for one language, the paper's |θ ⊙ g|: g is the gradient of
 * Σ over windows of each window's mean next-token NLL ({@link IMPORTANCE_OBJECTIVE}), accumulated over
 * the windows at FIXED weights (nothing is updated) — the first-order Taylor estimate of the loss change
 * when the parameter is set to zero. Gradients are summed in float32 across passes (see internals/score.ts for why); scores are float32.
 *
 * With a text, the first `maxTokens` tokens (default 100,000) are cut into windows of `seqLen` (default
 * 128); given windows are scored exactly as given. Bit-reproducible for a given engine and thread count;
 * engines differ only in float rounding (test/importance/reference.test.ts).
 *
 * @returns scores by HF name (same shape and row-major layout as the weight), `languages: [language]`,
 *   and provenance: checkpoint hash, sha256 of the windows' token ids, settings, objective, backend, loss.
 *   The engine's tfjs memory is unchanged afterwards (`tf.memory().numTensors`).
 * @throws Error for invalid settings, an unknown weight name, or nothing to score (empty text or list).
 */
export async function computeImportance(
  engine: ImportanceEngine,
  input: ImportanceInput,
  options: ImportanceOptions = {},
): Promise<ImportanceMap> {
  const settings = parseImportanceSettings(options);
  const windows = importanceWindows(input, settings, input.language);
  return scoreWindows(engine, windows, {
    language: input.language,
    checkpointHash: input.checkpointHash,
    settings,
    givenWindows: 'windows' in input,
    onProgress: options.onProgress,
  });
}
