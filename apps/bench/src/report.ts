/**
 * The shape of a run's results (what results.json holds), and the numbers derived from it:
 * speedups against the inline baseline.
 */
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
  readonly samples: number;
  /** `false`: the case failed (wrong results, a crash, a timeout); see `error`. */
  readonly ok: boolean;
  readonly error?: string;
  /** Median of the samples, in seconds (one sample is one full pass over `items`). */
  readonly seconds?: number;
  readonly samplesSeconds?: readonly number[];
  readonly tasksPerSecond?: number;
  /** Throughput relative to inline on the same workload (`undefined` without a baseline). */
  speedup?: number;
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

/** Fills in every passing case's speedup: its throughput over inline's on the same workload. */
export function addSpeedups(cases: readonly CaseResult[]): void {
  for (const c of cases) {
    const base = baselineOf(cases, c.workload);
    if (c.ok && base?.tasksPerSecond && c.tasksPerSecond)
      c.speedup = c.tasksPerSecond / base.tasksPerSecond;
  }
}
