/**
 * `@manyhands/core`: the `Executor` contract, its options and errors, the wire protocol, and the
 * scheduler every backend shares. Users install a backend package; backends build on this.
 *
 * @packageDocumentation
 */
// What users see through every backend (errors, helpers, the contract's types): listed once.

export type { ChunkSizeInput } from './host/chunking.js';
export { chunkSize, FIRST_CHUNK_SIZE, MAX_CHUNK_SIZE, TARGET_CHUNK_MS } from './host/chunking.js';
export { createExecutor, toModuleUrl, workerIdsOf } from './host/executor.js';
export { checkNiceIncrement, MAX_NICE_INCREMENT } from './host/nice-increment.js';
export type { ResolvedOptions } from './host/options.js';
export { resolveOptions } from './host/options.js';
export { medianOfSorted, percentileOfSorted } from './host/percentiles.js';
export type { ResolvedSetupOptions } from './host/setup-options.js';
export type { ThreadOptions } from './host/thread-options.js';
export {
  checkThreadOptions,
  THREAD_OPTION_KEYS,
  threadWorkerInit,
  threadWorkerOptions,
} from './host/thread-options.js';
export type {
  MappableTask,
  ReducerName,
  StreamTaskName,
  TaskArgs,
  TaskInput,
  TaskName,
  TaskPart,
  TaskResult,
} from './host/types.js';
export {
  isTypeScriptModule,
  STRIP_TYPES_FLAG,
  typeStrippingFlag,
} from './host/typescript-modules.js';
export * from './public.js';
export type { EncodedThrown } from './wire/error-codec.js';
export { decodeThrown, encodeThrown } from './wire/error-codec.js';
export type { IdleSpinner } from './wire/idle-spin.js';
export { createIdleSpinner } from './wire/idle-spin.js';
export { createProgressWords } from './wire/progress-words.js';
export type {
  HostMessage,
  WireEvent,
  WireJob,
  WireResult,
  WorkerInit,
  WorkerMessage,
} from './wire/protocol.js';
export {
  BRAND,
  EventKind,
  isBranded,
  JobKind,
  Outcome,
} from './wire/protocol.js';
export type { Transport, TransportExit, WorkerEvents, WorkerHandle } from './wire/transport.js';
