import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/options.js';

describe('resolveOptions', () => {
  it('fills in defaults', () => {
    expect(resolveOptions(undefined)).toStrictEqual({
      workers: availableParallelism(),
      concurrency: Number.POSITIVE_INFINITY,
      maxQueue: Number.POSITIVE_INFINITY,
      idleTimeout: Number.POSITIVE_INFINITY,
      recycleAfter: Number.POSITIVE_INFINITY,
    });
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
