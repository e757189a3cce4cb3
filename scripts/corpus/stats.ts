import type { DropRule } from './clean.js';
import type { KeptLine } from './split.js';
import { lineBytes } from './split.js';

/** Size of one corpus file. */
export interface FileStats {
  bytes: number;
  lines: number;
}

/** What one source contributed to one language. */
export interface SourceStats {
  /** Debian package and version it was read from. */
  package: string;
  version: string;
  /** Bytes of lines kept in train and held-out text. */
  train: number;
  heldout: number;
}

/** Everything stats.json records about one language. */
export interface LanguageStats {
  name: string;
  splits: { train: FileStats; heldout: FileStats; eval: FileStats };
  sources: Record<string, SourceStats>;
  /** Bytes removed by each cleaning rule (a line counts UTF-8 bytes plus its newline). */
  dropped: Record<DropRule, number>;
  /**
   * Unrestricted franc's verdict on the kept train and held-out lines of ≥ 50 code points: how many
   * there are, the share it places in the language (null when there are none), and the three
   * languages it names most often instead (ISO 639-3 → lines).
   */
  francAgreement: { lines: number; share: number | null; others: Record<string, number> };
  /** `source/key` of the documents held out. */
  heldoutDocs: string[];
}

/** Size of a list of lines as a corpus file. */
export function fileStats(lines: readonly string[]): FileStats {
  return { bytes: lines.reduce((sum, l) => sum + lineBytes(l), 0), lines: lines.length };
}

/** Adds the kept bytes of `lines` to each source's `split` count. */
export function addSourceBytes(
  sources: Record<string, SourceStats>,
  lines: readonly KeptLine[],
  split: 'train' | 'heldout',
): void {
  for (const line of lines) {
    const entry = sources[line.source];
    if (entry === undefined) throw new Error(`stats: line from unknown source "${line.source}"`);
    entry[split] += lineBytes(line.text);
  }
}

/** Rounds a share to 4 decimals so that stats.json is stable and readable. */
export function round4(x: number | null): number | null {
  return x === null ? null : Math.round(x * 1e4) / 1e4;
}
