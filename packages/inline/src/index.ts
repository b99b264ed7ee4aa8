/**
 * `@manyhands/inline`: run a task module's exports on the current thread, behind the same
 * `Executor` API as every other manyhands backend.
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
export type { InlineOptions } from './inline-executor.js';
export { createInlineExecutor } from './inline-executor.js';
