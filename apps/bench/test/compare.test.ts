import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareRuns, readComparableRun, renderComparison } from '../dist/compare.js';
import { report, result } from './report-fixture.js';

const before = report([
  result({ workload: 'cpu', name: 'inline', workers: 1, items: 1000, samples: [2, 2.1, 1.9] }),
  result({
    workload: 'cpu',
    name: 'worker-threads',
    workers: 2,
    items: 1000,
    samples: [1, 1.1, 0.9],
  }),
  result({ workload: 'cpu', name: 'cluster', workers: 2, items: 1000, samples: [1.2, 1.3, 1.25] }),
  result({ workload: 'cpu', name: 'gone', workers: 2, items: 1000, samples: [1] }),
]);
const after = report([
  result({ workload: 'cpu', name: 'inline', workers: 1, items: 1000, samples: [2.05, 1.95, 2.0] }),
  result({
    workload: 'cpu',
    name: 'worker-threads',
    workers: 2,
    items: 1000,
    samples: [0.5, 0.55, 0.45],
  }),
  result({ workload: 'cpu', name: 'cluster', workers: 2, items: 1000, samples: [2.4, 2.6, 2.5] }),
  result({ workload: 'cpu', name: 'new', workers: 2, items: 1000, samples: [1] }),
]);

describe('compareRuns', () => {
  const comparison = compareRuns(before, after);
  const row = (id: string) => comparison.rows.find((r) => r.id === id);

  it('gives each case in both runs its speed ratio with an interval from both runs', () => {
    const wt = row('cpu/worker-threads/2');
    expect(wt?.speed.median).toBeCloseTo(2);
    // Old 0.9–1.1 s, new 0.45–0.55 s: speed ratio from 0.9/0.55 to 1.1/0.45.
    expect(wt?.speed.low).toBeCloseTo(0.9 / 0.55);
    expect(wt?.speed.high).toBeCloseTo(1.1 / 0.45);
    expect(wt?.change).toBe('faster');
  });

  it('calls slower only when the interval is below 1, and same when it spans 1', () => {
    expect(row('cpu/cluster/2')?.change).toBe('slower');
    expect(row('cpu/inline/1')?.change).toBe('same');
  });

  it('lists the cases found in one run only', () => {
    expect(comparison.onlyOld).toEqual(['cpu/gone/2']);
    expect(comparison.onlyNew).toEqual(['cpu/new/2']);
  });

  it('renders a table with the ratios and the machines', () => {
    const text = renderComparison(comparison, before, after, 'old.json');
    expect(text).toMatch(/^Compared with old\.json/);
    expect(text).toMatch(/cpu\/worker-threads\/2\s.*2\.00× \(1\.64–2\.44\)\s+faster/);
    expect(text).toMatch(/cpu\/inline\/1\s.*≈ same/);
    expect(text).toContain('only in old.json: cpu/gone/2');
    const many = { onlyOld: Array.from({ length: 9 }, (_, i) => `x/${i}`), onlyNew: [], rows: [] };
    expect(renderComparison(many, before, after, 'old.json')).toContain(
      'only in old.json: x/0, x/1, x/2, x/3, x/4, x/5 and 3 more',
    );
  });
});

describe('readComparableRun', () => {
  it('reads a results file and refuses anything else with a readable error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-compare-'));
    const good = join(dir, 'results.json');
    writeFileSync(good, JSON.stringify(before));
    expect((await readComparableRun(good)).cases).toHaveLength(4);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"hello": 1}');
    await expect(readComparableRun(bad)).rejects.toThrow(/not a bench results\.json/);
    await expect(readComparableRun(join(dir, 'missing.json'))).rejects.toThrow(/cannot read/);
  });
});
