/**
 * How noisy the machine was while a workload ran, from two signals: the CPU other processes
 * took (see `cpu-time.ts`) and how much each case's samples spread. A noisy workload's
 * verdict is marked tentative.
 */

/** The noise of one workload's measurements. */
export interface Noise {
  /** Cores' worth of CPU other processes used on average while samples ran (if known). */
  readonly foreignCores?: number;
  /** The machine's cores. */
  readonly cores: number;
  /** Median over the cases of each one's relative spread (half its interval over its median). */
  readonly medianSpread: number;
  /** The widest relative spread of any case. */
  readonly maxSpread: number;
  readonly noisy: boolean;
}

/** Other processes using this share of the machine or more make it noisy. */
export const NOISY_FOREIGN_SHARE = 0.15;
/** A median case spread above this (±8 %) makes the machine noisy. */
export const NOISY_SPREAD = 0.08;

/** Judges a workload's noise from the others' CPU and its cases' relative spreads. */
export function assessNoise(input: {
  readonly cores: number;
  readonly foreignCores?: number | undefined;
  readonly spreads: readonly number[];
}): Noise {
  const spreads = input.spreads.filter((s) => Number.isFinite(s)).sort((a, b) => a - b);
  const medianSpread = spreads.length === 0 ? 0 : (spreads[(spreads.length - 1) >> 1] as number);
  const maxSpread = spreads.at(-1) ?? 0;
  const busy =
    input.foreignCores !== undefined && input.foreignCores >= NOISY_FOREIGN_SHARE * input.cores;
  return {
    ...(input.foreignCores === undefined ? {} : { foreignCores: input.foreignCores }),
    cores: input.cores,
    medianSpread,
    maxSpread,
    noisy: busy || medianSpread > NOISY_SPREAD,
  };
}

const pct = (share: number): string => `±${Math.round(share * 100)} %`;

/** One line on a workload's noise, e.g. `other processes used 0.9 of 2 cores; samples ±3 %`. */
export function describeNoise(noise: Noise): string {
  const parts: string[] = [];
  if (noise.foreignCores !== undefined) {
    parts.push(`other processes used ${noise.foreignCores.toFixed(1)} of ${noise.cores} cores`);
  }
  parts.push(
    `a case's samples spread ${pct(noise.medianSpread)} (median), up to ${pct(noise.maxSpread)}`,
  );
  return parts.join('; ');
}
