/**
 * Starts `manyhands-worker` processes on this machine: for tests, benchmarks, and using every
 * core of one machine (one node per core). On several machines, run the CLI itself.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type ModuleSpecifier, toModuleUrl } from '@manyhands/core';
import { SERVING_MARK } from './worker-node.js';

/** Options of {@link startWorkerNodes}. */
export interface StartWorkerNodesOptions {
  /** The task module the nodes serve. */
  readonly tasks: ModuleSpecifier;
  /** The queue they serve. */
  readonly queue: string;
  /** Redis URL (passed through the environment, so a password does not show in `ps`). */
  readonly redis?: string;
  /** How many node processes (default 1). */
  readonly count?: number;
  /** Extra `manyhands-worker` flags, e.g. `['--concurrency', '4', '--lock-duration', '2000']`. */
  readonly args?: readonly string[];
  /** Receives every line the nodes print, prefixed with the node's pid (default: dropped). */
  readonly log?: (line: string) => void;
  /** How long a node may take to start serving (default 30 000 ms). */
  readonly startTimeout?: number;
  /**
   * A command that runs each node, the node's own command line appended: e.g.
   * `['taskset', '-c', '3']`, or `['ip', 'netns', 'exec', 'host1']` to start it in a network
   * namespace. It must exec the node in place (same pid), as these do. Default: none.
   */
  readonly launcher?: readonly string[];
}

/** Node processes started by {@link startWorkerNodes}. */
export interface WorkerNodeProcesses {
  /** The child processes, in start order. */
  readonly processes: readonly ChildProcess[];
  /** Sends SIGTERM to every node still running and waits for them to exit (SIGKILL after `graceMs`, default 10 000). */
  stop(graceMs?: number): Promise<void>;
}

const CLI = fileURLToPath(new URL('./entry/worker-node-cli.js', import.meta.url));

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function startOne(options: StartWorkerNodesOptions): Promise<ChildProcess> {
  const env = { ...process.env };
  if (options.redis !== undefined) env.MANYHANDS_REDIS_URL = options.redis;
  const [command, ...prefix] = [...(options.launcher ?? []), process.execPath];
  const child = spawn(
    command as string,
    [
      ...prefix,
      CLI,
      '--queue',
      options.queue,
      '--tasks',
      toModuleUrl(options.tasks),
      // Its stdin is our pipe: if this process dies, the node stops instead of living on.
      '--stop-on-stdin-close',
      ...(options.args ?? []),
    ],
    { env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    let serving = false;
    const onLine = (line: string): void => {
      options.log?.(`[${child.pid}] ${line}`);
      if (!serving && line.includes(SERVING_MARK)) {
        serving = true;
        clearTimeout(timer);
        resolve(child);
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      // Always drained: a full pipe would block the node.
      stream?.setEncoding('utf8').on('data', (text: string) => {
        if (!serving) output += text;
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      });
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`manyhands-worker did not start serving in time:\n${output}`));
    }, options.startTimeout ?? 30_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!serving) {
        reject(
          new Error(
            `manyhands-worker exited (${signal ?? `code ${code}`}) before serving:\n${output}`,
          ),
        );
      }
    });
  });
}

/**
 * Starts `count` worker node processes and resolves once each serves the queue.
 *
 * @example
 * ```ts
 * const nodes = await startWorkerNodes({ tasks: new URL('./tasks.js', import.meta.url), queue: 'fact', count: 4 });
 * const pool = createBullmqExecutor(new URL('./tasks.js', import.meta.url), { queue: 'fact' });
 * // …
 * await pool.close();
 * await nodes.stop();
 * ```
 */
export async function startWorkerNodes(
  options: StartWorkerNodesOptions,
): Promise<WorkerNodeProcesses> {
  const count = options.count ?? 1;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`Option "count" must be an integer >= 1, got ${count}.`);
  }
  const { launcher } = options;
  if (
    launcher !== undefined &&
    (!Array.isArray(launcher) ||
      launcher.length === 0 ||
      launcher.some((part) => typeof part !== 'string' || part === ''))
  ) {
    throw new TypeError('Option "launcher" must be a non-empty array of non-empty strings.');
  }
  const started = await Promise.allSettled(Array.from({ length: count }, () => startOne(options)));
  const processes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stop = async (graceMs = 10_000): Promise<void> => {
    await Promise.all(
      processes.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited(child);
        clearTimeout(timer);
      }),
    );
  };
  const failure = started.find((r) => r.status === 'rejected');
  if (failure) {
    await stop(0);
    throw (failure as PromiseRejectedResult).reason;
  }
  return { processes, stop };
}
