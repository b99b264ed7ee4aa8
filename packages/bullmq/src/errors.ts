/**
 * The errors only a distributed backend raises. A task's own errors and core's errors
 * (`UnknownTaskError`, `ModuleLoadError`, …) reach the caller exactly as with local backends.
 */
import { ErrorCode, ManyhandsError, WorkerExitError } from '@manyhands/core';

/** Stable codes of this package's own errors (also listed in core's `ErrorCode`). */
export const BullmqErrorCode = Object.freeze({
  Redis: ErrorCode.Redis,
} as const);

/**
 * Redis could not be reached, refused the credentials, stayed unreachable past `redisTimeout`,
 * or lost this executor's jobs and results (it restarted without persistence, or the keys were
 * flushed). Tasks in flight at that moment reject with it; `cause` is the client's error.
 * A `ManyhandsError`, so a call's `retries` never runs the task again because of it.
 */
export class RedisConnectionError extends ManyhandsError {
  /** Always `'ERR_MANYHANDS_REDIS'`. */
  declare readonly code: typeof BullmqErrorCode.Redis;

  constructor(message: string, options?: { cause?: unknown }) {
    super(BullmqErrorCode.Redis, message, options);
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
