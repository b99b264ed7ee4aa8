/**
 * `@manyhands/core/worker`: the worker-side runtime a backend's worker entry starts, the port of
 * the process backends, `taskSignal()` for task modules that want to stop early when
 * cancelled, and `progress()` for tasks that report progress to their caller's `onProgress`.
 *
 * @packageDocumentation
 */

export { takeWorkerInit } from './process/init-env.js';
export { createProcessPort } from './process/worker-port.js';
export type { WorkerInit } from './wire/protocol.js';
export { taskSignal } from './worker/execute.js';
export type { WorkerPort } from './worker/port.js';
export { progress } from './worker/task-events.js';
export { startWorkerRuntime } from './worker/worker-runtime.js';
export { heapUsed, runInitializer, runTeardown } from './worker/worker-setup.js';
