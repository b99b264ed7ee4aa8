/** The scheduler's vocabulary: what a job is, who holds it, and how its parts name things. */
import type { TransferListItem } from 'node:worker_threads';
import { JobKind } from '../wire/protocol.js';
import type { TransportExit } from '../wire/transport.js';
import type { JobEvents } from './job-events.js';
import type { WorkerSlot } from './worker-slot.js';

/** Work a worker may hold beyond its first job, in estimated ms: about two map chunks. */

/** What the pool needs to know to submit one job. */
export interface JobSpec {
  readonly kind: JobKind;
  readonly task: string;
  readonly payload: readonly unknown[];
  /** Items the job stands for (1 for a call, the chunk's length for a chunk). */
  readonly items: number;
  readonly reducer?: string;
  readonly initial?: { readonly value: unknown };
  readonly signal?: AbortSignal;
  readonly timeout?: number;
  readonly transfer?: readonly TransferListItem[];
  /** Times to run the job again when the task throws (its own errors only). */
  readonly retries?: number;
  /** A `Stream` job's first credit: parts its worker may produce before the host grants more. */
  readonly credit?: number;
  /** A `Stream` job whose `progress()` values are wanted (its caller has `onProgress`). */
  readonly observed?: boolean;
  /** Where the job's stream parts and progress go while it runs (see `job-events.ts`). */
  readonly events?: JobEvents;
}

/** Options of {@link Scheduler.submit}. */
export interface SubmitOptions {
  /** A chunk of a map that started before `close()`: accepted while closing, not counted by `maxQueue`. */
  readonly internal?: boolean;
}

export interface Job {
  readonly id: number;
  readonly spec: JobSpec;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly enqueuedAt: number;
  cost: number;
  chunk: boolean;
  settled: boolean;
  worker: Slot | undefined;
  seq: number;
  timer: NodeJS.Timeout | undefined;
  offAbort: (() => void) | undefined;
  retriesLeft: number;
}

export type Slot = WorkerSlot<Job>;

export type State = 'open' | 'closing' | 'terminating' | 'closed';

/** Whether a job of `kind` is a `map` chunk (many items, one message). */
export function isChunkKind(kind: JobKind): boolean {
  return kind === JobKind.Chunk || kind === JobKind.ChunkReduce || kind === JobKind.SpreadChunk;
}

export function describeExit(exit: TransportExit): string {
  const how =
    exit.signal != null ? `killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
  const why = exit.error instanceof Error ? `: ${exit.error.message}` : '';
  return `the worker ${how} before it was ready${why}`;
}
