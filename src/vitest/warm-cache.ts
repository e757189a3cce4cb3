/**
 * Fills the disk cache with what every spec file shares — the baseline perplexities and each region
 * language's importance — so that the test workers, which open their own subject, find them there instead
 * of computing them twice in parallel on a cold cache. Prints progress, so a cold run is never minutes of
 * silence. global-setup.ts runs it once in vitest's main process, loaded natively (see there).
 */
import type { ResolvedRegionsOptions } from './options.js';
import { openSubject } from './subject.js';

export async function warmRegionsCache(options: ResolvedRegionsOptions): Promise<void> {
  const started = Date.now();
  const say = (msg: string) => process.stderr.write(`vitest-regions: ${msg} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  say(`opening ${options.checkpoint}`);
  const subject = await openSubject(options);
  try {
    await subject.baseline();
    say(`baseline perplexity of ${subject.languages.length} languages ready`);
    for (const language of options.regionLanguages) {
      await subject.importance(language);
      say(`importance for ${language} ready`);
    }
  } finally {
    await subject.close();
  }
}
