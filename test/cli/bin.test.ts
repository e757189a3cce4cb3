import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixture, type CliFixture } from './helpers.js';

const BIN = fileURLToPath(new URL('../../bin/regions.js', import.meta.url));

let fx: CliFixture;
beforeAll(() => {
  fx = makeFixture();
});
afterAll(() => fx.remove());

describe('bin/regions.js', () => {
  it('runs `regions ppl --json` as a real process', { timeout: 120_000 }, async () => {
    const args = ['ppl', '--checkpoint', fx.checkpoint, '--texts', fx.texts, '--languages', 'en', '--max-tokens', '12', '--backend', 'cpu', '--json'];
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, ...args], { timeout: 110_000 });
    const json = JSON.parse(stdout);
    expect(json.backend.name).toBe('cpu');
    expect(json.languages.en.tokens).toBe(12);
    expect(json.max_tokens).toBe(12);
  });

  it('exits with 2 on a usage error', { timeout: 120_000 }, async () => {
    const result = await promisify(execFile)(process.execPath, [BIN, 'frobnicate'], { timeout: 110_000 }).catch((err: { code: number; stderr: string }) => err);
    expect('code' in result && result.code).toBe(2);
    expect(result.stderr).toMatch(/^regions: unknown command "frobnicate"/);
  });
});
