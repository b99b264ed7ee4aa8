/**
 * The memory a thread transport shares between the host and one worker, so that the host knows,
 * without a message, which of the jobs it handed over the worker has started, and can take back
 * jobs the worker has not started (work stealing) while the worker is busy in a long task.
 *
 * Three `Int32` words:
 * - `STARTED`: how many of the jobs it was sent the worker has taken off its queue (run,
 *   skipped as cancelled or given back); the worker stores it before it looks at `HOLE_*`.
 * - `HOLE_LO`, `HOLE_HI`: jobs whose position (1-based, in the order they were sent) lies in
 *   `(HOLE_LO, HOLE_HI]` belong to the host again: the worker skips them and reports them as
 *   given back. The host stores the hole before it reads `STARTED`.
 *
 * With `Atomics` (sequentially consistent) on both sides, every job past the `STARTED` the host
 * reads after storing the hole is surely skipped; the one being started at that moment is
 * reported either as a result or as given back, never lost and never run twice.
 */

/** Index of the "jobs started" word. */
export const STARTED = 0;
/** Index of the hole's lower bound (exclusive). */
export const HOLE_LO = 1;
/** Index of the hole's upper bound (inclusive). */
export const HOLE_HI = 2;

/** Allocates the shared words for one worker. */
export function createProgressWords(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
}
