import { describe, expect, it } from 'vitest';
import { type SamplingCase, StopReason, sampleInterleaved } from '../dist/sampling.js';

/** Fake cases on a fake clock: each sample "takes" its case's seconds. */
function fakes(seconds: Record<string, number>, maxSamples = 20) {
  const log: string[] = [];
  let clock = 0;
  const cases: SamplingCase[] = Object.entries(seconds).map(([id, s]) => ({
    id,
    maxSamples,
    async sample(round: number) {
      log.push(`${round}:${id}`);
      clock += s * 1000;
      return s;
    },
  }));
  return { cases, log, now: () => clock };
}

describe('sampleInterleaved', () => {
  it('warms every case up, then samples round-robin, rotating the order', async () => {
    const { cases, log, now } = fakes({ a: 1, b: 1, c: 1 });
    const outcome = await sampleInterleaved(
      cases,
      { minRounds: 2, maxRounds: 2, budgetMs: 0 },
      { now, more: () => [] },
    );
    expect(log).toEqual(['0:a', '0:b', '0:c', '1:b', '1:c', '1:a', '2:c', '2:a', '2:b']);
    expect(outcome.stoppedBy).toBe(StopReason.Fixed);
    expect(outcome.rounds).toBe(2);
    const a = outcome.samples.get('a');
    expect(a?.warmup).toBe(1);
    expect(a?.values).toEqual([1, 1]); // the warm-up is not among the samples
    expect(a?.rounds).toEqual([1, 2]);
  });

  it('takes extra rounds of only the cases asked for, until settled', async () => {
    const { cases, log, now } = fakes({ a: 1, b: 1, c: 1 });
    let asked = 0;
    const outcome = await sampleInterleaved(
      cases,
      { minRounds: 1, maxRounds: 10, budgetMs: 1e9 },
      { now, more: () => (++asked <= 2 ? ['a', 'c'] : []) },
    );
    expect(log.slice(6)).toEqual(['2:a', '2:c', '3:c', '3:a']);
    expect(outcome.stoppedBy).toBe(StopReason.Settled);
    expect(outcome.samples.get('b')?.values).toHaveLength(1);
    expect(outcome.samples.get('a')?.rounds).toEqual([1, 2, 3]);
  });

  it('starts no extra round that would end past the budget, but always runs the minimum', async () => {
    const { cases, now } = fakes({ a: 2, b: 2 });
    const outcome = await sampleInterleaved(
      cases,
      // Warm-up and 2 rounds: 12 s, past the 10 s budget already.
      { minRounds: 2, maxRounds: 10, budgetMs: 10_000 },
      { now, more: () => ['a', 'b'] },
    );
    expect(outcome.rounds).toBe(2);
    expect(outcome.stoppedBy).toBe(StopReason.Budget);
  });

  it('stops at the most samples per case and at the most rounds', async () => {
    const { cases, now } = fakes({ a: 1, b: 1 }, 3);
    const outcome = await sampleInterleaved(
      cases,
      { minRounds: 1, maxRounds: 10, budgetMs: 1e9 },
      { now, more: () => ['a', 'b'] },
    );
    expect(outcome.samples.get('a')?.values).toHaveLength(3);
    expect(outcome.stoppedBy).toBe(StopReason.MaxSamples);
  });

  it('drops a case whose sample fails and keeps sampling the others', async () => {
    const { cases, now } = fakes({ a: 1, b: 1 });
    const broken: SamplingCase = {
      id: 'x',
      maxSamples: 5,
      async sample(round) {
        if (round === 1) throw new Error('boom');
        return 1;
      },
    };
    const outcome = await sampleInterleaved(
      [...cases, broken],
      { minRounds: 3, maxRounds: 3, budgetMs: 0 },
      { now, more: () => [] },
    );
    expect(String(outcome.samples.get('x')?.error)).toBe('Error: boom');
    expect(outcome.samples.get('x')?.values).toEqual([]);
    expect(outcome.samples.get('a')?.values).toHaveLength(3);
  });
});
