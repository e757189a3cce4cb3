import type { OutStream } from './io.js';

/** Progress of one long step (loading a checkpoint, scoring a language), shown on stderr. */
export interface Progress {
  /** `done` of `total` units are finished. */
  update(done: number, total: number): void;
  /** Ends the display: a bar gets its final newline; plain lines get a closing line. Idempotent. */
  end(): void;
}

/** Settings of {@link startProgress}; tests replace the clock and the environment. */
export interface ProgressOptions {
  env?: NodeJS.ProcessEnv;
  /** Milliseconds, monotonic (default `performance.now`). */
  now?: () => number;
}

const BAR_WIDTH = 24;
const REDRAW_MS = 100;
/** Without a terminal, one plain line per this many milliseconds of work (short steps print nothing). */
export const PLAIN_LINE_MS = 10_000;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/**
 * Shows the progress of `label`, counted in `unit`s, on `stream` (stderr; never stdout, which carries
 * results). A redrawn bar when the stream is a terminal or `REGIONS_PROGRESS=1`; otherwise (logs, CI,
 * pipes) a plain line every {@link PLAIN_LINE_MS}, so only work that long leaves any trace.
 */
export function startProgress(stream: OutStream, label: string, unit: string, options: ProgressOptions = {}): Progress {
  const env = options.env ?? process.env;
  const now = options.now ?? (() => performance.now());
  const bar = stream.isTTY === true || env.REGIONS_PROGRESS === '1';
  const start = now();
  let last = { done: 0, total: 0 };
  let shown = start;
  let drawnWidth = 0;
  let linesPrinted = 0;
  let ended = false;

  const draw = (): void => {
    const { done, total } = last;
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(fraction * BAR_WIDTH);
    const text =
      `${label} ${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)} ` +
      `${String(Math.floor(fraction * 100)).padStart(3)}% ${done}/${total} ${unit} ${seconds(now() - start)}`;
    stream.write(`\r${text.padEnd(drawnWidth)}`);
    drawnWidth = text.length;
  };

  return {
    update(done, total) {
      if (ended) return;
      last = { done, total };
      const t = now();
      if (bar) {
        if (t - shown >= REDRAW_MS || done >= total || drawnWidth === 0) {
          shown = t;
          draw();
        }
      } else if (t - shown >= PLAIN_LINE_MS) {
        shown = t;
        linesPrinted++;
        const percent = total > 0 ? ` (${Math.floor((100 * done) / total)}%)` : '';
        stream.write(`${label}: ${done}/${total} ${unit}${percent} after ${seconds(t - start)}\n`);
      }
    },
    end() {
      if (ended) return;
      ended = true;
      if (bar && drawnWidth > 0) {
        draw();
        stream.write('\n');
      } else if (linesPrinted > 0) {
        stream.write(`${label}: done, ${last.done} ${unit} in ${seconds(now() - start)}\n`);
      }
    },
  };
}

/** Runs `work` with a progress display for it, ended however `work` ends. */
export async function withProgress<T>(
  stream: OutStream,
  label: string,
  unit: string,
  work: (update: Progress['update']) => T | Promise<T>,
): Promise<T> {
  const progress = startProgress(stream, label, unit);
  try {
    return await work((done, total) => progress.update(done, total));
  } finally {
    progress.end();
  }
}
