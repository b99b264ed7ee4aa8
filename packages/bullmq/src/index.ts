/**
 * `@manyhands/bullmq`: the manyhands `Executor` with its workers on many machines, through a
 * BullMQ queue in Redis; and the worker node (`manyhands-worker`) that serves it.
 *
 * @packageDocumentation
 */

export * from '@manyhands/core/public';
export type { BullmqOptions } from './bullmq-executor.js';
export { createBullmqExecutor } from './bullmq-executor.js';
export { BullmqErrorCode, RedisConnectionError, WorkerNodeLostError } from './errors.js';
export type { RedisTarget } from './redis-connection.js';
export type { StartWorkerNodesOptions, WorkerNodeProcesses } from './start-worker-nodes.js';
export { startWorkerNodes } from './start-worker-nodes.js';
export type { WorkerNode, WorkerNodeOptions } from './worker-node.js';
export { startWorkerNode } from './worker-node.js';
