/**
 * The errors only a distributed backend raises. A task's own errors and core's errors
 * (`UnknownTaskError`, `ModuleLoadError`, …) reach the caller exactly as with local backends.
 */
import { WorkerExitError } from '@manyhands/core';

/** Stable codes of this package's own errors. */
export const BullmqErrorCode = Object.freeze({
  Redis: 'ERR_MANYHANDS_REDIS',
} as const);

/**
 * Redis could not be reached, refused the credentials, stayed unreachable past `redisTimeout`,
 * or lost this executor's jobs and results (it restarted without persistence, or the keys were
 * flushed). Tasks in flight at that moment reject with it; `cause` is the client's error.
 */
export class RedisConnectionError extends Error {
  /** Always `'ERR_MANYHANDS_REDIS'`. */
  readonly code: typeof BullmqErrorCode.Redis = BullmqErrorCode.Redis;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedisConnectionError';
  }
}

/**
 * The worker node(s) running this task were lost for good: BullMQ saw the job stall more often
 * than `maxStalledCount` allows (a task that kills its node every time), or no worker node has
 * served the queue for `nodeTimeout`. A `WorkerExitError`, so code that handles crashes of local
 * workers handles this too.
 */
export class WorkerNodeLostError extends WorkerExitError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super({ exitCode: null, signal: null }, reason, options);
    this.name = 'WorkerNodeLostError';
    this.message = `The worker node running this task was lost: ${reason}.`;
    // The stack's first line was built from the generic message: rebuild it.
    Error.captureStackTrace?.(this, WorkerNodeLostError);
  }
}
