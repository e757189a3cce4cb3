import { textWindows } from '../corpus/windows.js';
import type { TextTokenizer } from '../tokenizer/tokenizer.js';
import type { ImportanceSettings } from './settings.js';

/**
 * The text importance is measured on: exactly these token windows (each scored as given, its first token
 * context only), or a text that {@link textWindows} cuts into BOS-prefixed windows of `seqLen` tokens,
 * at most `maxTokens` of them.
 */
export type ImportanceText =
  | { windows: readonly (readonly number[])[] }
  | { text: string; tokenizer: TextTokenizer };

/**
 * The token windows to score, [windows][tokens].
 * @throws Error when there is nothing to score (an empty text, an empty list, a window under 2 tokens).
 */
export function importanceWindows(input: ImportanceText, settings: ImportanceSettings, language: string): number[][] {
  const windows =
    'windows' in input
      ? input.windows.map((w) => [...w])
      : textWindows(input.text, input.tokenizer, { seqLen: settings.seqLen, maxTokens: settings.maxTokens }).windows;
  if (windows.length === 0) {
    throw new Error(`importance of "${language}": ${'windows' in input ? 'the list of windows is empty' : 'the text has no tokens to score'}`);
  }
  windows.forEach((w, i) => {
    if (w.length < 2) throw new Error(`importance of "${language}": window ${i} has ${w.length} token(s); a window needs at least 2`);
  });
  return windows;
}

/** Predicted tokens in the windows (each window's first token is context only). */
export function predictedTokens(windows: readonly (readonly number[])[]): number {
  return windows.reduce((n, w) => n + w.length - 1, 0);
}
