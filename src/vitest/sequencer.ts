/**
 * A test sequencer that starts the longest spec files first, so that on a cold run a long one (further
 * pre-training, minutes) does not start last and run alone on one core while the other idles.
 *
 *     import { regions, RegionsSequencer } from 'vitest-regions/vitest/plugin';
 *     export default defineConfig({ plugins: [regions({ … })], test: { sequence: { sequencer: RegionsSequencer } } });
 *
 * vitest itself orders files by their last duration, and files it has no duration for by size, largest
 * first; a spec file's size says nothing of its cost. Here a file vitest has no duration for is estimated by
 * the cold time its budget declares (`specBudget(…, { coldSeconds })`, ./budget.ts), read from its source.
 * Within each project the files with an estimate go first, longest first; the others follow in vitest's order.
 * Across projects (and groupOrder) vitest's order is kept.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The `coldSeconds` a spec file's source declares (the largest, if several), or null. */
export function declaredColdSeconds(source: string): number | null {
  const found = [...source.matchAll(/\bcoldSeconds:\s*(\d+(?:\.\d+)?)/g)].map((m) => Number(m[1]));
  return found.length === 0 ? null : Math.max(...found);
}

export class RegionsSequencer extends BaseSequencer {
  /** Expected duration in ms: vitest's record of the last run, else the declared cold time, else null. */
  #estimate(file: TestSpecification): number | null {
    const key = `${file.project.name}:${relative(this.ctx.config.root, file.moduleId)}`;
    const last = this.ctx.cache.getFileTestResults(key);
    if (last !== undefined) return last.duration;
    let source: string;
    try {
      source = readFileSync(file.moduleId, 'utf8');
    } catch {
      return null;
    }
    const seconds = declaredColdSeconds(source);
    return seconds === null ? null : seconds * 1000;
  }

  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    // vitest's order keeps each project's files together: reorder inside each run of one project.
    const out: TestSpecification[] = [];
    for (let i = 0; i < base.length; ) {
      let j = i;
      while (j < base.length && base[j]!.project === base[i]!.project) j++;
      const run = base.slice(i, j).map((file) => ({ file, ms: this.#estimate(file) }));
      const known = run.filter((r) => r.ms !== null).sort((a, b) => b.ms! - a.ms!);
      out.push(...known.map((r) => r.file), ...run.filter((r) => r.ms === null).map((r) => r.file));
      i = j;
    }
    return out;
  }
}
