/**
 * The task module of the channel bench: the bench's own tasks, plus one that takes a large
 * typed array (the 1 MB payload case) and returns something small.
 */
export { factorial, factorialAfterTimer, noop } from './tasks.js';

/** Sums a Float64Array, so the whole payload must have crossed intact. */
export function sumFloat64(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum;
}
