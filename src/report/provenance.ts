/**
 * Where a run's numbers came from: checkpoint and corpus content hashes, backend, package and Node
 * versions, wall time, seeds, the REGIONS_* environment and the CI context — gathered in vitest's main
 * process when the run ends, so results.json says what would have to be the same to reproduce it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FindingEntry, Provenance } from './results.js';

/** The part of the plugin's resolved options (`provide.regions`) provenance reads; every field may be missing. */
export interface OptionsSeen {
  checkpoint?: unknown;
  texts?: unknown;
  trainTexts?: unknown;
  backend?: unknown;
  seed?: unknown;
  runs?: unknown;
}

/** What {@link gatherProvenance} needs to know about the run. */
export interface RunContext {
  /** The vitest root. */
  root: string;
  /** The plugin's resolved options, if the plugin is configured. */
  options: OptionsSeen | undefined;
  startedAt: Date | null;
  finishedAt: Date;
  /** Σ of the test files' durations, ms. */
  testTimeMs: number;
  vitestVersion: string;
  /** The run merges blob reports of shards (`--merge-reports`). */
  merged: boolean;
  shard: string | null;
  /** The backend the tests measured on, if a record says. */
  backend?: { name: string; device: string } | null;
  findings: readonly FindingEntry[];
  env?: NodeJS.ProcessEnv;
}

/** sha256 over the folder's `*.txt` files in name order (name, size, bytes), or null if there is no folder. */
export function hashTextFolder(dir: unknown): { dir: string; sha256: string; files: number } | null {
  if (typeof dir !== 'string' || !existsSync(dir) || !statSync(dir).isDirectory()) return null;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    const bytes = readFileSync(join(dir, file));
    hash.update(`${file}\0${bytes.length}\0`).update(bytes);
  }
  return { dir, sha256: hash.digest('hex'), files: files.length };
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** The nearest package.json at or above `dir`. */
function findPackageJson(dir: string): string | null {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return join(d, 'package.json');
    if (dirname(d) === d) return null;
  }
}

/** The project (name@version) and the installed version of each package its package.json declares. */
export function packageVersions(root: string): { project: string | null; packages: Record<string, string | null> } {
  const file = findPackageJson(root);
  const pkg = file === null ? null : readJson(file);
  if (file === null || pkg === null) return { project: null, packages: {} };
  const declared = ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) => Object.keys((pkg[field] as Record<string, string> | undefined) ?? {}));
  const packages: Record<string, string | null> = {};
  for (const name of [...new Set(declared)].sort()) {
    const installed = readJson(join(dirname(file), 'node_modules', name, 'package.json'));
    packages[name] = typeof installed?.version === 'string' ? installed.version : null;
  }
  return { project: `${String(pkg.name)}@${String(pkg.version)}`, packages };
}

const ENV_NAMES = ['REGIONS_CHECKPOINT', 'REGIONS_BACKEND', 'REGIONS_RUNS', 'REGIONS_SEED'];
const CI_NAMES = { GITHUB_REPOSITORY: 'repository', GITHUB_SHA: 'sha', GITHUB_REF: 'ref', GITHUB_RUN_ID: 'runId', GITHUB_RUN_ATTEMPT: 'runAttempt', GITHUB_WORKFLOW: 'workflow', GITHUB_JOB: 'job' } as const;

const asString = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const asNumber = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** The run's provenance (reads package.json files and hashes the text folders; nothing else). */
export function gatherProvenance(ctx: RunContext): Provenance {
  const env = ctx.env ?? process.env;
  const checkpoints = new Map<string, Provenance['checkpoints'][number]>();
  for (const { checkpoint: c } of ctx.findings.flatMap((f) => f.assertions)) if (c !== null) checkpoints.set(`${c.dir}\0${c.hash}`, c);
  const o = ctx.options;
  const backend: Provenance['backend'] =
    ctx.backend != null
      ? { name: ctx.backend.name, device: ctx.backend.device, source: 'measured' }
      : o !== undefined
        ? { name: asString(o.backend) ?? 'auto', device: null, source: 'requested' }
        : { name: null, device: null, source: 'unknown' };
  const ci = Object.entries(CI_NAMES).filter(([name]) => env[name] !== undefined && env[name] !== '');
  return {
    startedAt: ctx.startedAt?.toISOString() ?? null,
    finishedAt: ctx.finishedAt.toISOString(),
    wallTimeMs: ctx.startedAt === null ? null : ctx.finishedAt.getTime() - ctx.startedAt.getTime(),
    testTimeMs: ctx.testTimeMs,
    checkpoints: [...checkpoints.values()],
    checkpointOption: asString(o?.checkpoint),
    corpus: { texts: hashTextFolder(o?.texts), trainTexts: hashTextFolder(o?.trainTexts) },
    backend,
    ...packageVersions(ctx.root),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    vitest: { version: ctx.vitestVersion, merged: ctx.merged, shard: ctx.shard },
    seeds: { seed: asNumber(o?.seed), runs: asNumber(o?.runs) },
    env: Object.fromEntries(ENV_NAMES.filter((n) => env[n] !== undefined && env[n] !== '').map((n) => [n, env[n]!])),
    ci: ci.length === 0 ? null : Object.fromEntries(ci.map(([name, key]) => [key, env[name]!])),
  };
}
