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
  /** Each window's NLL sum (nats) and predicted tokens, in window order: what a paired bootstrap resamples (./bootstrap.ts). */
  windows: { nll: number[]; tokens: number[] };
}

/** Settings of a perplexity measurement. */
export interface PerplexityOptions extends WindowOptions {
  /** Windows per forward pass (default 8). */
  batchSize?: number;
  /** Called after each batch with (windows done, windows total). */
  onProgress?: (done: number, total: number) => void;
}

/** Perplexity from per-window NLL sums (nats) and token counts, and the bytes they cover. */
export function summarize(windows: { nll: number[]; tokens: number[] }, bytes: number): LanguagePerplexity {
  let nllSum = 0;
  let tokens = 0;
  for (let i = 0; i < windows.nll.length; i++) {
    nllSum += windows.nll[i]!;
    tokens += windows.tokens[i]!;
  }
  const meanNll = nllSum / tokens;
  return { tokens, bytes, meanNll, ppl: Math.exp(meanNll), bitsPerByte: nllSum / Math.LN2 / bytes, windows };
}

/** Perplexity from a model's `windowNll` answers, in window order. */
export function fromWindowNll(list: readonly { nllSum: number; tokens: number }[], bytes: number): LanguagePerplexity {
  return summarize({ nll: list.map((w) => w.nllSum), tokens: list.map((w) => w.tokens) }, bytes);
}

/** Perplexity of the model on token windows (each window's first token is context only). */
export async function windowsPerplexity(
  model: ForwardModel,
  windows: readonly number[][],
  bytes: number,
  options: PerplexityOptions = {},
): Promise<LanguagePerplexity> {
  const per = { nll: [] as number[], tokens: [] as number[] };
  let done = 0;
  for (const batch of batchWindows(windows, options.batchSize ?? 8)) {
    for (const w of await model.windowNll(batch)) {
      per.nll.push(w.nllSum);
      per.tokens.push(w.tokens);
    }
    done += batch.length;
    options.onProgress?.(done, windows.length);
  }
  return summarize(per, bytes);
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
