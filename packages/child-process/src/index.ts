/**
 * `@manyhands/child-process`: run a task module's exports on a pool of Node child processes.
 *
 * @packageDocumentation
 */

export type { ProcessOutput } from '@manyhands/core/process';
export * from '@manyhands/core/public';
export type { ChildProcessOptions } from './child-process-executor.js';
export { createChildProcessExecutor } from './child-process-executor.js';
