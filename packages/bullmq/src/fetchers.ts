/**
 * How a node's `concurrency` is spread over BullMQ `Worker`s. A BullMQ worker fetches jobs one
 * round trip after another until it holds its `concurrency`, and starts none of them before
 * that: with one worker of concurrency 8 across a 20 ms link, a node sat idle for 160 ms at the
 * start of every burst of batches while its map's other node was already busy. Several workers
 * of a few jobs each fetch side by side, and each starts its first job after a round trip or two.
 */

/** Most jobs one BullMQ worker of a node holds. */
export const JOBS_PER_FETCHER = 2;

/** The concurrency of each BullMQ worker a node with `concurrency` runs (they add up to it). */
export function fetcherConcurrencies(concurrency: number): number[] {
  const out: number[] = [];
  for (let left = concurrency; left > 0; left -= JOBS_PER_FETCHER) {
    out.push(Math.min(JOBS_PER_FETCHER, left));
  }
  return out;
}
