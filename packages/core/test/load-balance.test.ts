import { describe, expect, it } from 'vitest';
import { pickWorker, planSteal } from '../src/host/load-balance.js';

const limits = { concurrency: Number.POSITIVE_INFINITY, maxLoadMs: 6, maxChunks: 2 };

describe('pickWorker', () => {
  it('picks the least loaded available worker', () => {
    const slots = [
      { available: true, jobs: 2, load: 4, chunks: 0 },
      { available: true, jobs: 1, load: 1, chunks: 0 },
      { available: false, jobs: 0, load: 0, chunks: 0 },
    ];
    expect(pickWorker(slots, 1, limits)).toBe(1);
  });

  it('always gives an empty worker one job, however costly; a busy one only within the limit', () => {
    expect(pickWorker([{ available: true, jobs: 0, load: 0, chunks: 0 }], 100, limits)).toBe(0);
    expect(pickWorker([{ available: true, jobs: 1, load: 5, chunks: 0 }], 2, limits)).toBe(-1);
  });

  it('holds at most maxChunks map chunks per worker, whatever their estimate', () => {
    const slot = { available: true, jobs: 2, load: 0, chunks: 2 };
    expect(pickWorker([slot], 0, limits, true)).toBe(-1);
    expect(pickWorker([slot], 0, limits, false)).toBe(0);
  });

  it('respects concurrency', () => {
    expect(
      pickWorker([{ available: true, jobs: 1, load: 0, chunks: 0 }], 0, {
        ...limits,
        concurrency: 1,
      }),
    ).toBe(-1);
  });
});

describe('planSteal', () => {
  it('takes a suffix of the unstarted jobs worth about half the victim’s work', () => {
    const jobs = [1, 2, 3, 4, 5].map((seq) => ({ seq, cost: 10 }));
    const plan = planSteal([{ jobs, started: 1 }], 1);
    expect(plan).toEqual({ victim: 0, lo: 3, hi: 5, cost: 20 });
  });

  it('takes at least one job, even when it is most of the work', () => {
    const jobs = [
      { seq: 1, cost: 1 },
      { seq: 2, cost: 50 },
    ];
    expect(planSteal([{ jobs, started: 1 }], 1)).toMatchObject({ lo: 1, hi: 2 });
  });

  it('presumes the first held job runs when the worker cannot tell', () => {
    const jobs = [7, 8].map((seq) => ({ seq, cost: 5 }));
    expect(planSteal([{ jobs, started: -1 }], 1)).toMatchObject({ lo: 7, hi: 8 });
  });

  it('chooses the victim with the most to give, and nothing below the minimum', () => {
    const small = { jobs: [1, 2].map((seq) => ({ seq, cost: 0.1 })), started: 0 };
    const big = { jobs: [1, 2, 3].map((seq) => ({ seq, cost: 4 })), started: 1 };
    expect(planSteal([small, big], 1)?.victim).toBe(1);
    expect(planSteal([small], 1)).toBeUndefined();
  });

  it('never takes started jobs', () => {
    const jobs = [1, 2, 3].map((seq) => ({ seq, cost: 4 }));
    expect(planSteal([{ jobs, started: 3 }], 1)).toBeUndefined();
  });
});
