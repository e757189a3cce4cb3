/**
 * Ctrl-C (SIGINT) and SIGTERM during a long computation: the computation stops between two runs of the
 * engine, says what it was doing, and leaves nothing half-written.
 *
 * ONNX Runtime's `session.run` is one synchronous native call: no JavaScript runs during it, so a signal
 * is seen only after the run (one batch) ends. An entry point (the CLI, a script) calls
 * {@link handleInterrupts}; the long loops (importance batches, training steps, a sweep's measurements)
 * run inside {@link interruptible} and call its `check` between runs, which throws an
 * {@link InterruptedError} once a signal came. The entry point prints its message and exits with 128 + the
 * signal's number (130 for SIGINT, 143 for SIGTERM). Writes of results are synchronous and atomic, so
 * none is ever cut in half. A signal while no loop runs ends the process at once. Once the first signal
 * is seen, the next one gets the OS's default and ends the process at once, even during a run (two that
 * come during the same run are seen together, after it).
 *
 * Without an entry point's handlers (a library caller, a vitest worker) nothing changes: a signal does
 * what the process makes of it, and `check` never throws.
 */

type Signal = 'SIGINT' | 'SIGTERM';
const SIGNALS: readonly Signal[] = ['SIGINT', 'SIGTERM'];
const EXIT_CODES: Record<Signal, number> = { SIGINT: 130, SIGTERM: 143 };

/** The computation was stopped by a signal; `message` says what it was doing and what was (not) kept. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
  /** 128 + the signal's number: what a shell expects of a process the signal ended. */
  readonly exitCode: number;

  constructor(
    readonly signal: Signal,
    /** What was interrupted, e.g. "importance for en (batch 12 of 40)". */
    readonly during: string,
    /** What that leaves behind, e.g. "nothing was cached"; empty when there is nothing to say. */
    readonly outcome = '',
  ) {
    super(`interrupted during ${during}${outcome === '' ? '' : `; ${outcome}`}`);
    this.exitCode = EXIT_CODES[signal];
  }

  /** The same interruption, saying what it leaves behind. */
  withOutcome(outcome: string): InterruptedError {
    return new InterruptedError(this.signal, this.during, outcome);
  }
}

/**
 * Shared by every copy of this module in the process (vitest may load it both natively and through vite).
 */
interface State {
  /** handleInterrupts() calls not yet released. */
  holders: number;
  /** Loops inside interruptible() now. */
  loops: number;
  /** The signal received while a loop ran, until the loops have seen it. */
  received: Signal | null;
  /** Who exits on a signal outside a loop, e.g. "regions". */
  name: string;
  listener: ((signal: Signal) => void) | null;
}
const KEY = Symbol.for('vitest-regions.interrupt');
const state: State = ((globalThis as Record<symbol, unknown>)[KEY] ??= { holders: 0, loops: 0, received: null, name: '', listener: null }) as State;

function removeListeners(): void {
  if (state.listener === null) return;
  for (const s of SIGNALS) process.off(s, state.listener);
  state.listener = null;
}

function onSignal(signal: Signal): void {
  if (state.loops === 0) {
    process.stderr.write(`${state.name}: interrupted (${signal})\n`);
    process.exit(EXIT_CODES[signal]);
  }
  state.received = signal;
  // The next signal gets the OS's default: it ends the process at once, even during a native run.
  removeListeners();
}

/**
 * Makes SIGINT and SIGTERM stop the running {@link interruptible} loop (an {@link InterruptedError} at its
 * next check) instead of killing the process in the middle of a run; outside a loop they exit at once,
 * after printing `<name>: interrupted`. For entry points only: the caller must turn an InterruptedError
 * into its exit code (see {@link exitOnInterrupt}). Returns the release; the handlers go with the last one.
 */
export function handleInterrupts(name: string): () => void {
  state.name = name;
  state.holders++;
  if (state.holders === 1 && state.received === null) {
    state.listener = onSignal;
    for (const s of SIGNALS) process.on(s, onSignal);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--state.holders === 0) {
      removeListeners();
      state.received = null;
    }
  };
}

/** Says whether a signal stopped the loop: throws {@link InterruptedError} once one came. */
export type InterruptCheck = (during: () => string) => Promise<void>;

/** Lets the event loop deliver a signal that came during the last run (signals are read in its poll phase). */
const deliverSignals = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs a long loop that stops when a signal comes: `body` calls `check(() => what)` between runs (before
 * each batch or step), and `check` throws an {@link InterruptedError} naming `what` once a signal came.
 * Without {@link handleInterrupts} in effect, `check` never throws.
 */
export async function interruptible<T>(body: (check: InterruptCheck) => Promise<T>): Promise<T> {
  state.loops++;
  try {
    return await body(async (during) => {
      if (state.holders === 0) return;
      await deliverSignals();
      if (state.received !== null) throw new InterruptedError(state.received, during());
    });
  } finally {
    state.loops--;
  }
}

/**
 * For scripts: runs `main` with {@link handleInterrupts}, as one {@link interruptible} loop (a signal stops
 * it at its next `check`, wherever it is). An {@link InterruptedError} is printed as
 * `<name>: interrupted during …; <outcome()>` and exits the process with its code. Other errors propagate.
 */
export async function exitOnInterrupt(name: string, main: (check: InterruptCheck) => Promise<void>, outcome?: () => string): Promise<void> {
  const release = handleInterrupts(name);
  try {
    await interruptible(main);
  } catch (err) {
    if (!(err instanceof InterruptedError)) throw err;
    const said = outcome === undefined || err.outcome !== '' ? err : err.withOutcome(outcome());
    process.stderr.write(`${name}: ${said.message}\n`);
    process.exit(said.exitCode);
  } finally {
    release();
  }
}
