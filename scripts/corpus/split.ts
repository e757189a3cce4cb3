import { createHash } from 'node:crypto';

/** A document after line cleaning, with the priority of its source. */
export interface CleanDoc {
  source: string;
  key: string;
  /** 1 = prose documentation, 2 = man pages, 3 = UI string catalogs; lower tiers fill the cap first. */
  tier: number;
  lines: string[];
}

/** A kept line and the source it came from (for the per-source byte counts). */
export interface KeptLine {
  text: string;
  source: string;
}

/** Settings of {@link splitDocuments}. */
export interface SplitSettings {
  /** Most bytes of training text per language. */
  trainCap: number;
  /** Hold out documents whatever the amount of text (the region languages). */
  alwaysHoldOut: boolean;
  /** Otherwise, hold out only when at least this many bytes of training text would remain. */
  minTrainForHeldout: number;
  /** Held-out size: this share of the language's usable text, clamped to [heldoutMin, heldoutMax] bytes. */
  heldoutShare: number;
  heldoutMin: number;
  heldoutMax: number;
}

/** The lines of one language, split. */
export interface Split {
  train: KeptLine[];
  heldout: KeptLine[];
  /** `source/key` of the held-out documents. */
  heldoutDocs: string[];
  /** Bytes dropped because the line was already in eval, held-out or earlier training text. */
  duplicateBytes: number;
  /** Bytes of clean, new lines left out because the training cap was reached. */
  capBytes: number;
}

/** Bytes a line takes in a corpus file (UTF-8 plus its newline). */
export function lineBytes(line: string): number {
  return Buffer.byteLength(line, 'utf8') + 1;
}

function rank(salt: string, doc: CleanDoc): string {
  return createHash('sha256').update(`${salt}\0${doc.source}\0${doc.key}`).digest('hex');
}

function docBytes(doc: CleanDoc): number {
  return doc.lines.reduce((sum, line) => sum + lineBytes(line), 0);
}

/**
 * Chooses held-out documents and fills the training text, deterministically:
 * - held-out: documents in the order of a hash of their language-independent key (so the same
 *   chapters are held out in every language that has them), each taken if the held-out text stays
 *   under `heldoutMax`, until it reaches the target size — when enough text remains for training.
 *   Only the sources the language's training text is drawn from are candidates, so the held-out
 *   text is in-domain;
 * - train: the remaining documents by tier, then by a hash of their key (a fixed shuffle that mixes
 *   sources), line by line until the first line that would pass the cap;
 * - a line already seen (in the evaluation text, the held-out text or earlier training text) is
 *   dropped, so no file repeats a line and no held-out or evaluation line is trained on.
 */
export function splitDocuments(docs: CleanDoc[], evalLines: ReadonlySet<string>, settings: SplitSettings): Split {
  const usable = Math.min(
    settings.trainCap,
    docs.reduce((sum, doc) => sum + docBytes(doc), 0),
  );
  const target = Math.min(settings.heldoutMax, Math.max(settings.heldoutMin, settings.heldoutShare * usable));
  const heldoutDocs: CleanDoc[] = [];
  if (settings.alwaysHoldOut || usable - target >= settings.minTrainForHeldout) {
    let size = 0;
    const candidates = [...docs].sort((a, b) => cmp(rank('heldout', a), rank('heldout', b)));
    for (const doc of candidates) {
      if (size >= target) break;
      const bytes = docBytes(doc);
      if (bytes === 0 || size + bytes > settings.heldoutMax) continue;
      heldoutDocs.push(doc);
      size += bytes;
    }
  }
  const seen = new Set(evalLines);
  let duplicateBytes = 0;
  let capBytes = 0;
  const heldout: KeptLine[] = [];
  for (const doc of heldoutDocs) {
    for (const text of doc.lines) {
      if (seen.has(text)) duplicateBytes += lineBytes(text);
      else {
        seen.add(text);
        heldout.push({ text, source: doc.source });
      }
    }
  }
  const held = new Set(heldoutDocs);
  const order = docs
    .filter((d) => !held.has(d))
    .sort((a, b) => a.tier - b.tier || cmp(rank('train', a), rank('train', b)));
  const train: KeptLine[] = [];
  let size = 0;
  let full = false;
  for (const doc of order) {
    for (const text of doc.lines) {
      const bytes = lineBytes(text);
      if (seen.has(text)) duplicateBytes += bytes;
      else if (full || size + bytes > settings.trainCap) {
        full = true;
        capBytes += bytes;
        seen.add(text);
      } else {
        seen.add(text);
        train.push({ text, source: doc.source });
        size += bytes;
      }
    }
  }
  return { train, heldout, heldoutDocs: heldoutDocs.map((d) => `${d.source}/${d.key}`), duplicateBytes, capBytes };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
