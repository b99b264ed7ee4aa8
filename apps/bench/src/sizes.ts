/**
 * How many items each workload runs, how many samples each case takes and how much time a
 * workload may spend on extra samples, for the default run and `--quick`. The budget is per
 * case, so it grows with the cases, which grow with the cores (1..cores workers): the default
 * run fits about 3 minutes on 2 cores and `--quick` well under a minute. IO-bound counts stay
 * small on purpose: with every task in flight at once, a large count turns the pass into CPU
 * work (timers, promises, factorials) and hides the IO.
 */
import { WORKLOAD_IDS, type WorkloadId } from './workloads.js';

/** Item counts per workload, and samples per case. */
export interface Sizes {
  readonly items: Readonly<Record<WorkloadId, number>>;
  /**
   * Cap on items when a peer runs one task per item (as their docs show): at the article's
   * million items that takes minutes per peer.
   */
  readonly perItemCap: Readonly<Record<'cpu' | 'io', number>>;
  /**
   * Measured samples every case of a workload takes (after a discarded warm-up pass); the
   * table shows their median and its interval.
   */
  readonly samples: Readonly<Record<WorkloadId, number>>;
  /** Most samples a case takes when its verdict is undecided or its spread wide. */
  readonly maxSamples: Readonly<Record<WorkloadId, number>>;
  /**
   * Seconds of sampling per case of a workload: a workload stops taking extra samples when
   * the next round would end past `budgetPerCase × its cases` (the minimum always runs).
   */
  readonly budgetPerCase: Readonly<Record<WorkloadId, number>>;
  /**
   * Most samples a peer's case takes, per workload: some peers need 30-50 s for one burst of
   * 200,000 calls, so a burst gets one sample.
   */
  readonly peerSamples: Readonly<Record<WorkloadId, number>>;
}

/** The default run. */
export const DEFAULT_SIZES: Sizes = Object.freeze({
  items: Object.freeze({
    cpu: 200_000,
    'io-timer': 2_500,
    'io-http': 2_500,
    'io-file': 2_500,
    // bullmq's round trip is a few ms: keep a pass of the overhead workloads to seconds.
    sequential: 1_000,
    burst: 50_000,
  }),
  perItemCap: Object.freeze({ cpu: 20_000, io: 500 }),
  // Enough samples for an interval; more only where the verdict needs them, within the budget.
  samples: Object.freeze({
    cpu: 4,
    'io-timer': 5,
    'io-http': 5,
    'io-file': 5,
    sequential: 5,
    burst: 4,
  }),
  maxSamples: Object.freeze({
    cpu: 12,
    'io-timer': 15,
    'io-http': 15,
    'io-file': 15,
    sequential: 15,
    burst: 10,
  }),
  // About 130 s of sampling for the 56 cases of 2 cores with every backend, most of it where
  // verdicts are hardest (CPU-bound); starting the cases adds about half a minute.
  budgetPerCase: Object.freeze({
    cpu: 6,
    'io-timer': 1,
    'io-http': 1.5,
    'io-file': 1.5,
    sequential: 1.5,
    burst: 2,
  }),
  peerSamples: Object.freeze({
    cpu: 3,
    'io-timer': 3,
    'io-http': 3,
    'io-file': 3,
    sequential: 3,
    burst: 1,
  }),
});

/** `--quick`. */
export const QUICK_SIZES: Sizes = Object.freeze({
  items: Object.freeze({
    cpu: 100_000,
    'io-timer': 1_000,
    'io-http': 1_000,
    'io-file': 1_000,
    sequential: 500,
    burst: 20_000,
  }),
  perItemCap: Object.freeze({ cpu: 5_000, io: 200 }),
  samples: Object.freeze({
    cpu: 3,
    'io-timer': 3,
    'io-http': 3,
    'io-file': 3,
    sequential: 3,
    burst: 3,
  }),
  maxSamples: Object.freeze({
    cpu: 6,
    'io-timer': 6,
    'io-http': 6,
    'io-file': 6,
    sequential: 6,
    burst: 5,
  }),
  budgetPerCase: Object.freeze({
    cpu: 1.5,
    'io-timer': 0.4,
    'io-http': 0.5,
    'io-file': 0.5,
    sequential: 0.4,
    burst: 0.6,
  }),
  peerSamples: Object.freeze({
    cpu: 3,
    'io-timer': 3,
    'io-http': 3,
    'io-file': 3,
    sequential: 3,
    burst: 1,
  }),
});

function everyWorkload(value: number): Record<WorkloadId, number> {
  return Object.fromEntries(WORKLOAD_IDS.map((id) => [id, value])) as Record<WorkloadId, number>;
}

/**
 * The sizes of a run: the profile's, with `n` (from `--n`) as the CPU-bound count and a cap
 * on every other count, and `samples` (from `--samples`) as a fixed count if given.
 */
export function resolveSizes(quick: boolean, n?: number, samples?: number): Sizes {
  const base = quick ? QUICK_SIZES : DEFAULT_SIZES;
  const cap = (value: number): number => (n === undefined ? value : Math.min(value, n));
  const items = Object.fromEntries(
    Object.entries(base.items).map(([id, count]) => [id, id === 'cpu' ? (n ?? count) : cap(count)]),
  ) as Record<WorkloadId, number>;
  return {
    items,
    perItemCap: { cpu: cap(base.perItemCap.cpu), io: cap(base.perItemCap.io) },
    peerSamples: samples === undefined ? base.peerSamples : everyWorkload(samples),
    samples: samples === undefined ? base.samples : everyWorkload(samples),
    maxSamples: samples === undefined ? base.maxSamples : everyWorkload(samples),
    budgetPerCase: base.budgetPerCase,
  };
}
