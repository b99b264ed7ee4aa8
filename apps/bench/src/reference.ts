/**
 * The reference every case is checked against, computed once per run on the bench's own
 * thread with a plain loop (no executor): the checksum of the first `count` factorials for
 * each count the run needs, and how long the loop took.
 */
import { ChecksumAccumulator, noopChecksum } from './checksum.js';
import { articleInputs } from './inputs.js';
import { factorial } from './tasks.js';
import { WORKLOADS, type WorkloadId, WorkloadKind } from './workloads.js';

/** Reference checksums and the plain loop's time. */
export interface Reference {
  /** Items of the plain loop (the largest count any case needs). */
  readonly loopItems: number;
  /** Seconds the plain `for` loop of `factorial` took over `loopItems` items. */
  readonly loopSeconds: number;
  /** The expected checksum of a case of `workload` over `items` items. */
  expected(workload: WorkloadId, items: number): string;
}

/** Computes the reference for the given `map` item counts. */
export function computeReference(mapCounts: readonly number[]): Reference {
  const loopItems = Math.max(0, ...mapCounts);
  const inputs = articleInputs(loopItems);
  const t0 = performance.now();
  const results = new Array<bigint>(loopItems);
  for (let i = 0; i < loopItems; i++) results[i] = factorial(inputs[i] as number);
  const loopSeconds = (performance.now() - t0) / 1000;

  const wanted = new Set(mapCounts);
  const byCount = new Map<number, string>();
  const accumulator = new ChecksumAccumulator();
  for (let i = 0; i < loopItems; i++) {
    accumulator.add(results[i] as bigint);
    if (wanted.has(i + 1)) byCount.set(i + 1, accumulator.value());
  }
  return {
    loopItems,
    loopSeconds,
    expected(workload, items) {
      if (WORKLOADS[workload].kind !== WorkloadKind.Map) {
        return noopChecksum(new Array<undefined>(items).fill(undefined));
      }
      const value = byCount.get(items);
      if (value === undefined) throw new Error(`No reference checksum for ${items} items.`);
      return value;
    },
  };
}
