import { describe, expect, test } from 'vitest';
import { descendingNaNFirst, mean, median } from '../../src/util/stats.js';

describe('median', () => {
  test('the middle value, or the mean of the two middle ones, whatever the order', () => {
    expect(median([30, 10, 20])).toBe(20);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median(Float32Array.from([0.5, -2, 8]))).toBe(0.5);
    expect(median([-1, Number.POSITIVE_INFINITY, 5])).toBe(5);
  });

  test('NaN wherever a value is NaN (a sort with a − b left [NaN, 30, 20] unsorted: 30)', () => {
    for (const values of [[Number.NaN, 30, 20], [30, Number.NaN, 20], [30, 20, Number.NaN], [1, 2, 3, Number.NaN]]) {
      expect(median(values)).toBeNaN();
      expect(median(Float32Array.from(values))).toBeNaN();
    }
  });

  test('NaN for no values', () => {
    expect(median([])).toBeNaN();
  });
});

describe('mean', () => {
  test('the arithmetic mean; NaN where a value is NaN, and for no values', () => {
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([1, Number.NaN, 6])).toBeNaN();
    expect(mean([])).toBeNaN();
  });
});

describe('descendingNaNFirst', () => {
  test('sorts from the largest down with NaN first, infinities in place', () => {
    const sorted = [2, Number.NaN, Number.POSITIVE_INFINITY, -1, Number.NaN, 7].sort(descendingNaNFirst);
    expect(sorted).toEqual([Number.NaN, Number.NaN, Number.POSITIVE_INFINITY, 7, 2, -1]);
  });
});
