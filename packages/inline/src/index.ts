/**
 * `@manyhands/inline`: run a task module's exports on the current thread, behind the same
 * `Executor` API as every other manyhands backend.
 *
 * @packageDocumentation
 */

export * from '@manyhands/core/public';
export type { InlineOptions } from './inline-executor.js';
export { createInlineExecutor } from './inline-executor.js';
