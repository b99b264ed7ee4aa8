/**
 * The host side of the cluster backend: a transport whose workers are `cluster.fork()`
 * processes running `./entry/cluster-worker.js`. Everything else is core's scheduler.
 */
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
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
import { forkWith } from './cluster-fork.js';

/**
 * Options of {@link createClusterExecutor}: the common ones, plus `execArgv` (default `[]`,
 * not the host's), `env`, `cwd`, `stdio` (default `'inherit'`) and `maxOldGenerationSizeMb`.
 */
export interface ClusterOptions extends ExecutorOptions, ProcessOptions {}

const ENTRY = fileURLToPath(new URL('./entry/cluster-worker.js', import.meta.url));

class ClusterTransport implements Transport {
  readonly name = 'cluster';
  readonly canInterrupt = true;
  /** Tiny tasks' replies come within tens of µs: the host keeps its loop turning that long. */
  readonly replySpinMs = 0.25;
  private readonly options: ProcessOptions;

  constructor(options: ProcessOptions) {
    this.options = options;
  }

  spawn(init: WorkerInit, events: WorkerEvents): WorkerHandle {
    const { forwardOutput, env, cwd, execArgv, stdio, serialization } = processSpawnSettings(
      this.options,
      init,
    );
    const worker = forkWith(
      {
        exec: ENTRY,
        args: [],
        execArgv,
        cwd: cwd instanceof URL ? fileURLToPath(cwd) : cwd,
        serialization,
        silent: false,
        stdio,
        windowsHide: true,
        uid: undefined,
        gid: undefined,
        inspectPort: undefined,
      },
      env,
    );
    // The cluster Worker re-emits its process's errors; the handle below deals with them there.
    worker.on('error', () => {});
    return wrapChildProcess(worker.process, events, { forwardOutput });
  }
}

/**
 * Creates an executor whose workers are Node processes started with `cluster.fork()`, so task
 * code can share listening ports the way cluster workers do. Must be called in the primary.
 *
 * @typeParam M - the task module's type: `typeof import('./tasks.js')`.
 * @param module - the task module: `new URL('./tasks.js', import.meta.url)` or a file path.
 * @throws Error when called in a cluster worker rather than the primary.
 * @example
 * ```ts
 * import { createClusterExecutor } from '@manyhands/cluster';
 * const pool = createClusterExecutor<typeof import('./tasks.js')>(
 *   new URL('./tasks.js', import.meta.url), { workers: 4 });
 * const results = await pool.map('factorial', inputs);
 * await pool.close();
 * ```
 */
export function createClusterExecutor<M>(
  module: ModuleSpecifier,
  options: ClusterOptions & WorkerSetupOptions<M> = {},
): Executor<M> {
  if (!cluster.isPrimary) {
    throw new Error(
      '@manyhands/cluster: createClusterExecutor() must be called in the cluster primary; this ' +
        'process is a cluster worker. Create the executor in the primary, or use ' +
        '@manyhands/child-process or @manyhands/worker-threads inside workers.',
    );
  }
  const executor = createExecutor<M>(
    new ClusterTransport(options),
    module,
    options,
    PROCESS_OPTION_KEYS,
  );
  checkProcessOptions(options);
  return executor;
}
