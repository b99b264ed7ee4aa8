/** The link-aware sizing of map chunks and node fetchers: pure functions, and the round-trip meter they read. */
import { describe, expect, it } from 'vitest';
import {
  BASE_CHUNK_TARGET_MS,
  CHUNK_FLOOR_ROUND_TRIPS,
  CHUNK_MS_PER_ROUND_TRIP,
  chunkFloorFor,
  chunkTargetFor,
  chunkWorkersFor,
  MAX_CHUNK_TARGET_MS,
} from '../dist/chunk-sizing.js';
import { fetcherConcurrencies, JOBS_PER_FETCHER, MAX_FETCHERS } from '../dist/fetchers.js';
import { RoundTripMeter } from '../dist/round-trip.js';

describe('bullmq: chunk sizing follows the link and the nodes', () => {
  it('chunks carry the base work on a fast link, more across a slow one, within a bound', () => {
    expect(chunkTargetFor(undefined)).toBe(BASE_CHUNK_TARGET_MS);
    expect(chunkTargetFor(0.1)).toBe(BASE_CHUNK_TARGET_MS);
    expect(chunkTargetFor(2)).toBe(BASE_CHUNK_TARGET_MS);
    expect(chunkTargetFor(20)).toBe(20 * CHUNK_MS_PER_ROUND_TRIP);
    expect(chunkTargetFor(10_000)).toBe(MAX_CHUNK_TARGET_MS);
    // Grows with the round trip, never shrinks below the base.
    let last = 0;
    for (const rtt of [0, 1, 3, 5, 10, 20, 50, 100, 1_000]) {
      const target = chunkTargetFor(rtt);
      expect(target).toBeGreaterThanOrEqual(last);
      last = target;
    }
  });

  it('tail chunks keep a floor of a few round trips of work, and none before the link is measured', () => {
    expect(chunkFloorFor(undefined)).toBeUndefined();
    expect(chunkFloorFor(20)).toBe(20 * CHUNK_FLOOR_ROUND_TRIPS);
    expect(chunkFloorFor(0.2)).toBeCloseTo(0.2 * CHUNK_FLOOR_ROUND_TRIPS);
    // Below the chunk target on links up to ~500 ms (beyond, the target caps it anyway).
    for (const rtt of [0.1, 2, 20, 100]) {
      expect(chunkFloorFor(rtt) as number).toBeLessThan(chunkTargetFor(rtt));
    }
  });

  it('a map is split for the serving nodes, never for more workers than lanes', () => {
    expect(chunkWorkersFor(undefined, 16)).toBeUndefined();
    expect(chunkWorkersFor(0, 16)).toBeUndefined();
    expect(chunkWorkersFor(1, 16)).toBe(2);
    expect(chunkWorkersFor(3, 16)).toBe(6);
    expect(chunkWorkersFor(40, 16)).toBe(16);
    expect(chunkWorkersFor(2, 1)).toBe(1);
  });

  it('the meter reports the median of its recent samples and ignores nonsense', () => {
    const meter = new RoundTripMeter();
    expect(meter.ms).toBeUndefined();
    meter.record(Number.NaN);
    meter.record(-1);
    meter.record(Number.POSITIVE_INFINITY);
    expect(meter.ms).toBeUndefined();
    for (const ms of [20, 21, 19, 500, 20]) meter.record(ms);
    expect(meter.ms).toBe(20); // one slow reply does not move it
    // Old samples age out: the link got faster.
    for (let i = 0; i < 20; i++) meter.record(1);
    expect(meter.ms).toBe(1);
  });

  it("a node's concurrency is spread over BullMQ workers of a few jobs each, adding up to it", () => {
    expect(fetcherConcurrencies(1)).toEqual([1]);
    expect(fetcherConcurrencies(3)).toEqual([2, 1]);
    expect(fetcherConcurrencies(8)).toEqual(Array(8 / JOBS_PER_FETCHER).fill(JOBS_PER_FETCHER));
    // A high concurrency (IO-bound tasks): no more than MAX_FETCHERS workers, shared evenly.
    expect(fetcherConcurrencies(200)).toEqual(Array(MAX_FETCHERS).fill(200 / MAX_FETCHERS));
    for (const concurrency of [1, 2, 3, 7, 8, 9, 16, 17, 64, 1000]) {
      const shares = fetcherConcurrencies(concurrency);
      expect(shares.reduce((a, b) => a + b, 0)).toBe(concurrency);
      expect(shares.length).toBeLessThanOrEqual(MAX_FETCHERS);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      expect(Math.min(...shares)).toBeGreaterThan(0);
      if (concurrency <= JOBS_PER_FETCHER * MAX_FETCHERS) {
        expect(Math.max(...shares)).toBeLessThanOrEqual(JOBS_PER_FETCHER);
      }
    }
  });
});
