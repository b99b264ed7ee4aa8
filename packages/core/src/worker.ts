/**
 * `@manyhands/core/worker`: the worker-side runtime a backend's worker entry starts, the port of
 * the process backends, and `taskSignal()` for task modules that want to stop early when
 * cancelled.
 *
 * @packageDocumentation
 */

export { takeWorkerInit } from './process-init.js';
export { createProcessPort } from './process-port.js';
export type { WorkerInit } from './protocol.js';
export type { WorkerPort } from './worker-runtime.js';
export { startWorkerRuntime, taskSignal } from './worker-runtime.js';
export { heapUsed, runInitializer, runTeardown } from './worker-setup.js';
