/**
 * The wire protocol between a host and its workers, identical for every transport.
 * Every message carries the `mh` brand so the pool's traffic never mixes with a task's own
 * `postMessage`/`process.send` calls. Jobs and results travel in batches: one message carries
 * many, so a burst of tiny tasks is not one message per task.
 */
import type { EncodedThrown } from './error-codec.js';

/** Brand value of every manyhands message. */
export const BRAND = 'manyhands/1';

/** Kinds of job a worker runs. */
export const JobKind = Object.freeze({
  /** `task(...args)`, one result. */
  Call: 0,
  /** `task(item)` for each item of a chunk, an array of results. */
  Chunk: 1,
  /** Like `Chunk`, then the results folded with a reducer: one value. */
  ChunkReduce: 2,
  /** Fold values with a reducer (no task): the last step of a map-reduce. */
  Fold: 3,
  /** `task(...item)` for each item (an argument list) of a chunk: `starmap`. */
  SpreadChunk: 4,
  /** `task(...args)` returns an (async) iterable whose parts stream back (see `task-events.ts`). */
  Stream: 5,
  /** Like `Call`, and the task's `progress()` values are reported: the caller has `onProgress`. */
  Observed: 6,
} as const);
/** One of {@link JobKind}'s values. */
export type JobKind = (typeof JobKind)[keyof typeof JobKind];

/**
 * One job in wire form: `[id, kind, task, payload, reducer, initial?]`.
 * `payload` is the argument list (Call) or the items (Chunk, ChunkReduce, Fold).
 * A Fold with `initial` present (six elements) starts from it.
 */
export type WireJob =
  | readonly [id: number, kind: JobKind, task: string, payload: readonly unknown[]]
  | readonly [
      id: number,
      kind: JobKind,
      task: string,
      payload: readonly unknown[],
      reducer: string,
      initial?: unknown,
    ]
  /**
   * A `Stream` job: `credit` is how many parts the worker may produce before the host grants
   * more; `observed` (1) when its `progress()` values are wanted.
   */
  | readonly [
      id: number,
      kind: typeof JobKind.Stream,
      task: string,
      payload: readonly unknown[],
      credit: number,
      observed?: 1,
    ];

/** What a worker reports about a running job besides its result (see `task-events.ts`). */
export const EventKind = Object.freeze({
  /** One part yielded by a `Stream` job. */
  Part: 0,
  /** One value the task passed to `progress()`. */
  Progress: 1,
} as const);
/** One of {@link EventKind}'s values. */
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/** One event in wire form: `[jobId, kind, value]`. */
export type WireEvent = readonly [id: number, kind: EventKind, value: unknown];

/** Worker-side outcome codes of a job. */
export const Outcome = Object.freeze({ Ok: 0, Threw: 1 } as const);
/** One of {@link Outcome}'s values. */
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/**
 * One result in wire form: `[id, outcome, valueOrError, runMs, blockMs, failedIndex, heapGrowth]`.
 * `runMs` is wall time from start to settle, `blockMs` the time the task held the thread
 * (its synchronous part); the host learns scheduling and chunk sizes from them. `heapGrowth`
 * (bytes the worker's heap grew over the job; only when the host asked for `trackHeap`) feeds
 * `stats().heapGrowth`.
 */
export type WireResult = [
  id: number,
  outcome: Outcome,
  value: unknown,
  runMs: number,
  blockMs: number,
  failedIndex?: number,
  heapGrowth?: number,
];

/** Host → worker messages. */
export type HostMessage =
  | { readonly mh: typeof BRAND; readonly k: 'jobs'; readonly jobs: readonly WireJob[] }
  | { readonly mh: typeof BRAND; readonly k: 'cancel'; readonly ids: readonly number[] }
  /**
   * Work stealing: the jobs sent at positions `(lo, hi]` (1-based, in sending order) that the
   * worker has not started belong to the host again. The worker skips them and lists their ids
   * in `given` of its next `results` (an empty list when it had started them all).
   */
  | { readonly mh: typeof BRAND; readonly k: 'reclaim'; readonly lo: number; readonly hi: number }
  | { readonly mh: typeof BRAND; readonly k: 'stop' }
  /** The caller read parts of `Stream` job `id`: the worker may produce `n` more. */
  | { readonly mh: typeof BRAND; readonly k: 'credit'; readonly id: number; readonly n: number };

/** Worker → host messages. */
export type WorkerMessage =
  | { readonly mh: typeof BRAND; readonly k: 'ready'; readonly tasks: readonly string[] }
  | {
      readonly mh: typeof BRAND;
      readonly k: 'load-error';
      readonly error: EncodedThrown;
      /**
       * Set when the module loaded but its initializer (this export's name) failed or is not an
       * exported function: the host rejects with `WorkerStartError` rather than `ModuleLoadError`.
       */
      readonly initializer?: string;
    }
  | {
      readonly mh: typeof BRAND;
      readonly k: 'results';
      readonly results: readonly WireResult[];
      /** `[id, blockMs]` pairs of jobs whose synchronous part ended: they now await IO. */
      readonly async?: readonly number[];
      /** Ids of jobs given back unstarted (see the `reclaim` message and `progress-words.ts`). */
      readonly given?: readonly number[];
      /**
       * Present on the last message of a dying worker: how many of the jobs it was sent it had
       * taken off its queue (run, skipped or given back). The host runs the rest elsewhere.
       */
      readonly started?: number;
      /** Set on the last message of a dying worker (see `started`). */
      readonly final?: boolean;
      /** On the last message: `[jobId, itemIndex]` of the chunk item running as it died. */
      readonly dying?: readonly [number, number];
      /**
       * The worker's V8 `heapUsed` in bytes after these results (only with `trackHeap`): the
       * host replaces a worker past `recycleAtMemoryMb`.
       */
      readonly heap?: number;
    }
  | { readonly mh: typeof BRAND; readonly k: 'cancelled'; readonly ids: readonly number[] }
  /** Parts and progress of running jobs, in the order the tasks produced them; before results. */
  | { readonly mh: typeof BRAND; readonly k: 'events'; readonly events: readonly WireEvent[] };

/**
 * Whether a received value carries the pool's brand: a message of either direction, whose body is
 * still untrusted (the host checks worker messages in `wire-check.ts`; the worker reads only the
 * fields of the kinds it knows).
 */
export function isBranded(value: unknown): value is { readonly mh: typeof BRAND } {
  return typeof value === 'object' && value !== null && (value as { mh?: unknown }).mh === BRAND;
}

/** What a worker entry is given to start the runtime (workerData / env / argv). */
export interface WorkerInit {
  /** URL (file: URL string) of the task module to import. */
  readonly module: string;
  /** Most tasks running at once in this worker. */
  readonly concurrency: number;
  /** Export run once before the first task (see the `initializer` option). */
  readonly initializer?: string;
  /** Its arguments. */
  readonly initArgs?: readonly unknown[];
  /** Export run on a polite stop (see the `teardown` option). */
  readonly teardown?: string;
  /** Most ms the teardown may take. */
  readonly teardownTimeout?: number;
  /** Whether to measure heap growth per job and report the heap with results. */
  readonly trackHeap?: boolean;
  /** Nice levels the worker lowers its own CPU priority by as it starts (see `niceIncrement`). */
  readonly niceIncrement?: number;
}
