/** A hand-made report for the table, verdict and chart tests. */
import { summarize } from '../dist/interval.js';
import type { BenchReport, CaseResult, WorkloadRun } from '../dist/report.js';
import { addSpeedups } from '../dist/report.js';
import { DEFAULT_SIZES } from '../dist/sizes.js';

type Partial = Pick<CaseResult, 'workload' | 'workers' | 'items'> & {
  name: string;
  kind?: CaseResult['subject']['kind'];
  mode?: string;
  label?: string;
  seconds?: number;
  /** Every sample's seconds, one per round (round 1, 2, …); `seconds` is their median. */
  samples?: number[];
  error?: string;
  latencyMs?: { p50: number; p99: number };
};

/**
 * A case result with `seconds` as its only sample, or with `samples` taken in rounds 1, 2, …
 * (or failed, with `error`).
 */
export function result(c: Partial): CaseResult {
  const subject = { kind: c.kind ?? 'backend', name: c.name, ...(c.mode ? { mode: c.mode } : {}) };
  const base = {
    id: `${c.workload}/${c.name}/${c.workers}`,
    workload: c.workload,
    subject,
    label: c.label ?? c.name,
    workers: c.workers,
    items: c.items,
    samples: c.samples?.length ?? 3,
  };
  if (c.error !== undefined) return { ...base, ok: false, error: c.error };
  if (c.samples) {
    const interval = summarize(c.samples);
    return {
      ...base,
      ok: true,
      seconds: interval.median,
      samplesSeconds: c.samples,
      rounds: c.samples.map((_, i) => i + 1),
      interval,
      tasksPerSecond: c.items / interval.median,
      peakRssMb: 100,
    };
  }
  return {
    ...base,
    ok: true,
    seconds: c.seconds as number,
    samplesSeconds: [c.seconds as number],
    tasksPerSecond: c.items / (c.seconds as number),
    peakRssMb: 100,
    ...(c.latencyMs ? { latencyMs: c.latencyMs } : {}),
  };
}

/** A report over `cases` (speedups filled in). */
export function report(
  cases: CaseResult[],
  workloads = [...new Set(cases.map((c) => c.workload))],
  runs: BenchReport['workloads'] = {},
): BenchReport {
  addSpeedups(cases);
  return {
    machine: {
      cores: 2,
      cpuModel: 'Test CPU @ 2.0GHz',
      totalMemoryGiB: 8,
      node: 'v20.20.2',
      v8: '11.3',
      platform: 'linux',
      arch: 'x64',
      date: '2025-01-02T03:04:05.000Z',
    },
    options: { workloads, workers: [1, 2], quick: false, peers: true, python: false },
    sizes: DEFAULT_SIZES,
    reference: { items: 1_000_000, seconds: 3.4 },
    cases,
    skipped: [],
    workloads: runs,
    durationSeconds: 100,
  };
}

/** A workload's run record, noisy or not. */
export function run(noisy: boolean): WorkloadRun {
  return {
    noise: { cores: 2, foreignCores: noisy ? 1 : 0, medianSpread: 0.02, maxSpread: 0.05, noisy },
    rounds: 5,
    stoppedBy: 'settled',
    budgetSeconds: 60,
    seconds: 50,
  };
}
