/**
 * One line per workload saying which manyhands backend fits it, judged on intervals, not on
 * single figures: a backend is named only when its speedup interval lies above
 * `1 +` {@link NOISE_MARGIN} (extra workers must pay off) and clears every other backend's;
 * when intervals overlap the verdict says "too close to call" with the figures. A verdict
 * measured on a noisy machine says so. Peers and Python are for comparison and never the verdict.
 */
import { formatSpeedup } from './format.js';
import { relativeSpread, type Summary } from './interval.js';
import { type BenchReport, baselineOf, type CaseResult } from './report.js';
import { WORKLOADS, type WorkloadId } from './workloads.js';

/** A backend must beat inline by more than this share to be worth its workers. */
export const NOISE_MARGIN = 0.1;

/** A case whose speedup interval is wider than ± this share gets extra samples if time allows. */
export const SPREAD_GOAL = 0.04;

/** Most cases a "too close to call" line names. */
const MAX_TIED = 4;

/** What the intervals allow saying about one workload. */
export type Decision =
  /** No backend ran, or every one failed. */
  | { readonly kind: 'failed' }
  /** No inline baseline: the fastest, with no speedup to judge it by. */
  | { readonly kind: 'no-baseline'; readonly best: CaseResult }
  /** One backend's interval clears inline's margin and every other backend's. */
  | { readonly kind: 'winner'; readonly winner: CaseResult }
  /** No backend's interval reaches the margin over inline: extra workers did not pay off. */
  | { readonly kind: 'inline'; readonly runnerUp?: CaseResult }
  /**
   * Intervals overlap: the best and its rivals (the baseline among them when the best may not
   * beat inline by the margin).
   */
  | { readonly kind: 'tie'; readonly tied: readonly CaseResult[] };

const interval = (c: CaseResult): Summary => c.speedupInterval as Summary;

/** The decision for one workload's cases (only passing backends count). */
export function decide(cases: readonly CaseResult[], workload: WorkloadId): Decision {
  const ok = cases.filter((c) => c.workload === workload && c.subject.kind === 'backend' && c.ok);
  if (ok.length === 0) return { kind: 'failed' };
  const baseline = baselineOf(cases, workload);
  if (!baseline) {
    const best = ok.reduce((a, b) => ((b.tasksPerSecond ?? 0) > (a.tasksPerSecond ?? 0) ? b : a));
    return { kind: 'no-baseline', best };
  }
  const others = ok
    .filter((c) => c !== baseline && c.speedupInterval !== undefined)
    .sort((a, b) => (b.speedup ?? 0) - (a.speedup ?? 0));
  const best = others[0];
  if (!best) return { kind: 'inline' };
  const bar = 1 + NOISE_MARGIN;
  if (interval(best).high < bar) return { kind: 'inline', runnerUp: best };
  const rivals = others.filter((c) => c !== best && interval(c).high >= interval(best).low);
  if (interval(best).low > bar) {
    return rivals.length === 0
      ? { kind: 'winner', winner: best }
      : { kind: 'tie', tied: [best, ...rivals] };
  }
  return { kind: 'tie', tied: [best, ...rivals.filter((c) => interval(c).high >= bar), baseline] };
}

/**
 * The cases of `workload` that should take more samples: the tied ones when the verdict is
 * undecided, else the backends whose speedup interval is still wide; with inline whenever
 * any (speedups pair each sample with inline's of the same round).
 */
export function casesNeedingSamples(cases: readonly CaseResult[], workload: WorkloadId): string[] {
  const decision = decide(cases, workload);
  const baseline = baselineOf(cases, workload);
  let wanted: CaseResult[];
  if (decision.kind === 'tie') wanted = [...decision.tied];
  else {
    wanted = cases.filter(
      (c) =>
        c.workload === workload &&
        c.subject.kind === 'backend' &&
        c.ok &&
        c !== baseline &&
        c.speedupInterval !== undefined &&
        relativeSpread(c.speedupInterval) > SPREAD_GOAL,
    );
  }
  if (wanted.length > 0 && baseline && !wanted.includes(baseline)) wanted.push(baseline);
  return wanted.map((c) => c.id);
}

function workersText(c: CaseResult): string {
  return `${c.workers} worker${c.workers === 1 ? '' : 's'}`;
}

function named(c: CaseResult, baseline: CaseResult | undefined): string {
  if (c === baseline) return 'inline';
  return `${c.subject.name} with ${workersText(c)} ${formatSpeedup(c.speedupInterval)}`;
}

/** The verdict for one workload, e.g. `CPU-bound: worker-threads with 2 workers, 1.80× inline (1.70–1.85)`. */
export function verdictFor(report: BenchReport, workload: WorkloadId): string | undefined {
  const label = WORKLOADS[workload].label;
  if (!report.cases.some((c) => c.workload === workload && c.subject.kind === 'backend')) {
    return undefined;
  }
  const decision = decide(report.cases, workload);
  const baseline = baselineOf(report.cases, workload);
  const noisy = report.workloads?.[workload]?.noise.noisy === true;
  const tentative = noisy ? ' — tentative: the machine was noisy' : '';
  const pct = `${Math.round(NOISE_MARGIN * 100)} %`;
  switch (decision.kind) {
    case 'failed':
      return `${label}: no verdict, every backend failed`;
    case 'no-baseline':
      return `${label}: ${decision.best.subject.name} with ${workersText(decision.best)} (no inline baseline to compare)`;
    case 'winner': {
      const w = decision.winner;
      return `${label}: ${w.subject.name} with ${workersText(w)}, ${formatSpeedup(w.speedupInterval).replace('×', '× inline')}${tentative}`;
    }
    case 'inline': {
      const r = decision.runnerUp;
      const detail = r
        ? ` (best other: ${r.subject.name} with ${workersText(r)}, ${formatSpeedup(r.speedupInterval).replace('×', '× inline')})`
        : '';
      return `${label}: inline${detail}${tentative}`;
    }
    case 'tie': {
      const shown = decision.tied.slice(0, MAX_TIED).map((c) => named(c, baseline));
      const more = decision.tied.length - MAX_TIED;
      const rest = more > 0 ? ` (+${more} more)` : '';
      const why = decision.tied.includes(baseline as CaseResult)
        ? ` (a backend must beat inline by more than ${pct})`
        : '';
      return `${label}: too close to call: ${shown.join(' ≈ ')}${rest}${why}${tentative}`;
    }
  }
}

/** Verdicts for every workload that ran, in run order. */
export function verdicts(report: BenchReport): string[] {
  return report.options.workloads
    .map((workload) => verdictFor(report, workload))
    .filter((line): line is string => line !== undefined);
}
