/**
 * The training mix: cappedShares holds every stream at or under the epoch cap, gives the excess to the
 * others in proportion to their preference, and refuses a plan the text cannot supply.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cappedShares } from '../../src/train/sampler.js';

describe('cappedShares', () => {
  it('follows the preferences where no stream reaches the cap', () => {
    const m = cappedShares([{ language: 'a', tokens: 1000, preference: 3 }, { language: 'b', tokens: 1000, preference: 1 }], 400, 4);
    expect(m.get('a')).toEqual({ share: 0.75, epochs: 0.3 });
    expect(m.get('b')).toEqual({ share: 0.25, epochs: 0.1 });
  });

  it('holds a thin stream at the cap and gives its excess to the others by preference', () => {
    // Planned 10,000 tokens, cap 4 epochs: "thin" (100 tokens) can give at most 400 (4%) of its 1/3.
    const m = cappedShares(
      [
        { language: 'thin', tokens: 100, preference: 1 },
        { language: 'a', tokens: 10_000, preference: 1 },
        { language: 'b', tokens: 10_000, preference: 2 },
      ],
      10_000,
      4,
    );
    expect(m.get('thin')!.share).toBeCloseTo(0.04, 12);
    expect(m.get('thin')!.epochs).toBeCloseTo(4, 12);
    expect(m.get('a')!.share).toBeCloseTo(0.96 / 3, 12);
    expect(m.get('b')!.share).toBeCloseTo((2 * 0.96) / 3, 12);
  });

  it('property: shares sum to 1, no stream passes the cap, and an uncapped stream keeps its preference ratio', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ tokens: fc.integer({ min: 1, max: 10_000 }), preference: fc.integer({ min: 1, max: 8 }) }), { minLength: 1, maxLength: 12 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 6 }),
        (raw, load, maxEpochs) => {
          const streams = raw.map((s, i) => ({ language: `l${i}`, ...s }));
          const planned = load * maxEpochs * streams.reduce((a, s) => a + s.tokens, 0);
          const m = cappedShares(streams, planned, maxEpochs);
          const shares = [...m.values()];
          expect(shares.reduce((a, s) => a + s.share, 0)).toBeCloseTo(1, 9);
          for (const s of shares) expect(s.epochs).toBeLessThanOrEqual(maxEpochs * (1 + 1e-9));
          const free = streams.filter((s) => m.get(s.language)!.epochs < maxEpochs * (1 - 1e-9));
          for (const s of free) {
            // Every stream under the cap has the same share per unit of preference, and at least a capped stream's.
            expect(m.get(s.language)!.share / s.preference).toBeCloseTo(m.get(free[0]!.language)!.share / free[0]!.preference, 9);
          }
        },
      ),
    );
  });

  it('refuses a plan that would read the text more often than the cap, and bad numbers', () => {
    expect(() => cappedShares([{ language: 'a', tokens: 100, preference: 1 }], 500, 4)).toThrow(
      'the training text with a positive preference holds 100 tokens: 500 planned tokens would read it more than 4 times; add text or plan fewer tokens',
    );
    expect(() => cappedShares([{ language: 'a', tokens: 100, preference: 1 }], 0, 4)).toThrow('plannedTokens (0) and maxEpochs (4) must be positive');
  });
});
