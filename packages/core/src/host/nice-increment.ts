/**
 * The `niceIncrement` option of the backends that start local workers (worker threads, child
 * processes, cluster workers): how much lower than the host's each worker's CPU priority is.
 * Checked here; applied by the worker itself as it starts (`worker/priority.ts`).
 */

/** The largest increment: 19 takes a worker from the default nice 0 to the lowest priority. */
export const MAX_NICE_INCREMENT = 19;

/**
 * Throws `TypeError` (not a number) or `RangeError` (not an integer from 0 to
 * {@link MAX_NICE_INCREMENT}) for a bad `niceIncrement`; `undefined` passes.
 */
export function checkNiceIncrement(value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`Option "niceIncrement" must be a number, got ${typeof value}.`);
  }
  if (!Number.isInteger(value) || value < 0 || value > MAX_NICE_INCREMENT) {
    throw new RangeError(
      `Option "niceIncrement" must be an integer from 0 to ${MAX_NICE_INCREMENT}, got ${value}.`,
    );
  }
}

/** The init field that carries a set, non-zero increment to a worker (`{}` otherwise). */
export function niceInit(niceIncrement: number | undefined): { niceIncrement?: number } {
  return niceIncrement ? { niceIncrement } : {};
}
