/**
 * `@manyhands/core/public`: what every backend package re-exports to its users (errors,
 * helpers and the contract's types), listed once here so the backends cannot drift apart.
 *
 * @packageDocumentation
 */
export { failedInputIndex } from './chunk-stream.js';
export type { WorkerExitInfo } from './errors.js';
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
} from './errors.js';
export type { ModuleSpecifier } from './executor.js';
export { withOptions } from './executor.js';
export type { HeapGrowth } from './heap-stats.js';
export type { ExecutorOptions } from './options.js';
export type { ExecutorStats, LatencySummary } from './stats.js';
export type {
  BrandedRunOptions,
  Executor,
  IMapOptions,
  MapOptions,
  MapReduceOptions,
  RunOptions,
  WorkerSetup,
  WorkerSetupOptions,
} from './types.js';
export { DEFAULT_HIGH_WATER_MARK } from './types.js';
