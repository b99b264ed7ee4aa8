/**
 * `cluster.fork()` with our settings, without disturbing anyone else's. `cluster.setupPrimary()`
 * is process-global and a bare `cluster.fork()` runs whatever `cluster.settings.exec` says (by
 * default the primary's own script), so each fork applies the full settings it needs right
 * before forking and restores the previous ones right after, in one synchronous step. Two
 * executors, or an app that set up cluster for its own workers, each keep forking their file.
 */
import cluster, { type ClusterSettings, type Worker } from 'node:cluster';

/** Every `ClusterSettings` key that shapes a fork, so nothing of a previous setup leaks in. */
export type ForkSettings = Required<
  Pick<
    ClusterSettings,
    'exec' | 'args' | 'execArgv' | 'serialization' | 'silent' | 'stdio' | 'windowsHide'
  >
> &
  Pick<ClusterSettings, 'cwd' | 'uid' | 'gid' | 'inspectPort'>;

const executorWorkers = new WeakSet<Worker>();

/**
 * Whether a cluster worker was forked by a manyhands cluster executor. Executor workers appear
 * in `cluster.workers` and in cluster's events like any other; an app that, say, re-forks every
 * worker that exits can use this to leave the executor's workers to the executor.
 *
 * @example
 * ```ts
 * cluster.on('exit', (worker) => {
 *   if (!isExecutorWorker(worker)) cluster.fork();
 * });
 * ```
 */
export function isExecutorWorker(worker: Worker): boolean {
  return executorWorkers.has(worker);
}

/**
 * Forks one cluster worker with `settings` and exactly the environment `env` (cluster merges a
 * fork's env onto `process.env`: variables absent from `env` are masked as undefined, which
 * spawn leaves out).
 */
export function forkWith(
  settings: ForkSettings,
  env: Readonly<Record<string, string | undefined>>,
): Worker {
  const previous = cluster.settings;
  const overlay: Record<string, string | undefined> = {};
  for (const key of Object.keys(process.env)) overlay[key] = undefined;
  Object.assign(overlay, env);
  try {
    cluster.setupPrimary(settings);
    const worker = cluster.fork(overlay);
    executorWorkers.add(worker);
    return worker;
  } finally {
    // There is no public way back to "never set up": put the previous object back as it was.
    (cluster as { settings: ClusterSettings }).settings = previous;
  }
}
