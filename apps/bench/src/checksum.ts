/**
 * Result checksums: every sample of every case is checked against one computed inline, so a
 * wrong, missing or misplaced result fails the run.
 */

const MODULUS = (1n << 61n) - 1n; // a Mersenne prime
const BASE = 1_000_003n;

/**
 * Folds results into an order-sensitive hash (a polynomial hash modulo 2^61 - 1), one at a
 * time, so prefixes of one long list can be checksummed in a single pass. A result that is
 * not a BigInt throws.
 */
export class ChecksumAccumulator {
  private hash = 0n;
  private count = 0;

  add(result: bigint): void {
    if (typeof result !== 'bigint') {
      throw new TypeError(`Result ${this.count} is a ${typeof result}, not a BigInt.`);
    }
    this.hash = (this.hash * BASE + (result % MODULUS)) % MODULUS;
    this.count++;
  }

  /** The checksum of everything added so far: `count:hash` (hash in base 36). */
  value(): string {
    return `${this.count}:${this.hash.toString(36)}`;
  }
}

/**
 * An order-sensitive checksum of BigInt results: a wrong, missing or misplaced one changes it
 * (up to hash collisions, about 1 in 2^61). `python/pool_map.py` computes the same.
 */
export function checksum(results: readonly bigint[]): string {
  const accumulator = new ChecksumAccumulator();
  for (const result of results) accumulator.add(result);
  return accumulator.value();
}

/** Checksum of `count` no-op results: each must be `undefined`. */
export function noopChecksum(results: readonly unknown[]): string {
  const wrong = results.filter((value) => value !== undefined).length;
  return `${results.length}:noop${wrong === 0 ? '' : `:${wrong}-wrong`}`;
}

/** A case's results did not match the inline reference. */
export class ChecksumMismatchError extends Error {
  override readonly name = 'ChecksumMismatchError';
  readonly code = 'ERR_BENCH_CHECKSUM';

  constructor(
    readonly caseLabel: string,
    readonly expected: string,
    readonly actual: string,
    readonly sample: number,
  ) {
    super(
      `wrong results in sample ${sample + 1}: checksum ${actual}, expected ${expected} (computed inline).`,
    );
  }
}

/** Throws {@link ChecksumMismatchError} unless every sample's checksum is `expected`. */
export function verifyChecksums(
  caseLabel: string,
  expected: string,
  actual: readonly string[],
): void {
  if (actual.length === 0) throw new ChecksumMismatchError(caseLabel, expected, 'none', 0);
  actual.forEach((value, sample) => {
    if (value !== expected) throw new ChecksumMismatchError(caseLabel, expected, value, sample);
  });
}
