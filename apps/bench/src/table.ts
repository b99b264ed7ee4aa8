/**
 * The terminal table of one workload's cases: each row's median with its interval, the
 * speedup over inline with its interval, throughput, latency and memory.
 */
import { formatSeconds, formatSecondsRange, formatSpeedup } from './format.js';
import { TARGET_LEVEL } from './interval.js';
import { type PlainRow, renderPlainTable } from './plain-table.js';
import type { BenchReport, CaseResult } from './report.js';
import { WORKLOADS, type WorkloadId, WorkloadKind } from './workloads.js';

export { formatSeconds } from './format.js';

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** A latency in ms as `48 µs` or `1.20 ms`. */
export function formatLatency(ms: number): string {
  return ms < 1 ? `${Math.round(ms * 1000)} µs` : `${ms.toFixed(2)} ms`;
}

const HEADER = [
  'backend',
  'workers',
  'items',
  'seconds',
  'interval',
  'n',
  'vs inline (interval)',
  'tasks/s',
  'p50',
  'p99',
  'peak RSS',
];
function row(c: CaseResult): PlainRow {
  if (!c.ok) {
    return [
      c.label,
      String(c.workers),
      count(c.items),
      { content: `FAILED: ${c.error?.split('\n')[0] ?? ''}`, colSpan: HEADER.length - 3 },
    ];
  }
  return [
    c.label,
    String(c.workers),
    count(c.items),
    formatSeconds(c.seconds as number),
    formatSecondsRange(c.interval),
    String(c.samples),
    formatSpeedup(c.speedupInterval),
    count(c.tasksPerSecond as number),
    c.latencyMs ? formatLatency(c.latencyMs.p50) : '—',
    c.latencyMs ? formatLatency(c.latencyMs.p99) : '—',
    c.peakRssMb === undefined || c.peakRssMb === 0 ? '—' : `${Math.round(c.peakRssMb)} MB`,
  ];
}

function samplesText(cases: readonly CaseResult[]): string {
  const ns = cases.filter((c) => c.ok).map((c) => c.samples);
  if (ns.length === 0) return 'no samples';
  const lo = Math.min(...ns);
  const hi = Math.max(...ns);
  return `median of ${lo === hi ? lo : `${lo}–${hi}`} samples, interleaved`;
}

/** The cases of one workload, in table order: backends, then peers, then Python. */
export function casesOf(report: BenchReport, workload: WorkloadId): CaseResult[] {
  return report.cases.filter((c) => c.workload === workload);
}

/** Renders one workload's table with its heading and notes; empty when nothing ran. */
export function renderTable(report: BenchReport, workload: WorkloadId): string {
  const cases = casesOf(report, workload);
  if (cases.length === 0) return '';
  const spec = WORKLOADS[workload];
  const lines = [
    `${spec.title} (${samplesText(cases)})`,
    ...renderPlainTable(HEADER, cases.map(row)),
  ];
  const notes: string[] = [
    `interval: where the median lies, ${Math.round(TARGET_LEVEL * 100)} % sure from 6 samples on (min–max below 6); vs inline: per-round ratios to inline's sample of the same round.`,
  ];
  if (spec.kind === WorkloadKind.Map && cases.some((c) => c.subject.mode === 'per-item')) {
    notes.push(
      '1 task/item rows run fewer items (peers take minutes on the full count); compare tasks/s.',
    );
  }
  if (workload === 'cpu' && report.reference) {
    notes.push(
      `A plain for-loop on one thread (the checksum reference) took ${formatSeconds(report.reference.seconds)} s for ${count(report.reference.items)} items.`,
    );
  }
  if (spec.kind === WorkloadKind.Sequential)
    notes.push('p50/p99: latency of one run() round trip.');
  if (cases.some((c) => c.subject.kind === 'python')) {
    notes.push('python: timed by the script itself (time.perf_counter around pool.map).');
  }
  for (const note of notes) lines.push(`  ${note}`);
  return lines.join('\n');
}

/** Every workload's table, in run order, separated by blank lines. */
export function renderTables(report: BenchReport): string {
  return report.options.workloads
    .map((workload) => renderTable(report, workload))
    .filter((table) => table.length > 0)
    .join('\n\n');
}
