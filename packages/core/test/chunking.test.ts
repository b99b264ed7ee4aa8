import { describe, expect, it } from 'vitest';
import {
  chunkSize,
  evenIoChunkSize,
  FIRST_CHUNK_SIZE,
  IO_BOUND_MAX_CHUNK,
  IO_BOUND_MIN_CHUNK,
  MAX_CHUNK_SIZE,
  TARGET_CHUNK_MS,
} from '../src/host/chunking.js';

describe('chunkSize', () => {
  it('uses the explicit size when given', () => {
    expect(chunkSize({ fixed: 7, perItemMs: 0.001, remaining: 1e6, workers: 2 })).toBe(7);
  });

  it('starts small until an item has been timed', () => {
    expect(chunkSize({ fixed: undefined, perItemMs: undefined, remaining: 1e6, workers: 2 })).toBe(
      FIRST_CHUNK_SIZE,
    );
  });

  it('sizes chunks to the target time from the measured time per item', () => {
    expect(
      chunkSize({ fixed: undefined, perItemMs: 0.002, remaining: undefined, workers: 2 }),
    ).toBe(Math.floor(TARGET_CHUNK_MS / 0.002));
    expect(chunkSize({ fixed: undefined, perItemMs: 50, remaining: undefined, workers: 2 })).toBe(
      1,
    );
    expect(chunkSize({ fixed: undefined, perItemMs: 0, remaining: undefined, workers: 2 })).toBe(
      MAX_CHUNK_SIZE,
    );
  });

  it('sizes to the transport’s own target when it has one', () => {
    expect(
      chunkSize({
        fixed: undefined,
        perItemMs: 0.002,
        remaining: undefined,
        workers: 2,
        targetMs: 20,
      }),
    ).toBe(10_000);
  });

  it('shrinks near the end so the tail spreads over every worker', () => {
    expect(chunkSize({ fixed: undefined, perItemMs: 0.0001, remaining: 60, workers: 4 })).toBe(5);
    expect(chunkSize({ fixed: undefined, perItemMs: 0.0001, remaining: 1, workers: 4 })).toBe(1);
  });

  it('keeps tail chunks at the transport’s floor, but never beyond the target or what is left', () => {
    // 4 µs items, a 40 ms floor (10,000 items) and a 160 ms target (40,000 items).
    const tail = { fixed: undefined, perItemMs: 0.004, workers: 4, targetMs: 160, floorMs: 40 };
    expect(chunkSize({ ...tail, remaining: 100_000 })).toBe(10_000); // the tail rule alone: 8,334
    expect(chunkSize({ ...tail, remaining: 15_000 })).toBe(10_000);
    expect(chunkSize({ ...tail, remaining: 7 })).toBe(7);
    // Early in the map the tail rule's bigger chunks win; the target caps both.
    expect(chunkSize({ ...tail, remaining: 1_000_000 })).toBe(40_000);
    expect(chunkSize({ ...tail, floorMs: 400, remaining: 100_000 })).toBe(40_000);
    // No floor: the tail splits down to single items, as before.
    expect(chunkSize({ ...tail, floorMs: undefined, remaining: 100_000 })).toBe(8_334);
    expect(chunkSize({ ...tail, floorMs: undefined, remaining: 7 })).toBe(1);
    // A transport's nonsense floor is ignored, never a NaN size (which would read no items).
    for (const floorMs of [Number.NaN, -5, 0]) {
      expect(chunkSize({ ...tail, floorMs, remaining: 100_000 })).toBe(8_334);
    }
  });

  it('sizes an IO-bound task (it mostly waits) for what it keeps waiting at once, within the tail rule', () => {
    const io = { fixed: undefined, perItemMs: 0.01, workers: 2, waitFactor: 50 };
    // Length unknown at the start: large chunks that shrink with what is left.
    expect(chunkSize({ ...io, remaining: 5_000 })).toBe(Math.ceil(5_000 / 6));
    expect(chunkSize({ ...io, remaining: undefined })).toBe(
      Math.max(IO_BOUND_MIN_CHUNK, Math.floor(TARGET_CHUNK_MS / 0.01)),
    );
    // A CPU-bound task of the same cost keeps chunks sized to the target time.
    expect(chunkSize({ ...io, remaining: 5_000, total: 5_000, waitFactor: 1 })).toBe(
      Math.min(Math.floor(TARGET_CHUNK_MS / 0.01), Math.ceil(5_000 / 6)),
    );
    expect(chunkSize({ ...io, remaining: 5_000, waitFactor: 1 })).toBe(
      Math.min(Math.floor(TARGET_CHUNK_MS / 0.01), Math.ceil(5_000 / 6)),
    );
  });

  it('cuts an IO-bound map of known length into equal chunks, a multiple of the workers', () => {
    const io = { fixed: undefined, perItemMs: 0.01, workers: 2, waitFactor: 50 };
    // Two per worker while that keeps chunks within IO_BOUND_MAX_CHUNK…
    expect(chunkSize({ ...io, remaining: 2_500, total: 2_500 })).toBe(625);
    expect(chunkSize({ ...io, remaining: 625, total: 2_500 })).toBe(625);
    expect(chunkSize({ ...io, remaining: 100, total: 2_500 })).toBe(100);
    // …else as many per worker as that limit needs, the same count on every worker.
    expect(chunkSize({ ...io, remaining: 5_000, total: 5_000 })).toBe(834);
    expect(chunkSize({ ...io, remaining: 100_000, total: 100_000 })).toBe(1_021);
    expect(evenIoChunkSize(100_000, 2)).toBeLessThanOrEqual(IO_BOUND_MAX_CHUNK);
    expect(evenIoChunkSize(3, 4)).toBe(1);
    expect(chunkSize({ ...io, workers: 3, remaining: 9_000, total: 9_000 })).toBe(1_000);
  });
});
