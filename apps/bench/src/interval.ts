/**
 * The uncertainty of a case's samples: the median and a distribution-free interval around it
 * (order statistics, no assumption of normal noise: benchmark noise is skewed, a busy machine
 * only ever makes a pass slower), and the same for ratios of paired samples.
 */
import { medianOfSorted } from '@manyhands/core';

/** The median of some samples and an interval that holds the true median. */
export interface Summary {
  /** Number of samples. */
  readonly n: number;
  readonly median: number;
  /** Lower end of the interval. */
  readonly low: number;
  /** Upper end of the interval. */
  readonly high: number;
  /**
   * The interval's confidence: at least 0.95 from 6 samples on; below that the interval is the
   * samples' min–max, which holds the median with probability `1 − 2/2ⁿ` (0.75 for 3 samples).
   */
  readonly level: number;
}

/** The confidence the interval aims for. */
export const TARGET_LEVEL = 0.95;

/** The median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return medianOfSorted([...values].sort((a, b) => a - b));
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2). */
function binomialCdfHalf(n: number, k: number): number {
  let term = 0.5 ** n; // C(n, 0) / 2ⁿ
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += term;
    term *= (n - i) / (i + 1);
  }
  return sum;
}

/**
 * The median of `values` with the distribution-free interval of the median: the k-th smallest
 * and k-th largest samples, with k as large as keeps the confidence at {@link TARGET_LEVEL}
 * (k = 1, the min–max, for fewer than 6 samples).
 *
 * @example
 * summarize([1.2, 1.0, 1.1]); // { n: 3, median: 1.1, low: 1.0, high: 1.2, level: 0.75 }
 */
export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { n: 0, median: Number.NaN, low: Number.NaN, high: Number.NaN, level: 0 };
  let k = 1;
  while (k < n / 2 && 1 - 2 * binomialCdfHalf(n, k) >= TARGET_LEVEL) k++;
  const level = n === 1 ? 0 : 1 - 2 * binomialCdfHalf(n, k - 1);
  return {
    n,
    median: median(sorted),
    low: sorted[k - 1] as number,
    high: sorted[n - k] as number,
    level,
  };
}

/** Half the interval's width over the median: `0.05` is ±5 %. */
export function relativeSpread(summary: Summary): number {
  if (!(summary.median > 0)) return Number.POSITIVE_INFINITY;
  return (summary.high - summary.low) / 2 / summary.median;
}

/** A value measured in rounds: sample `values[i]` was taken in round `rounds[i]`. */
export interface RoundSamples {
  readonly values: readonly number[];
  readonly rounds: readonly number[];
}

/**
 * The ratio `f(a, b)` of two cases' samples taken in the same round, one per common round.
 * Interleaved rounds put both samples of a pair under the same machine conditions, so drift
 * cancels out of the ratio.
 */
export function pairedRatios(
  a: RoundSamples,
  b: RoundSamples,
  f: (a: number, b: number) => number,
): number[] {
  const byRound = new Map<number, number>();
  b.rounds.forEach((round, i) => {
    byRound.set(round, b.values[i] as number);
  });
  const ratios: number[] = [];
  a.rounds.forEach((round, i) => {
    const other = byRound.get(round);
    if (other !== undefined) ratios.push(f(a.values[i] as number, other));
  });
  return ratios;
}

/**
 * An interval for `a / b` from two independent summaries (no pairing: say two runs): the
 * ratio of the medians, from `a.low / b.high` to `a.high / b.low`. Wide, never too narrow.
 */
export function ratioOfSummaries(a: Summary, b: Summary): Summary {
  return {
    n: Math.min(a.n, b.n),
    median: a.median / b.median,
    low: a.low / b.high,
    high: a.high / b.low,
    level: a.level * b.level,
  };
}

/** Whether two intervals overlap. */
export function overlaps(a: Pick<Summary, 'low' | 'high'>, b: Pick<Summary, 'low' | 'high'>) {
  return a.low <= b.high && b.low <= a.high;
}
