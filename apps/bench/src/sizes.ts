/**
 * How many items each workload runs, and how many samples each case takes, for the default
 * run and `--quick`. Sized so the default run fits about 3 minutes and `--quick` about 45 s on
 * 2 cores. IO-bound counts stay small on purpose: with every task in flight at once, a large
 * count turns the pass into CPU work (timers, promises, factorials) and hides the IO.
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
  /** tinybench samples per case of each workload; the table shows their median. */
  readonly samples: Readonly<Record<WorkloadId, number>>;
  /**
   * Most samples a peer's case takes, per workload: some peers need 30-50 s for one burst of
   * 200,000 calls, so a burst gets one sample.
   */
  readonly peerSamples: Readonly<Record<WorkloadId, number>>;
}

/** The default run. */
export const DEFAULT_SIZES: Sizes = Object.freeze({
  items: Object.freeze({
    cpu: 1_000_000,
    'io-timer': 5_000,
    'io-http': 5_000,
    'io-file': 5_000,
    sequential: 5_000,
    burst: 200_000,
  }),
  perItemCap: Object.freeze({ cpu: 20_000, io: 500 }),
  // Few samples, so the whole default run (six backends, 1..cores workers) fits in about three
  // minutes on 2 cores; `--samples N` takes more.
  samples: Object.freeze({
    cpu: 2,
    'io-timer': 3,
    'io-http': 3,
    'io-file': 3,
    sequential: 3,
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
    cpu: 200_000,
    'io-timer': 1_000,
    'io-http': 1_000,
    'io-file': 1_000,
    sequential: 1_000,
    burst: 50_000,
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
 * on every other count, and `samples` (from `--samples`) if given.
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
  };
}
