import { describe, expect, it } from 'vitest';
import { pickWorker, planSteal } from '../src/host/load-balance.js';

const limits = {
  concurrency: Number.POSITIVE_INFINITY,
  maxLoadMs: 6,
  maxChunkLoadMs: 48,
  maxChunks: 2,
};

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

  it('lets a worker hold more estimated work in map chunks than in calls', () => {
    const slot = { available: true, jobs: 1, load: 5, chunks: 1 };
    // A call beyond maxLoadMs waits; a chunk is taken up to maxChunkLoadMs.
    expect(pickWorker([slot], 3, limits, false)).toBe(-1);
    expect(pickWorker([slot], 3, limits, true)).toBe(0);
    expect(pickWorker([{ ...slot, load: 46 }], 3, limits, true)).toBe(-1);
  });

  it('gives chunks to the least loaded worker, so workers fill evenly', () => {
    const slots = [
      { available: true, jobs: 3, load: 9, chunks: 3 },
      { available: true, jobs: 2, load: 6, chunks: 2 },
    ];
    const deep = { ...limits, maxChunks: 24 };
    expect(pickWorker(slots, 3, deep, true)).toBe(1);
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

  it('reads a worker’s held jobs in place, in two passes, however many there are', () => {
    const held = new Map<number, { seq: number; cost: number }>();
    for (let seq = 1; seq <= 40_000; seq++) held.set(seq, { seq, cost: 0.001 });
    let reads = 0;
    const jobs = {
      [Symbol.iterator]: () => {
        reads++;
        return held.values();
      },
    };
    const plan = planSteal([{ jobs, started: 1 }], 1);
    expect(reads).toBe(2);
    // Half of 40 ms of work: the last 20,000 jobs.
    expect(plan).toMatchObject({ victim: 0, hi: 40_000 });
    expect((plan?.hi ?? 0) - (plan?.lo ?? 0)).toBe(20_000);
  });

  it('plans what taking from the tail, job by job, until half the work would be passed plans', () => {
    // The rule spelled out the slow way, on sorted copies, against random victims.
    const reference = (victims: { jobs: { seq: number; cost: number }[]; started: number }[]) => {
      let best: { victim: number; lo: number; hi: number; cost: number } | undefined;
      victims.forEach((victim, v) => {
        const jobs = [...victim.jobs].sort((a, b) => a.seq - b.seq);
        if (jobs.length < 2 && victim.started < 0) return;
        const firstUnstarted = victim.started >= 0 ? victim.started : (jobs[0]?.seq ?? 0);
        const unstarted = jobs.filter((j) => j.seq > firstUnstarted && j.cost > 0);
        if (unstarted.length === 0) return;
        const total = jobs
          .filter((j) => j.seq <= firstUnstarted || j.cost > 0)
          .reduce((sum, j) => sum + j.cost, 0);
        let taken = 0;
        let from = unstarted.length;
        while (from > 0) {
          const next = unstarted[from - 1] as { cost: number };
          if (from < unstarted.length && taken + next.cost > total / 2) break;
          taken += next.cost;
          from--;
        }
        if (taken < 1 || (best && taken <= best.cost)) return;
        const first = unstarted[from] as { seq: number };
        best = {
          victim: v,
          lo: first.seq - 1,
          hi: (unstarted.at(-1) as { seq: number }).seq,
          cost: taken,
        };
      });
      return best;
    };
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 500; round++) {
      const victims = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
        const n = Math.floor(random() * 12);
        const jobs = Array.from({ length: n }, (_, i) => ({
          seq: i + 1,
          // Integers, so both ways add up exactly; some jobs await IO (cost 0).
          cost: random() < 0.2 ? 0 : 1 + Math.floor(random() * 8),
        }));
        return { jobs, started: random() < 0.5 ? -1 : Math.floor(random() * (n + 1)) };
      });
      expect(planSteal(victims, 1)).toEqual(reference(victims));
    }
  });
});
