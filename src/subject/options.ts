/**
 * The settings of the vitest integration: what {@link regions} (the plugin) takes, how they are checked,
 * and the resolved, JSON-serialisable form that reaches the tests through vitest's `provide`/`inject`.
 * No vitest imports here: scripts call {@link resolveRegionsOptions} through `openSubject` too.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ENGINE_NAMES } from '../engine/select.js';
import { BUILTIN_TEXTS, REGION_LANGUAGES } from '../corpus/texts.js';
import { IMPORTANCE_DEFAULTS } from '../importance/settings.js';
import { firstIssue, shown } from '../util/zod-issue.js';

/** Environment variables that override an option, so CI runs the same specs on another checkpoint or seed. */
export const REGIONS_ENV = {
  checkpoint: 'REGIONS_CHECKPOINT',
  backend: 'REGIONS_BACKEND',
  runs: 'REGIONS_RUNS',
  seed: 'REGIONS_SEED',
} as const;

/** The `provide`/`inject` key (and worker fixture name) under which the resolved options travel. */
export const REGIONS_PROVIDE_KEY = 'regions';

const BACKENDS = ENGINE_NAMES;
const language = z.string().regex(/^[\w-]+$/, 'must be a language code of letters, digits, _ or - (e.g. "zh")');
const count = (min: number) => z.number('must be a number').int('must be a whole number').min(min, `must be ≥ ${min}`);

/**
 * Options of {@link regions} and `openSubject`. Relative paths are taken from the vitest root (the
 * working directory for `openSubject`). Defaults, and why:
 */
export const regionsOptionsSchema = z.strictObject({
  /** The checkpoint under test: an HF folder (config.json, safetensors, tokenizer.json). `$REGIONS_CHECKPOINT` overrides it. */
  checkpoint: z.string('must be a folder path').min(1, 'must be a folder path').optional(),
  /**
   * Held-out evaluation texts, one `<lang>.txt` per language: what perplexity is measured on. Default `udhr`: the
   * built-in UDHR texts in the paper's 30 languages, shipped with the package (a folder of that name: `./udhr`).
   */
  texts: z.string().min(1).default('udhr'),
  /** Training texts, one `<lang>.txt` per language: what importance is computed on and further pre-training trains on (`udhr` names the built-in texts here too). */
  trainTexts: z.string().min(1).default('fixtures/corpora/train'),
  /**
   * Held-out text of the training domain, one `<lang>.txt` per language (a language may be missing): finding 4
   * measures the trained language's own learning on it as well as on `texts` (UDHR is another domain).
   */
  heldoutTexts: z.string().min(1).default('fixtures/corpora/heldout'),
  /**
   * Engine of the test workers' forward passes: `auto` (ONNX Runtime), `ort-cpu`, `ort-webgpu`, `ort-cuda`, or a
   * tfjs backend (`tensorflow`, `wasm`, `cpu`, `webgpu`), which then runs the forward passes and importance (in the
   * test's thread). Further pre-training runs on ONNX Runtime whatever is named (`ort` under a tfjs backend).
   * `$REGIONS_BACKEND` overrides it.
   */
  backend: z.enum(BACKENDS, `must be one of ${BACKENDS.join(', ')}`).optional(),
  /** Where importance maps, perplexities and further pre-training runs are cached (content-hash keys). */
  cacheDir: z.string().min(1).default('.cache/regions'),
  /** false: compute everything afresh and write nothing to `cacheDir`. */
  cache: z.boolean().default(true),
  /** Thresholds file (see thresholds.ts); default `<checkpoint>/regions.thresholds.json` when it exists, else the paper's defaults. */
  thresholds: z.string().min(1).optional(),
  /** Languages the matchers measure unless told otherwise (default: every text in `texts`). */
  languages: z.array(language).min(1, 'must name at least one language').optional(),
  /** Languages whose summed importance chooses the core region (the paper's six: ar, es, ru, zh, ko, vi). */
  regionLanguages: z.array(language).min(1, 'must name at least one language').default([...REGION_LANGUAGES]),
  /** Text tokens per language whose perplexity is measured (a few thousand keeps a matcher to seconds on a small model). */
  evalTokens: count(1).default(2048),
  /** Tokens per window, BOS included, for perplexity and importance (capped at the model's max_position_embeddings). */
  seqLen: count(2).default(IMPORTANCE_DEFAULTS.seqLen),
  /**
   * Text tokens per language that importance is accumulated over. The paper's script saves after 10,000
   * and 100,000 samples; 16,384 tokens keeps the first run of a spec suite to minutes on a CPU, and the
   * result is cached. Raise it for a final measurement.
   */
  importanceTokens: count(1).default(16_384),
  /** Windows per forward pass. */
  batchSize: count(1).default(8),
  /**
   * ONNX Runtime intra-op threads (default: this machine's cores). Results are bit-identical for a fixed count,
   * so it is part of every cache key that depends on it: a cache made on a machine with other cores is not read
   * unless this is set to the same count.
   */
  threads: count(1).default(() => availableParallelism()),
  /**
   * The 95% intervals every perplexity ratio carries: a paired bootstrap over the evaluation windows with this many
   * resamples (seeded from `seed`, else 0; see metrics/bootstrap.ts). Milliseconds per ratio at the default.
   */
  bootstrapResamples: count(1).default(2000),
  /** fast-check runs per property (`$REGIONS_RUNS` overrides). Properties here retrain or re-score a model: keep it small. */
  runs: count(1).default(5),
  /** fast-check seed (`$REGIONS_SEED` overrides); default: fast-check picks one and reports it on failure. */
  seed: z.number('must be a number').int('must be a whole number').optional(),
});

/** What the plugin and `openSubject` accept (every field may be left out except a checkpoint from somewhere). */
export type RegionsOptions = z.input<typeof regionsOptionsSchema>;

/**
 * The options after defaults, environment overrides and path resolution: plain JSON, so vitest can hand
 * them from the main process to every test worker (`inject('regions')`).
 */
export interface ResolvedRegionsOptions extends Omit<z.output<typeof regionsOptionsSchema>, 'checkpoint' | 'thresholds' | 'backend'> {
  /** Marks a resolved object (openSubject accepts either form). */
  resolved: true;
  /** Absolute path of the checkpoint folder. Not checked here: it may be built after the config is read. */
  checkpoint: string;
  /** Where the checkpoint came from, for error messages. */
  checkpointFrom: 'option' | typeof REGIONS_ENV.checkpoint;
  /** Absolute path of an explicitly named thresholds file (checked to exist), or null for the default lookup. */
  thresholds: string | null;
  backend: (typeof BACKENDS)[number] | null;
  /** The folder relative paths were resolved against. */
  root: string;
}

/** A problem with the options: always names the option (or environment variable) and what was expected. */
export class RegionsOptionsError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`regions(): ${option}: ${message}`);
    this.name = 'RegionsOptionsError';
  }
}


/**
 * Checks the options' shape and fills in defaults (no file system, no environment).
 * @throws RegionsOptionsError, e.g. `regions(): option "evalTokens": must be ≥ 1 (got 0)` or
 *   `regions(): unknown option "chekpoint" (known: checkpoint, texts, …)`.
 */
export function parseRegionsOptions(input: unknown): z.output<typeof regionsOptionsSchema> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new RegionsOptionsError('options', `must be an object like { checkpoint: 'path/to/model' } (got ${shown(input)})`);
  }
  const parsed = regionsOptionsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = firstIssue(parsed.error, input);
  if (issue.unknownKeys !== null) {
    const known = Object.keys(regionsOptionsSchema.shape).join(', ');
    throw new RegionsOptionsError(`unknown option ${issue.unknownKeys.map((k) => `"${k}"`).join(', ')}`, `not an option (known: ${known})`);
  }
  const rest = issue.field.split('.').slice(1);
  const where = rest.length > 0 ? ` at ${rest.map((k) => `[${k}]`).join('')}` : '';
  throw new RegionsOptionsError(`option "${issue.top}"`, `${issue.message}${where} (got ${issue.received === undefined ? 'nothing' : shown(issue.received)})`);
}

function envInteger(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new RegionsOptionsError(`environment variable ${name}`, `must be a whole number ≥ ${min} (got "${raw}")`);
  return n;
}

/**
 * Validates the options, applies the environment overrides (`REGIONS_CHECKPOINT`, `REGIONS_BACKEND`,
 * `REGIONS_RUNS`, `REGIONS_SEED` win over the options) and makes every path absolute against `root`.
 * An explicitly named thresholds file must exist; the checkpoint and text folders are checked when a
 * subject is opened (they may be produced after vitest reads its config).
 * @throws RegionsOptionsError naming the option or environment variable.
 */
export function resolveRegionsOptions(
  input: unknown,
  context: { env?: NodeJS.ProcessEnv; root?: string } = {},
): ResolvedRegionsOptions {
  const env = context.env ?? process.env;
  const root = resolve(context.root ?? process.cwd());
  const o = parseRegionsOptions(input);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(root, p));

  const fromEnv = env[REGIONS_ENV.checkpoint];
  const checkpoint = fromEnv !== undefined && fromEnv !== '' ? fromEnv : o.checkpoint;
  if (checkpoint === undefined) {
    throw new RegionsOptionsError('option "checkpoint"', `required: the checkpoint folder to test (or set ${REGIONS_ENV.checkpoint})`);
  }
  const envBackend = env[REGIONS_ENV.backend];
  if (envBackend !== undefined && envBackend !== '' && !(BACKENDS as readonly string[]).includes(envBackend)) {
    throw new RegionsOptionsError(`environment variable ${REGIONS_ENV.backend}`, `must be one of ${BACKENDS.join(', ')} (got "${envBackend}")`);
  }
  let thresholds: string | null = null;
  if (o.thresholds !== undefined) {
    thresholds = abs(o.thresholds);
    if (!existsSync(thresholds) || !statSync(thresholds).isFile()) {
      throw new RegionsOptionsError('option "thresholds"', `file not found: ${thresholds}`);
    }
  }
  // A folder of <lang>.txt, or a built-in name (udhr) for any of the three.
  const textsFolder = (path: string) => (Object.hasOwn(BUILTIN_TEXTS, path) ? BUILTIN_TEXTS[path]! : abs(path));
  return {
    ...o,
    resolved: true,
    checkpoint: abs(checkpoint),
    checkpointFrom: fromEnv !== undefined && fromEnv !== '' ? REGIONS_ENV.checkpoint : 'option',
    texts: textsFolder(o.texts),
    trainTexts: textsFolder(o.trainTexts),
    heldoutTexts: textsFolder(o.heldoutTexts),
    cacheDir: abs(o.cacheDir),
    thresholds,
    backend: envBackend !== undefined && envBackend !== '' ? (envBackend as ResolvedRegionsOptions['backend']) : (o.backend ?? null),
    runs: envInteger(env, REGIONS_ENV.runs, 1) ?? o.runs,
    seed: envInteger(env, REGIONS_ENV.seed, -(2 ** 31)) ?? o.seed,
    root,
  };
}

/** Whether `value` is already resolved (carries `resolved: true`). */
export function isResolvedOptions(value: unknown): value is ResolvedRegionsOptions {
  return typeof value === 'object' && value !== null && (value as { resolved?: unknown }).resolved === true;
}

/**
 * Where an option's value came from, for messages: `option "checkpoint"` or `REGIONS_CHECKPOINT`.
 */
export function checkpointSource(options: ResolvedRegionsOptions): string {
  return options.checkpointFrom === 'option' ? 'option "checkpoint"' : `environment variable ${REGIONS_ENV.checkpoint}`;
}
