/**
 * Task module of the scheduler benchmark (`scheduler-bench.ts`): items of known cost, a task
 * that ends its worker on chosen inputs, and the article's factorial.
 */

/** Holds the thread for `us` microseconds (a CPU-bound item of known cost); returns `us`. */
export function burn(us: number): number {
  const end = performance.now() + us / 1000;
  while (performance.now() < end) {
    // busy
  }
  return us;
}

/** Returns `n + 1`, except for a negative `n`, which ends the worker with `process.exit(3)`. */
export function exitIfNegative(n: number): number {
  if (n < 0) process.exit(3);
  return n + 1;
}

/** Exact factorial as a BigInt: the article's recursive `factorial(n)`. */
export function factorial(n: number): bigint {
  return n <= 1 ? 1n : BigInt(n) * factorial(n - 1);
}

/** Doubles a number: a cheap item for short maps. */
export function double(n: number): number {
  return n * 2;
}
