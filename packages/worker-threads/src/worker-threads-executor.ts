/**
 * The host side of the worker_threads backend: a transport that starts `node:worker_threads`
 * workers running `./entry/worker.js`. Everything else is core's scheduler.
 */
import { type ResourceLimits, SHARE_ENV, type TransferListItem, Worker } from 'node:worker_threads';
import {
  createExecutor,
  type Executor,
  type ExecutorOptions,
  type ModuleSpecifier,
  type Transport,
  type WorkerEvents,
  type WorkerHandle,
  type WorkerInit,
} from '@manyhands/core';

/** Options of {@link createWorkerThreadsExecutor}. */
export interface WorkerThreadsOptions extends ExecutorOptions {
  /** V8 heap limits per worker; a worker that exceeds them dies and its tasks reject. */
  readonly resourceLimits?: ResourceLimits;
  /** The workers' `process.env` (default: a copy of the parent's); `SHARE_ENV` shares it. */
  readonly env?: Record<string, string | undefined> | typeof SHARE_ENV;
  /** Node flags of the workers (default: the parent's `process.execArgv`). */
  readonly execArgv?: readonly string[];
}

const OWN_OPTIONS = ['resourceLimits', 'env', 'execArgv'] as const;

const ENTRY = new URL('./entry/worker.js', import.meta.url);

function checkOwnOptions(options: WorkerThreadsOptions): void {
  const { resourceLimits, env, execArgv } = options;
  if (resourceLimits !== undefined) {
    if (typeof resourceLimits !== 'object' || resourceLimits === null) {
      throw new TypeError('Option "resourceLimits" must be an object.');
    }
    for (const [key, value] of Object.entries(resourceLimits)) {
      if (typeof value !== 'number' || !(value > 0)) {
        throw new RangeError(`Option "resourceLimits.${key}" must be a positive number.`);
      }
    }
  }
  if (env !== undefined && env !== SHARE_ENV && (typeof env !== 'object' || env === null)) {
    throw new TypeError('Option "env" must be an object or SHARE_ENV.');
  }
  if (
    execArgv !== undefined &&
    (!Array.isArray(execArgv) || execArgv.some((a) => typeof a !== 'string'))
  ) {
    throw new TypeError('Option "execArgv" must be an array of strings.');
  }
}

class WorkerThreadsTransport implements Transport {
  readonly name = 'worker-threads';
  readonly canInterrupt = true;
  private readonly options: WorkerThreadsOptions;

  constructor(options: WorkerThreadsOptions) {
    this.options = options;
  }

  spawn(init: WorkerInit, events: WorkerEvents): WorkerHandle {
    const progress = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(ENTRY, {
      workerData: { init, progress },
      resourceLimits: this.options.resourceLimits,
      env: this.options.env,
      execArgv: this.options.execArgv ? [...this.options.execArgv] : undefined,
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
      send: (message, transfer) =>
        worker.postMessage(message, transfer as TransferListItem[] | undefined),
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
  options: WorkerThreadsOptions = {},
): Executor<M> {
  const executor = createExecutor<M>(
    new WorkerThreadsTransport(options),
    module,
    options,
    OWN_OPTIONS,
  );
  checkOwnOptions(options ?? {});
  return executor;
}
