import { describe, expect, it } from 'vitest';
import {
  median,
  overlaps,
  pairedRatios,
  ratioOfSummaries,
  relativeSpread,
  summarize,
} from '../dist/interval.js';

describe('summarize', () => {
  it('gives the min–max below 6 samples, with its true confidence', () => {
    const s = summarize([1.2, 1.0, 1.1]);
    expect(s).toEqual({ n: 3, median: 1.1, low: 1.0, high: 1.2, level: 0.75 });
    expect(summarize([4, 1, 3, 2, 5]).level).toBeCloseTo(0.9375);
  });

  it('narrows to inner order statistics once that keeps 95 % confidence', () => {
    const nine = [9, 1, 8, 2, 7, 3, 6, 4, 5];
    const s = summarize(nine);
    // k = 2: the 2nd smallest and the 2nd largest; P = 1 − 2·P(Bin(9, ½) ≤ 1) ≈ 0.961.
    expect([s.low, s.median, s.high]).toEqual([2, 5, 8]);
    expect(s.level).toBeGreaterThanOrEqual(0.95);
    const six = summarize([1, 2, 3, 4, 5, 6]);
    expect([six.low, six.high]).toEqual([1, 6]);
    expect(six.level).toBeGreaterThanOrEqual(0.95);
  });

  it('does not let one wild sample move the median', () => {
    expect(summarize([1, 1.01, 0.99, 1.02, 50]).median).toBe(1.01);
  });

  it('handles one sample and none', () => {
    expect(summarize([2])).toEqual({ n: 1, median: 2, low: 2, high: 2, level: 0 });
    expect(summarize([]).n).toBe(0);
    expect(median([])).toBeNaN();
    expect(median([3, 1, 2, 4])).toBe(2.5);
  });

  it('measures the spread relative to the median', () => {
    expect(relativeSpread(summarize([0.9, 1, 1.1]))).toBeCloseTo(0.1);
  });
});

describe('pairedRatios', () => {
  it('pairs samples of the same round only', () => {
    const a = { values: [2, 4, 6], rounds: [1, 2, 3] };
    const b = { values: [1, 1], rounds: [1, 3] };
    expect(pairedRatios(a, b, (x, y) => x / y)).toEqual([2, 6]);
  });

  it('cancels drift that hits both cases of a round alike', () => {
    // The machine gets twice as slow halfway; the two cases stay 2× apart in every round.
    const slow = { values: [2, 2, 4, 4], rounds: [1, 2, 3, 4] };
    const fast = { values: [1, 1, 2, 2], rounds: [1, 2, 3, 4] };
    const ratio = summarize(pairedRatios(slow, fast, (x, y) => x / y));
    expect([ratio.low, ratio.median, ratio.high]).toEqual([2, 2, 2]);
    // Unpaired, the same samples leave the ratio wide open.
    const unpaired = ratioOfSummaries(summarize(slow.values), summarize(fast.values));
    expect(unpaired.low).toBeLessThan(1.01);
    expect(unpaired.high).toBeGreaterThan(3.9);
  });
});

describe('overlaps', () => {
  it('is true when the intervals share a point', () => {
    expect(overlaps({ low: 1, high: 2 }, { low: 2, high: 3 })).toBe(true);
    expect(overlaps({ low: 1, high: 2 }, { low: 2.1, high: 3 })).toBe(false);
  });
});
