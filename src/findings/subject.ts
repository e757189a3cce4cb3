/**
 * The subject as the findings measure it: a checkpoint opened for measuring (../subject/) with the thresholds
 * that apply to it — its `regions.thresholds.json`, else the paper's defaults. The vitest fixture `subject` is
 * one of these; scripts get one with {@link openSubject}.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AvailableMemory } from '../engine/memory.js';
import { RegionsOptionsError, type RegionsOptions, type ResolvedRegionsOptions } from '../subject/options.js';
import { openCheckpointSubject, resolved, type CheckpointSubject } from '../subject/subject.js';
import { DEFAULT_THRESHOLDS, loadThresholds, type Thresholds } from './thresholds.js';

export type { RegionRequest } from '../subject/subject.js';

/** The thresholds file looked for in the checkpoint folder when the `thresholds` option is not given. */
export const THRESHOLDS_FILE = 'regions.thresholds.json';

/** A checkpoint opened for measuring, with the thresholds that apply to it. */
export interface RegionsSubject extends CheckpointSubject {
  /** The thresholds that apply to this checkpoint (file, else the paper's defaults). */
  readonly thresholds: Thresholds;
  /** The file they came from, or null for the defaults. */
  readonly thresholdsFile: string | null;
}

function thresholdsOf(options: ResolvedRegionsOptions): { thresholds: Thresholds; file: string | null } {
  const file = options.thresholds ?? join(options.checkpoint, THRESHOLDS_FILE);
  if (options.thresholds === null && !existsSync(file)) return { thresholds: DEFAULT_THRESHOLDS, file: null };
  let thresholds: Thresholds;
  try {
    thresholds = loadThresholds(file);
  } catch (err) {
    throw new RegionsOptionsError('option "thresholds"', (err as Error).message);
  }
  for (const finding of ['monolingual', 'languageNeurons'] as const) {
    for (const language of Object.keys(thresholds[finding].expectedFor)) {
      if (!options.regionLanguages.includes(language)) {
        throw new RegionsOptionsError(
          'option "thresholds"',
          `${file}: ${finding}.expectedFor.${language}: "${language}" is not a region language (${options.regionLanguages.join(', ')})`,
        );
      }
    }
  }
  return { thresholds, file };
}

/**
 * Opens the checkpoint under test with its thresholds: reads and checks the thresholds first, then opens the
 * checkpoint as ../subject/subject.ts does (memory check, engine, checkpoint, tokenizer, texts), with the
 * thresholds' region sizes as its defaults. Call `close()` when done (the vitest fixture does).
 * `machine.available` replaces the memory this process can take (default: MemAvailable or the cgroup's limit,
 * whichever is lower).
 * @throws RegionsOptionsError naming the option at fault (a missing folder, text, tokenizer, bad thresholds);
 *   CheckpointError naming the checkpoint and the memory it needs, part by part, when it would not fit.
 */
export async function openSubject(
  options: RegionsOptions | ResolvedRegionsOptions,
  machine: { available?: number | AvailableMemory } = {},
): Promise<RegionsSubject> {
  const o = resolved(options);
  const { thresholds, file } = thresholdsOf(o);
  const regionDefaults = { core: thresholds.coreRegion.fraction, monolingual: thresholds.monolingual.fraction };
  const subject = await openCheckpointSubject(o, { regionDefaults, available: machine.available });
  // The opened subject gains the two fields; it is not shared before this line.
  return Object.assign(subject, { thresholds, thresholdsFile: file });
}
