/**
 * The options of a worker's life around its tasks: an `initializer` run once before its first
 * task (with `initArgs`), a `teardown` run when it stops politely (bounded by
 * `teardownTimeout`), and `recycleAtMemoryMb` / `trackHeap` (replace a worker whose heap grew
 * past a limit; measure how much each task grows it). Checked at construction like the others.
 */
import { findUncloneablePath } from '../wire/clone-path.js';
import { NotCloneableError } from '../wire/errors.js';

/** How long a `teardown` may run by default before its worker is ended anyway, in ms. */
export const DEFAULT_TEARDOWN_TIMEOUT_MS = 5_000;

/** The worker-life options as {@link ExecutorOptions} declares them. */
export interface SetupOptionValues {
  readonly initializer?: string;
  readonly initArgs?: readonly unknown[];
  readonly teardown?: string;
  readonly teardownTimeout?: number;
  readonly recycleAtMemoryMb?: number;
  readonly trackHeap?: boolean;
}

/** {@link SetupOptionValues} checked, with defaults filled in. */
export interface ResolvedSetupOptions {
  /** Name of the export run once per worker before its first task. */
  readonly initializer: string | undefined;
  /** Its arguments (`[]` when none were given). */
  readonly initArgs: readonly unknown[];
  /** Name of the export run when a worker stops politely. */
  readonly teardown: string | undefined;
  /** Most ms a teardown may take. */
  readonly teardownTimeout: number;
  /** Heap size (MiB) past which a worker is replaced after its task; `Infinity`: never. */
  readonly recycleAtMemoryMb: number;
  /** Whether workers measure each task's heap growth (on when `recycleAtMemoryMb` is finite). */
  readonly trackHeap: boolean;
}

/** Keys of {@link SetupOptionValues}, for the unknown-option check. */
export const SETUP_OPTION_KEYS: readonly string[] = Object.freeze([
  'initializer',
  'initArgs',
  'teardown',
  'teardownTimeout',
  'recycleAtMemoryMb',
  'trackHeap',
]);

function checkExportName(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(
      `Option "${name}" must be the name of a function the task module exports (a non-empty string), got ${typeof value}.`,
    );
  }
}

/** Throws `TypeError`/`RangeError`/`NotCloneableError` for bad values; fills in defaults. */
export function resolveSetupOptions(
  o: SetupOptionValues,
  maxTimerMs: number,
): ResolvedSetupOptions {
  checkExportName('initializer', o.initializer);
  checkExportName('teardown', o.teardown);
  if (o.initArgs !== undefined) {
    if (!Array.isArray(o.initArgs)) {
      throw new TypeError('Option "initArgs" must be an array: the initializer\'s arguments.');
    }
    if (o.initializer === undefined) {
      throw new TypeError('Option "initArgs" needs "initializer": the export to pass them to.');
    }
    try {
      structuredClone(o.initArgs);
    } catch (error) {
      let path: string | undefined;
      try {
        path = findUncloneablePath(o.initArgs, 'initArgs');
      } catch {
        path = 'initArgs';
      }
      throw new NotCloneableError('initializer arguments', path, { cause: error });
    }
  }
  const teardownTimeout =
    o.teardownTimeout === undefined ? DEFAULT_TEARDOWN_TIMEOUT_MS : o.teardownTimeout;
  if (typeof teardownTimeout !== 'number' || Number.isNaN(teardownTimeout)) {
    throw new TypeError(
      `Option "teardownTimeout" must be a number of ms, got ${typeof teardownTimeout}.`,
    );
  }
  if (!Number.isInteger(teardownTimeout) || teardownTimeout < 0 || teardownTimeout > maxTimerMs) {
    throw new RangeError(
      `Option "teardownTimeout" must be an integer from 0 to ${maxTimerMs} ms, got ${teardownTimeout}.`,
    );
  }
  const recycleAtMemoryMb =
    o.recycleAtMemoryMb === undefined ? Number.POSITIVE_INFINITY : o.recycleAtMemoryMb;
  if (typeof recycleAtMemoryMb !== 'number' || Number.isNaN(recycleAtMemoryMb)) {
    throw new TypeError(
      `Option "recycleAtMemoryMb" must be a number of MiB, got ${typeof recycleAtMemoryMb}.`,
    );
  }
  if (!(recycleAtMemoryMb > 0)) {
    throw new RangeError(
      `Option "recycleAtMemoryMb" must be > 0 (MiB of heap), or Infinity for never, got ${recycleAtMemoryMb}.`,
    );
  }
  if (o.trackHeap !== undefined && typeof o.trackHeap !== 'boolean') {
    throw new TypeError(`Option "trackHeap" must be a boolean, got ${typeof o.trackHeap}.`);
  }
  return {
    initializer: o.initializer,
    initArgs: o.initArgs ?? [],
    teardown: o.teardown,
    teardownTimeout,
    recycleAtMemoryMb,
    trackHeap: o.trackHeap ?? Number.isFinite(recycleAtMemoryMb),
  };
}

/** The fields of a worker's init that carry these options (only those set). */
export function setupInit(options: ResolvedSetupOptions): {
  initializer?: string;
  initArgs?: readonly unknown[];
  teardown?: string;
  teardownTimeout?: number;
  trackHeap?: boolean;
} {
  return {
    ...(options.initializer !== undefined && {
      initializer: options.initializer,
      initArgs: options.initArgs,
    }),
    ...(options.teardown !== undefined && {
      teardown: options.teardown,
      teardownTimeout: options.teardownTimeout,
    }),
    ...(options.trackHeap && { trackHeap: true }),
  };
}
