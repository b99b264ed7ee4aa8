/**
 * How a node's `concurrency` is spread over BullMQ `Worker`s. A BullMQ worker fetches jobs one
 * round trip after another until it holds its `concurrency`, and starts none of them before
 * that: with one worker of concurrency 8 across a 20 ms link, a node sat idle for 160 ms at the
 * start of every burst of batches while its map's other node was already busy. Several workers
 * of a few jobs each fetch side by side, and each starts its first job after a round trip or two.
 */

/** Jobs one BullMQ worker of a node holds, while there are few enough workers. */
export const JOBS_PER_FETCHER = 2;
/**
 * Most BullMQ workers per node: each holds a Redis connection and runs its own stall check, so
 * a node with a high `--concurrency` (IO-bound tasks) spreads it over this many instead.
 */
export const MAX_FETCHERS = 8;

/** The concurrency of each BullMQ worker a node with `concurrency` runs (they add up to it). */
export function fetcherConcurrencies(concurrency: number): number[] {
  const count = Math.min(MAX_FETCHERS, Math.ceil(concurrency / JOBS_PER_FETCHER));
  const base = Math.floor(concurrency / count);
  // As even as can be: the first `concurrency % count` hold one job more.
  return Array.from({ length: count }, (_, i) => base + (i < concurrency % count ? 1 : 0));
}
