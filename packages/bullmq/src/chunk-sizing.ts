/**
 * How big a `map`'s chunks are on this backend. Each batch costs a few round trips to Redis
 * (added, fetched, results pushed, finished), so over a slow link a chunk carries proportionally
 * more work; and a map is split for the nodes that really serve the queue, not for the lanes
 * (virtual workers, 16 by default) that only keep batches in flight. On loopback with a couple
 * of nodes that means fewer, bigger batches; across a 20 ms link, chunks of ~160 ms of work.
 */

/** Worker time per map chunk on a fast link (loopback, one LAN hop). */
export const BASE_CHUNK_TARGET_MS = 20;
/**
 * Chunk work per round trip of the link. A batch costs about three round trips serially on its
 * node (results pushed, job finished, next job fetched); with several batches held per node these
 * overlap, and chunks of 8 round trips keep that overhead small.
 */
export const CHUNK_MS_PER_ROUND_TRIP = 8;
/** Never bigger chunks than this much work: the tail of a map must still spread over nodes. */
export const MAX_CHUNK_TARGET_MS = 1_000;

/** Worker time a map chunk should take over a link with round trip `rttMs` (unknown: base). */
export function chunkTargetFor(rttMs: number | undefined): number {
  if (rttMs === undefined) return BASE_CHUNK_TARGET_MS;
  return Math.min(
    MAX_CHUNK_TARGET_MS,
    Math.max(BASE_CHUNK_TARGET_MS, Math.round(CHUNK_MS_PER_ROUND_TRIP * rttMs)),
  );
}

/**
 * Least work of a tail chunk, in round trips of the link. Core splits a map's tail into ever
 * smaller chunks so it spreads over the workers; but every batch waits out its round trips to
 * Redis, and a tail of tiny batches (a few items each) leaves the nodes idle between them: at
 * 20 ms that tail took a third of a 500,000-item map. Chunks worth two round trips keep the
 * nodes fed while the tail still splits evenly.
 */
export const CHUNK_FLOOR_ROUND_TRIPS = 2;

/** Least worker time of a tail chunk over a link with round trip `rttMs` (unknown: none). */
export function chunkFloorFor(rttMs: number | undefined): number | undefined {
  if (rttMs === undefined) return undefined;
  return CHUNK_FLOOR_ROUND_TRIPS * rttMs;
}

/** Virtual workers a map's tail is split for, per serving node. */
export const CHUNK_WORKERS_PER_NODE = 2;

/**
 * How many workers share a map's work, for core's tail split: two per serving node (each runs
 * its batches one after another on one thread), never more than the lanes. `undefined` (core's
 * default: the lanes) until a node has been seen.
 */
export function chunkWorkersFor(nodes: number | undefined, lanes: number): number | undefined {
  if (!nodes) return undefined;
  return Math.max(1, Math.min(lanes, CHUNK_WORKERS_PER_NODE * nodes));
}
