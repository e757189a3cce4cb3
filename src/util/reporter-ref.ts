/**
 * How the plugin names the report without loading it: the reporter's module by path (vitest loads it, with
 * options, from a `[file, options]` entry), and a brand that marks a RegionsReporter instance in a config,
 * across copies of the package. Here, below both: the plugin (vitest/) must not load the reporter (report/).
 */
import { fileURLToPath } from 'node:url';

/** The property a RegionsReporter instance carries, true. */
export const REPORTER_BRAND: unique symbol = Symbol.for('vitest-regions.reporter') as never;

/** The reporter's module: the .ts source when running from source (this repository), the .js build otherwise. */
export const REPORTER_FILE = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../report/reporter.ts' : '../report/reporter.js', import.meta.url));

/** Whether a configured reporter (an instance, a name or a `[name, options]` entry) is the regions report. */
export function isRegionsReporter(entry: unknown): boolean {
  const name = Array.isArray(entry) ? entry[0] : entry;
  if (typeof name === 'string') return /(^|[\\/])report[\\/]reporter\.[jt]s$|^vitest-regions\/report\/reporter$/.test(name);
  return typeof name === 'object' && name !== null && (name as Record<symbol, unknown>)[REPORTER_BRAND] === true;
}
