/**
 * `@manyhands/core`: the `Executor` contract, its options and errors, the wire protocol, and the
 * scheduler every backend shares. Users install a backend package; backends build on this.
 *
 * @packageDocumentation
 */
// What users see through every backend (errors, helpers, the contract's types): listed once.

export type { ChunkSizeInput } from './chunking.js';
export { chunkSize, FIRST_CHUNK_SIZE, MAX_CHUNK_SIZE, TARGET_CHUNK_MS } from './chunking.js';
export type { EncodedThrown } from './error-codec.js';
export { decodeThrown, encodeThrown } from './error-codec.js';
export { createExecutor, toModuleUrl, workerIdsOf } from './executor.js';
export type { IdleSpinner } from './idle-spin.js';
export { createIdleSpinner } from './idle-spin.js';
export type { ResolvedOptions } from './options.js';
export { resolveOptions } from './options.js';
export { createProgressWords } from './progress-words.js';
export type {
  HostMessage,
  WireEvent,
  WireJob,
  WireResult,
  WorkerInit,
  WorkerMessage,
} from './protocol.js';
export { BRAND, EventKind, isHostMessage, isWorkerMessage, JobKind, Outcome } from './protocol.js';
export * from './public.js';
export type { ResolvedSetupOptions } from './setup-options.js';
export type { ThreadOptions } from './thread-options.js';
export { checkThreadOptions, THREAD_OPTION_KEYS, threadWorkerOptions } from './thread-options.js';
export type { Transport, TransportExit, WorkerEvents, WorkerHandle } from './transport.js';
export type {
  MappableTask,
  ReducerName,
  StreamTaskName,
  TaskArgs,
  TaskInput,
  TaskName,
  TaskPart,
  TaskResult,
} from './types.js';
export { isTypeScriptModule, STRIP_TYPES_FLAG, typeStrippingFlag } from './typescript-modules.js';
