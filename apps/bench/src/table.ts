/** The terminal table of one workload's cases. */
import type { BenchReport, CaseResult } from './report.js';
import { WORKLOADS, type WorkloadId, WorkloadKind } from './workloads.js';

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** A latency in ms as `48 µs` or `1.20 ms`. */
export function formatLatency(ms: number): string {
  return ms < 1 ? `${Math.round(ms * 1000)} µs` : `${ms.toFixed(2)} ms`;
}

/** Seconds with 3 decimals, or more significant digits when tiny. */
export function formatSeconds(seconds: number): string {
  return seconds >= 0.1 ? seconds.toFixed(3) : seconds.toPrecision(3);
}

const HEADER = [
  'backend',
  'workers',
  'items',
  'seconds',
  'vs inline',
  'tasks/s',
  'p50',
  'p99',
  'peak RSS',
];
/** Columns aligned left (the rest align right). */
const LEFT = new Set([0]);

function row(c: CaseResult): string[] {
  if (!c.ok) {
    return [c.label, String(c.workers), count(c.items), `FAILED: ${c.error?.split('\n')[0] ?? ''}`];
  }
  return [
    c.label,
    String(c.workers),
    count(c.items),
    formatSeconds(c.seconds as number),
    c.speedup === undefined ? '—' : `${c.speedup.toFixed(2)}×`,
    count(c.tasksPerSecond as number),
    c.latencyMs ? formatLatency(c.latencyMs.p50) : '—',
    c.latencyMs ? formatLatency(c.latencyMs.p99) : '—',
    c.peakRssMb === undefined || c.peakRssMb === 0 ? '—' : `${Math.round(c.peakRssMb)} MB`,
  ];
}

function align(rows: readonly string[][]): string[] {
  const widths = HEADER.map((_, col) =>
    Math.max(...rows.filter((r) => r.length === HEADER.length).map((r) => (r[col] ?? '').length)),
  );
  return rows.map((cells) => {
    if (cells.length !== HEADER.length) {
      // A failed case: its message takes the rest of the line.
      const lead = cells
        .slice(0, 3)
        .map((cell, col) =>
          LEFT.has(col) ? cell.padEnd(widths[col] as number) : cell.padStart(widths[col] as number),
        );
      return [...lead, cells[3]].join('  ');
    }
    return cells
      .map((cell, col) =>
        LEFT.has(col) ? cell.padEnd(widths[col] as number) : cell.padStart(widths[col] as number),
      )
      .join('  ')
      .trimEnd();
  });
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
  const samples = cases[0]?.samples ?? 0;
  const lines = [`${spec.title} (median of ${samples} sample${samples === 1 ? '' : 's'})`];
  const rows = align([HEADER, ...cases.map(row)]);
  const rule = '-'.repeat(Math.max(...rows.map((r) => r.length)));
  lines.push(rows[0] as string, rule, ...rows.slice(1));
  const notes: string[] = [];
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
    notes.push(
      'python: timed by the script itself (time.perf_counter around pool.map), not tinybench.',
    );
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
