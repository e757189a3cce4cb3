/**
 * A spec's time limit, derived from what it does: its cold time measured on the slowest machine seen,
 * times a margin of at least 3, scaled by the fast-check runs asked for and by `REGIONS_TIME_SCALE`.
 *
 *     const budget = specBudget('finding 2 (dimension sensitivity)', { coldSeconds: 191, runs: 3 });
 *     test('…', ({ subject }) => budget.run(subject, async () => { … }), budget.timeout);
 *
 * Inside `run`, the subject checks the budget between units of work, so a spec that runs out of time
 * fails with a {@link BudgetExceededError} naming the finding and what it had measured; vitest's own
 * timeout (`timeout`, a grace period later) only fires if a single unit of work hangs.
 */
import { inject } from 'vitest';
import { REGIONS_PROVIDE_KEY, type ResolvedRegionsOptions } from '../subject/options.js';
import type { RegionsSubject } from '../findings/subject.js';

/** Multiplies every spec budget, for machines slower than the one the cold times were measured on. */
export const TIME_SCALE_ENV = 'REGIONS_TIME_SCALE';

/** What a spec's cold time was measured with. */
export interface ColdTime {
  /** Wall time of the spec on a cold cache, in seconds, on the slowest machine seen. */
  coldSeconds: number;
  /** fast-check runs per property it was measured with (more runs asked for scale the budget). */
  runs?: number;
}

/** The time limit of one spec. */
export interface SpecBudget {
  readonly finding: string;
  /** The budget the subject enforces between units of work, in ms. */
  readonly budgetMs: number;
  /** vitest's timeout for the test, in ms: the budget plus a grace period. */
  readonly timeout: number;
  /** Runs `body` with the budget open on the subject's progress. */
  run<T>(subject: RegionsSubject, body: () => Promise<T>): Promise<T>;
}

function timeScale(env: NodeJS.ProcessEnv): number {
  const raw = env[TIME_SCALE_ENV];
  if (raw === undefined || raw === '') return 1;
  const x = Number(raw);
  if (!(Number.isFinite(x) && x > 0)) throw new Error(`${TIME_SCALE_ENV}="${raw}": expected a positive number (e.g. 2 for a machine half as fast)`);
  return x;
}

function injectedRuns(): number | undefined {
  try {
    return (inject(REGIONS_PROVIDE_KEY as never) as ResolvedRegionsOptions | undefined)?.runs;
  } catch {
    return undefined; // outside a vitest worker
  }
}

/**
 * The budget of a spec measuring `finding`: `margin` (≥ 3) × its cold time, × (runs asked / runs measured)
 * when more fast-check runs are asked for, × `REGIONS_TIME_SCALE`.
 */
export function specBudget(
  finding: string,
  cold: ColdTime,
  options: { margin?: number; runs?: number; env?: NodeJS.ProcessEnv } = {},
): SpecBudget {
  const margin = options.margin ?? 3;
  if (!(margin >= 3)) throw new Error(`specBudget(${finding}): margin ${margin} is below 3`);
  if (!(cold.coldSeconds > 0)) throw new Error(`specBudget(${finding}): coldSeconds must be positive (got ${cold.coldSeconds})`);
  const runs = options.runs ?? injectedRuns();
  const runScale = cold.runs !== undefined && runs !== undefined ? Math.max(1, runs / cold.runs) : 1;
  const scale = timeScale(options.env ?? process.env);
  const budgetMs = Math.round(cold.coldSeconds * 1000 * margin * runScale * scale);
  const parts = [`${margin} × ${cold.coldSeconds} s measured cold`];
  if (runScale !== 1) parts.push(`× ${runScale.toFixed(1)} for ${runs} runs`);
  if (scale !== 1) parts.push(`× ${scale} (${TIME_SCALE_ENV})`);
  const basis = parts.join(' ');
  return {
    finding,
    budgetMs,
    timeout: budgetMs + Math.max(30_000, Math.round(budgetMs / 10)),
    async run<T>(subject: RegionsSubject, body: () => Promise<T>): Promise<T> {
      subject.progress.begin(finding, budgetMs, basis);
      try {
        return await body();
      } finally {
        subject.progress.end();
      }
    },
  };
}
