/** Runs vitest on fixtures/shard-project (two spec files whose tests leave matcher-like records) in a child process. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../fixtures/shard-project', import.meta.url));
const VITEST = fileURLToPath(new URL('../../../node_modules/vitest/vitest.mjs', import.meta.url));

/**
 * Runs vitest with `args` on the fixture project, its RegionsReporter writing to `reportDir`; returns the
 * exit code (0 or 1: the project has one failing test on purpose) and the output.
 */
export async function vitestOnFixture(args: string[], reportDir: string): Promise<{ code: number; stdout: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, REGIONS_REPORT_DIR: reportDir, FORCE_COLOR: '0' };
  delete env.VITEST; // a nested run must not think it runs inside a test worker
  delete env.VITEST_POOL_ID;
  delete env.VITEST_WORKER_ID;
  delete env.REGIONS_REPLACE_WITH_PARTIAL;
  try {
    const { stdout } = await run(process.execPath, [VITEST, ...args, '--root', ROOT], { env, timeout: 90_000 });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    if (e.code !== 1) throw new Error(`vitest ${args.join(' ')} exited ${e.code}:\n${e.stdout}\n${e.stderr}`);
    return { code: e.code, stdout: e.stdout ?? '' };
  }
}
