import { describe, expect, it } from 'vitest';
import { verdictFor, verdicts } from '../dist/verdict.js';
import { report, result } from './report-fixture.js';

describe('verdicts', () => {
  it('names the fastest backend and its speedup when it clearly beats inline', () => {
    const r = report([
      result({ workload: 'cpu', name: 'inline', workers: 1, items: 1000, seconds: 1.8 }),
      result({ workload: 'cpu', name: 'worker-threads', workers: 1, items: 1000, seconds: 1.9 }),
      result({ workload: 'cpu', name: 'worker-threads', workers: 2, items: 1000, seconds: 1.0 }),
    ]);
    expect(verdictFor(r, 'cpu')).toBe('CPU-bound: worker-threads with 2 workers, 1.80× inline');
  });

  it('says inline when no backend beats it by more than the noise margin', () => {
    const r = report([
      result({ workload: 'io-timer', name: 'inline', workers: 1, items: 1000, seconds: 1.0 }),
      result({
        workload: 'io-timer',
        name: 'worker-threads',
        workers: 2,
        items: 1000,
        seconds: 0.95,
      }),
    ]);
    expect(verdictFor(r, 'io-timer')).toBe(
      'IO-bound (10 ms timer): inline (best other: worker-threads with 2 workers, 1.05× inline)',
    );
  });

  it('ignores peers and failed cases', () => {
    const r = report([
      result({ workload: 'cpu', name: 'inline', workers: 1, items: 1000, seconds: 1.0 }),
      result({
        workload: 'cpu',
        name: 'piscina',
        kind: 'peer',
        workers: 2,
        items: 1000,
        seconds: 0.1,
      }),
      result({
        workload: 'cpu',
        name: 'worker-threads',
        workers: 2,
        items: 1000,
        error: 'wrong results',
      }),
    ]);
    expect(verdictFor(r, 'cpu')).toBe('CPU-bound: inline');
  });

  it('says when every backend failed, or when there is no baseline', () => {
    const failed = report([
      result({ workload: 'burst', name: 'inline', workers: 1, items: 10, error: 'crash' }),
    ]);
    expect(verdictFor(failed, 'burst')).toBe('Burst: no verdict, every backend failed');
    const noBase = report([
      result({ workload: 'burst', name: 'worker-threads', workers: 2, items: 10, seconds: 1 }),
    ]);
    expect(verdictFor(noBase, 'burst')).toBe(
      'Burst: worker-threads with 2 workers (no inline baseline to compare)',
    );
  });

  it('gives one line per workload that ran, in order', () => {
    const r = report([
      result({ workload: 'cpu', name: 'inline', workers: 1, items: 10, seconds: 1 }),
      result({ workload: 'sequential', name: 'inline', workers: 1, items: 10, seconds: 1 }),
    ]);
    expect(verdicts(r)).toEqual(['CPU-bound: inline', 'Round trip: inline']);
  });
});
