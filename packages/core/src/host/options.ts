/**
 * Options every backend accepts, their defaults, and their validation (at construction:
 * `TypeError` for a wrong type, `RangeError` for a value out of range).
 */
import { availableParallelism } from 'node:os';
import {
  type ResolvedSetupOptions,
  resolveSetupOptions,
  SETUP_OPTION_KEYS,
} from './setup-options.js';
import type { WorkerSetup } from './types.js';

/**
 * The longest delay a Node timer can hold: 2^31 - 1 ms (about 24.8 days). Node fires a timer
 * armed with more after 1 ms, so no timeout option may exceed it; `Infinity` means "no limit".
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Most workers one executor may have. Each is a thread or a process with its own heap; past a
 * few per core they only add memory and scheduling cost, and thousands exhaust the machine.
 */
export const MAX_WORKERS = 1024;

/** Options every executor accepts. */
export interface ExecutorOptions {
  /**
   * Number of workers (default: `os.availableParallelism()`): an integer from 1 to
   * {@link MAX_WORKERS} (1024), else `RangeError`.
   */
  readonly workers?: number;
  /**
   * Most tasks running at once in one worker (default: unbounded). Sync tasks hold the worker's
   * thread, so they run one at a time whatever this says; async tasks that await IO overlap.
   * Lower it to bound, say, open sockets per worker.
   */
  readonly concurrency?: number;
  /**
   * Most tasks waiting for a worker (default: unbounded). Past it, calls reject with
   * `QueueFullError`. An integer >= 1, or `Infinity`; `0` is a `RangeError` (it would refuse
   * every call, even on an idle pool).
   */
  readonly maxQueue?: number;
  /**
   * Stop a worker after this many idle milliseconds (default: never; idle workers never keep
   * the process alive). An integer from 0 to {@link MAX_TIMER_MS} (2^31 - 1), or `Infinity` for
   * never; larger values are a `RangeError` (Node's timers cannot hold them).
   */
  readonly idleTimeout?: number;
  /** Replace a worker after it has run this many tasks, like Python's `maxtasksperchild` (default: never). */
  readonly recycleAfter?: number;
  /**
   * How long a new worker may take to load the task module, in ms (default 30,000; remote
   * backends wait for a worker node by default). A worker not ready by then is stopped and the
   * calls waiting for it reject with `WorkerStartError` naming the module (an import that never
   * finishes, say). An integer from 1 to {@link MAX_TIMER_MS}, or `Infinity` to wait forever.
   */
  readonly startTimeout?: number;
  /**
   * Most ms a `teardown` may run before its worker is ended anyway (default 5,000): an
   * integer from 0 to 2^31 - 1. A teardown stuck in a synchronous loop is cut off by ending
   * the worker (5 s later), so `close()` always settles.
   */
  readonly teardownTimeout?: number;
  /**
   * Replace a worker, politely, after the task that took its V8 heap (`heapUsed` of the
   * worker's own isolate: its thread on worker-threads, its process on child-process and
   * cluster) past this many MiB (default: never). Its results are delivered, the jobs it holds
   * finish on it, and queued work goes to the other workers and its replacement. A number > 0,
   * or `Infinity`.
   */
  readonly recycleAtMemoryMb?: number;
  /**
   * Measure how much each task grows its worker's heap, reported per task by
   * `stats().heapGrowth` (default: on when `recycleAtMemoryMb` is set; costs about a
   * microsecond per job).
   */
  readonly trackHeap?: boolean;
}

/** {@link ExecutorOptions} with every default filled in. */
export interface ResolvedOptions extends ResolvedSetupOptions {
  readonly workers: number;
  readonly concurrency: number;
  readonly maxQueue: number;
  readonly idleTimeout: number;
  readonly recycleAfter: number;
  /** The caller's `startTimeout`, when given (the transport's default applies otherwise). */
  readonly startTimeout: number | undefined;
}

function checkCount(
  name: string,
  value: unknown,
  min: number,
  allowInfinity: boolean,
  max = Number.MAX_SAFE_INTEGER,
): void {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`Option "${name}" must be a number, got ${describe(value)}.`);
  }
  if (value === Number.POSITIVE_INFINITY && allowInfinity) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new RangeError(
      `Option "${name}" must be an integer ${range}${allowInfinity ? ' or Infinity' : ''}, got ${value}.`,
    );
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return value === null ? 'null' : typeof value;
}

const knownOptions = new Set([
  'workers',
  'concurrency',
  'maxQueue',
  'idleTimeout',
  'recycleAfter',
  'startTimeout',
  ...SETUP_OPTION_KEYS,
]);

/**
 * Validates the common options and fills in defaults. `extraKeys` names the backend's own
 * options, so a misspelt option is reported rather than silently ignored.
 */
export function resolveOptions(
  options: unknown,
  extraKeys: readonly string[] = [],
): ResolvedOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`Executor options must be an object, got ${describe(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!knownOptions.has(key) && !extraKeys.includes(key)) {
      throw new TypeError(
        `Unknown option "${key}". Known options: ${[...knownOptions, ...extraKeys].join(', ')}.`,
      );
    }
  }
  const o = options as ExecutorOptions & WorkerSetup;
  const resolved: ResolvedOptions = {
    ...resolveSetupOptions(o, MAX_TIMER_MS),
    workers: o.workers ?? availableParallelism(),
    concurrency: o.concurrency ?? Number.POSITIVE_INFINITY,
    maxQueue: o.maxQueue ?? Number.POSITIVE_INFINITY,
    idleTimeout: o.idleTimeout ?? Number.POSITIVE_INFINITY,
    recycleAfter: o.recycleAfter ?? Number.POSITIVE_INFINITY,
    startTimeout: o.startTimeout,
  };
  checkCount('workers', resolved.workers, 1, false, MAX_WORKERS);
  checkCount('concurrency', resolved.concurrency, 1, true);
  checkCount('maxQueue', resolved.maxQueue, 1, true);
  checkCount('idleTimeout', resolved.idleTimeout, 0, true, MAX_TIMER_MS);
  checkCount('recycleAfter', resolved.recycleAfter, 1, true);
  if (resolved.startTimeout !== undefined) {
    checkCount('startTimeout', resolved.startTimeout, 1, true, MAX_TIMER_MS);
  }
  return resolved;
}

/**
 * Validates per-call `timeout`, `signal` and `retries`. `timeout` is milliseconds, > 0 and at
 * most {@link MAX_TIMER_MS} (2^31 - 1), or `Infinity` for no limit; past that, `RangeError`.
 */
export function checkCallOptions(
  options:
    | {
        timeout?: unknown;
        signal?: unknown;
        retries?: unknown;
        onProgress?: unknown;
        highWaterMark?: unknown;
      }
    | undefined,
): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Call options must be an object, got ${describe(options)}.`);
  }
  if (options.timeout !== undefined) {
    if (typeof options.timeout !== 'number' || Number.isNaN(options.timeout)) {
      throw new TypeError(`Option "timeout" must be a number, got ${describe(options.timeout)}.`);
    }
    const timeout = options.timeout;
    if (timeout <= 0 || (timeout > MAX_TIMER_MS && timeout !== Number.POSITIVE_INFINITY)) {
      throw new RangeError(
        `Option "timeout" must be > 0 and <= ${MAX_TIMER_MS} ms (about 24.8 days), or Infinity ` +
          `for no limit, got ${timeout}.`,
      );
    }
  }
  if (options.retries !== undefined) checkCount('retries', options.retries, 0, false);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new TypeError(
      `Option "onProgress" must be a function, got ${describe(options.onProgress)}.`,
    );
  }
  if (options.highWaterMark !== undefined) {
    checkCount('highWaterMark', options.highWaterMark, 1, false);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError('Option "signal" must be an AbortSignal.');
  }
}

/**
 * The delay to arm a timer with for a validated `timeout`/`idleTimeout`: `undefined` when there
 * is no limit (`Infinity`, `undefined`, `NaN`), else `ms` kept within 1..{@link MAX_TIMER_MS},
 * so a timer never overflows into Node's 1 ms fallback.
 */
export function safeTimerMs(ms: number | undefined): number | undefined {
  if (ms === undefined || Number.isNaN(ms) || ms === Number.POSITIVE_INFINITY) return undefined;
  return Math.min(Math.max(ms, 1), MAX_TIMER_MS);
}

/**
 * `setTimeout(callback, ms)` that never overflows: returns `undefined` (no timer) when `ms` means
 * no limit (see {@link safeTimerMs}). For the scheduler's call timeouts and idle timers.
 *
 * @example
 * ```ts
 * job.timer = armTimer(() => this.cancel(job, new TaskTimeoutError(task, timeout), true), timeout);
 * ```
 */
export function armTimer(callback: () => void, ms: number | undefined): NodeJS.Timeout | undefined {
  const delay = safeTimerMs(ms);
  return delay === undefined ? undefined : setTimeout(callback, delay);
}
