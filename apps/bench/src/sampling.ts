/**
 * Interleaved sampling of the cases of one workload: a discarded warm-up pass of every case,
 * then rounds — sample 1 of every case, then sample 2, … — so that drift on the machine (another
 * process, a thermal limit) hits every case alike instead of deciding which case looks fast.
 * After the minimum rounds, extra rounds go to the cases the caller still needs (an undecided
 * verdict, a wide spread) while the time budget allows.
 */
import type { RoundSamples } from './interval.js';

/** One case as the sampler drives it. */
export interface SamplingCase {
  readonly id: string;
  /** Most measured samples this case takes (a slow peer may take fewer than the others). */
  readonly maxSamples: number;
  /** Takes one sample (one full pass); resolves to its duration in seconds. */
  sample(round: number): Promise<number>;
}

/** How many rounds, and how long. */
export interface SamplingPlan {
  /** Measured rounds every case takes (up to its own `maxSamples`), after the warm-up. */
  readonly minRounds: number;
  /** Most measured rounds. */
  readonly maxRounds: number;
  /** Wall time, in ms, after which no extra round starts (the minimum rounds always run). */
  readonly budgetMs: number;
}

/** What the sampler asks its caller, and tells it. */
export interface SamplingHooks {
  /**
   * After each round from the minimum on: the ids of the cases that need more samples; an
   * empty list ends the sampling.
   */
  more(samples: ReadonlyMap<string, RoundSamples>): readonly string[];
  /** The clock, in ms. */
  now(): number;
  /** A round is about to start (0 is the warm-up). */
  onRound?(round: number, cases: readonly string[]): void;
}

/** Why the sampling stopped. */
export const StopReason = Object.freeze({
  /** `--samples`: a fixed count, no extra rounds. */
  Fixed: 'fixed',
  /** The caller needed no more samples. */
  Settled: 'settled',
  /** The next round would not fit in the time budget. */
  Budget: 'budget',
  /** The cases that needed more had taken their most samples. */
  MaxSamples: 'max-samples',
} as const);
/** One of {@link StopReason}'s values. */
export type StopReason = (typeof StopReason)[keyof typeof StopReason];

/** One case's samples. */
export interface CaseSamples extends RoundSamples {
  /** The discarded warm-up pass, in seconds. */
  readonly warmup?: number;
  /** Set when a sample failed; the case took no more samples after it. */
  readonly error?: unknown;
}

/** What the sampling took. */
export interface SamplingOutcome {
  readonly samples: ReadonlyMap<string, CaseSamples>;
  /** Measured rounds that ran (not counting the warm-up). */
  readonly rounds: number;
  readonly stoppedBy: StopReason;
}

interface Entry {
  readonly spec: SamplingCase;
  warmup?: number;
  readonly values: number[];
  readonly rounds: number[];
  error?: unknown;
}

/** Rotates `list` by `by` places, so no case always runs right after the same neighbour. */
export function rotated<T>(list: readonly T[], by: number): T[] {
  if (list.length === 0) return [];
  const at = by % list.length;
  return [...list.slice(at), ...list.slice(0, at)];
}

/** Runs the warm-up, the minimum rounds, then the extra rounds the hooks ask for. */
export async function sampleInterleaved(
  cases: readonly SamplingCase[],
  plan: SamplingPlan,
  hooks: SamplingHooks,
): Promise<SamplingOutcome> {
  const started = hooks.now();
  const entries = cases.map((spec): Entry => ({ spec, values: [], rounds: [] }));
  const byId = new Map(entries.map((e) => [e.spec.id, e]));
  const live = (e: Entry): boolean => e.error === undefined;
  const view = (): Map<string, CaseSamples> =>
    new Map(
      entries.map((e) => [
        e.spec.id,
        {
          values: e.values,
          rounds: e.rounds,
          ...(e.warmup === undefined ? {} : { warmup: e.warmup }),
          ...(e.error === undefined ? {} : { error: e.error }),
        },
      ]),
    );

  const runRound = async (round: number, members: readonly Entry[]): Promise<void> => {
    const order = rotated(members, round);
    hooks.onRound?.(
      round,
      order.map((e) => e.spec.id),
    );
    for (const entry of order) {
      try {
        const seconds = await entry.spec.sample(round);
        if (round === 0) entry.warmup = seconds;
        else {
          entry.values.push(seconds);
          entry.rounds.push(round);
        }
      } catch (error) {
        entry.error = error;
      }
    }
  };

  await runRound(0, entries);
  const minRounds = Math.min(plan.minRounds, plan.maxRounds);
  let round = 0;
  while (round < minRounds) {
    round++;
    await runRound(
      round,
      entries.filter((e) => live(e) && e.values.length < e.spec.maxSamples),
    );
  }
  if (plan.maxRounds <= plan.minRounds) {
    return { samples: view(), rounds: round, stoppedBy: StopReason.Fixed };
  }
  for (;;) {
    const wanted = hooks.more(view());
    if (wanted.length === 0)
      return { samples: view(), rounds: round, stoppedBy: StopReason.Settled };
    const members = wanted
      .map((id) => byId.get(id))
      .filter((e): e is Entry => e !== undefined && live(e) && e.values.length < e.spec.maxSamples);
    if (members.length === 0 || round >= plan.maxRounds) {
      return { samples: view(), rounds: round, stoppedBy: StopReason.MaxSamples };
    }
    // The next round takes about as long as each member's latest sample.
    const estimateMs = members.reduce((sum, e) => sum + (e.values.at(-1) ?? 0) * 1000, 0);
    if (hooks.now() - started + estimateMs > plan.budgetMs) {
      return { samples: view(), rounds: round, stoppedBy: StopReason.Budget };
    }
    round++;
    await runRound(round, members);
  }
}
