import { describe, expect, it } from 'vitest';
import { planCases } from '../dist/plan.js';
import { loadRegistry } from '../dist/registry.js';
import { DEFAULT_SIZES, QUICK_SIZES, resolveSizes } from '../dist/sizes.js';

describe('resolveSizes', () => {
  it('uses the profile, with --n as the CPU-bound count and a cap on the rest', () => {
    expect(resolveSizes(false)).toEqual(DEFAULT_SIZES);
    expect(resolveSizes(true).items.cpu).toBe(QUICK_SIZES.items.cpu);
    const small = resolveSizes(false, 100);
    expect(small.items).toEqual({
      cpu: 100,
      'io-timer': 100,
      'io-http': 100,
      'io-file': 100,
      sequential: 100,
      burst: 100,
    });
    expect(small.perItemCap).toEqual({ cpu: 100, io: 100 });
    expect(resolveSizes(false, 2_000_000).items.cpu).toBe(2_000_000);
    expect(resolveSizes(false, 2_000_000).items.burst).toBe(DEFAULT_SIZES.items.burst);
  });

  it('lets --samples set every workload', () => {
    const sizes = resolveSizes(false, undefined, 7);
    expect(new Set(Object.values(sizes.samples))).toEqual(new Set([7]));
    expect(new Set(Object.values(sizes.peerSamples))).toEqual(new Set([7]));
  });
});

describe('planCases', () => {
  it('sweeps worker counts for CPU and IO, runs overhead at the largest, inline at 1 only', async () => {
    const { backends } = await loadRegistry();
    const cases = planCases({
      workloads: ['cpu', 'burst'],
      workers: [1, 2, 4],
      sizes: DEFAULT_SIZES,
      backends: backends.filter((b) => ['inline', 'worker-threads'].includes(b.entry.name)),
      peers: true,
      python: true,
    });
    const ids = cases.map((c) => c.id);
    expect(ids.filter((id) => id.startsWith('cpu/worker-threads/'))).toEqual([
      'cpu/worker-threads/1',
      'cpu/worker-threads/2',
      'cpu/worker-threads/4',
    ]);
    expect(ids.filter((id) => id.startsWith('cpu/inline/'))).toEqual(['cpu/inline/1']);
    expect(ids.filter((id) => id.startsWith('burst/worker-threads/'))).toEqual([
      'burst/worker-threads/4',
    ]);
    expect(ids.filter((id) => id.startsWith('cpu/python/'))).toHaveLength(3);
    expect(ids.some((id) => id.startsWith('burst/python'))).toBe(false);
    expect(new Set(ids).size).toBe(ids.length);

    const perItem = cases.find((c) => c.id === 'cpu/piscina/per-item/2');
    expect(perItem?.items).toBe(DEFAULT_SIZES.perItemCap.cpu);
    expect(perItem?.label).toBe('piscina, 1 task/item');
    expect(cases.find((c) => c.id === 'cpu/piscina/chunked/2')?.items).toBe(
      DEFAULT_SIZES.items.cpu,
    );
    expect(cases.find((c) => c.id === 'burst/piscina/per-item/4')?.samples).toBe(1);
    // A peer takes the workload's samples, capped by the peer limit.
    expect(cases.find((c) => c.id === 'cpu/piscina/chunked/4')?.samples).toBe(
      Math.min(DEFAULT_SIZES.samples.cpu, DEFAULT_SIZES.peerSamples.cpu),
    );
  });
});
