/**
 * `@manyhands/core/public`: what every backend package re-exports to its users (errors,
 * helpers and the contract's types), listed once here so the backends cannot drift apart.
 *
 * @packageDocumentation
 */
export { failedInputIndex } from './host/chunk-stream.js';
export type { ModuleSpecifier } from './host/executor.js';
export { withOptions } from './host/executor.js';
export type { HeapGrowth } from './host/heap-stats.js';
export type { ExecutorOptions } from './host/options.js';
export type { ExecutorStats, LatencySummary } from './host/stats.js';
export type {
  BrandedRunOptions,
  Executor,
  IMapOptions,
  MapOptions,
  MapReduceOptions,
  RunOptions,
  WorkerSetup,
  WorkerSetupOptions,
} from './host/types.js';
export { DEFAULT_HIGH_WATER_MARK } from './host/types.js';
export type { WorkerExitInfo } from './wire/errors.js';
export {
  ErrorCode,
  ExecutorClosedError,
  ExecutorTerminatedError,
  ManyhandsError,
  ModuleLoadError,
  NotCloneableError,
  QueueFullError,
  TaskAbortedError,
  TaskTimeoutError,
  UnknownTaskError,
  WorkerExitError,
  WorkerStartError,
} from './wire/errors.js';
