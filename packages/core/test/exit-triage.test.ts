import { describe, expect, it } from 'vitest';
import { triageExit } from '../src/host/exit-triage.js';

const jobs = [3, 1, 4, 2, 5].map((seq) => ({ seq }));

describe('triageExit', () => {
  it('fails what had started and requeues the rest, in sending order', () => {
    const { fail, requeue } = triageExit(jobs, { started: 2, failAll: false });
    expect(fail.map((j) => j.seq).sort()).toEqual([1, 2]);
    expect(requeue.map((j) => j.seq)).toEqual([3, 4, 5]);
  });

  it('presumes every job started when the worker said nothing', () => {
    const { fail, requeue } = triageExit(jobs, {
      started: Number.POSITIVE_INFINITY,
      failAll: false,
    });
    expect(fail).toHaveLength(5);
    expect(requeue).toHaveLength(0);
  });

  it('fails everything when the failure is not the jobs’ (termination, a module that cannot load)', () => {
    const { fail, requeue } = triageExit(jobs, { started: 0, failAll: true });
    expect(fail).toHaveLength(5);
    expect(requeue).toHaveLength(0);
  });
});
