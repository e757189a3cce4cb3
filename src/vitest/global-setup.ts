/**
 * Runs once in vitest's main process before the spec files (the plugin adds it as `globalSetup`): fills the
 * disk cache with what every spec file shares (warm-cache.ts).
 *
 * The library is loaded natively, not through vite's module runner, which in the main process transforms
 * every module of the engine from scratch (measured: 10 s of a cold run on 2 cores, against ~1 s natively).
 * From the package's build that is a plain `import()`; from this repository's TypeScript sources, tsx's
 * scoped `tsImport`.
 */
import type { TestProject } from 'vitest/node';
import { REGIONS_PROVIDE_KEY, type ResolvedRegionsOptions } from '../subject/options.js';

type WarmModule = typeof import('../subject/warm-cache.js');

async function loadWarmCache(): Promise<WarmModule> {
  const fromSource = import.meta.url.endsWith('.ts');
  if (!fromSource) return import('../subject/warm-cache.js');
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport('../subject/warm-cache.ts', import.meta.url)) as WarmModule;
}

export default async function regionsGlobalSetup(project: TestProject): Promise<void> {
  const options = (project.getProvidedContext() as unknown as Record<string, ResolvedRegionsOptions | undefined>)[REGIONS_PROVIDE_KEY];
  if (options === undefined || !options.cache) return;
  const { warmRegionsCache } = await loadWarmCache();
  await warmRegionsCache(options);
}
