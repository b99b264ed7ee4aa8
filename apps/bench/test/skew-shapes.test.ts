import { describe, expect, it } from 'vitest';
import {
  BASE_US,
  equalWorkSlices,
  inOrderMakespan,
  parseSkewCase,
  SKEW_SHAPES,
  skewCaseName,
  skewCases,
  skewCosts,
} from '../src/scheduler/skew-shapes.js';

describe('scheduler bench: the in-order bound of a skewed map', () => {
  it('is the greedy schedule in input order: each item to the worker free first', () => {
    expect(inOrderMakespan([], 2)).toBe(0);
    expect(inOrderMakespan([5], 2)).toBe(5);
    expect(inOrderMakespan([1, 1, 1, 1], 2)).toBe(2);
    // The big item comes last: it starts once one worker is free, at 2.
    expect(inOrderMakespan([2, 2, 2, 6], 2)).toBe(2 + 6);
    // Overhead counts per item.
    expect(inOrderMakespan([1, 1, 1, 1], 2, 0.5)).toBe(3);
    expect(inOrderMakespan([3, 1, 1, 1], 1)).toBe(6);
  });

  it('reaches the ideal on uniform work, and exceeds it when one big item sits late', () => {
    const ideal = (costs: number[]) =>
      Math.max(costs.reduce((a, b) => a + b, 0) / 2, Math.max(...costs));
    const uniform = skewCosts('uniform', 10_000);
    expect(inOrderMakespan(uniform, 2)).toBe(ideal(uniform));
    const oneBig = skewCosts('one-big', 10_000);
    // A third of the work starts after three quarters of the rest: about 1.17x the ideal.
    expect(inOrderMakespan(oneBig, 2) / ideal(oneBig)).toBeGreaterThan(1.15);
  });
});

describe('scheduler bench: the static split of the no-pool reference', () => {
  it('cuts the items, in order, into slices of about equal work', () => {
    expect(equalWorkSlices([1, 1, 1, 1], 2)).toStrictEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(equalWorkSlices([3, 1, 1, 1], 2)).toStrictEqual([[3], [1, 1, 1]]);
    expect(equalWorkSlices([], 2)).toStrictEqual([[], []]);
    expect(equalWorkSlices([5], 1)).toStrictEqual([[5]]);
    for (const shape of ['rising', 'one-big', 'tail'] as const) {
      const costs = skewCosts(shape, 10_000);
      const slices = equalWorkSlices(costs, 2, 1);
      expect(slices.flat()).toStrictEqual(costs);
      const work = slices.map((s) => s.reduce((a, b) => a + b + 1, 0));
      const largest = Math.max(...costs) + 1;
      // The first slice passes its share by at most one item, so the two differ by two at most.
      expect(Math.abs((work[0] as number) - (work[1] as number))).toBeLessThanOrEqual(2 * largest);
    }
  });
});

describe('scheduler bench: skew shapes at several weights', () => {
  it('names each case by its shape, with its weight when it is not the default', () => {
    expect(skewCases('default').map(skewCaseName)).toStrictEqual([...SKEW_SHAPES]);
    const all = skewCases('all').map(skewCaseName);
    expect(all).toContain('tail@160');
    expect(all).toContain('one-big@1');
    expect(all).toContain('tail');
    for (const name of all) expect(skewCaseName(parseSkewCase(name))).toBe(name);
    expect(() => parseSkewCase('nowhere')).toThrow(/unknown skew shape/);
    expect(() => parseSkewCase('tail@-1')).toThrow(/bad skew weight/);
  });

  it('puts the weight where the shape says', () => {
    const n = 1_000;
    const total = (costs: number[]) => costs.reduce((a, b) => a + b, 0);
    expect(skewCosts('tail', n, 160).at(-1)).toBe(BASE_US * 160);
    expect(skewCosts('tail', n, 160)[0]).toBe(BASE_US);
    expect(skewCosts('head', n, 10)[0]).toBe(BASE_US * 10);
    expect(skewCosts('rising', n, 80).at(-1)).toBeCloseTo(BASE_US * 80, 0);
    // one-big at weight 1 carries about half of all the work.
    const big = skewCosts('one-big', n, 1);
    expect(Math.max(...big) / total(big)).toBeCloseTo(0.5, 2);
    // The defaults are the shapes the bench ran before it had weights.
    expect(skewCosts('tail', n)).toStrictEqual(skewCosts('tail', n, 40));
    expect(Math.max(...skewCosts('one-big', n)) / total(skewCosts('one-big', n))).toBeCloseTo(
      1 / 3,
      2,
    );
  });
});
