import type { ModelConfig } from '../checkpoint/config.js';

/** A batch of token windows of equal length: ids[w] is one window, starting with BOS where the caller wants one. */
export type Windows = readonly (readonly number[])[];

/** Sum of NLL and the number of predicted tokens, per window. */
export interface WindowNll {
  nllSum: number;
  tokens: number;
}

/** Checks a batch against the model (equal lengths, ids inside the vocabulary) and flattens it row-major. */
export function checkWindows(windows: Windows, config: ModelConfig, minLength = 2): { batch: number; seq: number; flat: Int32Array } {
  const batch = windows.length;
  if (batch === 0) throw new Error('no token windows given');
  const seq = windows[0]!.length;
  if (seq < minLength) {
    throw new Error(minLength === 2 ? `a window needs at least 2 tokens to predict one (got ${seq})` : `a window needs at least ${minLength} token (got ${seq})`);
  }
  const flat = new Int32Array(batch * seq);
  windows.forEach((w, b) => {
    if (w.length !== seq) throw new Error(`windows in one batch must have equal length (window 0: ${seq}, window ${b}: ${w.length})`);
    w.forEach((id, t) => {
      if (!Number.isInteger(id) || id < 0 || id >= config.vocabSize) {
        throw new Error(`token id ${id} at window ${b}, position ${t} is outside the vocabulary [0, ${config.vocabSize})`);
      }
      flat[b * seq + t] = id;
    });
  });
  return { batch, seq, flat };
}

