/**
 * The one `Executor` implementation: the public API over the scheduler. A backend package only
 * supplies its {@link Transport}; see `createExecutor`.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { JobKind } from '../wire/protocol.js';
import type { Transport } from '../wire/transport.js';
import { type FinishedChunk, openChunkStream } from './chunk-stream.js';
import { checkCallOptions, type ExecutorOptions, resolveOptions } from './options.js';
import { Scheduler } from './scheduler.js';
import type { ExecutorStats } from './stats.js';
import { RUN_OPTIONS_MARK } from './symbols.js';
import { openTaskStream, submitWithProgress } from './task-stream.js';
import type {
  BrandedRunOptions,
  Executor,
  IMapOptions,
  MapOptions,
  MappableTask,
  MapReduceOptions,
  ReducerName,
  RunOptions,
  StreamTaskName,
  TaskArgs,
  TaskInput,
  TaskName,
  TaskPart,
  TaskResult,
} from './types.js';

/** Where the task module is: a `URL` (e.g. `new URL('./tasks.js', import.meta.url)`) or a path. */
export type ModuleSpecifier = URL | string;

/** Turns a URL or a path (absolute, or relative to the working directory) into a URL string. */
export function toModuleUrl(module: ModuleSpecifier): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== 'string' || module.length === 0) {
    throw new TypeError('The task module must be a URL or a non-empty path string.');
  }
  if (/^(file|data):/i.test(module)) return module;
  return pathToFileURL(isAbsolute(module) ? module : resolve(module)).href;
}

/**
 * Marks per-call options so `run` can take them as its last argument:
 * `executor.run('fetchPage', url, withOptions({ signal, timeout: 5_000 }))`.
 */
export function withOptions(options: RunOptions): BrandedRunOptions {
  return Object.freeze({ ...options, [RUN_OPTIONS_MARK]: true }) as unknown as BrandedRunOptions;
}

function isBrandedOptions(value: unknown): value is BrandedRunOptions {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return (value as { [RUN_OPTIONS_MARK]?: unknown })[RUN_OPTIONS_MARK] === true;
  } catch {
    // A Proxy whose `get` trap throws is an argument (that will not clone), not options.
    return false;
  }
}

/** Most arrays passed to one `concat` call (spread arguments have a limit). */
const CONCAT_BATCH = 8_192;

/** The parts' elements in one array. */
function flatten(parts: unknown[][]): unknown[] {
  if (parts.length === 1) return parts[0] as unknown[];
  let out: unknown[] = [];
  for (let i = 0; i < parts.length; i += CONCAT_BATCH) {
    out = out.concat(...parts.slice(i, i + CONCAT_BATCH));
  }
  return out;
}

class PoolExecutor<M> implements Executor<M> {
  readonly backend: string;
  private readonly scheduler: Scheduler;

  constructor(scheduler: Scheduler) {
    this.scheduler = scheduler;
    this.backend = scheduler.transport.name;
  }

  run<K extends TaskName<M>>(
    task: K,
    ...args: TaskArgs<M, K> | [...TaskArgs<M, K>, BrandedRunOptions]
  ): Promise<TaskResult<M, K>> {
    const last = args[args.length - 1];
    if (isBrandedOptions(last)) {
      return this.exec(task, args.slice(0, -1) as TaskArgs<M, K>, last);
    }
    return this.exec(task, args as TaskArgs<M, K>);
  }

  exec<K extends TaskName<M>>(
    task: K,
    args: TaskArgs<M, K>,
    options?: RunOptions,
  ): Promise<TaskResult<M, K>> {
    try {
      this.scheduler.assertOpen();
      this.scheduler.assertTask(task);
      checkCallOptions(options);
      if (!Array.isArray(args)) throw new TypeError('exec() takes the task arguments as an array.');
    } catch (error) {
      return Promise.reject(error);
    }
    const spec = {
      kind: JobKind.Call,
      task,
      payload: args,
      items: 1,
      signal: options?.signal,
      timeout: options?.timeout,
      retries: options?.retries,
      transfer: options?.transfer,
    };
    if (options?.onProgress) {
      return submitWithProgress(this.scheduler, spec, options.onProgress) as Promise<
        TaskResult<M, K>
      >;
    }
    return this.scheduler.submit(spec) as Promise<TaskResult<M, K>>;
  }

  stream<K extends StreamTaskName<M>>(
    task: K,
    ...args: TaskArgs<M, K> | [...TaskArgs<M, K>, BrandedRunOptions]
  ): AsyncIterableIterator<TaskPart<M, K>> {
    const last = args[args.length - 1];
    const options = isBrandedOptions(last) ? last : undefined;
    const payload = options ? args.slice(0, -1) : args;
    let refused: { error: unknown } | undefined;
    try {
      this.scheduler.assertOpen();
      this.scheduler.assertTask(task);
      checkCallOptions(options);
      if (options?.retries) {
        throw new TypeError('stream() takes no retries: parts already read cannot be taken back.');
      }
    } catch (error) {
      refused = { error };
    }
    return openTaskStream(this.scheduler, task, payload, options, refused) as AsyncIterableIterator<
      TaskPart<M, K>
    >;
  }

  map<K extends MappableTask<M>>(
    task: K,
    inputs: Iterable<TaskInput<M, K>> | AsyncIterable<TaskInput<M, K>>,
    options?: MapOptions,
  ): Promise<TaskResult<M, K>[]> {
    return this.collect(task, JobKind.Chunk, inputs, options) as Promise<TaskResult<M, K>[]>;
  }

  starmap<K extends TaskName<M>>(
    task: K,
    inputs: Iterable<TaskArgs<M, K>> | AsyncIterable<TaskArgs<M, K>>,
    options?: MapOptions,
  ): Promise<TaskResult<M, K>[]> {
    return this.collect(task, JobKind.SpreadChunk, inputs, options) as Promise<TaskResult<M, K>[]>;
  }

  /** `map` and `starmap`: every result, in input order. */
  private async collect(
    task: string,
    kind: typeof JobKind.Chunk | typeof JobKind.SpreadChunk,
    inputs: unknown,
    options: MapOptions | undefined,
  ): Promise<unknown[]> {
    checkCallOptions(options);
    // Chunks are taken as they finish (a slow one does not hold up the rest) and put in place.
    const stream = openChunkStream(this.scheduler, { task, kind }, inputs, options, {
      ordered: false,
    });
    const chunks: FinishedChunk[] = [];
    try {
      for (;;) {
        const chunk = await stream.next();
        if (!chunk) break;
        chunks.push(chunk);
      }
    } finally {
      stream.end();
    }
    // Nearly in order already: the sort is cheap; native concat copies far faster than a loop.
    chunks.sort((a, b) => a.offset - b.offset);
    return flatten(chunks.map((chunk) => chunk.value as unknown[]));
  }

  imap<K extends MappableTask<M>>(
    task: K,
    inputs: Iterable<TaskInput<M, K>> | AsyncIterable<TaskInput<M, K>>,
    options?: IMapOptions,
  ): AsyncIterableIterator<TaskResult<M, K>> {
    return this.iterate(task, JobKind.Chunk, inputs, options) as AsyncIterableIterator<
      TaskResult<M, K>
    >;
  }

  istarmap<K extends TaskName<M>>(
    task: K,
    inputs: Iterable<TaskArgs<M, K>> | AsyncIterable<TaskArgs<M, K>>,
    options?: IMapOptions,
  ): AsyncIterableIterator<TaskResult<M, K>> {
    return this.iterate(task, JobKind.SpreadChunk, inputs, options) as AsyncIterableIterator<
      TaskResult<M, K>
    >;
  }

  /** `imap` and `istarmap`: results as they are read, in order or as they finish. */
  private async *iterate(
    task: string,
    kind: typeof JobKind.Chunk | typeof JobKind.SpreadChunk,
    inputs: unknown,
    options: IMapOptions | undefined,
  ): AsyncIterableIterator<unknown> {
    checkCallOptions(options);
    const ordered = options?.ordered ?? true;
    const stream = openChunkStream(this.scheduler, { task, kind }, inputs, options, { ordered });
    try {
      for (;;) {
        const chunk = await stream.next();
        if (!chunk) return;
        yield* chunk.value as unknown[];
      }
    } finally {
      stream.end();
    }
  }

  async mapReduce<K extends MappableTask<M>, Red extends ReducerName<M, TaskResult<M, K>>>(
    task: K,
    inputs: Iterable<TaskInput<M, K>> | AsyncIterable<TaskInput<M, K>>,
    options: MapReduceOptions<TaskResult<M, K>, Red>,
  ): Promise<TaskResult<M, K>> {
    checkCallOptions(options);
    if (typeof options?.reducer !== 'string') {
      throw new TypeError('mapReduce needs options.reducer: the name of an exported reducer.');
    }
    const reducer = options.reducer;
    const hasInitial = 'initial' in options;
    const stream = openChunkStream(
      this.scheduler,
      { task, kind: JobKind.ChunkReduce, reducer },
      inputs,
      options,
      { ordered: true },
    );
    const partials: unknown[] = [];
    try {
      for (;;) {
        const chunk = await stream.next();
        if (!chunk) break;
        partials.push(chunk.value);
      }
      if (partials.length === 0) {
        if (hasInitial) return options.initial as TaskResult<M, K>;
        throw new TypeError('mapReduce of an empty input with no initial value.');
      }
      if (partials.length === 1 && !hasInitial) return partials[0] as TaskResult<M, K>;
      return (await this.scheduler.submit(
        {
          kind: JobKind.Fold,
          task,
          payload: partials,
          items: partials.length,
          reducer,
          initial: hasInitial ? { value: options.initial } : undefined,
          signal: options.signal,
          timeout: options.timeout,
        },
        { internal: true },
      )) as TaskResult<M, K>;
    } finally {
      stream.end();
    }
  }

  stats(): ExecutorStats {
    return this.scheduler.snapshot();
  }

  close(): Promise<void> {
    return this.scheduler.close();
  }

  terminate(): Promise<void> {
    return this.scheduler.terminate();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Ids of live workers (thread ids or pids): for leak checks in tests. */
  workerIds(): number[] {
    return this.scheduler.workerIds();
  }
}

/**
 * Builds an executor over a backend's transport. Backend packages call this; users call the
 * backend's own `create…Executor`.
 *
 * @param extraOptionKeys - the backend's own option names, so misspellings are reported.
 */
export function createExecutor<M>(
  transport: Transport,
  module: ModuleSpecifier,
  options: ExecutorOptions | undefined,
  extraOptionKeys: readonly string[] = [],
): Executor<M> {
  const resolved = resolveOptions(options, extraOptionKeys);
  return new PoolExecutor<M>(new Scheduler(transport, toModuleUrl(module), resolved));
}

/** Ids (thread ids or pids) of an executor's live workers, for leak checks in tests. */
export function workerIdsOf(executor: Executor<unknown>): number[] {
  if (executor instanceof PoolExecutor) return executor.workerIds();
  return [];
}
