/**
 * Percentiles and medians of sorted samples: the one implementation behind `stats()` (latency
 * percentiles, heap growth) and the bench's tables.
 */

/**
 * The `q`-quantile (`0..1`) of ascending `sorted` values by nearest rank: the value at index
 * `floor(q × n)`, clamped to the last; `0` when there are none.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  return sorted[Math.min(n - 1, Math.max(0, Math.floor(q * n)))] as number;
}

/** The median of ascending `sorted` values (the mean of the middle two when even); `0` if none. */
export function medianOfSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = n >> 1;
  return n % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
