/**
 * The host side of the child_process backend: a transport that forks Node processes running
 * `./entry/child.js`. Everything else is core's scheduler.
 */
import { fork } from 'node:child_process';
import {
  createExecutor,
  type Executor,
  type ExecutorOptions,
  type ModuleSpecifier,
  type Transport,
  type WorkerEvents,
  type WorkerHandle,
  type WorkerInit,
  type WorkerSetupOptions,
} from '@manyhands/core';
import {
  checkProcessOptions,
  PROCESS_OPTION_KEYS,
  type ProcessOptions,
  processSpawnSettings,
  wrapChildProcess,
} from '@manyhands/core/process';

/**
 * Options of {@link createChildProcessExecutor}: the common ones, plus `execArgv` (default
 * `[]`, not the host's), `env`, `cwd`, `stdio` (default `'inherit'`) and
 * `maxOldGenerationSizeMb`.
 */
export interface ChildProcessOptions extends ExecutorOptions, ProcessOptions {}

const ENTRY = new URL('./entry/child.js', import.meta.url);

class ChildProcessTransport implements Transport {
  readonly name = 'child-process';
  readonly canInterrupt = true;
  /** Tiny tasks' replies come within tens of µs: the host keeps its loop turning that long. */
  readonly replySpinMs = 0.25;
  private readonly options: ProcessOptions;

  constructor(options: ProcessOptions) {
    this.options = options;
  }

  spawn(init: WorkerInit, events: WorkerEvents): WorkerHandle {
    const { forwardOutput, ...settings } = processSpawnSettings(this.options, init);
    const child = fork(ENTRY, [], settings);
    return wrapChildProcess(child, events, { forwardOutput });
  }
}

/**
 * Creates an executor whose workers are Node processes started with `child_process.fork`.
 * Arguments, results and errors cross by structured clone (V8's serializer) on a pipe of their
 * own beside the IPC channel.
 *
 * @typeParam M - the task module's type: `typeof import('./tasks.js')`.
 * @param module - the task module: `new URL('./tasks.js', import.meta.url)` or a file path.
 * @example
 * ```ts
 * import { createChildProcessExecutor } from '@manyhands/child-process';
 * const pool = createChildProcessExecutor<typeof import('./tasks.js')>(
 *   new URL('./tasks.js', import.meta.url), { workers: 4, maxOldGenerationSizeMb: 512 });
 * const results = await pool.map('factorial', inputs);
 * await pool.close();
 * ```
 */
export function createChildProcessExecutor<M>(
  module: ModuleSpecifier,
  options: ChildProcessOptions & WorkerSetupOptions<M> = {},
): Executor<M> {
  const executor = createExecutor<M>(
    new ChildProcessTransport(options),
    module,
    options,
    PROCESS_OPTION_KEYS,
  );
  checkProcessOptions(options);
  return executor;
}
