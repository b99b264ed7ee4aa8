/**
 * `@manyhands/worker-threads`: run a task module's exports on a pool of worker threads.
 *
 * @packageDocumentation
 */

export type {
  Executor,
  ExecutorOptions,
  ExecutorStats,
  MapOptions,
  RunOptions,
} from '@manyhands/core';
export {
  ErrorCode,
  ExecutorClosedError,
  ExecutorTerminatedError,
  failedInputIndex,
  ManyhandsError,
  ModuleLoadError,
  NotCloneableError,
  QueueFullError,
  TaskAbortedError,
  TaskTimeoutError,
  UnknownTaskError,
  WorkerExitError,
  WorkerStartError,
  withOptions,
} from '@manyhands/core';
export type { WorkerThreadsOptions } from './worker-threads-executor.js';
export { createWorkerThreadsExecutor } from './worker-threads-executor.js';
