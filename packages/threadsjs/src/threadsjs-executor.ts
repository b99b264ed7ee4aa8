/**
 * The host side of the threads.js backend: a transport whose workers are threads.js workers
 * (`spawn(new Worker(…))`) running `./entry/worker.js`, which exposes core's worker runtime.
 * Core's wire messages travel as threads.js calls (host → worker) and as the values of one
 * threads.js observable (worker → host). Everything else is core's scheduler.
 */
import type { TransferListItem, Worker } from 'node:worker_threads';
import {
  checkThreadOptions,
  createExecutor,
  createProgressWords,
  type Executor,
  type ExecutorOptions,
  type HostMessage,
  type ModuleSpecifier,
  THREAD_OPTION_KEYS,
  type ThreadOptions,
  type Transport,
  threadWorkerInit,
  threadWorkerOptions,
  type WorkerEvents,
  type WorkerHandle,
  type WorkerInit,
  type WorkerSetupOptions,
} from '@manyhands/core';
import { threads, type WorkerProxy } from './threads-library.js';

/** Options of {@link createThreadsJsExecutor}: the common ones and `resourceLimits`, `env`, `execArgv`, `niceIncrement`. */
export interface ThreadsJsOptions extends ExecutorOptions, ThreadOptions {}

/** threads.js resolves this relative to the file that calls `new Worker`: this one. */
const ENTRY = './entry/worker.js';

/** What threads.js's `spawn` waits for; see `connect`. */
const INIT_MESSAGE = Object.freeze({ type: 'init', exposed: { type: 'module', methods: [] } });

function connect(worker: Worker, progress: Int32Array, events: WorkerEvents): WorkerHandle {
  let thread: WorkerProxy | undefined;
  let exited = false;
  let error: unknown;
  /** Messages sent before `spawn` resolved: only `stop`/`cancel` (jobs wait for `ready`). */
  let early: HostMessage[] = [];

  // threads.js turns a postMessage that cannot clone into a rejected promise; the scheduler
  // needs it thrown at once, to reject just that job with NotCloneableError.
  const nativePost = worker.postMessage.bind(worker);
  let cloneFailure: { error: unknown } | undefined;
  worker.postMessage = (value, transfer) => {
    try {
      nativePost(value, transfer);
    } catch (e) {
      cloneFailure = { error: e };
      throw e;
    }
  };
  const takeCloneFailure = () => {
    const failure = cloneFailure;
    cloneFailure = undefined;
    return failure;
  };

  const post = (
    proxy: WorkerProxy,
    message: HostMessage,
    transfer?: readonly TransferListItem[],
  ) => {
    takeCloneFailure();
    const call = proxy.send(transfer?.length ? threads.Transfer(message, transfer) : message);
    const failure = takeCloneFailure();
    if (failure) {
      call.then(undefined, () => {}); // reported here; keep threads.js's copy from going unhandled
      throw failure.error;
    }
  };

  const spawning = threads.spawn<WorkerProxy>(worker);
  // threads.js's `spawn` keeps a 10 s timer until the worker's init message arrives and never
  // clears it when the wait fails: a worker that exits before `expose()` (killed at start, entry
  // failed) would hold the host process open for 10 s. Node drops a worker's 'message' listeners
  // before 'exit', so keep spawn's (added synchronously, the only ones) to hand it the message.
  const handshake = worker.listeners('message');
  worker.on('error', (e) => {
    error = e;
  });
  worker.on('exit', (exitCode) => {
    exited = true;
    if (!thread) for (const listener of handshake) listener(INIT_MESSAGE);
    events.exit({ exitCode, signal: null, error });
  });
  spawning.then(
    (spawned) => {
      if (exited) return;
      thread = spawned;
      spawned.messages().subscribe({
        next: events.message,
        error: (e) => {
          error ??= e;
          void worker.terminate();
        },
      });
      for (const message of early) post(spawned, message);
      early = [];
    },
    (e: unknown) => {
      error ??= e;
      void worker.terminate();
    },
  );

  return {
    id: worker.threadId,
    progress,
    send: (message, transfer) => {
      if (exited) return;
      if (thread) post(thread, message, transfer);
      else early.push(message);
    },
    terminate: () => {
      if (thread) void threads.Thread.terminate(thread);
      else void worker.terminate();
    },
    ref: () => worker.ref(),
    unref: () => worker.unref(),
  };
}

class ThreadsJsTransport implements Transport {
  readonly name = 'threadsjs';
  readonly canInterrupt = true;
  private readonly options: ThreadsJsOptions;

  constructor(options: ThreadsJsOptions) {
    this.options = options;
  }

  spawn(init: WorkerInit, events: WorkerEvents): WorkerHandle {
    const progress = createProgressWords();
    const worker = new threads.Worker(ENTRY, {
      workerData: { init: threadWorkerInit(this.options, init), progress },
      ...threadWorkerOptions(this.options, init.module),
    });
    return connect(worker, progress, events);
  }
}

/**
 * Creates an executor whose workers are threads.js workers (threads 1.7.0), with the same API,
 * semantics and errors as every other manyhands backend. For comparing with, and migrating from,
 * threads.js; `@manyhands/worker-threads` is the faster choice for new code.
 *
 * @typeParam M - the task module's type: `typeof import('./tasks.js')`.
 * @param module - the task module: `new URL('./tasks.js', import.meta.url)` or a file path.
 * @example
 * ```ts
 * import { createThreadsJsExecutor } from '@manyhands/threadsjs';
 * const pool = createThreadsJsExecutor<typeof import('./tasks.js')>(
 *   new URL('./tasks.js', import.meta.url), { workers: 4 });
 * const results = await pool.map('factorial', inputs);
 * await pool.close();
 * ```
 */
export function createThreadsJsExecutor<M>(
  module: ModuleSpecifier,
  options: ThreadsJsOptions & WorkerSetupOptions<M> = {},
): Executor<M> {
  const executor = createExecutor<M>(
    new ThreadsJsTransport(options),
    module,
    options,
    THREAD_OPTION_KEYS,
  );
  checkThreadOptions(options ?? {});
  return executor;
}
