/**
 * `@manyhands/threadsjs`: run a task module's exports on threads.js workers, with manyhands'
 * API and guarantees, to compare with and migrate from threads.js.
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
} from '@manyhands/core';
export type { ThreadsJsOptions } from './threadsjs-executor.js';
export { createThreadsJsExecutor } from './threadsjs-executor.js';
