import { ErrorCode, ManyhandsError } from '@manyhands/core';
import { describe, expect, it } from 'vitest';
import { BullmqErrorCode, RedisConnectionError, WorkerNodeLostError } from '../dist/index.js';

describe('bullmq errors', () => {
  it('RedisConnectionError is a ManyhandsError with a stable code, so retries skip it', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new RedisConnectionError('Redis at redis://127.0.0.1:1 is unreachable.', {
      cause,
    });
    expect(error).toBeInstanceOf(ManyhandsError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('ERR_MANYHANDS_REDIS');
    expect(error.code).toBe(BullmqErrorCode.Redis);
    expect(error.code).toBe(ErrorCode.Redis);
    expect(error.name).toBe('RedisConnectionError');
    expect(error.cause).toBe(cause);
    expect(error.stack).toContain('RedisConnectionError');
  });

  it('WorkerNodeLostError is a ManyhandsError too', () => {
    expect(new WorkerNodeLostError('gone')).toBeInstanceOf(ManyhandsError);
  });
});
