import { describe, expect, it } from 'vitest';
import { casesNeedingSamples, decide, verdictFor, verdicts } from '../dist/verdict.js';
import { report, result, run } from './report-fixture.js';

const items = 1000;
/** Inline's samples: 1.8 s a pass with a little noise, one per round. */
const INLINE = [1.8, 1.82, 1.79, 1.81, 1.8, 1.83];
const scaled = (factor: number, wobble = 0) =>
  INLINE.map((s, i) => (s / factor) * (1 + (i % 2 === 0 ? wobble : -wobble)));

describe('verdicts', () => {
  it('names the winner when its interval clears inline by the margin and clears every other', () => {
    const r = report([
      result({ workload: 'cpu', name: 'inline', workers: 1, items, samples: INLINE }),
      result({ workload: 'cpu', name: 'worker-threads', workers: 1, items, samples: scaled(0.97) }),
      result({ workload: 'cpu', name: 'worker-threads', workers: 2, items, samples: scaled(1.8) }),
      result({ workload: 'cpu', name: 'child-process', workers: 2, items, samples: scaled(1.5) }),
    ]);
    expect(decide(r.cases, 'cpu').kind).toBe('winner');
    expect(verdictFor(r, 'cpu')).toBe('CPU-bound: worker-threads with 2 workers, 1.80× inline');
  });

  it('says too close to call, with both figures, when the best intervals overlap', () => {
    const r = report([
      result({ workload: 'cpu', name: 'inline', workers: 1, items, samples: INLINE }),
      result({
        workload: 'cpu',
        name: 'worker-threads',
        workers: 2,
        items,
        samples: scaled(1.6, 0.05),
      }),
      result({
        workload: 'cpu',
        name: 'threadsjs',
        workers: 2,
        items,
        samples: scaled(1.55, 0.05),
      }),
    ]);
    const line = verdictFor(r, 'cpu') as string;
    expect(line).toMatch(
      /^CPU-bound: too close to call: worker-threads with 2 workers 1\.\d\d× \(1\.\d\d–1\.\d\d\) ≈ threadsjs with 2 workers 1\.\d\d× \(1\.\d\d–1\.\d\d\)$/,
    );
    // Undecided: the tied cases and inline take more samples.
    expect(casesNeedingSamples(r.cases, 'cpu').sort()).toEqual([
      'cpu/inline/1',
      'cpu/threadsjs/2',
      'cpu/worker-threads/2',
    ]);
  });

  it('does not call a winner whose interval reaches below the margin: inline is in the tie', () => {
    const r = report([
      result({ workload: 'cpu', name: 'inline', workers: 1, items, samples: INLINE }),
      result({
        workload: 'cpu',
        name: 'worker-threads',
        workers: 2,
        items,
        samples: scaled(1.15, 0.1),
      }),
    ]);
    expect(verdictFor(r, 'cpu')).toMatch(
      /^CPU-bound: too close to call: worker-threads with 2 workers 1\.\d\d× \(\d\.\d\d–1\.\d\d\) ≈ inline \(a backend must beat inline by more than 10 %\)$/,
    );
  });

  it('says inline when no backend can beat it by the margin', () => {
    const r = report([
      result({ workload: 'io-timer', name: 'inline', workers: 1, items, samples: INLINE }),
      result({
        workload: 'io-timer',
        name: 'worker-threads',
        workers: 2,
        items,
        samples: scaled(1.05, 0.01),
      }),
    ]);
    expect(verdictFor(r, 'io-timer')).toMatch(
      /^IO-bound \(10 ms timer\): inline \(best other: worker-threads with 2 workers, 1\.0\d× inline \(1\.0\d–1\.0\d\)\)$/,
    );
  });

  it('marks a verdict measured on a noisy machine as tentative', () => {
    const cases = [
      result({ workload: 'cpu', name: 'inline', workers: 1, items, samples: INLINE }),
      result({ workload: 'cpu', name: 'worker-threads', workers: 2, items, samples: scaled(1.8) }),
    ];
    expect(verdictFor(report(cases, ['cpu'], { cpu: run(false) }), 'cpu')).not.toMatch(/noisy/);
    expect(verdictFor(report(cases, ['cpu'], { cpu: run(true) }), 'cpu')).toMatch(
      /^CPU-bound: worker-threads with 2 workers, 1\.80× inline — tentative: the machine was noisy$/,
    );
  });

  it('asks for more samples of wide decided cases only, with inline', () => {
    const r = report([
      result({ workload: 'cpu', name: 'inline', workers: 1, items, samples: INLINE }),
      result({ workload: 'cpu', name: 'worker-threads', workers: 2, items, samples: scaled(1.8) }),
      result({
        workload: 'cpu',
        name: 'cluster',
        workers: 1,
        items,
        samples: scaled(0.8, 0.1),
      }),
    ]);
    expect(decide(r.cases, 'cpu').kind).toBe('winner');
    expect(casesNeedingSamples(r.cases, 'cpu')).toEqual(['cpu/cluster/1', 'cpu/inline/1']);
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
