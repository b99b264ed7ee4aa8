/**
 * `@manyhands/cluster`: run a task module's exports on a pool of Node cluster worker processes.
 *
 * @packageDocumentation
 */

export type { ProcessOutput } from '@manyhands/core/process';
export * from '@manyhands/core/public';
export type { ClusterOptions } from './cluster-executor.js';
export { createClusterExecutor } from './cluster-executor.js';
export { isExecutorWorker } from './cluster-fork.js';
