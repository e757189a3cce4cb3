import { batchWindows, textWindows, type WindowOptions } from '../corpus/windows.js';
import type { ForwardModel } from '../model/forward-model.js';
import type { TextTokenizer } from '../tokenizer/tokenizer.js';

/** Competence of a model in one language. */
export interface LanguagePerplexity {
  /** Predicted tokens. */
  tokens: number;
  /** UTF-8 bytes of text they cover. */
  bytes: number;
  /** Mean next-token NLL in nats. */
  meanNll: number;
  /** exp(meanNll). */
  ppl: number;
  /** Total NLL in bits divided by bytes: comparable across tokenizers and languages. */
  bitsPerByte: number;
}

/** Settings of a perplexity measurement. */
export interface PerplexityOptions extends WindowOptions {
  /** Windows per forward pass (default 8). */
  batchSize?: number;
  /** Called after each batch with (windows done, windows total). */
  onProgress?: (done: number, total: number) => void;
}

/** Perplexity from per-window NLL sums (nats), token and byte counts. */
export function summarize(nllSum: number, tokens: number, bytes: number): LanguagePerplexity {
  const meanNll = nllSum / tokens;
  return { tokens, bytes, meanNll, ppl: Math.exp(meanNll), bitsPerByte: nllSum / Math.LN2 / bytes };
}

/** Perplexity of the model on token windows (each window's first token is context only). */
export async function windowsPerplexity(
  model: ForwardModel,
  windows: readonly number[][],
  bytes: number,
  options: PerplexityOptions = {},
): Promise<LanguagePerplexity> {
  let nllSum = 0;
  let tokens = 0;
  let done = 0;
  for (const batch of batchWindows(windows, options.batchSize ?? 8)) {
    for (const w of await model.windowNll(batch)) {
      nllSum += w.nllSum;
      tokens += w.tokens;
    }
    done += batch.length;
    options.onProgress?.(done, windows.length);
  }
  return summarize(nllSum, tokens, bytes);
}

/** Perplexity of the model on a text (windows as {@link textWindows} makes them). Deterministic. */
export async function textPerplexity(
  model: ForwardModel,
  tokenizer: TextTokenizer,
  text: string,
  options: PerplexityOptions = {},
): Promise<LanguagePerplexity> {
  const { windows, bytes } = textWindows(text, tokenizer, options);
  if (windows.length === 0) throw new Error('the text has no tokens to score');
  return windowsPerplexity(model, windows, bytes, options);
}
