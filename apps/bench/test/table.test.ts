import { describe, expect, it } from 'vitest';
import { formatLatency, renderTable, renderTables } from '../dist/table.js';
import { report, result } from './report-fixture.js';

const cpu = report([
  result({ workload: 'cpu', name: 'inline', workers: 1, items: 1_000_000, seconds: 3.2 }),
  result({ workload: 'cpu', name: 'worker-threads', workers: 1, items: 1_000_000, seconds: 3.3 }),
  result({ workload: 'cpu', name: 'worker-threads', workers: 2, items: 1_000_000, seconds: 1.6 }),
  result({
    workload: 'cpu',
    name: 'piscina',
    kind: 'peer',
    mode: 'per-item',
    label: 'piscina, 1 task/item',
    workers: 2,
    items: 20_000,
    seconds: 0.5,
  }),
  result({
    workload: 'cpu',
    name: 'broken',
    workers: 2,
    items: 1_000_000,
    error: 'cpu/broken/2: wrong results in sample 1\nstack…',
  }),
]);

describe('renderTable', () => {
  const table = renderTable(cpu, 'cpu');
  const lines = table.split('\n');

  it('has a heading, a header row and one row per case', () => {
    expect(lines[0]).toBe(
      'CPU-bound: map(factorial) of random integers in 1..99 (median of 3 samples, interleaved)',
    );
    expect(lines[1]).toMatch(
      /^backend\s+workers\s+items\s+seconds\s+interval\s+n\s+vs inline \(interval\)\s+tasks\/s\s+p50\s+p99\s+peak RSS$/,
    );
    expect(lines[2]).toMatch(/^-+$/);
    expect(lines.filter((l) => /^(inline|worker-threads|piscina|broken)/.test(l))).toHaveLength(5);
  });

  it('shows seconds, speedup against inline and throughput', () => {
    const row = lines.find((l) => l.startsWith('worker-threads') && /\s2\s/.test(l)) as string;
    expect(row).toMatch(/1\.600\s+3\s+2\.00×\s+625,000\s+—\s+—\s+100 MB$/);
    expect(lines.find((l) => l.startsWith('inline'))).toMatch(/3\.200\s+3\s+1\.00×\s+312,500/);
  });

  it('compares a capped per-item row by throughput and says why it has fewer items', () => {
    expect(lines.find((l) => l.startsWith('piscina'))).toMatch(
      /20,000\s+0\.500\s+3\s+0\.13×\s+40,000/,
    );
    expect(table).toMatch(/1 task\/item rows run fewer items/);
  });

  it('marks a failed case with the first line of its error', () => {
    expect(lines.find((l) => l.startsWith('broken'))).toMatch(
      /FAILED: cpu\/broken\/2: wrong results in sample 1$/,
    );
    expect(table).not.toContain('stack…');
  });

  it('notes the plain loop under the CPU-bound table', () => {
    expect(table).toMatch(/plain for-loop .* took 3\.400 s for 1,000,000 items/);
  });

  it('shows per-call latency for round trips', () => {
    const seq = report([
      result({
        workload: 'sequential',
        name: 'inline',
        workers: 1,
        items: 5000,
        seconds: 0.05,
        latencyMs: { p50: 0.008, p99: 1.5 },
      }),
    ]);
    expect(renderTable(seq, 'sequential')).toMatch(/8 µs\s+1\.50 ms/);
    expect(formatLatency(0.0484)).toBe('48 µs');
  });

  it('shows the interval of each row and of its speedup', () => {
    const spread = report([
      result({ workload: 'cpu', name: 'inline', workers: 1, items: 1000, samples: [2, 2.2, 1.8] }),
      result({
        workload: 'cpu',
        name: 'worker-threads',
        workers: 2,
        items: 1000,
        samples: [1, 1.2, 1.0],
      }),
    ]);
    const row = renderTable(spread, 'cpu')
      .split('\n')
      .find((l) => l.startsWith('worker-threads'));
    // Per-round speedups: 2/1, 2.2/1.2, 1.8/1 → 2.00, 1.83, 1.80: median 1.83, min–max 1.80–2.00.
    expect(row).toMatch(/1\.000\s+1\.000–1\.200\s+3\s+1\.83× \(1\.80–2\.00\)/);
    expect(renderTable(spread, 'cpu')).toMatch(/interval: where the median lies/);
  });

  it('renders nothing for a workload that did not run, and joins tables with blank lines', () => {
    expect(renderTable(cpu, 'io-timer')).toBe('');
    expect(renderTables(cpu)).toBe(renderTable(cpu, 'cpu'));
  });
});
