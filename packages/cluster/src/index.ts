/**
 * `@manyhands/cluster`: run a task module's exports on a pool of Node cluster worker processes.
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
export type { ProcessOutput } from '@manyhands/core/process';
export type { ClusterOptions } from './cluster-executor.js';
export { createClusterExecutor } from './cluster-executor.js';
export { isExecutorWorker } from './cluster-fork.js';
