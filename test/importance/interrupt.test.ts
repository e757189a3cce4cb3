/**
 * Ctrl-C or SIGTERM during `regions importance` (a real process): it stops after the batch it is in, says
 * what was interrupted, exits with 128 + the signal's number, and leaves the cache folder without an
 * entry or a temp file.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCheckpoint } from '../../src/checkpoint/generate.js';
import { runUntil } from '../helpers/interrupt.js';

const BIN = fileURLToPath(new URL('../../bin/regions.js', import.meta.url));

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'regions-interrupt-'));
  generateCheckpoint(join(tmp, 'ckpt'), { seed: 5, tokenizer: 'bytes' });
  mkdirSync(join(tmp, 'texts'));
  // Thousands of one-window batches: the run lasts far longer than the test waits.
  writeFileSync(join(tmp, 'texts', 'en.txt'), 'The cat sat on the mat. It was a sunny day in the city.\n'.repeat(2000));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('regions importance, interrupted', () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal}: exits ${code} within seconds, says which batch, caches nothing`, { timeout: 60_000 }, async () => {
      const cache = join(tmp, `cache-${signal}`);
      const out = join(tmp, `out-${signal}.safetensors`);
      const args = ['importance', '--checkpoint', join(tmp, 'ckpt'), '--languages', 'en', '--texts', join(tmp, 'texts'), '--max-tokens', '100000',
        '--seq-len', '16', '--batch-size', '1', '--threads', '1', '--cache-dir', cache, '--out', out];
      const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, REGIONS_PROGRESS: '1' } });
      // The progress bar shows a few batches done: the gradients are running.
      const run = await runUntil(child, (stderr) => /importance of en .* [1-9]\d*\/\d+ windows/.test(stderr), signal);
      expect(run.stderr).toMatch(new RegExp(`regions: interrupted during importance for en \\(batch \\d+ of \\d+\\); nothing was cached and ${out.replace(/[.\\/]/g, '\\$&')} was not written\\n$`));
      expect(run.code, run.stderr).toBe(code);
      expect(run.secondsAfterSignal).toBeLessThan(5);
      expect(existsSync(cache) ? readdirSync(cache) : []).toEqual([]);
      expect(existsSync(out)).toBe(false);
    });
  }
});
