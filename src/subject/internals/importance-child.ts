/**
 * A child process of the cache warm-up (../warm-cache.ts): opens its own subject with the options it is sent
 * and computes (into the disk cache) the importance of the languages it is sent, one after another, saying
 * which is ready. Sent: `{ options, languages }`; says `{ ready: language }` per language, then exits 0, or
 * `{ error }` and exits 1. It exits as well when the parent goes (the IPC channel closes).
 */
import { openCheckpointSubject } from '../subject.js';
import type { ResolvedRegionsOptions } from '../options.js';

export interface ImportanceJob {
  options: ResolvedRegionsOptions;
  languages: string[];
}

export type ImportanceChildMessage = { ready: string } | { error: string } | { progress: { language: string; done: number; total: number } };

/** How often a child reports its windows done (ms): often enough for a time-left estimate, rarely enough to cost nothing. */
const PROGRESS_EVERY_MS = 2000;

const send = (m: ImportanceChildMessage) => new Promise<void>((done) => process.send!(m, () => done()));

async function work(job: ImportanceJob): Promise<void> {
  const subject = await openCheckpointSubject(job.options);
  let last = 0;
  subject.onImportanceProgress((language, done, total) => {
    const now = Date.now();
    if (done < total && now - last < PROGRESS_EVERY_MS) return;
    last = now;
    process.send!({ progress: { language, done, total } } satisfies ImportanceChildMessage);
  });
  try {
    for (const language of job.languages) {
      await subject.importance(language);
      await send({ ready: language });
    }
  } finally {
    await subject.close();
  }
}

process.on('disconnect', () => process.exit(1));
process.once('message', (job: ImportanceJob) => {
  work(job).then(
    () => process.exit(0),
    async (err: unknown) => {
      await send({ error: err instanceof Error ? err.message : String(err) });
      process.exit(1);
    },
  );
});
