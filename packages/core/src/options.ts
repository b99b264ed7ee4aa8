/**
 * Options every backend accepts, their defaults, and their validation (at construction:
 * `TypeError` for a wrong type, `RangeError` for a value out of range).
 */
import { availableParallelism } from 'node:os';

/** Options every executor accepts. */
export interface ExecutorOptions {
  /** Number of workers (default: `os.availableParallelism()`). */
  readonly workers?: number;
  /**
   * Most tasks running at once in one worker (default: unbounded). Sync tasks hold the worker's
   * thread, so they run one at a time whatever this says; async tasks that await IO overlap.
   * Lower it to bound, say, open sockets per worker.
   */
  readonly concurrency?: number;
  /** Most tasks waiting for a worker (default: unbounded). Past it, calls reject with `QueueFullError`. */
  readonly maxQueue?: number;
  /** Stop a worker after this many idle milliseconds (default: never; idle workers never keep the process alive). */
  readonly idleTimeout?: number;
  /** Replace a worker after it has run this many tasks, like Python's `maxtasksperchild` (default: never). */
  readonly recycleAfter?: number;
}

/** {@link ExecutorOptions} with every default filled in. */
export interface ResolvedOptions {
  readonly workers: number;
  readonly concurrency: number;
  readonly maxQueue: number;
  readonly idleTimeout: number;
  readonly recycleAfter: number;
}

function checkCount(name: string, value: unknown, min: number, allowInfinity: boolean): void {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`Option "${name}" must be a number, got ${describe(value)}.`);
  }
  if (value === Number.POSITIVE_INFINITY && allowInfinity) return;
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(
      `Option "${name}" must be an integer >= ${min}${allowInfinity ? ' or Infinity' : ''}, got ${value}.`,
    );
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return value === null ? 'null' : typeof value;
}

const knownOptions = new Set(['workers', 'concurrency', 'maxQueue', 'idleTimeout', 'recycleAfter']);

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
  const o = options as ExecutorOptions;
  const resolved = {
    workers: o.workers ?? availableParallelism(),
    concurrency: o.concurrency ?? Number.POSITIVE_INFINITY,
    maxQueue: o.maxQueue ?? Number.POSITIVE_INFINITY,
    idleTimeout: o.idleTimeout ?? Number.POSITIVE_INFINITY,
    recycleAfter: o.recycleAfter ?? Number.POSITIVE_INFINITY,
  };
  checkCount('workers', resolved.workers, 1, false);
  checkCount('concurrency', resolved.concurrency, 1, true);
  checkCount('maxQueue', resolved.maxQueue, 0, true);
  checkCount('idleTimeout', resolved.idleTimeout, 0, true);
  checkCount('recycleAfter', resolved.recycleAfter, 1, true);
  return resolved;
}

/** Validates per-call `timeout`, `signal` and `retries`. */
export function checkCallOptions(
  options: { timeout?: unknown; signal?: unknown; retries?: unknown } | undefined,
): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Call options must be an object, got ${describe(options)}.`);
  }
  if (options.timeout !== undefined) {
    if (typeof options.timeout !== 'number' || Number.isNaN(options.timeout)) {
      throw new TypeError(`Option "timeout" must be a number, got ${describe(options.timeout)}.`);
    }
    if (options.timeout <= 0)
      throw new RangeError(`Option "timeout" must be > 0, got ${options.timeout}.`);
  }
  if (options.retries !== undefined) checkCount('retries', options.retries, 0, false);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError('Option "signal" must be an AbortSignal.');
  }
}
