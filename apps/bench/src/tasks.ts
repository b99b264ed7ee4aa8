/** The bench's task module: the article's factorial, a no-op, and an IO-bound variant. */

/** Exact factorial as a BigInt: the article's recursive `factorial(n)`. */
export function factorial(n: number): bigint {
  return n <= 1 ? 1n : BigInt(n) * factorial(n - 1);
}

/** Does nothing: measures pure per-task overhead. */
export function noop(): void {}

/** Waits on a 10 ms timer (a stand-in for a remote call), then computes the factorial. */
export async function factorialAfterTimer(n: number): Promise<bigint> {
  await new Promise((resolve) => setTimeout(resolve, 10));
  return factorial(n);
}
