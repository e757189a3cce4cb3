/**
 * The plugin and its options: defaults, environment overrides, path resolution, and errors that name the
 * option. No model is loaded here (the end-to-end run is in plugin-e2e.test.ts).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { RegionsReporter } from '../../src/report/reporter.js';
import { addProjectReport, regions, SETUP_FILE } from '../../src/vitest/plugin.js';
import { REPORTER_FILE } from '../../src/util/reporter-ref.js';
import { resolveRegionsOptions } from '../../src/subject/options.js';
import { BUILTIN_TEXTS } from '../../src/corpus/texts.js';

const resolve = (options: unknown, env: Record<string, string> = {}) => resolveRegionsOptions(options, { env, root: '/project' });

describe('resolveRegionsOptions', () => {
  test('fills in the defaults and makes every path absolute against the root', () => {
    expect(resolve({ checkpoint: 'fixtures/models/m' })).toEqual({
      resolved: true,
      checkpoint: '/project/fixtures/models/m',
      checkpointFrom: 'option',
      texts: BUILTIN_TEXTS.udhr,
      trainTexts: '/project/fixtures/corpora/train',
      heldoutTexts: '/project/fixtures/corpora/heldout',
      backend: null,
      cacheDir: '/project/.cache/regions',
      cache: true,
      thresholds: null,
      regionLanguages: ['ar', 'es', 'ru', 'zh', 'ko', 'vi'],
      evalTokens: 2048,
      seqLen: 128,
      importanceTokens: 16384,
      batchSize: 8,
      threads: availableParallelism(),
      bootstrapResamples: 2000,
      runs: 5,
      root: '/project',
    });
  });

  test('the environment overrides checkpoint, backend, runs and seed, so CI can run the same specs on a new checkpoint', () => {
    const r = resolve(
      { checkpoint: 'fixtures/models/m', backend: 'cpu', runs: 5, seed: 1 },
      { REGIONS_CHECKPOINT: '/ci/new-model', REGIONS_BACKEND: 'tensorflow', REGIONS_RUNS: '20', REGIONS_SEED: '-7' },
    );
    expect(r).toMatchObject({ checkpoint: '/ci/new-model', checkpointFrom: 'REGIONS_CHECKPOINT', backend: 'tensorflow', runs: 20, seed: -7 });
    expect(resolve({}, { REGIONS_CHECKPOINT: 'rel/model' }).checkpoint).toBe('/project/rel/model');
  });

  test.each([
    [{}, 'regions(): option "checkpoint": required: the checkpoint folder to test (or set REGIONS_CHECKPOINT)'],
    [{ checkpoint: 'm', chekpoint: 'm' }, 'regions(): unknown option "chekpoint": not an option (known: checkpoint, texts, trainTexts, heldoutTexts, backend'],
    [{ checkpoint: 'm', evalTokens: 0 }, 'regions(): option "evalTokens": must be ≥ 1 (got 0)'],
    [{ checkpoint: 'm', evalTokens: 2.5 }, 'regions(): option "evalTokens": must be a whole number (got 2.5)'],
    [{ checkpoint: 'm', backend: 'gpu' }, 'regions(): option "backend": must be one of auto, ort, ort-cpu, ort-webgpu, ort-cuda, tensorflow, wasm, cpu, webgpu (got "gpu")'],
    [{ checkpoint: 'm', languages: ['en', 'z h'] }, 'regions(): option "languages": must be a language code of letters, digits, _ or - (e.g. "zh") at [1] (got "z h")'],
    [{ checkpoint: 42 }, 'regions(): option "checkpoint": must be a folder path (got 42)'],
    ['m', 'regions(): options: must be an object like { checkpoint: \'path/to/model\' } (got "m")'],
    [{ checkpoint: 'm', thresholds: 'nowhere.json' }, 'regions(): option "thresholds": file not found: /project/nowhere.json'],
  ])('%j → %s', (options, message) => {
    expect(() => resolve(options)).toThrow(message);
  });

  test.each([
    [{ REGIONS_RUNS: 'many' }, 'regions(): environment variable REGIONS_RUNS: must be a whole number ≥ 1 (got "many")'],
    [{ REGIONS_RUNS: '0' }, 'regions(): environment variable REGIONS_RUNS: must be a whole number ≥ 1 (got "0")'],
    [{ REGIONS_SEED: '1.5' }, 'regions(): environment variable REGIONS_SEED: must be a whole number'],
    [{ REGIONS_BACKEND: 'gpu' }, 'regions(): environment variable REGIONS_BACKEND: must be one of auto, ort, ort-cpu, ort-webgpu, ort-cuda, tensorflow, wasm, cpu, webgpu (got "gpu")'],
  ])('environment %j → %s', (env, message) => {
    expect(() => resolve({ checkpoint: 'm' }, env)).toThrow(message);
  });

  test('an existing thresholds file is taken as given', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'regions-opt-')), 't.json');
    writeFileSync(file, '{}');
    expect(resolve({ checkpoint: 'm', thresholds: file }).thresholds).toBe(file);
  });
});

describe('regions() plugin', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  test('refuses options of the wrong shape in vitest.config.ts itself, naming the option', () => {
    expect(() => regions({ checkpoint: 'm', evalTokens: -1 })).toThrow('regions(): option "evalTokens": must be ≥ 1 (got -1)');
    expect(() => regions({ checkpoint: 'm', seqlen: 64 } as never)).toThrow('regions(): unknown option "seqlen"');
  });

  test('adds the setup file that registers the matchers, and provides the resolved options as JSON', () => {
    vi.stubEnv('REGIONS_CHECKPOINT', '');
    const plugin = regions({ checkpoint: 'models/m', threads: 1 });
    expect(plugin.name).toBe('vitest-regions');
    const hook = plugin.config as unknown as (config: { root?: string }) => { test: { setupFiles: string[]; provide: { regions: unknown } } };
    const { test: added } = hook({ root: '/repo' });
    expect(added.setupFiles).toEqual([SETUP_FILE]);
    expect(existsSync(SETUP_FILE)).toBe(true);
    expect(added.provide.regions).toMatchObject({ checkpoint: '/repo/models/m', checkpointFrom: 'option', threads: 1 });
    expect(JSON.parse(JSON.stringify(added.provide.regions))).toEqual(added.provide.regions);
  });

  test('on a GPU engine: one worker, files not isolated, a group of their own, and says so; on the CPU: vitest\'s defaults', () => {
    vi.stubEnv('REGIONS_CHECKPOINT', '');
    vi.stubEnv('REGIONS_BACKEND', '');
    type Added = { test: { maxWorkers?: number; isolate?: boolean; sequence?: { groupOrder: number } } };
    const hookOf = (backend: 'ort-webgpu' | 'ort-cpu' | 'webgpu') => regions({ checkpoint: 'models/m', backend }).config as unknown as (config: object) => Added;
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      for (const gpu of ['ort-webgpu', 'webgpu'] as const) {
        expect(hookOf(gpu)({}).test).toMatchObject({ maxWorkers: 1, isolate: false, sequence: { groupOrder: 1 } });
      }
      expect(stderr).toHaveBeenCalledWith('vitest-regions: ort-webgpu runs the model on the GPU: the specs run in one worker, sharing one model on the device\n');
      const cpu = hookOf('ort-cpu')({}).test;
      expect([cpu.maxWorkers, cpu.isolate, cpu.sequence]).toEqual([undefined, undefined, undefined]);
    } finally {
      stderr.mockRestore();
    }
  });

  test('adds the report beside vitest\'s default reporter unless the config has one or says report: false', () => {
    vi.stubEnv('REGIONS_CHECKPOINT', '');
    vi.stubEnv('GITHUB_ACTIONS', '');
    type Added = { test: { reporters?: unknown[] } };
    const added = (options: object, config: object = {}) => (regions({ checkpoint: 'models/m', ...options }).config as unknown as (c: object) => Added)(config).test.reporters;
    // By path, with its options: vitest loads the reporter module only when it runs (the config stays light).
    expect(added({})).toEqual(['default', [REPORTER_FILE, { outputDir: 'reports' }]]);
    expect(existsSync(REPORTER_FILE)).toBe(true);
    expect(added({ report: { outputDir: 'out/regions' } })).toEqual(['default', [REPORTER_FILE, { outputDir: 'out/regions' }]]);
    expect(added({ report: false })).toBeUndefined();
    // The config's own reporters stay (Vite appends the plugin's list to them); one regions report is enough.
    expect(added({}, { test: { reporters: ['dot'] } })).toEqual([[REPORTER_FILE, { outputDir: 'reports' }]]);
    expect(added({}, { test: { reporters: ['default', new RegionsReporter({ outputDir: 'x' })] } })).toBeUndefined();
    expect(added({}, { test: { reporters: [['vitest-regions/report/reporter', { outputDir: 'x' }]] } })).toBeUndefined();
    vi.stubEnv('GITHUB_ACTIONS', 'true');
    expect(added({})?.slice(0, 2)).toEqual(['default', 'github-actions']);
    expect(() => regions({ checkpoint: 'm', report: { dir: 'x' } } as never)).toThrow(`regions(): option "report": must be false or { outputDir: 'reports' } (got {"dir":"x"})`);
  });

  test('in a projects config, the report goes to the root\'s reporters, for the projects with the plugin', () => {
    const reporters: unknown[] = [['default', {}]];
    addProjectReport(reporters, 'specs', 'reports');
    addProjectReport(reporters, 'more-specs', 'reports');
    addProjectReport(reporters, 'specs', 'reports');
    expect(reporters).toEqual([['default', {}], [REPORTER_FILE, { outputDir: 'reports', projects: ['specs', 'more-specs'] }]]);
    // The root config's own RegionsReporter, or a shard's blob reporter: left as they are.
    const own: unknown[] = ['default', new RegionsReporter({ outputDir: 'x' })];
    addProjectReport(own, 'specs', 'reports');
    expect(own).toHaveLength(2);
    const blob: unknown[] = [['blob', {}]];
    addProjectReport(blob, 'specs', 'reports');
    expect(blob).toEqual([['blob', {}]]);
  });

  test('reads REGIONS_CHECKPOINT when vitest loads its config', () => {
    vi.stubEnv('REGIONS_CHECKPOINT', '/ci/other-model');
    const hook = regions({ checkpoint: 'models/m' }).config as unknown as (config: object) => { test: { provide: { regions: { checkpoint: string } } } };
    expect(hook({}).test.provide.regions.checkpoint).toBe('/ci/other-model');
  });
});
