/**
 * Runs once in vitest's main process before the spec files (the plugin adds it as `globalSetup`):
 * computes what every spec file shares — the baseline perplexities and each region language's importance
 * — into the disk cache, so that the test workers, which open their own subject, find them there
 * instead of computing them twice in parallel on a cold cache. Prints progress, so a cold run is never
 * minutes of silence.
 */
import type { TestProject } from 'vitest/node';
import { REGIONS_PROVIDE_KEY, type ResolvedRegionsOptions } from './options.js';
import { openSubject } from './subject.js';

export default async function warmRegionsCache(project: TestProject): Promise<void> {
  const options = (project.getProvidedContext() as unknown as Record<string, ResolvedRegionsOptions | undefined>)[REGIONS_PROVIDE_KEY];
  if (options === undefined || !options.cache) return;
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
