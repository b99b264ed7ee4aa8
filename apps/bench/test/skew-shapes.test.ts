import { describe, expect, it } from 'vitest';
import { inOrderMakespan, skewCosts } from '../src/scheduler/skew-shapes.js';

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
