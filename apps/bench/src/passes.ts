/**
 * How a bench sample times a case inside its own process. A pool lives for many calls, so its
 * first pass — which compiles the code paths the case takes, in the host and in the workers — is
 * not timed; the sample is the pass of median time among the next ones. A single pass of a short
 * case may or may not meet a garbage collection of the pass before (a 100,000-item map leaves
 * 10 MB of results for the next one to collect), and that showed more than the pool did.
 */

/** A timed pass. */
export interface TimedPass {
  readonly seconds: number;
}

/** How {@link medianOfPasses} samples. */
export interface PassPlan<T> {
  /** Timed passes after the untimed first one. */
  readonly count: number;
  /** Time the first pass alone (no warm-up, no median). */
  readonly cold: boolean;
  /** What every pass must agree on (a checksum of its results), if anything. */
  readonly same?: (pass: T) => unknown;
}

/**
 * Runs `pass` once untimed, then `plan.count` times, and returns the run of median time (the
 * first run alone when `plan.cold`). Throws if the timed passes disagree on `plan.same`.
 */
export async function medianOfPasses<T extends TimedPass>(
  pass: () => Promise<T>,
  plan: PassPlan<T>,
): Promise<T> {
  if (plan.cold) return pass();
  await pass();
  const runs: T[] = [];
  for (let i = 0; i < plan.count; i++) runs.push(await pass());
  if (plan.same && new Set(runs.map(plan.same)).size > 1) {
    throw new Error('passes of one case returned different results');
  }
  runs.sort((a, b) => a.seconds - b.seconds);
  return runs[Math.floor(runs.length / 2)] as T;
}

/** Parses a `--passes` value: a whole number of at least 1, or undefined. */
export function parsePasses(value: string): number | undefined {
  const count = Number(value);
  return Number.isInteger(count) && count >= 1 ? count : undefined;
}

/** Says what is wrong with a `--passes` value and exits with status 2. */
export function badPasses(value: string): never {
  console.error(`--passes must be a whole number of at least 1, got "${value}".`);
  process.exit(2);
}
