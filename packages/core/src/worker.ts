/**
 * `@manyhands/core/worker`: the worker-side runtime a backend's worker entry starts, the port of
 * the process backends, `taskSignal()` for task modules that want to stop early when
 * cancelled, and `progress()` for tasks that report progress to their caller's `onProgress`.
 *
 * @packageDocumentation
 */

export { takeWorkerInit } from './process-init.js';
export { createProcessPort } from './process-port.js';
export type { WorkerInit } from './protocol.js';
export { progress } from './task-events.js';
export type { WorkerPort } from './worker-runtime.js';
export { startWorkerRuntime, taskSignal } from './worker-runtime.js';
export { heapUsed, runInitializer, runTeardown } from './worker-setup.js';
