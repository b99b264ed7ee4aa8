/**
 * The options both process backends (child_process, cluster) accept on top of the common ones,
 * their validation, and the spawn settings they turn into.
 */

import { checkNiceIncrement, niceInit } from '../host/nice-increment.js';
import { typeStrippingFlag } from '../host/typescript-modules.js';
import type { WorkerInit } from '../wire/protocol.js';
import { encodeWorkerInit, WORKER_INIT_ENV } from './init-env.js';

/**
 * Where a worker process's stdout and stderr go.
 * - `'inherit'`: straight to this process's file descriptors 1 and 2 (no copy through the host).
 * - `'forward'`: piped through this process's `process.stdout`/`process.stderr` streams, so
 *   whatever intercepts them (a test runner, a logger) sees it too; a worker's exit is reported
 *   once its output has been copied.
 * - `'ignore'`: discarded.
 *
 * A worker's stdin is never connected: it must not compete with the host for input.
 */
export type ProcessOutput = 'inherit' | 'forward' | 'ignore';

/** Options of the process backends, on top of the common `ExecutorOptions`. */
export interface ProcessOptions {
  /**
   * Node flags of the worker processes (default `[]`). Workers do not inherit the host's
   * `process.execArgv` (a test runner's loader flags, `--inspect`…) unless you pass it here.
   */
  readonly execArgv?: readonly string[];
  /** The workers' environment (default: a copy of `process.env` at spawn time). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The workers' working directory (default: the host's). */
  readonly cwd?: string | URL;
  /** Where the workers' stdout and stderr go (default `'inherit'`). See {@link ProcessOutput}. */
  readonly stdio?: ProcessOutput;
  /**
   * V8 old-generation heap limit of each worker, in MiB (`--max-old-space-size`). A worker that
   * exceeds it dies; its tasks reject with `WorkerExitError` and it is replaced.
   */
  readonly maxOldGenerationSizeMb?: number;
  /**
   * Nice levels each worker process lowers its CPU priority by as it starts (an integer from 0
   * to 19, default 0), so that when the workers keep every core busy the host's thread still
   * runs the moment it has a result to take or a job to hand out, so its event loop stays
   * responsive (a map's wall time stays the same). Cannot be undone for a running worker.
   */
  readonly niceIncrement?: number;
}

/** Names of {@link ProcessOptions}' keys, for `createExecutor`'s unknown-option check. */
export const PROCESS_OPTION_KEYS: readonly string[] = Object.freeze([
  'execArgv',
  'env',
  'cwd',
  'stdio',
  'maxOldGenerationSizeMb',
  'niceIncrement',
]);

const OUTPUTS: readonly ProcessOutput[] = ['inherit', 'forward', 'ignore'];

/** Throws `TypeError` (wrong type) or `RangeError` (bad value) for invalid process options. */
export function checkProcessOptions(options: ProcessOptions): void {
  const { execArgv, env, cwd, stdio, maxOldGenerationSizeMb, niceIncrement } = options;
  if (
    execArgv !== undefined &&
    (!Array.isArray(execArgv) || execArgv.some((a) => typeof a !== 'string'))
  ) {
    throw new TypeError('Option "execArgv" must be an array of strings.');
  }
  if (env !== undefined) {
    if (typeof env !== 'object' || env === null || Array.isArray(env)) {
      throw new TypeError('Option "env" must be an object of strings.');
    }
    for (const [key, value] of Object.entries(env)) {
      if (value !== undefined && typeof value !== 'string') {
        throw new TypeError(`Option "env.${key}" must be a string, got ${typeof value}.`);
      }
    }
  }
  if (cwd !== undefined) {
    if (!(cwd instanceof URL) && typeof cwd !== 'string') {
      throw new TypeError('Option "cwd" must be a path string or a file: URL.');
    }
    if (cwd === '') throw new RangeError('Option "cwd" must not be empty.');
  }
  if (stdio !== undefined && !OUTPUTS.includes(stdio)) {
    if (typeof stdio !== 'string') {
      throw new TypeError(`Option "stdio" must be one of ${OUTPUTS.join(', ')}.`);
    }
    throw new RangeError(`Option "stdio" must be one of ${OUTPUTS.join(', ')}, got "${stdio}".`);
  }
  if (maxOldGenerationSizeMb !== undefined) {
    if (typeof maxOldGenerationSizeMb !== 'number' || Number.isNaN(maxOldGenerationSizeMb)) {
      throw new TypeError('Option "maxOldGenerationSizeMb" must be a number.');
    }
    if (!Number.isInteger(maxOldGenerationSizeMb) || maxOldGenerationSizeMb < 1) {
      throw new RangeError(
        `Option "maxOldGenerationSizeMb" must be an integer >= 1, got ${maxOldGenerationSizeMb}.`,
      );
    }
  }
  checkNiceIncrement(niceIncrement);
}

/** What a process backend passes to `fork` (or `cluster.setupPrimary` + `cluster.fork`). */
export interface ProcessSpawnSettings {
  /** Node flags: the user's `execArgv`, then the heap limit. */
  readonly execArgv: string[];
  /** The full environment of the worker, including the encoded init. */
  readonly env: Record<string, string | undefined>;
  /** The workers' working directory; `undefined`: the host's. */
  readonly cwd: string | URL | undefined;
  /**
   * stdin ignored, stdout/stderr per {@link ProcessOutput}, then the data channel (fd 3 from
   * the host, fd 4 to it: socketpairs carrying the pool's messages), then the IPC channel
   * (control: its close tells a worker its host is gone).
   */
  readonly stdio: ['ignore', StdioTarget, StdioTarget, 'pipe', 'pipe', 'ipc'];
  /**
   * Structured clone for what still travels over IPC (a task's own `process.send`): BigInt,
   * Map, Set, Date, typed arrays, errors with `cause`. The pool's messages use the same format.
   */
  readonly serialization: 'advanced';
  /** Whether the host must copy the worker's output pipes into its own streams. */
  readonly forwardOutput: boolean;
}

type StdioTarget = 'inherit' | 'pipe' | 'ignore';

/** Turns validated {@link ProcessOptions} and a worker's init into spawn settings. */
export function processSpawnSettings(
  options: ProcessOptions,
  init: WorkerInit,
): ProcessSpawnSettings {
  const output = options.stdio ?? 'inherit';
  const target: StdioTarget =
    output === 'forward' ? 'pipe' : output === 'ignore' ? 'ignore' : 'inherit';
  const execArgv = [...(options.execArgv ?? [])];
  if (options.maxOldGenerationSizeMb !== undefined) {
    execArgv.push(`--max-old-space-size=${options.maxOldGenerationSizeMb}`);
  }
  // A TypeScript task module on Node 22.6-23.5: the worker needs type stripping turned on.
  const strip = typeStrippingFlag(init.module, execArgv);
  if (strip) execArgv.push(strip);
  return {
    execArgv,
    env: {
      ...(options.env ?? process.env),
      [WORKER_INIT_ENV]: encodeWorkerInit({ ...init, ...niceInit(options.niceIncrement) }),
    },
    cwd: options.cwd,
    // The data channel at HOST_TO_WORKER_FD and WORKER_TO_HOST_FD: the worker finds it there.
    stdio: ['ignore', target, target, 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
    forwardOutput: output === 'forward',
  };
}
