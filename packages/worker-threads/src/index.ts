/**
 * `@manyhands/worker-threads`: run a task module's exports on a pool of worker threads.
 *
 * @packageDocumentation
 */

export * from '@manyhands/core/public';
export type { WorkerThreadsOptions } from './worker-threads-executor.js';
export { createWorkerThreadsExecutor } from './worker-threads-executor.js';
