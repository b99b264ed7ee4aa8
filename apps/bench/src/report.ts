/**
 * The shape of a run's results (what results.json holds), and the numbers derived from it:
 * speedups against the inline baseline, with their intervals.
 */
import { pairedRatios, ratioOfSummaries, type Summary, summarize } from './interval.js';
import type { Noise } from './noise.js';
import type { StopReason } from './sampling.js';
import type { Sizes } from './sizes.js';
import type { WorkloadId } from './workloads.js';

/** Facts about the machine a run measured. */
export interface MachineFacts {
  /** `os.availableParallelism()`. */
  readonly cores: number;
  readonly cpuModel: string;
  readonly totalMemoryGiB: number;
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly arch: string;
  /** `python3 --version`, when `--python` ran. */
  readonly python?: string;
  /** ISO date and time the run started. */
  readonly date: string;
}

/** One measured (or failed) case. */
export interface CaseResult {
  readonly id: string;
  readonly workload: WorkloadId;
  readonly subject: {
    readonly kind: 'backend' | 'peer' | 'python';
    readonly name: string;
    readonly mode?: string;
  };
  /** The name in the table. */
  readonly label: string;
  readonly workers: number;
  readonly items: number;
  /** Measured samples (not counting the discarded warm-up). */
  readonly samples: number;
  /** `false`: the case failed (wrong results, a crash, a timeout); see `error`. */
  readonly ok: boolean;
  readonly error?: string;
  /** Median of the samples, in seconds (one sample is one full pass over `items`). */
  readonly seconds?: number;
  /** Every measured sample, in seconds, in the order taken. */
  readonly samplesSeconds?: readonly number[];
  /** The round each sample was taken in (samples of one round ran back to back). */
  readonly rounds?: readonly number[];
  /** The discarded warm-up pass, in seconds. */
  readonly warmupSeconds?: number;
  /** The median's interval, in seconds (see `interval.ts`). */
  readonly interval?: Summary;
  readonly tasksPerSecond?: number;
  /** Throughput relative to inline on the same workload (`undefined` without a baseline). */
  speedup?: number;
  /**
   * The speedup's interval: of the per-round speedups (each sample over inline's of the same
   * round) when both were sampled in rounds, else from the two seconds intervals.
   */
  speedupInterval?: Summary;
  /** Per-call latency in ms (sequential round trips only). */
  readonly latencyMs?: { readonly p50: number; readonly p99: number };
  /** Peak RSS of the case's whole process tree, in MiB. */
  readonly peakRssMb?: number;
}

/** A backend or peer that did not run, and why. */
export interface Skipped {
  readonly name: string;
  readonly reason: string;
}

/** How one workload's sampling went. */
export interface WorkloadRun {
  readonly noise: Noise;
  readonly rounds: number;
  readonly stoppedBy: StopReason;
  /** The workload's time budget and what it took, in seconds. */
  readonly budgetSeconds: number;
  readonly seconds: number;
}

/** Everything a run measured: what results.json holds. */
export interface BenchReport {
  readonly machine: MachineFacts;
  readonly options: {
    readonly workloads: readonly WorkloadId[];
    readonly workers: readonly number[];
    readonly quick: boolean;
    readonly peers: boolean;
    readonly python: boolean;
  };
  readonly sizes: Sizes;
  /** The plain loop that produced the reference checksums. */
  readonly reference?: { readonly items: number; readonly seconds: number };
  readonly cases: readonly CaseResult[];
  readonly skipped: readonly Skipped[];
  /** Per workload: how noisy the machine was, and why sampling stopped. */
  readonly workloads?: Readonly<Partial<Record<WorkloadId, WorkloadRun>>>;
  /** Wall time of the whole run, in seconds. */
  readonly durationSeconds: number;
}

/** Name of the backend every speedup is relative to. */
export const BASELINE = 'inline';

/** The inline case of a workload, if it ran and passed. */
export function baselineOf(
  cases: readonly CaseResult[],
  workload: WorkloadId,
): CaseResult | undefined {
  return cases.find(
    (c) =>
      c.workload === workload &&
      c.subject.kind === 'backend' &&
      c.subject.name === BASELINE &&
      c.ok,
  );
}

/** A passing case's seconds interval: the stored one, or from its samples. */
export function secondsSummary(c: CaseResult): Summary {
  return c.interval ?? summarize(c.samplesSeconds ?? (c.seconds === undefined ? [] : [c.seconds]));
}

/** `c`'s throughput over `base`'s, with its interval (paired by round when possible). */
export function speedupOf(c: CaseResult, base: CaseResult): Summary {
  if (c === base) return { n: c.samples, median: 1, low: 1, high: 1, level: 1 };
  if (c.rounds && base.rounds && c.samplesSeconds && base.samplesSeconds) {
    const ratios = pairedRatios(
      { values: c.samplesSeconds, rounds: c.rounds },
      { values: base.samplesSeconds, rounds: base.rounds },
      (own, theirs) => c.items / own / (base.items / theirs),
    );
    if (ratios.length > 0) return summarize(ratios);
  }
  // Throughput is items over seconds: its interval ends swap.
  const speed = (s: Summary, items: number): Summary => ({
    ...s,
    median: items / s.median,
    low: items / s.high,
    high: items / s.low,
  });
  return ratioOfSummaries(
    speed(secondsSummary(c), c.items),
    speed(secondsSummary(base), base.items),
  );
}

/**
 * Fills in every passing case's speedup over inline on the same workload (the median of its
 * per-round speedups), and the speedup's interval.
 */
export function addSpeedups(cases: readonly CaseResult[]): void {
  for (const c of cases) {
    const base = baselineOf(cases, c.workload);
    if (!c.ok || !base?.tasksPerSecond || !c.tasksPerSecond) continue;
    const summary = speedupOf(c, base);
    c.speedup = summary.median;
    c.speedupInterval = summary;
  }
}
