/**
 * What a spec has measured so far, and the time it has left. The subject owns one {@link SpecProgress}; a
 * spec opens a scope on it with a budget ({@link specBudget} in ./budget.ts), and the subject reports
 * every unit of work it does (one language under one perturbation, one training step) to it. So a cold
 * run prints where it is, and a spec that runs out of time fails with which finding it was measuring and
 * how far it got — instead of vitest's bare "Test timed out".
 */

/** Thrown by {@link SpecProgress.check} once the scope's deadline has passed; the message says how far the spec got. */
export class BudgetExceededError extends Error {
  override name = 'BudgetExceededError';
}

interface Scope {
  finding: string;
  started: number;
  budgetMs: number;
  /** How the budget was derived, e.g. "3 × 191 s measured cold". */
  basis: string;
  /** Completed units of work, in order: "zero the top region …: 30 languages". */
  done: string[];
  current: { what: string; done: number; total: number; unit: string } | null;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;

/** Progress of the spec running on a subject. Without an open scope every call is a no-op. */
export class SpecProgress {
  #scope: Scope | null = null;
  readonly #write: (line: string) => void;
  readonly #now: () => number;

  constructor(options: { write?: (line: string) => void; now?: () => number } = {}) {
    this.#write = options.write ?? ((line) => process.stderr.write(`${line}\n`));
    this.#now = options.now ?? Date.now;
  }

  /** Opens a scope: `finding` has `budgetMs` from now. Scopes do not nest. */
  begin(finding: string, budgetMs: number, basis: string): void {
    if (this.#scope !== null) throw new Error(`a spec budget for ${this.#scope.finding} is already open`);
    this.#scope = { finding, started: this.#now(), budgetMs, basis, done: [], current: null };
  }

  /** Closes the scope (also when the spec threw). */
  end(): void {
    this.#scope = null;
  }

  /** A unit of work of `total` steps starts (e.g. one perturbation over 30 languages); call {@link check} before each step. */
  start(what: string, total: number, unit: string): void {
    const s = this.#scope;
    if (s === null) return;
    s.current = { what, done: 0, total, unit };
  }

  /** One step of the current unit is done. */
  advance(): void {
    const c = this.#scope?.current;
    if (c) c.done++;
  }

  /** The current unit is done: recorded and printed. */
  finish(): void {
    const s = this.#scope;
    if (s === null || s.current === null) return;
    const line = `${s.current.what}: ${s.current.done} ${s.current.unit}`;
    s.done.push(line);
    s.current = null;
    this.#write(`vitest-regions: [${s.finding}] ${line} (${seconds(this.#now() - s.started)} of ${seconds(s.budgetMs)})`);
  }

  /** Throws {@link BudgetExceededError} if the scope's deadline has passed. Call between steps. */
  check(): void {
    const s = this.#scope;
    if (s === null) return;
    const elapsed = this.#now() - s.started;
    if (!(elapsed < s.budgetMs)) throw new BudgetExceededError(this.#summary(s, elapsed));
  }

  #summary(s: Scope, elapsed: number): string {
    const done = s.done.length === 0 ? 'nothing yet' : `\n${s.done.map((d) => `  - ${d}`).join('\n')}`;
    const current = s.current === null ? '' : `\nin progress: ${s.current.what}: ${s.current.done} of ${s.current.total} ${s.current.unit}`;
    return (
      `${s.finding} ran out of its time budget of ${seconds(s.budgetMs)} (${s.basis}) after ${seconds(elapsed)}.\n` +
      `done (${s.done.length}): ${done}${current}\n` +
      'On a slower machine, scale every spec budget with REGIONS_TIME_SCALE (e.g. REGIONS_TIME_SCALE=2).'
    );
  }
}
