/**
 * One line per workload saying which manyhands backend fits it: the fastest, unless it beats
 * inline by less than {@link NOISE_MARGIN} — then inline, since extra workers did not pay off.
 * Peers and Python are for comparison and never the verdict.
 */
import { type BenchReport, baselineOf, type CaseResult } from './report.js';
import { WORKLOADS, type WorkloadId } from './workloads.js';

/** A backend must beat inline by more than this share to be worth its workers. */
export const NOISE_MARGIN = 0.1;

function workersText(c: CaseResult): string {
  return `${c.workers} worker${c.workers === 1 ? '' : 's'}`;
}

/** The verdict for one workload, e.g. `CPU-bound: worker-threads with 2 workers, 1.8× inline`. */
export function verdictFor(report: BenchReport, workload: WorkloadId): string | undefined {
  const label = WORKLOADS[workload].label;
  const cases = report.cases.filter((c) => c.workload === workload && c.subject.kind === 'backend');
  if (cases.length === 0) return undefined;
  const ok = cases.filter((c) => c.ok);
  if (ok.length === 0) return `${label}: no verdict, every backend failed`;
  const baseline = baselineOf(report.cases, workload);
  const best = ok.reduce((a, b) => ((b.tasksPerSecond ?? 0) > (a.tasksPerSecond ?? 0) ? b : a));
  if (!baseline) {
    return `${label}: ${best.subject.name} with ${workersText(best)} (no inline baseline to compare)`;
  }
  const speedup = best.speedup ?? 1;
  if (best === baseline || speedup < 1 + NOISE_MARGIN) {
    const runnerUp = ok
      .filter((c) => c !== baseline)
      .sort((a, b) => (b.speedup ?? 0) - (a.speedup ?? 0))[0];
    const detail = runnerUp
      ? ` (best other: ${runnerUp.subject.name} with ${workersText(runnerUp)}, ${(runnerUp.speedup ?? 0).toFixed(2)}× inline)`
      : '';
    return `${label}: inline${detail}`;
  }
  return `${label}: ${best.subject.name} with ${workersText(best)}, ${speedup.toFixed(2)}× inline`;
}

/** Verdicts for every workload that ran, in run order. */
export function verdicts(report: BenchReport): string[] {
  return report.options.workloads
    .map((workload) => verdictFor(report, workload))
    .filter((line): line is string => line !== undefined);
}
