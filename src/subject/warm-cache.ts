/**
 * Fills the disk cache with what every spec file shares — the baseline perplexities and each region
 * language's importance — so that the test workers, which open their own subject, find them there instead
 * of computing them twice in parallel on a cold cache. Prints progress, so a cold run is never minutes of
 * silence. global-setup.ts runs it once in vitest's main process, loaded natively (see there).
 *
 * On ONNX Runtime's CPU provider the languages' importance is computed in child processes side by side
 * (internals/importance-child.ts), each language wholly in one process with the subject's own thread
 * count, so every map is bit-identical to one computed alone. Two processes of two intra-op threads beat
 * one on 2 cores, as a small model's gradient graph keeps two intra-op threads only ~85% busy: this warm-up
 * on the fixture (baseline and six languages × 100k tokens) took 30.0 and 31.4 s against 35.0 and 34.9 s one
 * language after another (AMD EPYC, 2026-12-02; docs/performance.md).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gradientPasses, memoryShortfall, parameterCount } from '../engine/memory.js';
import type { ImportanceChildMessage, ImportanceJob } from './internals/importance-child.js';
import type { ResolvedRegionsOptions } from './options.js';
import { openCheckpointSubject, type CheckpointSubject } from './subject.js';
import { handleInterrupts, InterruptedError } from '../util/interrupt.js';

type Say = (msg: string) => void;

/** Below this many parameters two processes share 2 cores (the fixture's measurement); above, one per `threads` cores. */
const SHARED_CORES_BELOW_PARAMS = 100e6;

/**
 * How many processes compute importance side by side: one per `threads` cores — or two sharing the cores
 * for a small model, where that was measured faster (above; a large model's matrices keep intra-op
 * threads busy, and that was not measured) — no more than there are languages, and only as many as memory
 * holds: each holds the weights, a gradient accumulator and one pass's gradients (three copies) and a
 * batch's activations, besides the parent's copy of the weights. One on any other engine (a GPU is one
 * device; tfjs runs in this thread).
 */
export function importanceProcesses(subject: CheckpointSubject, machine: { cores?: number; available?: number } = {}): number {
  if (subject.engine.name !== 'ort-cpu') return 1;
  const o = subject.options;
  const { cores = availableParallelism(), available } = machine;
  const perCores = Math.floor(cores / o.threads);
  const shared = perCores < 2 && parameterCount(subject.config) < SHARED_CORES_BELOW_PARAMS ? 2 : 1;
  let n = Math.min(o.regionLanguages.length, Math.max(perCores, shared));
  const passes = gradientPasses(o.importanceTokens, o.batchSize, subject.seqLen);
  const job = (processes: number) => ({ kind: 'importance', engine: 'onnxruntime', maps: 0, processes, gradientPasses: passes, batch: o.batchSize, seqLen: subject.seqLen }) as const;
  while (n > 1 && memoryShortfall(subject.config, job(n), available) !== null) n--;
  return n;
}

/** Windows done and in all, per language whose importance is being computed. */
export type ImportanceBoard = Map<string, { done: number; total: number }>;

/**
 * One line on the importance under way, with the time left at the rate so far: "importance: ar 210/782, es
 * 190/782 windows (25% of 1,564), about 6 min left". Languages not yet started count as not done only once they
 * report their total, so the estimate covers what has been sized.
 */
export function importanceProgressLine(board: ImportanceBoard, elapsedMs: number): string {
  let done = 0;
  let total = 0;
  for (const v of board.values()) {
    done += v.done;
    total += v.total;
  }
  const parts = [...board].map(([l, v]) => `${l} ${v.done}/${v.total}`).join(', ');
  const share = total === 0 ? 0 : done / total;
  const left = done === 0 ? 'time left not yet known' : `about ${duration(((total - done) / done) * elapsedMs)} left`;
  return `importance: ${parts} windows (${(100 * share).toFixed(0)}% of ${total.toLocaleString('en')}), ${left}`;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min` : `${(m / 60).toFixed(1)} h`;
}

/** Prints the board at most every `everyMs` (and not at all for work shorter than that). */
function importanceReporter(say: Say, everyMs = PROGRESS_PRINT_MS): (language: string, done: number, total: number) => void {
  const board: ImportanceBoard = new Map();
  const started = Date.now();
  let printed = started;
  return (language, done, total) => {
    board.set(language, { done, total });
    const now = Date.now();
    if (now - printed < everyMs) return;
    printed = now;
    say(importanceProgressLine(board, now - started));
  };
}

/** How often the warm-up prints the importance under way (ms). */
const PROGRESS_PRINT_MS = 30_000;

/** Deals `languages` round-robin into `n` groups. */
export function dealLanguages(languages: readonly string[], n: number): string[][] {
  const groups: string[][] = Array.from({ length: n }, () => []);
  languages.forEach((l, i) => groups[i % n]!.push(l));
  return groups;
}

/**
 * glibc's malloc settings for an importance child, read only when a process starts: a fixed mmap threshold keeps the
 * blocks every gradient run frees and allocates again out of the heap, which otherwise fragments as it grows
 * (docs/performance.md, "Memory and plan": the TinyLlama-1.1B shape's importance over 4 batches in 4 slices peaked at
 * 12.2 GiB in 336 s with it, 12.8 GiB in 363 s without). A value the user set is kept.
 */
const IMPORTANCE_CHILD_MALLOC = { MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? '65536' };

/** Runs one child on `languages`; resolves when it has computed (or found cached) every one of them. */
function importanceChild(job: ImportanceJob, children: Set<ChildProcess>, say: Say, progress: (language: string, done: number, total: number) => void): Promise<void> {
  const fromSource = new URL(import.meta.url).pathname.endsWith('.ts'); // tsx's tsImport may add a query
  const entry = fileURLToPath(new URL(`./internals/importance-child.${fromSource ? 'ts' : 'js'}`, import.meta.url));
  // From the TypeScript sources the child loads them through tsx, resolved from here (not the working directory).
  const execArgv = fromSource ? ['--import', import.meta.resolve('tsx')] : [];
  return new Promise((resolve, reject) => {
    const child = fork(entry, [], { execArgv, env: { ...process.env, ...IMPORTANCE_CHILD_MALLOC }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.add(child);
    let error: string | null = null;
    child.on('message', (m: ImportanceChildMessage) => {
      if ('ready' in m) say(`importance for ${m.ready} ready`);
      else if ('progress' in m) progress(m.progress.language, m.progress.done, m.progress.total);
      else error = m.error;
    });
    child.on('error', (err) => {
      error ??= err.message;
    });
    child.on('exit', (code, signal) => {
      children.delete(child);
      if (code === 0) resolve();
      else reject(new Error(`importance for ${job.languages.join(', ')}: ${error ?? `its process ended with ${signal ?? `exit code ${code}`}`}`));
    });
    child.send(job);
  });
}

async function importanceSideBySide(subject: CheckpointSubject, n: number, say: Say): Promise<void> {
  const children = new Set<ChildProcess>();
  try {
    const progress = importanceReporter(say);
    await Promise.all(dealLanguages(subject.options.regionLanguages, n).map((languages) => importanceChild({ options: subject.options, languages }, children, say, progress)));
  } finally {
    for (const child of children) child.kill();
  }
}

/**
 * Warms the cache (see above). Ctrl-C or SIGTERM stops the importance loop after the batch it is in, says
 * where, and ends the process with 130 / 143; the cache then holds only complete entries.
 */
export async function warmRegionsCache(options: ResolvedRegionsOptions): Promise<void> {
  const started = Date.now();
  const say: Say = (msg) => process.stderr.write(`vitest-regions: ${msg} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  const release = handleInterrupts('vitest-regions');
  say(`opening ${options.checkpoint}`);
  try {
    const subject = await openCheckpointSubject(options);
    try {
      await subject.baseline();
      say(`baseline perplexity of ${subject.languages.length} languages ready`);
      const n = importanceProcesses(subject);
      if (n > 1) {
        say(`importance of ${options.regionLanguages.join(', ')} in ${n} processes`);
        await importanceSideBySide(subject, n, say);
      } else {
        const stop = subject.onImportanceProgress(importanceReporter(say));
        try {
          for (const language of options.regionLanguages) {
            await subject.importance(language);
            say(`importance for ${language} ready`);
          }
        } finally {
          stop();
        }
      }
    } finally {
      await subject.close();
    }
  } catch (err) {
    if (err instanceof InterruptedError) {
      // The run was asked to stop: end it here with the signal's code, rather than let vitest go on to report
      // "no test files found" and a stack for what is no error.
      say(`${err.message}; the cache holds only complete entries`);
      process.exit(err.exitCode);
    }
    throw err;
  } finally {
    release();
  }
}
