/**
 * `@manyhands/child-process`: run a task module's exports on a pool of Node child processes.
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
export type { ChildProcessOptions } from './child-process-executor.js';
export { createChildProcessExecutor } from './child-process-executor.js';
