/**
 * Options of the backends whose workers are `node:worker_threads` threads (worker-threads,
 * threadsjs): one definition and one check, so both accept and reject the same values.
 */
import { type ResourceLimits, SHARE_ENV } from 'node:worker_threads';
import type { WorkerInit } from '../wire/protocol.js';
import { checkNiceIncrement, niceInit } from './nice-increment.js';
import { typeStrippingFlag } from './typescript-modules.js';

/** Options passed on to each `node:worker_threads` `Worker` a backend starts. */
export interface ThreadOptions {
  /** V8 heap limits per worker; a worker that exceeds them dies and its tasks reject. */
  readonly resourceLimits?: ResourceLimits;
  /** The workers' `process.env` (default: a copy of the parent's); `SHARE_ENV` shares it. */
  readonly env?: Record<string, string | undefined> | typeof SHARE_ENV;
  /** Node flags of the workers (default: the parent's `process.execArgv`). */
  readonly execArgv?: readonly string[];
  /**
   * Nice levels each worker thread lowers its own CPU priority by as it starts (an integer from
   * 0 to 19, default 0), so that when the workers keep every core busy the host's thread still
   * runs the moment it has a result to take or a job to hand out, so its event loop stays
   * responsive (a map's wall time stays the same). Linux only for threads (elsewhere a thread has
   * no priority of its own, and this does nothing). Cannot be undone for a running worker.
   */
  readonly niceIncrement?: number;
}

/** The keys of {@link ThreadOptions}, for `createExecutor`'s list of a backend's own options. */
export const THREAD_OPTION_KEYS = Object.freeze([
  'resourceLimits',
  'env',
  'execArgv',
  'niceIncrement',
] as const);

/** Throws `TypeError`/`RangeError` when a {@link ThreadOptions} value is malformed. */
export function checkThreadOptions(options: ThreadOptions): void {
  const { resourceLimits, env, execArgv, niceIncrement } = options;
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
  checkNiceIncrement(niceIncrement);
}

/** A thread's init with what {@link ThreadOptions} hands to the worker itself (`niceIncrement`). */
export function threadWorkerInit(options: ThreadOptions, init: WorkerInit): WorkerInit {
  return options.niceIncrement ? { ...init, ...niceInit(options.niceIncrement) } : init;
}

/**
 * The `Worker` constructor options for {@link ThreadOptions} (`execArgv` copied, not shared).
 * For a TypeScript task module on Node 22.6-23.5, the workers' flags (the given `execArgv`, or
 * the host's) get `--experimental-strip-types`.
 *
 * @param moduleUrl - the task module, when known (see `typeStrippingFlag`).
 */
export function threadWorkerOptions(
  options: ThreadOptions,
  moduleUrl?: string,
): {
  resourceLimits: ResourceLimits | undefined;
  env: Record<string, string | undefined> | typeof SHARE_ENV | undefined;
  execArgv: string[] | undefined;
} {
  let execArgv = options.execArgv ? [...options.execArgv] : undefined;
  const flag =
    moduleUrl === undefined
      ? undefined
      : typeStrippingFlag(moduleUrl, execArgv ?? process.execArgv);
  if (flag) execArgv = [...(execArgv ?? process.execArgv), flag];
  return { resourceLimits: options.resourceLimits, env: options.env, execArgv };
}
