import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DEFAULT_THRESHOLDS, loadThresholds, parseThresholds } from '../../src/findings/thresholds.js';

describe('thresholds', () => {
  test('the defaults are the paper’s, every finding expected to hold', () => {
    expect(DEFAULT_THRESHOLDS).toEqual({
      coreRegion: { expected: 'holds', fraction: 0.01, minRatio: 10, control: 'random', controlMaxRatio: 1.5, controlCount: 5, assertOn: 'estimate' },
      dimensionSensitivity: {
        expected: 'holds',
        layer: 1,
        dims: 'detected',
        target: { tensor: 'post_attention_layernorm' },
        factor: 4,
        minRatio: 10,
        aggregate: 'median',
        controlMaxRatio: 1.5,
        controlDims: 'random',
        controlCount: 3,
      },
      massiveActivation: { expected: 'holds', minValue: 100, minRatio: 1000 },
      superWeight: { expected: 'holds', minSpike: 50, minRatio: 10, aggregate: 'every', controlCount: 3, controlMaxRatio: 1.1 },
      monolingual: { expected: 'holds', fraction: 0.01, minRatio: 1.5, minSelectivity: 3, expectedFor: {} },
      languageNeurons: { expected: 'holds', minRatio: 1.5, minSelectivity: 3, expectedFor: {} },
      frozenPretrain: {
        expected: 'holds',
        fraction: 0.01,
        train: 'zh',
        retain: ['en'],
        steps: 200,
        lr: 5e-5,
        batch: 8,
        minPrevented: 1 / 3,
        aggregate: 'every',
        minLearningKept: 0.5,
        control: 'none',
        controlCount: 1,
        curvePoints: 5,
      },
    });
  });

  test('a file sets what it names; the rest stays at the defaults', () => {
    const t = parseThresholds({
      checkpoint: 'polyglot-mini',
      coreRegion: {
        minRatio: 3,
        expected: 'does-not-hold',
        evidence: { date: '2025-01-31', command: 'npx vitest run specs/core-region.spec.ts', measured: { minRatio: 1.2 } },
      },
      dimensionSensitivity: { dims: [17, 90], target: { tensor: 'down_proj', column: 3 } },
    });
    expect(t.coreRegion).toEqual({
      expected: 'does-not-hold',
      evidence: { date: '2025-01-31', command: 'npx vitest run specs/core-region.spec.ts', measured: { minRatio: 1.2 } },
      fraction: 0.01,
      minRatio: 3,
      control: 'random',
      controlMaxRatio: 1.5,
      controlCount: 5,
      assertOn: 'estimate',
    });
    expect(t.dimensionSensitivity).toMatchObject({ dims: [17, 90], target: { tensor: 'down_proj', column: 3 }, factor: 4 });
    expect(t.monolingual).toEqual(DEFAULT_THRESHOLDS.monolingual);
  });

  test('monolingual.expectedFor names the languages whose expectation differs; a bad value names the field', () => {
    const t = parseThresholds({ monolingual: { expectedFor: { es: 'does-not-hold' } } });
    expect(t.monolingual.expected).toBe('holds');
    expect(t.monolingual.expectedFor).toEqual({ es: 'does-not-hold' });
    expect(() => parseThresholds({ monolingual: { expectedFor: { es: 'maybe' } } }, 't.json')).toThrow(/^t\.json: monolingual\.expectedFor\.es: .* \(got "maybe"\)$/);
  });

  test.each([
    [{ coreRegion: { minRatio: -1 } }, 't.json: coreRegion.minRatio: must be > 0 (got -1)'],
    [{ coreRegion: { expected: 'maybe' } }, 't.json: coreRegion.expected:'],
    [{ monolingual: { fraction: 1 } }, 't.json: monolingual.fraction: must be < 1 (got 1)'],
    [{ frozenPretrain: { retain: [] } }, 't.json: frozenPretrain.retain:'],
    [{ coreRegion: { minRaito: 3 } }, 't.json: coreRegion: unknown field "minRaito"'],
    [{ coreRegions: {} }, 't.json: unknown field "coreRegions"'],
    [{ coreRegion: { evidence: { date: '2025-01-01' } } }, 't.json: coreRegion.evidence.command:'],
  ])('%j → %s', (value, message) => {
    expect(() => parseThresholds(value, 't.json')).toThrow(message);
  });

  test('a file that is not JSON is named', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'regions-t-')), 'regions.thresholds.json');
    writeFileSync(file, '{ coreRegion: }');
    expect(() => loadThresholds(file)).toThrow(`${file}: cannot read thresholds (`);
  });
});
