/**
 * The `Executor` contract every backend implements, and the types that infer task names,
 * arguments and results from a task module's type.
 */
import type { TransferListItem } from 'node:worker_threads';
import type { ExecutorStats } from './stats.js';

type AnyFunction = (...args: any[]) => any;

/** The names of `M`'s exports that are functions: the tasks an executor can run. */
export type TaskName<M> = {
  [K in keyof M]: M[K] extends AnyFunction ? K : never;
}[keyof M] &
  string;

/** The argument list of task `K` of module `M`. */
export type TaskArgs<M, K extends TaskName<M>> = M[K] extends AnyFunction
  ? Parameters<M[K]>
  : never;

/** What task `K` of module `M` resolves to (a sync task's return value, or an async one's). */
export type TaskResult<M, K extends TaskName<M>> = M[K] extends AnyFunction
  ? Awaited<ReturnType<M[K]>>
  : never;

/**
 * The tasks of `M` that `stream` can run: generators (`function*`, `async function*`) and other
 * functions that return an (async) iterable, strings excepted.
 */
export type StreamTaskName<M> = {
  [K in TaskName<M>]: M[K] extends (...args: any[]) => infer R
    ? [R] extends [string]
      ? never
      : [R] extends [AsyncIterable<unknown> | Iterable<unknown>]
        ? K
        : never
    : never;
}[TaskName<M>];

/** The type of each part stream task `K` of `M` yields. */
export type TaskPart<M, K extends TaskName<M>> = M[K] extends AnyFunction
  ? ReturnType<M[K]> extends AsyncIterable<infer P>
    ? P
    : ReturnType<M[K]> extends Iterable<infer P>
      ? P
      : never
  : never;

/** The tasks of `M` that take one argument first: the ones `map` can apply to each input. */
export type MappableTask<M> = {
  [K in TaskName<M>]: TaskArgs<M, K> extends [unknown, ...unknown[]] | [unknown?] ? K : never;
}[TaskName<M>];

/** The input type of a task that `map` applies to each item. */
export type TaskInput<M, K extends TaskName<M>> = TaskArgs<M, K>[0];

/** Reducers of `M` that can fold results of type `R`: `(acc: R, value: R) => R`. */
export type ReducerName<M, R> = {
  [K in TaskName<M>]: M[K] extends (acc: R, value: R) => R | Promise<R> ? K : never;
}[TaskName<M>];

/**
 * The `initializer`, `initArgs` and `teardown` options, untyped: what
 * {@link WorkerSetupOptions} becomes for an executor whose module type is unknown.
 */
export interface WorkerSetup {
  /**
   * Name of an exported function of the task module that each worker runs once, with
   * {@link WorkerSetup.initArgs}, after loading the module and before its first task (like
   * Python's `Pool(initializer=…)`); awaited when it returns a promise. What it sets up (a
   * connection, a cache, module state) is there for every task that worker runs. If it throws,
   * rejects or is not an exported function, calls reject with `WorkerStartError` naming it, and
   * no worker is started again until the next call. `startTimeout` covers it.
   * With a typed executor (`create…Executor<typeof import('./tasks.js')>`), a name that is not
   * an export, or `initArgs` that do not match its parameters, is a compile error.
   */
  readonly initializer?: string;
  /** Arguments of the {@link WorkerSetup.initializer} (structured-cloned to every worker). */
  readonly initArgs?: readonly unknown[];
  /**
   * Name of an exported function each worker runs when it stops politely: on `close()`, after
   * `idleTimeout`, `recycleAfter` or `recycleAtMemoryMb`; not on `terminate()` or a crash.
   * Awaited for at most the `teardownTimeout` option; its errors are ignored.
   */
  readonly teardown?: string;
}

/** `initArgs` of initializer `K`: required when the function has required parameters. */
type InitArgsOf<M, K extends TaskName<M>> =
  [] extends TaskArgs<M, K>
    ? { readonly initArgs?: Readonly<TaskArgs<M, K>> }
    : { readonly initArgs: Readonly<TaskArgs<M, K>> };

/**
 * The typed form of the `initializer`, `initArgs` and `teardown` options for module `M`: the
 * names must be exported functions of `M` and `initArgs` must match the initializer's
 * parameters (a mismatch is a compile error). Every backend's factory takes its options as
 * `…Options & WorkerSetupOptions<M>`; with `M` unknown (an untyped executor) any name goes.
 *
 * @example
 * ```ts
 * // tasks.ts: export async function connect(url: string, poolSize: number) { … }
 * createWorkerThreadsExecutor<typeof import('./tasks.js')>(url, {
 *   initializer: 'connect',
 *   initArgs: ['postgres://db/app', 4], // checked against connect's parameters
 *   teardown: 'disconnect',
 * });
 * ```
 */
export type WorkerSetupOptions<M> = unknown extends M
  ? WorkerSetup
  : (
      | { readonly initializer?: undefined; readonly initArgs?: undefined }
      | {
          [K in TaskName<M>]: { readonly initializer: K } & InitArgsOf<M, K>;
        }[TaskName<M>]
    ) & { readonly teardown?: TaskName<M> };

/** Per-call options of `exec`. */
export interface RunOptions {
  /** Abort the task: rejected at once when queued, and when running. */
  readonly signal?: AbortSignal;
  /** Milliseconds the task may run once handed to a worker; the worker is replaced if stuck. */
  readonly timeout?: number;
  /** Objects to move rather than copy (worker_threads only; ignored elsewhere). */
  readonly transfer?: readonly TransferListItem[];
  /**
   * Times to run the task again when it throws or rejects (default 0: never). The task's own
   * errors are retried; manyhands' own (timeout, abort, unknown task, worker crash, …) never
   * are. The caller gets the last attempt's error. Not for `stream` (its parts cannot be
   * taken back): there it is a `TypeError`.
   */
  readonly retries?: number;
  /**
   * Called with each value the task passes to `progress()` (from `@manyhands/core/worker`), in
   * order, while the call runs; never after it settled. If it throws, the call rejects with
   * that error and the task is cancelled in its worker, as an abort would.
   */
  readonly onProgress?: (value: unknown) => void;
  /**
   * `stream` only: how many parts the worker may produce ahead of the loop that reads them
   * (default {@link DEFAULT_HIGH_WATER_MARK}, an integer >= 1). The generator is paused, not
   * called again, until the loop reads; a slow reader never makes parts pile up.
   */
  readonly highWaterMark?: number;
}

/** Parts a stream's worker produces ahead of its reader unless `highWaterMark` says otherwise. */
export const DEFAULT_HIGH_WATER_MARK = 32;

/** Per-call options marked by `withOptions`, to pass as `run`'s last argument. */
export interface BrandedRunOptions extends RunOptions {
  /** Type-level mark only: create these with `withOptions`. */
  readonly __manyhandsRunOptions: true;
}

/** Options of `map`, `imap` and `mapReduce`. */
export interface MapOptions {
  /** Abort the whole map: pending chunks are dropped, running ones cancelled. */
  readonly signal?: AbortSignal;
  /** Milliseconds each chunk may run once handed to a worker. */
  readonly timeout?: number;
  /**
   * Items per message. When omitted, the size is learned from the measured time per item, so
   * each chunk takes a few milliseconds and the last chunks still spread over every worker.
   */
  readonly chunkSize?: number;
  /** Most chunks in flight at once (default: enough to keep every worker busy). */
  readonly maxInFlight?: number;
  /**
   * Times to run a chunk again when one of its items throws (default 0: never); the whole chunk
   * runs again, so its items may run more than once. As for {@link RunOptions.retries}.
   */
  readonly retries?: number;
}

/** Options of `imap`. */
export interface IMapOptions extends MapOptions {
  /** `true` (default): results in input order. `false`: as they complete (`imap_unordered`). */
  readonly ordered?: boolean;
}

/** Options of `mapReduce`. */
export interface MapReduceOptions<R, Red extends string> extends MapOptions {
  /**
   * Name of an exported `(acc, value) => acc` function of the task module. It must be
   * associative: each worker folds its chunk, then the chunk results are folded in order.
   */
  readonly reducer: Red;
  /** Where the fold starts; without it the first result is the start. */
  readonly initial?: R;
}

/**
 * A pool of workers that runs the named exports of one task module.
 *
 * @typeParam M - the task module's type, e.g. `typeof import('./tasks.js')`.
 */
export interface Executor<M> extends AsyncDisposable {
  /** Which backend this is, e.g. `'worker-threads'`. */
  readonly backend: string;

  /**
   * Runs one task: `await executor.run('factorial', 20)`. Options go last, marked with
   * `withOptions` so they cannot be mistaken for an argument:
   * `run('fetchPage', url, withOptions({ signal, timeout: 5_000 }))`.
   */
  run<K extends TaskName<M>>(
    task: K,
    ...args: TaskArgs<M, K> | [...TaskArgs<M, K>, BrandedRunOptions]
  ): Promise<TaskResult<M, K>>;

  /** Runs one task with options: `exec('fetch', [url], { signal, timeout: 5_000 })`. */
  exec<K extends TaskName<M>>(
    task: K,
    args: TaskArgs<M, K>,
    options?: RunOptions,
  ): Promise<TaskResult<M, K>>;

  /**
   * Runs a generator task and yields its parts as the worker produces them:
   * `for await (const row of executor.stream('readRows', path)) …`. Each part crosses like a
   * result (structured clone). The worker produces at most `highWaterMark` parts ahead of the
   * loop. Breaking out of the loop (or the options' `signal`, or `timeout`, which counts the
   * whole stream) returns the generator in its worker, so its `finally` blocks run. A task that
   * throws midway: the parts before are delivered, then the loop throws the task's error. The
   * call starts when the loop first reads. Options go last, marked with `withOptions`.
   *
   * @example
   * ```ts
   * // tasks.ts: export async function* countTo(n: number) { for (let i = 1; i <= n; i++) yield i; }
   * for await (const i of pool.stream('countTo', 3)) console.log(i); // 1, 2, 3
   * ```
   */
  stream<K extends StreamTaskName<M>>(
    task: K,
    ...args: TaskArgs<M, K> | [...TaskArgs<M, K>, BrandedRunOptions]
  ): AsyncIterableIterator<TaskPart<M, K>>;

  /**
   * Python's `Pool.map`: applies `task` to every input and resolves to the results in order.
   * Items travel in chunks; a failing item rejects the whole map with that item's error.
   */
  map<K extends MappableTask<M>>(
    task: K,
    inputs: Iterable<TaskInput<M, K>> | AsyncIterable<TaskInput<M, K>>,
    options?: MapOptions,
  ): Promise<TaskResult<M, K>[]>;

  /**
   * Like `map`, with each input an argument list spread into the task, like Python's
   * `Pool.starmap`: `starmap('add', [[1, 2], [3, 4]])` is `[add(1, 2), add(3, 4)]`. Each tuple
   * is typed from the task's parameters.
   *
   * @example
   * ```ts
   * const sums = await pool.starmap('add', [[1, 2], [3, 4]]); // [3, 7]
   * ```
   */
  starmap<K extends TaskName<M>>(
    task: K,
    inputs: Iterable<TaskArgs<M, K>> | AsyncIterable<TaskArgs<M, K>>,
    options?: MapOptions,
  ): Promise<TaskResult<M, K>[]>;

  /** Like `imap`, with each input an argument list spread into the task (`istarmap`). */
  istarmap<K extends TaskName<M>>(
    task: K,
    inputs: Iterable<TaskArgs<M, K>> | AsyncIterable<TaskArgs<M, K>>,
    options?: IMapOptions,
  ): AsyncIterableIterator<TaskResult<M, K>>;

  /**
   * Python's `imap` / `imap_unordered`: results as an async iterable, with a bounded number of
   * chunks in flight, so an endless input streams in constant memory.
   */
  imap<K extends MappableTask<M>>(
    task: K,
    inputs: Iterable<TaskInput<M, K>> | AsyncIterable<TaskInput<M, K>>,
    options?: IMapOptions,
  ): AsyncIterableIterator<TaskResult<M, K>>;

  /**
   * Map-reduce: each worker folds its chunk's results with `reducer`, so one value per chunk
   * crosses back; the host folds those in order. Rejects on empty input without `initial`.
   */
  mapReduce<K extends MappableTask<M>, Red extends ReducerName<M, TaskResult<M, K>>>(
    task: K,
    inputs: Iterable<TaskInput<M, K>> | AsyncIterable<TaskInput<M, K>>,
    options: MapReduceOptions<TaskResult<M, K>, Red>,
  ): Promise<TaskResult<M, K>>;

  /** Counters, queue length, wait/run percentiles and worker utilisation. */
  stats(): ExecutorStats;

  /** Lets queued and running work finish, then stops every worker. */
  close(): Promise<void>;

  /** Rejects everything pending with `ExecutorTerminatedError` and stops every worker now. */
  terminate(): Promise<void>;

  /** Same as {@link Executor.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}
