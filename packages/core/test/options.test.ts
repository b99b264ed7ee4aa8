import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  armTimer,
  checkCallOptions,
  MAX_TIMER_MS,
  MAX_WORKERS,
  resolveOptions,
  safeTimerMs,
} from '../src/host/options.js';

describe('resolveOptions', () => {
  it('fills in defaults', () => {
    expect(resolveOptions(undefined)).toStrictEqual({
      workers: availableParallelism(),
      concurrency: Number.POSITIVE_INFINITY,
      maxQueue: Number.POSITIVE_INFINITY,
      idleTimeout: Number.POSITIVE_INFINITY,
      recycleAfter: Number.POSITIVE_INFINITY,
      startTimeout: undefined,
      initializer: undefined,
      initArgs: [],
      teardown: undefined,
      teardownTimeout: 5_000,
      recycleAtMemoryMb: Number.POSITIVE_INFINITY,
      trackHeap: false,
    });
  });

  it('startTimeout is an integer from 1 to 2^31 - 1 ms, or Infinity', () => {
    expect(resolveOptions({ startTimeout: 500 }).startTimeout).toBe(500);
    expect(resolveOptions({ startTimeout: Number.POSITIVE_INFINITY }).startTimeout).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(() => resolveOptions({ startTimeout: 0 })).toThrow(RangeError);
    expect(() => resolveOptions({ startTimeout: 2 ** 31 })).toThrow(RangeError);
    expect(() => resolveOptions({ startTimeout: '1' })).toThrow(TypeError);
  });

  it('accepts backend keys it is told about and rejects others', () => {
    expect(() => resolveOptions({ env: {} }, ['env'])).not.toThrow();
    expect(() => resolveOptions({ env: {} })).toThrow(TypeError);
  });

  it('throws TypeError for wrong types and RangeError for bad values', () => {
    expect(() => resolveOptions('x')).toThrow(TypeError);
    expect(() => resolveOptions({ workers: '2' })).toThrow(TypeError);
    expect(() => resolveOptions({ workers: -1 })).toThrow(RangeError);
    expect(() => resolveOptions({ concurrency: 0 })).toThrow(RangeError);
    expect(() => resolveOptions({ concurrency: Number.POSITIVE_INFINITY })).not.toThrow();
    expect(() => resolveOptions({ workers: Number.POSITIVE_INFINITY })).toThrow(RangeError);
  });
});

describe('option bounds (issue 9)', () => {
  it('maxQueue must be >= 1 or Infinity: 0 would refuse every call', () => {
    expect(() => resolveOptions({ maxQueue: 0 })).toThrow(RangeError);
    expect(() => resolveOptions({ maxQueue: 0 })).toThrow(/"maxQueue" must be an integer >= 1/);
    expect(resolveOptions({ maxQueue: 1 }).maxQueue).toBe(1);
    expect(resolveOptions({ maxQueue: Number.POSITIVE_INFINITY }).maxQueue).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it(`workers is bounded by MAX_WORKERS (${MAX_WORKERS})`, () => {
    expect(resolveOptions({ workers: MAX_WORKERS }).workers).toBe(MAX_WORKERS);
    expect(() => resolveOptions({ workers: MAX_WORKERS + 1 })).toThrow(RangeError);
    expect(() => resolveOptions({ workers: 10_000 })).toThrow(/from 1 to 1024/);
  });

  it('idleTimeout must fit a Node timer, or be Infinity', () => {
    expect(resolveOptions({ idleTimeout: MAX_TIMER_MS }).idleTimeout).toBe(MAX_TIMER_MS);
    expect(() => resolveOptions({ idleTimeout: 2 ** 31 })).toThrow(RangeError);
    expect(() => resolveOptions({ idleTimeout: 3e9 })).toThrow(/from 0 to 2147483647/);
    expect(resolveOptions({ idleTimeout: Number.POSITIVE_INFINITY }).idleTimeout).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it('a call timeout must fit a Node timer; Infinity means no limit', () => {
    expect(() => checkCallOptions({ timeout: MAX_TIMER_MS })).not.toThrow();
    expect(() => checkCallOptions({ timeout: Number.POSITIVE_INFINITY })).not.toThrow();
    expect(() => checkCallOptions({ timeout: 2 ** 31 })).toThrow(RangeError);
    expect(() => checkCallOptions({ timeout: 3e9 })).toThrow(/or Infinity for no limit/);
    expect(() => checkCallOptions({ timeout: 0 })).toThrow(RangeError);
    expect(() => checkCallOptions({ timeout: Number.NaN })).toThrow(TypeError);
  });

  it('safeTimerMs and armTimer never arm an overflowing timer', () => {
    expect(safeTimerMs(undefined)).toBeUndefined();
    expect(safeTimerMs(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(safeTimerMs(Number.NaN)).toBeUndefined();
    expect(safeTimerMs(3e9)).toBe(MAX_TIMER_MS);
    expect(safeTimerMs(0)).toBe(1);
    expect(safeTimerMs(250)).toBe(250);
    expect(armTimer(() => {}, Number.POSITIVE_INFINITY)).toBeUndefined();
    const timer = armTimer(() => {}, 3e9);
    expect(timer).toBeDefined();
    clearTimeout(timer);
  });
});
