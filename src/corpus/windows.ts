import type { TextTokenizer } from '../tokenizer/tokenizer.js';

/**
 * How a text becomes token windows. The text is read line by line (each line tokenized with its
 * trailing "\n"), whole lines are taken until `maxTokens` would be exceeded, and the token stream is cut
 * into consecutive, non-overlapping chunks of `seqLen − 1` tokens (stride = seqLen − 1). Each window is
 * BOS + chunk, so every token of the stream is predicted exactly once, with the context inside its window;
 * the last window may be shorter.
 *
 * A tokenizer without BOS (Qwen adds none): the windows are `seqLen` tokens of the stream itself, each
 * starting with the previous window's last token as context (stride seqLen − 1), so every token but the
 * text's first is predicted exactly once; that first token, and its bytes, are not scored.
 */
export interface WindowOptions {
  /** Tokens per window including BOS (default 128). */
  seqLen?: number;
  /** Stop after this many text tokens (default: the whole text). */
  maxTokens?: number;
}

/** Windows of one text, and the UTF-8 bytes of text they cover (for bits per byte). */
export interface TextWindows {
  windows: number[][];
  /** Predicted tokens: the text tokens (BOS excluded). */
  tokens: number;
  /** UTF-8 bytes of the text covered. */
  bytes: number;
}

const encoder = new TextEncoder();

/** Cuts a text into BOS-prefixed windows (see {@link WindowOptions}). Deterministic. */
export function textWindows(text: string, tokenizer: TextTokenizer, options: WindowOptions = {}): TextWindows {
  const seqLen = options.seqLen ?? 128;
  const maxTokens = options.maxTokens ?? Number.POSITIVE_INFINITY;
  if (!Number.isInteger(seqLen) || seqLen < 2) throw new Error(`seqLen must be an integer ≥ 2 (got ${seqLen})`);
  if (!(maxTokens >= 1)) throw new Error(`maxTokens must be ≥ 1 (got ${maxTokens})`);
  const bos = tokenizer.bosId;
  const stream: number[] = [];
  let bytes = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const piece = line + '\n';
    let ids = tokenizer.encode(piece);
    let pieceBytes = encoder.encode(piece).length;
    if (stream.length + ids.length > maxTokens) {
      if (stream.length > 0) break;
      ids = ids.slice(0, maxTokens); // a single line longer than the budget: keep its head
      pieceBytes = encoder.encode(tokenizer.decode(ids)).length;
    }
    for (const id of ids) stream.push(id);
    bytes += pieceBytes;
    if (stream.length >= maxTokens) break;
  }
  const chunk = seqLen - 1;
  const windows: number[][] = [];
  if (bos === null) {
    for (let start = 0; start + 1 < stream.length; start += chunk) windows.push(stream.slice(start, start + seqLen));
    if (windows.length === 0) return { windows, tokens: 0, bytes: 0 };
    return { windows, tokens: stream.length - 1, bytes: bytes - encoder.encode(tokenizer.decode([stream[0]!])).length };
  }
  for (let start = 0; start < stream.length; start += chunk) {
    windows.push([bos, ...stream.slice(start, start + chunk)]);
  }
  return { windows, tokens: stream.length, bytes };
}

/** Groups windows into batches of equal length, at most `batchSize` each, keeping order within a length. */
export function batchWindows<W extends readonly number[]>(windows: readonly W[], batchSize: number): W[][] {
  const byLength = new Map<number, W[]>();
  for (const w of windows) {
    const group = byLength.get(w.length) ?? [];
    group.push(w);
    byLength.set(w.length, group);
  }
  const batches: W[][] = [];
  for (const group of byLength.values()) {
    for (let i = 0; i < group.length; i += batchSize) batches.push(group.slice(i, i + batchSize));
  }
  return batches;
}
