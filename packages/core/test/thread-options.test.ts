import { SHARE_ENV } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { checkThreadOptions, threadWorkerOptions } from '../src/host/thread-options.js';

describe('checkThreadOptions', () => {
  it('accepts well-formed values', () => {
    expect(() =>
      checkThreadOptions({
        resourceLimits: { maxOldGenerationSizeMb: 32 },
        env: SHARE_ENV,
        execArgv: ['--no-warnings'],
      }),
    ).not.toThrow();
    expect(() => checkThreadOptions({ env: { A: '1' } })).not.toThrow();
  });

  it('throws TypeError for wrong types and RangeError for bad limits', () => {
    expect(() => checkThreadOptions({ resourceLimits: 5 as never })).toThrow(TypeError);
    expect(() => checkThreadOptions({ resourceLimits: { maxOldGenerationSizeMb: -1 } })).toThrow(
      RangeError,
    );
    expect(() => checkThreadOptions({ env: 'x' as never })).toThrow(TypeError);
    expect(() => checkThreadOptions({ execArgv: [1] as never })).toThrow(TypeError);
  });

  it('copies execArgv into the Worker options', () => {
    const execArgv = ['--no-warnings'];
    const options = threadWorkerOptions({ execArgv });
    expect(options.execArgv).toStrictEqual(execArgv);
    expect(options.execArgv).not.toBe(execArgv);
  });
});
