/**
 * Spec budgets: derived from a measured cold time with a margin of at least 3, and a spec that runs out
 * of its budget fails saying which finding it measured and how far it got — also through a real subject,
 * whose perturbed-perplexity loop checks the deadline between languages and still restores the weights.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { specBudget } from '../../src/vitest/budget.js';
import { BudgetExceededError, SpecProgress } from '../../src/subject/progress.js';
import { openSubject } from '../../src/findings/subject.js';
import { competent } from './helpers/instruments.js';
import { instrumentOptions } from './helpers/options.js';

describe('SpecProgress', () => {
  test('records units of work, prints one line per unit, and says how far it got when the deadline passes', () => {
    let now = 0;
    const lines: string[] = [];
    const p = new SpecProgress({ write: (l) => lines.push(l), now: () => now });
    p.start('ignored without a scope', 3, 'languages');
    p.check();
    expect(lines).toEqual([]);

    p.begin('finding 2 (dimension sensitivity)', 10_000, '3 × 4 s measured cold');
    p.start('scale ×4 at dim 106', 2, 'languages');
    p.advance();
    p.advance();
    now = 4_000;
    p.finish();
    expect(lines).toEqual(['vitest-regions: [finding 2 (dimension sensitivity)] scale ×4 at dim 106: 2 languages (4 s of 10 s)']);
    p.start('scale ×4 at dim 7', 30, 'languages');
    p.advance();
    now = 10_001;
    expect(() => p.check()).toThrow(BudgetExceededError);
    expect(() => p.check()).toThrow(
      'finding 2 (dimension sensitivity) ran out of its time budget of 10 s (3 × 4 s measured cold) after 10 s.\n' +
        'done (1): \n  - scale ×4 at dim 106: 2 languages\n' +
        'in progress: scale ×4 at dim 7: 1 of 30 languages\n' +
        'On a slower machine, scale every spec budget with REGIONS_TIME_SCALE (e.g. REGIONS_TIME_SCALE=2).',
    );
    expect(() => p.begin('another', 1, '')).toThrow('a spec budget for finding 2 (dimension sensitivity) is already open');
    p.end();
    p.check(); // closed: no deadline any more
  });

  test('a NaN budget counts as spent', () => {
    const p = new SpecProgress({ write: () => {}, now: () => 0 });
    p.begin('f', Number.NaN, 'broken');
    expect(() => p.check()).toThrow('f ran out of its time budget');
  });
});

describe('specBudget', () => {
  test('3 × the cold time, scaled by runs and REGIONS_TIME_SCALE; vitest gets a grace period on top', () => {
    const b = specBudget('finding 1 (core region)', { coldSeconds: 100, runs: 3 }, { runs: 3, env: {} });
    expect(b.budgetMs).toBe(300_000);
    expect(b.timeout).toBe(330_000);
    expect(specBudget('f', { coldSeconds: 100, runs: 3 }, { runs: 30, env: {} }).budgetMs).toBe(3_000_000);
    expect(specBudget('f', { coldSeconds: 100, runs: 3 }, { runs: 1, env: {} }).budgetMs).toBe(300_000); // fewer runs: never less
    expect(specBudget('f', { coldSeconds: 10 }, { env: { REGIONS_TIME_SCALE: '2.5' } }).budgetMs).toBe(75_000);
    expect(specBudget('f', { coldSeconds: 10 }, { env: {} }).timeout).toBe(60_000); // at least 30 s of grace
  });

  test('bad settings are errors that say what was expected', () => {
    expect(() => specBudget('f', { coldSeconds: 10 }, { margin: 2, env: {} })).toThrow('specBudget(f): margin 2 is below 3');
    expect(() => specBudget('f', { coldSeconds: 0 }, { env: {} })).toThrow('specBudget(f): coldSeconds must be positive (got 0)');
    expect(() => specBudget('f', { coldSeconds: 10 }, { env: { REGIONS_TIME_SCALE: 'fast' } })).toThrow(
      'REGIONS_TIME_SCALE="fast": expected a positive number (e.g. 2 for a machine half as fast)',
    );
  });

  test('a spec past its budget stops between languages, names the finding and its progress, and restores the weights', async () => {
    const instrument = await competent();
    const subject = await openSubject(instrumentOptions(instrument, { cacheDir: mkdtempSync(join(tmpdir(), 'regions-budget-')) }));
    try {
      const name = 'model.layers.0.input_layernorm.weight';
      const before = (await subject.model.readWeight(name)).slice();
      const budget = specBudget('finding 2 (dimension sensitivity)', { coldSeconds: 1e-9 }, { env: {} });
      const perturbation = { kind: 'norm', norm: 'input_layernorm', layer: 0, dim: 1, op: { type: 'scale', factor: 4 } } as const;
      const run = budget.run(subject, () => subject.perplexity(perturbation));
      await expect(run).rejects.toThrow(BudgetExceededError);
      await expect(run).rejects.toThrow(/finding 2 \(dimension sensitivity\) ran out of its time budget of 0 s \(3 × 1e-9 s measured cold\)/);
      await expect(run).rejects.toThrow(/in progress: .*: 0 of \d+ languages/);
      expect(await subject.model.readWeight(name)).toEqual(before);
      // The scope is closed after the throw: the same measurement now runs to the end.
      await expect(subject.perplexity(perturbation)).resolves.toBeDefined();
    } finally {
      await subject.close();
    }
  });
});
