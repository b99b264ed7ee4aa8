/**
 * How many items travel in one message of a `map`. Python's `Pool.map` uses a fixed
 * `len / (4 · workers)`, which is too coarse for a skewed workload and needs the length up
 * front. Here the size follows the measured time per item, so every chunk takes about
 * {@link TARGET_CHUNK_MS} of worker time (message overhead stays near 1 %), and shrinks as the
 * input runs out, so the last chunks spread over every worker.
 */

/** Worker time one chunk should take. */
export const TARGET_CHUNK_MS = 3;
/** Size of the first chunks, sent before anything has been measured. */
export const FIRST_CHUNK_SIZE = 16;
/** Never more items than this in one message. */
export const MAX_CHUNK_SIZE = 65_536;

/** Inputs to {@link chunkSize}. */
export interface ChunkSizeInput {
  /** The caller's explicit `chunkSize`, if any. */
  readonly fixed: number | undefined;
  /** Measured blocking time per item in ms, if known. */
  readonly perItemMs: number | undefined;
  /** Items left, when the input's length is known. */
  readonly remaining: number | undefined;
  /** Items of the whole input, when its length was known at the start. */
  readonly total?: number;
  /** Workers sharing the work. */
  readonly workers: number;
  /** Worker time a chunk should take (default {@link TARGET_CHUNK_MS}). */
  readonly targetMs?: number;
  /** Least worker time of a chunk cut for the tail (the transport's `chunkFloorMs`; default none). */
  readonly floorMs?: number;
  /**
   * Wall time over blocking time of the task's jobs (1 for CPU-bound tasks). A task that mostly
   * waits on IO is sized for how much it keeps waiting at once, not for its tiny CPU share.
   */
  readonly waitFactor?: number;
}

/** Wall over blocking time from which a task counts as IO-bound for chunk sizing. */
export const IO_BOUND_WAIT_FACTOR = 4;
/** Least chunk size of an IO-bound task whose input length is unknown. */
export const IO_BOUND_MIN_CHUNK = 256;
/** Least chunks per worker of an IO-bound map whose length is known. */
export const IO_BOUND_CHUNKS_PER_WORKER = 2;
/**
 * Most items in one chunk of an IO-bound map whose length is known: more operations started at
 * once than a worker's sockets or the thread pool serve only wait in their queues, and delay
 * the replies that are already in.
 */
export const IO_BOUND_MAX_CHUNK = 1024;

/**
 * The chunk size that cuts `total` items of an IO-bound map into equal chunks: at least
 * {@link IO_BOUND_CHUNKS_PER_WORKER} per worker, a multiple of the workers (so each ends with
 * the same share), none above {@link IO_BOUND_MAX_CHUNK}. Chunks that shrink towards the end
 * would leave each worker with a run of small ones, each ending with its last replies awaited
 * one by one; equal chunks finish together, as a hand-chunked pool's do.
 */
export function evenIoChunkSize(total: number, workers: number): number {
  const perWorker = Math.max(
    IO_BOUND_CHUNKS_PER_WORKER,
    Math.ceil(total / (IO_BOUND_MAX_CHUNK * workers)),
  );
  return Math.max(1, Math.ceil(total / (perWorker * workers)));
}

/** The size of the next chunk. */
export function chunkSize({
  fixed,
  perItemMs,
  remaining,
  workers,
  targetMs = TARGET_CHUNK_MS,
  floorMs,
  waitFactor = 1,
  total,
}: ChunkSizeInput): number {
  if (fixed !== undefined) return fixed;
  let size =
    perItemMs === undefined
      ? FIRST_CHUNK_SIZE
      : Math.min(MAX_CHUNK_SIZE, Math.max(1, Math.floor(targetMs / Math.max(perItemMs, 1e-5))));
  const ioBound = perItemMs !== undefined && waitFactor >= IO_BOUND_WAIT_FACTOR;
  if (ioBound) {
    if (total !== undefined && remaining !== undefined) {
      return Math.max(1, Math.min(remaining, evenIoChunkSize(total, workers)));
    }
    // Waiting chunks hold no CPU: large, so thousands of operations wait at once, as a
    // hand-chunked pool would have them; a floor of IO_BOUND_MIN_CHUNK keeps the tail from
    // breaking into hundreds of tiny chunks.
    size = Math.max(size, remaining === undefined ? IO_BOUND_MIN_CHUNK : remaining);
    if (remaining !== undefined) {
      size = Math.min(size, Math.max(IO_BOUND_MIN_CHUNK, Math.ceil(remaining / (workers * 3))));
    }
    return Math.min(size, MAX_CHUNK_SIZE);
  }
  if (remaining !== undefined) {
    // Keep at least three chunks per worker in what is left, so the tail balances; never below
    // the transport's floor (what a batch's round trip costs), nor beyond what is left.
    const tail = Math.ceil(remaining / (workers * 3));
    const floor =
      floorMs !== undefined && Number.isFinite(floorMs) && floorMs > 0 && perItemMs !== undefined
        ? Math.floor(floorMs / Math.max(perItemMs, 1e-5))
        : 1;
    size = Math.min(size, Math.max(1, tail, Math.min(floor, remaining)));
  }
  return size;
}
