/**
 * The host side of the worker_threads backend: a transport that starts `node:worker_threads`
 * workers running `./entry/worker.js`. Everything else is core's scheduler.
 */
import { type TransferListItem, Worker } from 'node:worker_threads';
import {
  checkThreadOptions,
  createExecutor,
  createProgressWords,
  type Executor,
  type ExecutorOptions,
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

/** Options of {@link createWorkerThreadsExecutor}: the common ones and `resourceLimits`, `env`, `execArgv`, `niceIncrement`. */
export interface WorkerThreadsOptions extends ExecutorOptions, ThreadOptions {}

const ENTRY = new URL('./entry/worker.js', import.meta.url);

class WorkerThreadsTransport implements Transport {
  readonly name = 'worker-threads';
  readonly canInterrupt = true;
  /** Tiny tasks' replies come within tens of µs: keep the loop turning that long after a send. */
  readonly replySpinMs = 0.25;
  private readonly options: WorkerThreadsOptions;

  constructor(options: WorkerThreadsOptions) {
    this.options = options;
  }

  spawn(init: WorkerInit, events: WorkerEvents): WorkerHandle {
    const progress = createProgressWords();
    const worker = new Worker(ENTRY, {
      workerData: { init: threadWorkerInit(this.options, init), progress },
      ...threadWorkerOptions(this.options, init.module),
    });
    let error: unknown;
    worker.on('message', events.message);
    worker.on('error', (e) => {
      error = e;
    });
    worker.on('exit', (exitCode) => events.exit({ exitCode, signal: null, error }));
    return {
      id: worker.threadId,
      progress,
      send: (message, transfer) => {
        worker.postMessage(message, transfer as TransferListItem[] | undefined);
      },
      terminate: () => {
        void worker.terminate();
      },
      ref: () => worker.ref(),
      unref: () => worker.unref(),
    };
  }
}

/**
 * Creates an executor whose workers are `node:worker_threads` threads.
 *
 * @typeParam M - the task module's type: `typeof import('./tasks.js')`.
 * @param module - the task module: `new URL('./tasks.js', import.meta.url)` or a file path.
 * @example
 * ```ts
 * import { createWorkerThreadsExecutor } from '@manyhands/worker-threads';
 * const pool = createWorkerThreadsExecutor<typeof import('./tasks.js')>(
 *   new URL('./tasks.js', import.meta.url), { workers: 4 });
 * const results = await pool.map('factorial', inputs);
 * await pool.close();
 * ```
 */
export function createWorkerThreadsExecutor<M>(
  module: ModuleSpecifier,
  options: WorkerThreadsOptions & WorkerSetupOptions<M> = {},
): Executor<M> {
  const executor = createExecutor<M>(
    new WorkerThreadsTransport(options),
    module,
    options,
    THREAD_OPTION_KEYS,
  );
  checkThreadOptions(options ?? {});
  return executor;
}
