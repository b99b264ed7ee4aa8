/**
 * `@manyhands/threadsjs`: run a task module's exports on threads.js workers, with manyhands'
 * API and guarantees, to compare with and migrate from threads.js.
 *
 * @packageDocumentation
 */

export * from '@manyhands/core/public';
export type { ThreadsJsOptions } from './threadsjs-executor.js';
export { createThreadsJsExecutor } from './threadsjs-executor.js';
